import { afterAll, describe, expect, it } from 'vitest';
import { signedInBrowser, type ExtensionBrowser } from '../support/browser';
import { customer } from '../support/stack';
import { useTestStack } from '../support/fixture';

/** One agent, two browsers: reading a conversation on one clears its unread count on the other. */
describe('An agent on two devices', () => {
  const ctx = useTestStack({ orgs: { org: 1 } });
  const browsers: ExtensionBrowser[] = [];

  afterAll(async () => {
    for (const b of browsers) await b.close();
  });

  it('clears the unread count and badge on the other device', async () => {
    const laptop = await signedInBrowser(ctx.stack, ctx.org.agents[0]!.email);
    const desktop = await signedInBrowser(ctx.stack, ctx.org.agents[0]!.email);
    browsers.push(laptop.browser, desktop.browser);
    for (const p of [laptop.panel, desktop.panel]) await p.locator('[data-status="live"]').waitFor({ timeout: 10_000 });
    await ctx.stack.inbound({ from: customer(), to: ctx.org.number, body: 'Hello twice', profileName: 'Dana' });
    for (const p of [laptop.panel, desktop.panel]) await p.getByRole('button', { name: /Dana/ }).getByLabel('1 unread').waitFor({ timeout: 10_000 });

    await laptop.panel.getByRole('button', { name: /Dana/ }).click();
    await expect.poll(() => desktop.panel.getByRole('button', { name: /Dana/ }).getByLabel('1 unread').count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => desktop.browser.badgeText(), { timeout: 10_000 }).toBe('');
  });
});
