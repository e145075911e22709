import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInBrowser, type ExtensionBrowser } from '../support/browser';
import { createTestOrg, customer, startTestStack, type TestOrg, type TestStack } from '../support/stack';

/** Access tokens of 35 s: each expires while connected and must be refreshed without a gap. */
describe('Token refresh under live sockets, in Chromium', () => {
  let stack: TestStack;
  let org: TestOrg;
  let browser: ExtensionBrowser;

  beforeAll(async () => {
    stack = await startTestStack({ LOCAL_AUTH_TOKEN_TTL: '35' });
    org = await createTestOrg(stack, 1);
    ({ browser } = await signedInBrowser(stack, org.agents[0]!.email));
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('keeps both sockets and the stream across an expiring access token', async () => {
    const panel = await browser.page('sidepanel.html');
    const status = () => panel.locator('[data-status]').getAttribute('data-status');
    await expect.poll(status, { timeout: 10_000 }).toBe('live');
    const token = () => panel.evaluate(async () => JSON.parse((await chrome.storage.local.get('sb-switchboard-auth-token'))['sb-switchboard-auth-token'] as string).access_token as string);
    const first = await token();
    const statuses = new Set<string>();
    const watch = setInterval(() => void status().then((s) => s && statuses.add(s)), 250);
    await new Promise((r) => setTimeout(r, 45_000)); // past the first token's expiry
    clearInterval(watch);
    expect(await token()).not.toBe(first);
    expect([...statuses]).toEqual(['live']);
    await stack.inbound({ from: customer(), to: org.number, body: 'after the refresh', profileName: 'Tia' });
    await panel.getByRole('button', { name: /Tia/ }).getByLabel('1 unread').waitFor({ timeout: 10_000 });
    expect(stack.app.io.engine.clientsCount).toBe(1);
  }, 80_000);
});
