import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInBrowser, type ExtensionBrowser } from '../support/browser';
import { customer } from '../support/stack';
import { useTestStack } from '../support/fixture';

/** Access tokens of 35 s: each expires while connected and must be refreshed without a gap. */
describe('Token refresh under live sockets, in Chromium', () => {
  const ctx = useTestStack({ env: { LOCAL_AUTH_TOKEN_TTL: '35' }, orgs: { org: 1 } });
  let browser: ExtensionBrowser;

  beforeAll(async () => {
    ({ browser } = await signedInBrowser(ctx.stack, ctx.org.agents[0]!.email));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('keeps both sockets and the stream across an expiring access token', async () => {
    const panel = await browser.page('sidepanel.html');
    const status = () => panel.locator('[data-status]').getAttribute('data-status');
    await expect.poll(status, { timeout: 10_000 }).toBe('live');
    const token = () =>
      panel.evaluate(
        async () => JSON.parse((await chrome.storage.local.get('sb-switchboard-auth-token'))['sb-switchboard-auth-token'] as string).access_token as string,
      );
    const first = await token();
    const statuses = new Set<string>();
    const watch = setInterval(() => void status().then((s) => s && statuses.add(s)), 250);
    await new Promise((r) => setTimeout(r, 45_000)); // past the first token's expiry
    clearInterval(watch);
    expect(await token()).not.toBe(first);
    expect([...statuses]).toEqual(['live']);
    await ctx.stack.inbound({ from: customer(), to: ctx.org.number, body: 'after the refresh', profileName: 'Tia' });
    await panel.getByRole('button', { name: /Tia/ }).getByLabel('1 unread').waitFor({ timeout: 10_000 });
    expect(ctx.stack.app.io.engine.clientsCount).toBe(1);
  }, 80_000);
});
