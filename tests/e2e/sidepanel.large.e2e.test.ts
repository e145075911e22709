import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInBrowser, type ExtensionBrowser } from '../support/browser';
import { seedLargeInbox } from '../support/seed';
import { useTestStack } from '../support/fixture';

/** The side panel with 2,000 conversations and a 5,000-message thread: virtualised, in Chromium with the built extension. */
describe('The side panel with a large inbox', () => {
  const ctx2 = useTestStack({ orgs: { org: 1 } });
  let browser: ExtensionBrowser;
  const CONVERSATIONS = 2000;
  const MESSAGES = 5000;

  beforeAll(async () => {
    // 2,000 conversations, the newest with 5,000 messages, before the agent signs in.
    await seedLargeInbox(ctx2.stack.db, { organisationId: ctx2.org.id, channelId: ctx2.org.channelId, conversations: CONVERSATIONS, messages: MESSAGES });
    ({ browser } = await signedInBrowser(ctx2.stack, ctx2.org.agents[0]!.email));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('lists 2,000 conversations with only the rows on screen in the page', async () => {
    const panel = await browser.page('sidepanel.html');
    await panel.setViewportSize({ width: 400, height: 700 });
    await panel.getByRole('button', { name: /Customer 1\b/ }).waitFor({ timeout: 20_000 });
    // The rows come first (the first screen of the inbox); the counts with the whole of it.
    await expect.poll(() => panel.getByRole('button', { name: /^All/ }).textContent()).toContain(String(CONVERSATIONS));
    expect(await panel.locator('.conversation').count()).toBeLessThan(60);
    // End jumps to the oldest; the rows rendered move with it.
    await panel.locator('.conversation').first().focus();
    await panel.keyboard.press('End');
    await panel.getByRole('button', { name: new RegExp(`Customer ${CONVERSATIONS}\\b`) }).waitFor();
    expect(await panel.evaluate(() => document.activeElement?.textContent)).toContain(`Customer ${CONVERSATIONS}`);
    expect(await panel.locator('.conversation').count()).toBeLessThan(60);
    await panel.close();
  });

  it('opens a 5,000-message conversation at the newest message and loads older history on scrolling up, virtualised', async () => {
    const panel = await browser.page('sidepanel.html');
    await panel.setViewportSize({ width: 400, height: 700 });
    await panel.getByRole('button', { name: /Customer 1\b/ }).click();
    const thread = panel.getByRole('list', { name: 'Messages' });
    // The thread's newest page comes from the server through the worker; with the whole suite
    // running on two cores this once took over 10 s (the list's first render is given 20 s too).
    await thread.getByText(`Message number ${MESSAGES}`, { exact: true }).waitFor({ timeout: 20_000 });
    expect(await thread.getByText(`Message number ${MESSAGES}`, { exact: true }).isVisible()).toBe(true);
    const bodies = async () => (await thread.locator('li.message .body').allTextContents()).map((t) => Number(t.replace('Message number ', '')));
    expect(await thread.locator('li.message').count()).toBeLessThan(80);

    // Scroll to the top a few times: each time a page of older messages arrives and is shown above.
    const scroller = panel.locator('.messages-scroller');
    let oldest = Math.min(...(await bodies()));
    for (let i = 0; i < 4; i++) {
      await scroller.evaluate((el) => (el.scrollTop = 0));
      await expect.poll(async () => Math.min(...(await bodies())), { timeout: 10_000 }).toBeLessThan(oldest);
      oldest = Math.min(...(await bodies()));
    }
    // Beyond the 100 cached messages, and still only a screenful or so in the page.
    expect(oldest).toBeLessThan(MESSAGES - 100);
    expect(await thread.locator('li.message').count()).toBeLessThan(80);
    await panel.close();
  });
});
