import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInBrowser, type ExtensionBrowser } from '../support/browser';
import { customer } from '../support/stack';
import { useTestStack } from '../support/fixture';

describe('Inbox in Chromium with the built extension', () => {
  const ctx = useTestStack({ orgs: { org: 1 } });
  let browser: ExtensionBrowser;
  let panel: Page;
  let options: Page;

  beforeAll(async () => {
    ({ browser, options, panel } = await signedInBrowser(ctx.stack, ctx.org.agents[0]!.email));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('signs in through the options page and goes live', async () => {
    await expect.poll(() => panel.locator('[data-status]').getAttribute('data-status'), { timeout: 10_000 }).toBe('live');
    expect(await panel.getByText('No conversations yet.').isVisible()).toBe(true);
  });

  it('shows a simulated inbound WhatsApp message live, with the unread count on the toolbar badge', async () => {
    const res = await ctx.stack.inbound({ from: customer(), to: ctx.org.number, body: 'Hola from WhatsApp', profileName: 'Lucía' });
    expect(res.status).toBe(200);
    const row = panel.getByRole('button', { name: /Lucía/ });
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toContain('Hola from WhatsApp');
    expect(await row.getByLabel('1 unread').textContent()).toBe('1');
    await expect.poll(() => browser.badgeText(), { timeout: 10_000 }).toBe('1');
    // A desktop notification for the conversation (the agent is not looking at it).
    const id = await row.getAttribute('data-conversation-id');
    await expect.poll(async () => Object.keys(await panel.evaluate(() => chrome.notifications.getAll())), { timeout: 5000 }).toContain(`conversation:${id}`);

    await ctx.stack.inbound({ from: res.params.From!, to: ctx.org.number, body: 'Are you there?', profileName: 'Lucía' });
    await row.getByLabel('2 unread').waitFor({ timeout: 10_000 });
    await expect.poll(() => browser.badgeText(), { timeout: 10_000 }).toBe('2');
  });

  it('opens the conversation, shows its messages and clears the unread count', async () => {
    await panel.getByRole('button', { name: /Lucía/ }).click();
    const thread = panel.getByRole('list', { name: 'Messages' });
    await thread.getByText('Are you there?').waitFor();
    expect(await thread.locator('li.message').allTextContents()).toEqual([
      expect.stringContaining('Hola from WhatsApp'),
      expect.stringContaining('Are you there?'),
    ]);
    await expect.poll(() => browser.badgeText(), { timeout: 10_000 }).toBe('');
  });

  it('does not notify about the conversation on screen', async () => {
    await panel.bringToFront();
    await panel.evaluate(async () => {
      for (const id of Object.keys(await chrome.notifications.getAll())) await chrome.notifications.clear(id);
    });
    const from = await panel
      .getByText(/^\+1646/)
      .first()
      .textContent();
    await ctx.stack.inbound({ from: from!, to: ctx.org.number, body: 'Seen as it arrives', profileName: 'Lucía' });
    await panel.getByRole('list', { name: 'Messages' }).getByText('Seen as it arrives').waitFor({ timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 300));
    expect(await panel.evaluate(() => chrome.notifications.getAll())).toEqual({});
    // Read as it arrives: nothing unread is left behind on the toolbar.
    await expect.poll(() => browser.badgeText(), { timeout: 10_000 }).toBe('');
  });

  it('clicking a notification opens its conversation and reads it', async () => {
    await panel.getByRole('button', { name: 'Back to conversations' }).click();
    await ctx.stack.inbound({ from: customer(), to: ctx.org.number, body: 'Ping from a notification', profileName: 'Nadia' });
    const row = panel.getByRole('button', { name: /Nadia/ });
    await row.waitFor({ timeout: 10_000 });
    const id = await row.getAttribute('data-conversation-id');
    await expect.poll(async () => Object.keys(await panel.evaluate(() => chrome.notifications.getAll())), { timeout: 5000 }).toContain(`conversation:${id}`);
    // Headless Chromium cannot click an OS notification: run what the registered click listener runs.
    expect(await browser.worker.evaluate(() => chrome.notifications.onClicked.hasListeners())).toBe(true);
    await browser.worker.evaluate(
      (nid) => (self as unknown as { switchboard: { notificationClicked(id: string): Promise<void> } }).switchboard.notificationClicked(nid),
      `conversation:${id}`,
    );
    await panel.getByRole('list', { name: 'Messages' }).getByText('Ping from a notification').waitFor({ timeout: 5000 });
    expect(await panel.evaluate(() => chrome.notifications.getAll())).not.toHaveProperty(`conversation:${id}`);
    await expect.poll(() => browser.badgeText(), { timeout: 10_000 }).toBe('');
  });

  it('renders customer markup as text, never as HTML', async () => {
    const body = '<img src=x onerror="document.title=\'pwned\'"><b>bold?</b>';
    await ctx.stack.inbound({ from: customer(), to: ctx.org.number, body, profileName: '<i>Mallory</i>' });
    await panel.getByRole('button', { name: 'Back to conversations' }).click();
    const row = panel.getByRole('button', { name: /<i>Mallory<\/i>/ });
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toContain(body);
    expect(await panel.locator('img, b, i').count()).toBe(0);
    expect(await panel.title()).not.toBe('pwned');
  });

  it('changes the text of a customer’s notification still up instead of popping up a new one', async () => {
    // What the worker asks of Chromium's notifications API, for which notification, and what
    // Chromium answers (an earlier customer's notification may still be on its way: only this
    // customer's are compared).
    await browser.worker.evaluate(() => {
      const w = globalThis as unknown as { __asked: Array<[string, unknown, unknown]> };
      w.__asked = [];
      for (const name of ['create', 'update'] as const) {
        const real = chrome.notifications[name].bind(chrome.notifications) as (...args: unknown[]) => Promise<unknown>;
        (chrome.notifications as unknown as Record<string, unknown>)[name] = async (...args: unknown[]) => {
          const answer = await real(...args);
          w.__asked.push([name, args[0], answer]);
          return answer;
        };
      }
    });
    const asked = async (id: string) =>
      (await browser.worker.evaluate(() => (globalThis as unknown as { __asked: Array<[string, unknown, unknown]> }).__asked))
        .filter(([, of]) => of === id)
        .map(([name, , answer]) => [name, answer]);
    // The previous test's customer told first: two customers within one second would share one
    // notification (a burst), which is not what this test is about.
    const mallory = await panel.getByRole('button', { name: /Mallory/ }).getAttribute('data-conversation-id');
    await expect
      .poll(async () => Object.keys(await panel.evaluate(() => chrome.notifications.getAll())), { timeout: 5000 })
      .toContain(`conversation:${mallory}`);
    const from = customer();
    await ctx.stack.inbound({ from, to: ctx.org.number, body: 'First of a burst', profileName: 'Marta' });
    const row = panel.getByRole('button', { name: /Marta/ });
    await row.waitFor({ timeout: 10_000 });
    const id = `conversation:${await row.getAttribute('data-conversation-id')}`;
    await expect.poll(() => asked(id), { timeout: 5000 }).toEqual([['create', id]]);
    // The same customer a moment later: Chromium changes the notification that is up (it says so).
    await ctx.stack.inbound({ from, to: ctx.org.number, body: 'Second of a burst', profileName: 'Marta' });
    await expect
      .poll(() => asked(id), { timeout: 5000 })
      .toEqual([
        ['create', id],
        ['update', true],
      ]);
    expect(Object.keys(await panel.evaluate(() => chrome.notifications.getAll()))).toContain(id);
  });

  it('a burst of customers ends in one notification that counts them all; clicking it shows the conversations', async () => {
    await panel.evaluate(async () => {
      for (const id of Object.keys(await chrome.notifications.getAll())) await chrome.notifications.clear(id);
    });
    // What the worker asked of Chromium's notifications API, with the text, once Chromium answered.
    await browser.worker.evaluate(() => {
      const w = globalThis as unknown as { __texts: Array<[string, string, { title?: string; message?: string }]> };
      w.__texts = [];
      for (const name of ['create', 'update'] as const) {
        const real = chrome.notifications[name].bind(chrome.notifications) as (...args: unknown[]) => Promise<unknown>;
        (chrome.notifications as unknown as Record<string, unknown>)[name] = async (...args: unknown[]) => {
          const answer = await real(...args);
          w.__texts.push([name, args[0] as string, args[1] as { title?: string; message?: string }]);
          return answer;
        };
      }
    });
    type Told = Array<[string, string, { title?: string; message?: string }]>;
    const texts = () => browser.worker.evaluate(() => (globalThis as unknown as { __texts: Told }).__texts);
    // A thread open: the burst's click brings the agent back to the conversations.
    await panel.getByRole('button', { name: /Marta/ }).click();
    await panel.getByRole('button', { name: 'Back to conversations' }).waitFor();
    // Customers write three at a time until one notification is shared (several within a second,
    // or one more while three customers' are up: which one the machine's pace decides).
    const names: string[] = [];
    let told: Told = [];
    const isBurst = ([, id]: Told[number]) => id === 'inbox:burst';
    // Customers the burst's notification counted: its count when each of its pop-ups was last changed
    // (a burst that goes on pops up again counting from there).
    const countedInBursts = () => {
      const rounds: number[] = [];
      for (const t of told.filter(isBurst)) {
        const count = Number(/^(\d+) more customers? wrote$/.exec(t[2].title ?? '')?.[1] ?? Number.NaN);
        if (t[0] === 'create') rounds.push(count);
        else rounds[rounds.length - 1] = count;
      }
      return rounds.reduce((a, b) => a + b, 0);
    };
    const until = Date.now() + 30_000;
    for (let batch = 0; !told.some(isBurst) && Date.now() < until; batch++) {
      const these = [0, 1, 2].map((i) => `Burst customer ${batch * 3 + i}`);
      names.push(...these);
      await Promise.all(these.map((name) => ctx.stack.inbound({ from: customer(), to: ctx.org.number, body: `Hello from ${name}`, profileName: name })));
      // Each is told: on their own, or counted in the burst's notification.
      await expect
        .poll(
          async () => {
            told = await texts();
            return told.filter((t) => !isBurst(t) && names.includes(t[2].title!)).length + countedInBursts();
          },
          { timeout: 10_000 },
        )
        .toBe(names.length);
    }
    expect(told.find(isBurst)?.[0], 'the burst pops up').toBe('create');
    expect(Object.keys(await panel.evaluate(() => chrome.notifications.getAll()))).toContain('inbox:burst');
    // Headless Chromium cannot click an OS notification: run what the registered click listener runs.
    await browser.worker.evaluate(() =>
      (self as unknown as { switchboard: { notificationClicked(id: string): Promise<void> } }).switchboard.notificationClicked('inbox:burst'),
    );
    await panel
      .getByRole('list', { name: 'Conversations' })
      .getByRole('button', { name: new RegExp(names.at(-1)!) })
      .waitFor({ timeout: 5000 });
    expect(await panel.getByRole('button', { name: 'Back to conversations' }).count()).toBe(0);
    expect(Object.keys(await panel.evaluate(() => chrome.notifications.getAll()))).not.toContain('inbox:burst');
  });

  it('sign out clears the session, the inbox and the badge', async () => {
    // Kept on the device while signed in (the inbox's cache, written within a second or so).
    await expect.poll(() => browser.storedOnDevice(), { timeout: 10_000 }).toContain('Hola from WhatsApp');
    await options.getByRole('button', { name: 'Sign out' }).click();
    await options.getByRole('button', { name: 'Sign in' }).waitFor();
    await panel.getByText('Sign in to see your WhatsApp conversations.').waitFor({ timeout: 10_000 });
    const stored = await browser.worker.evaluate(() => chrome.storage.local.get(null));
    expect(Object.keys(stored).filter((k) => k.includes('auth-token'))).toEqual([]);
    // Neither the storage items nor the inbox's cache (IndexedDB) keep a customer's words.
    await expect.poll(() => browser.storedOnDevice(), { timeout: 10_000 }).not.toContain('Hola from WhatsApp');
    expect(JSON.parse(await browser.storedOnDevice()).cache.conversations).toEqual([]);
    await expect.poll(() => browser.badgeText(), { timeout: 10_000 }).toBe('');
  });
});
