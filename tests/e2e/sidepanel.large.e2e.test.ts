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
    // The focus follows in the frame after the row is rendered (the list focuses it once it is there).
    await expect.poll(() => panel.evaluate(() => document.activeElement?.textContent)).toContain(`Customer ${CONVERSATIONS}`);
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

  it('keeps what the agent reads in place when a message lands in the history above it (a catch-up filling a gap)', async () => {
    const panel = await browser.page('sidepanel.html');
    await panel.setViewportSize({ width: 400, height: 700 });
    const thread = panel.getByRole('list', { name: 'Messages' });
    // Open (a panel opens on the thread that was open last).
    const row = panel.getByRole('button', { name: /Customer 1\b/ });
    await row.or(thread).first().waitFor({ timeout: 20_000 });
    if (await row.isVisible()) await row.click();
    const bubble = (n: number) => thread.locator('li.message').filter({ has: panel.getByText(`Message number ${n}`, { exact: true }) });
    await bubble(MESSAGES).waitFor({ timeout: 20_000 });
    // The agent scrolls up to read: message 4965 at the top of the view, well away from the bottom.
    const scroller = panel.locator('.messages-scroller');
    const topOf = async (n: number) => {
      const [item, view] = await Promise.all([bubble(n).boundingBox(), scroller.boundingBox()]);
      return Math.round(item!.y - view!.y);
    };
    await expect
      .poll(async () => (await bubble(4965).count()) || (await scroller.evaluate((el) => void (el.scrollTop -= 300))) || 0, { timeout: 10_000 })
      .toBe(1);
    // To the top of the view, again until it stays there (the list may correct its scroll as it
    // measures the bubbles above, more so on a busy machine).
    await expect
      .poll(
        async () => {
          const top = await topOf(4965);
          if (Math.abs(top) > 20) await scroller.evaluate((el, by) => void (el.scrollTop += by), top);
          return Math.abs(top) <= 20 && (await topOf(4965)) === top;
        },
        { timeout: 10_000 },
      )
      .toBe(true);
    const before = await topOf(4965);
    // Where the message will land (just above 4963) is above the view: 4963 starts above its top.
    expect(await topOf(4963)).toBeLessThan(0);

    // A message older than what is on screen is stored now (as a reconnect's catch-up finds what a
    // gap missed): it belongs between 4962 and 4963, above the view.
    await ctx2.stack.db.query(
      `insert into messages (organisation_id, conversation_id, direction, body, status, created_at)
       select organisation_id, conversation_id, 'inbound', 'Filled in later', 'received', created_at + interval '150 seconds'
         from messages where body = 'Message number 4962' and organisation_id = $1`,
      [ctx2.org.id],
    );
    await thread.getByText('Filled in later', { exact: true }).waitFor({ state: 'attached', timeout: 10_000 });
    const order = async () => (await thread.locator('li.message .body').allTextContents()).filter((b) => /4962|4963|Filled/.test(b));
    expect(await order()).toEqual(['Message number 4962', 'Filled in later', 'Message number 4963']);
    // What the agent was reading has not moved.
    await expect.poll(() => topOf(4965), { timeout: 5_000 }).toBe(before);
    await panel.close();
  });
});
