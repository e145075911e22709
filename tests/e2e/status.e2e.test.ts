import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { BADGE_SELECTOR } from '../../lib/overlay/badge-element';
import { attachToTarget } from '../support/cdp';
import { showEveryone } from '../support/browser';
import { useSignedInBrowser, useTestStack } from '../support/fixture';
import { customer } from '../support/stack';

/**
 * Conversations that end, in Chromium with the built extension, for two agents of one
 * organisation: resolve and the colleague's Open loses it live; the customer writes again and it
 * returns with its unread count; a snooze wakes by itself; mark unread raises the toolbar badge;
 * notifications follow the agent's scope (and sound through the offscreen document).
 */
describe('Open, snoozed, resolved in the side panel', () => {
  const ctx = useTestStack({ env: { SNOOZE_SWEEP_MS: '200' }, orgs: { org: 2 } });
  const alice = useSignedInBrowser(ctx, () => ctx.org.agents[0]!.email);
  const bob = useSignedInBrowser(ctx, () => ctx.org.agents[1]!.email);
  const nadia = '+14155550134'; // a number on the demo CRM page

  const omar = customer();

  const row = (panel: Page, name: string) => panel.getByRole('list', { name: 'Conversations' }).getByRole('button', { name: new RegExp(name) });
  const tab = (panel: Page, name: 'Open' | 'Snoozed' | 'Resolved') =>
    panel.getByRole('group', { name: 'Status' }).getByRole('button', { name: new RegExp(`^${name}`) });
  const notifications = (panel: Page) => panel.evaluate(async () => Object.keys(await chrome.notifications.getAll()));
  const clearNotifications = (panel: Page) =>
    panel.evaluate(async () => {
      for (const id of Object.keys(await chrome.notifications.getAll())) await chrome.notifications.clear(id);
    });
  const idOf = async (panel: Page, name: string) => (await row(panel, name).getAttribute('data-conversation-id'))!;
  const toast = (panel: Page) => panel.locator('.toast[role="status"]');
  const back = (panel: Page) => panel.getByRole('button', { name: 'Back to conversations' }).click();

  beforeAll(async () => {
    await ctx.stack.inbound({ from: nadia, to: ctx.org.number, body: 'Can I change my order?', profileName: 'Nadia' });
    await ctx.stack.inbound({ from: omar, to: ctx.org.number, body: 'Invoice please', profileName: 'Omar' });
    for (const ui of [alice, bob]) for (const name of ['Nadia', 'Omar']) await row(ui.panel, name).waitFor({ timeout: 15_000 });
    // Each sees the other's conversations too (the list's All, not the default inbox).
    for (const ui of [alice, bob]) await showEveryone(ui.panel);
  });

  it('resolving leaves Open for a colleague live; the customer writes again and it returns with its unread count and why', async () => {
    expect(await tab(bob.panel, 'Open').textContent()).toBe('Open 2');
    await row(alice.panel, 'Nadia').click();
    await alice.panel.getByRole('list', { name: 'Messages' }).getByText('Can I change my order?').waitFor();
    await alice.panel.getByRole('button', { name: 'Resolve', exact: true }).click();
    // Back at the list, without it; and the colleague's Open loses it, live.
    await row(alice.panel, 'Nadia').waitFor({ state: 'detached' });
    await row(bob.panel, 'Nadia').waitFor({ state: 'detached', timeout: 10_000 });
    await expect.poll(() => tab(bob.panel, 'Open').textContent()).toBe('Open 1');
    expect(await tab(bob.panel, 'Resolved').textContent()).toBe('Resolved 1');
    await tab(bob.panel, 'Resolved').click();
    await row(bob.panel, 'Nadia').click();
    await bob.panel.getByText('Agent 0 resolved this').waitFor();
    expect(await bob.panel.getByRole('button', { name: 'Reopen' }).isVisible()).toBe(true);
    await back(bob.panel);
    await tab(bob.panel, 'Open').click();

    await ctx.stack.inbound({ from: nadia, to: ctx.org.number, body: 'Hello? One more thing', profileName: 'Nadia' });
    for (const ui of [alice, bob]) {
      const r = row(ui.panel, 'Nadia');
      await r.waitFor({ timeout: 10_000 });
      await r.getByLabel('1 unread').waitFor();
      expect(await r.textContent()).toContain('Back: the customer wrote again');
    }
    await expect.poll(() => tab(bob.panel, 'Open').textContent()).toBe('Open 2');
    expect(await tab(bob.panel, 'Resolved').textContent()).toBe('Resolved 0');
  });

  it('mark unread (U in the thread) goes back to the list and raises the toolbar badge and the CRM page’s badge', async () => {
    const crm = await alice.browser.context.newPage();
    await crm.goto(`${ctx.stack.serverUrl}/demo/crm`);
    const crmBadge = crm.locator(`${BADGE_SELECTOR}[data-phone="${nadia}"]`);
    await crmBadge.waitFor({ timeout: 10_000 });
    await alice.panel.bringToFront();
    await row(alice.panel, 'Nadia').click();
    await alice.panel.getByRole('list', { name: 'Messages' }).getByText('Hello? One more thing').waitFor();
    await alice.panel.getByRole('button', { name: 'Back to conversations' }).focus();
    // Omar is still unread for Alice; Nadia was just read.
    await expect.poll(() => alice.browser.badgeText(), { timeout: 10_000 }).toBe('1');
    await expect.poll(() => crmBadge.getAttribute('data-unread'), { timeout: 10_000 }).toBe('0');
    await alice.panel.keyboard.press('u');
    await row(alice.panel, 'Nadia').getByLabel('1 unread').waitFor({ timeout: 10_000 });
    await expect.poll(() => alice.browser.badgeText(), { timeout: 10_000 }).toBe('2');
    await expect.poll(() => crmBadge.getAttribute('data-unread'), { timeout: 10_000 }).toBe('1');
    await crm.close();
    // The Unread filter holds both.
    await alice.panel.getByRole('button', { name: /^Unread/ }).click();
    await expect.poll(() => alice.panel.getByRole('list', { name: 'Conversations' }).getByRole('listitem').count()).toBe(2);
    await alice.panel.getByRole('button', { name: /^Unread/ }).click();
  });

  it('a snooze (picked as a date and time, to the minute) wakes by itself and notifies its assignee, not a colleague', async () => {
    const id = await idOf(alice.panel, 'Nadia');
    await row(alice.panel, 'Nadia').click();
    await alice.panel.getByRole('button', { name: 'Assign to me' }).click();
    await alice.panel.getByRole('button', { name: 'Back to conversations' }).focus();
    await alice.panel.keyboard.press('z');
    const menu = alice.panel.getByRole('group', { name: 'Snooze until' });
    await menu.getByRole('button', { name: /^1 hour/ }).waitFor();
    // The picker has no seconds: it steps by the minute, and so does its earliest choice.
    const picker = menu.getByLabel('Date and time');
    expect(await picker.getAttribute('step')).toBe('60');
    expect(await picker.getAttribute('min')).toMatch(/T\d\d:\d\d$/);
    const nextMinute = await alice.panel.evaluate(() => {
      const d = new Date(Date.now() + 60_000);
      const p = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
    });
    await picker.fill(nextMinute);
    await menu.getByRole('button', { name: 'Snooze', exact: true }).click();
    await row(alice.panel, 'Nadia').waitFor({ state: 'detached' });
    await tab(alice.panel, 'Snoozed').click();
    expect(await row(alice.panel, 'Nadia').textContent()).toContain('Snoozed until today');
    await tab(alice.panel, 'Open').click();
    await Promise.all([clearNotifications(alice.panel), clearNotifications(bob.panel)]);
    // The minute passes (here at once): the server's sweeper wakes it.
    await ctx.stack.db.query('update conversations set snoozed_until = now() where id = $1', [id]);

    const woken = row(alice.panel, 'Nadia');
    await woken.waitFor({ timeout: 15_000 });
    expect(await woken.textContent()).toContain('Back: snooze ended');
    await expect.poll(() => notifications(alice.panel), { timeout: 5000 }).toContain(`conversation:${id}`);
    await row(bob.panel, 'Nadia').waitFor({ timeout: 10_000 });
    expect(await notifications(bob.panel)).not.toContain(`conversation:${id}`);
  });

  it('notifies for my conversations and unassigned ones, not a colleague’s; being assigned one notifies, with the extension’s sound', async () => {
    const nadiaId = await idOf(alice.panel, 'Nadia'); // assigned to Alice
    const omarId = await idOf(alice.panel, 'Omar');
    // Bob takes Omar: a colleague's conversation, outside Alice's default scope.
    await row(bob.panel, 'Omar').click();
    await bob.panel.getByRole('button', { name: 'Assign to me' }).click();
    await row(alice.panel, 'Omar').getByText('Assigned to Agent 1').waitFor({ timeout: 10_000 });
    await back(bob.panel);
    await clearNotifications(alice.panel);

    await ctx.stack.inbound({ from: omar, to: ctx.org.number, body: 'Bob’s customer writes', profileName: 'Omar' });
    await ctx.stack.inbound({ from: nadia, to: ctx.org.number, body: 'Alice’s customer writes', profileName: 'Nadia' });
    await expect.poll(() => notifications(alice.panel), { timeout: 10_000 }).toContain(`conversation:${nadiaId}`);
    expect(await notifications(alice.panel)).not.toContain(`conversation:${omarId}`);

    // With a sound: Bob hands Omar to Alice, no new message, and Alice is told (and hears it).
    await alice.options.bringToFront();
    await alice.options.getByLabel('Play a sound').check();
    await alice.panel.bringToFront();
    await clearNotifications(alice.panel);
    await row(bob.panel, 'Omar').click();
    await bob.panel.getByLabel('Assignee').selectOption({ label: 'Agent 0' });
    await expect.poll(() => notifications(alice.panel), { timeout: 10_000 }).toContain(`conversation:${omarId}`);
    const cdp = await alice.browser.context.newCDPSession(alice.panel);
    await expect
      .poll(
        async () => {
          const offscreen = await attachToTarget(cdp, (t) => t.url.endsWith('/offscreen.html'), 'offscreen document').catch(() => null);
          if (!offscreen) return null;
          const r = await offscreen.call('Runtime.evaluate', { expression: 'document.documentElement.dataset.played ?? null', returnByValue: true });
          await offscreen.detach();
          return (r.result as { value: string | null }).value;
        },
        { timeout: 10_000 },
      )
      .toBe('1');
    await back(bob.panel);

    // The toolbar icon counts only Alice's and unassigned conversations when she says so, and its title says which.
    const title = () => alice.browser.worker.evaluate(() => chrome.action.getTitle({}));
    await ctx.stack.inbound({ from: customer(), to: ctx.org.number, body: 'New here', profileName: 'Pat' });
    await row(bob.panel, 'Pat').click();
    await bob.panel.getByRole('button', { name: 'Assign to me' }).click();
    await row(alice.panel, 'Pat').getByText('Assigned to Agent 1').waitFor({ timeout: 10_000 });
    await back(bob.panel);
    await row(alice.panel, 'Pat').getByLabel('1 unread').waitFor();
    // Every unread count in Alice's Open list, summed: what the icon shows for "all".
    const counts = await alice.panel.getByRole('list', { name: 'Conversations' }).locator('.unread-count').allTextContents();
    const all = counts.reduce((n, c) => n + Number(c), 0);
    // By default her own and unassigned ones: what her extension receives (docs/delivery-scope.md).
    await expect.poll(() => alice.browser.badgeText(), { timeout: 5000 }).toBe(String(all - 1));
    expect(await title()).toMatch(/unread in your and unassigned open conversations$/);
    await alice.options.getByLabel('All open conversations').check();
    await expect.poll(() => alice.browser.badgeText(), { timeout: 5000 }).toBe(String(all));
    expect(await title()).toMatch(/unread in all open conversations$/);
    await alice.options.getByLabel('My and unassigned open conversations').check();
    await expect.poll(() => alice.browser.badgeText(), { timeout: 5000 }).toBe(String(all - 1));
  });

  it('bulk resolve: pick conversations in the list and resolve them together', async () => {
    await ctx.stack.inbound({ from: customer(), to: ctx.org.number, body: 'First of two', profileName: 'Quinn' });
    await ctx.stack.inbound({ from: customer(), to: ctx.org.number, body: 'Second of two', profileName: 'Rosa' });
    for (const name of ['Quinn', 'Rosa']) await row(alice.panel, name).waitFor({ timeout: 10_000 });
    // Checkboxes only in selection mode.
    expect(await alice.panel.getByRole('checkbox').count()).toBe(0);
    await alice.panel.getByRole('button', { name: 'Select' }).click();
    for (const name of ['Quinn', 'Rosa']) await alice.panel.getByRole('checkbox', { name: new RegExp(name) }).check();
    const bar = alice.panel.getByRole('region', { name: 'Selected conversations' });
    await bar.getByRole('button', { name: 'Resolve 2' }).click();
    await toast(alice.panel).getByText('2 resolved').waitFor();
    for (const ui of [alice, bob]) for (const name of ['Quinn', 'Rosa']) await row(ui.panel, name).waitFor({ state: 'detached', timeout: 10_000 });
    // Undo: both back in Open, for the colleague too.
    await toast(alice.panel).getByRole('button', { name: 'Undo' }).click();
    for (const ui of [alice, bob]) for (const name of ['Quinn', 'Rosa']) await row(ui.panel, name).waitFor({ timeout: 10_000 });
    await toast(alice.panel).getByRole('button', { name: 'Undo' }).waitFor({ state: 'detached' });
  });

  it('undo after resolve and snooze puts the conversation back exactly; a snoozed one has Unsnooze', async () => {
    await ctx.stack.inbound({ from: customer(), to: ctx.org.number, body: 'Undo me', profileName: 'Sam' });
    await row(alice.panel, 'Sam').click();
    await alice.panel.getByRole('list', { name: 'Messages' }).getByText('Undo me').waitFor({ timeout: 10_000 });
    await alice.panel.getByRole('button', { name: 'Resolve', exact: true }).click();
    await row(alice.panel, 'Sam').waitFor({ state: 'detached' });
    await toast(alice.panel).getByText('Resolved: Sam').waitFor();
    // Keyboard: the Undo is in the tab order and acts with Enter.
    await toast(alice.panel).getByRole('button', { name: 'Undo' }).focus();
    await alice.panel.keyboard.press('Enter');
    await row(alice.panel, 'Sam').waitFor({ timeout: 10_000 });
    const samId = await idOf(alice.panel, 'Sam');
    const stored = async () =>
      (await ctx.stack.db.query<{ status: string; snoozed_until: Date | null }>('select status, snoozed_until from conversations where id = $1', [samId]))
        .rows[0]!;
    expect((await stored()).status).toBe('open');

    // Snoozed until tomorrow morning, then snoozed again for an hour: Undo restores tomorrow morning.
    await row(alice.panel, 'Sam').click();
    await alice.panel.getByRole('button', { name: 'Snooze', exact: true }).click();
    await alice.panel
      .getByRole('group', { name: 'Snooze until' })
      .getByRole('button', { name: /^Tomorrow morning/ })
      .click();
    await row(alice.panel, 'Sam').waitFor({ state: 'detached' });
    await expect.poll(async () => (await stored()).status).toBe('snoozed');
    const tomorrow = (await stored()).snoozed_until!.toISOString();
    const snoozedText = toast(alice.panel).getByText(/^Snoozed until .*: Sam$/);
    const firstOffer = await snoozedText.textContent();
    await tab(alice.panel, 'Snoozed').click();
    await row(alice.panel, 'Sam').click();
    await alice.panel.getByRole('button', { name: 'Snooze', exact: true }).click();
    await alice.panel
      .getByRole('group', { name: 'Snooze until' })
      .getByRole('button', { name: /^1 hour/ })
      .click();
    // The second snooze's Undo, not the first's still on screen (both say "Snoozed until …: Sam"; near
    // midnight both say "tomorrow"): Ctrl+Z before it arrives would undo the first.
    await expect.poll(() => snoozedText.textContent()).not.toBe(firstOffer);
    await expect.poll(async () => (await stored()).snoozed_until!.toISOString()).not.toBe(tomorrow);
    await alice.panel.keyboard.press('Control+z');
    await expect.poll(async () => (await stored()).snoozed_until?.toISOString() ?? null, { timeout: 10_000 }).toBe(tomorrow);
    expect((await stored()).status).toBe('snoozed');

    // Unsnooze: back in Open at once, and that too can be undone.
    await row(alice.panel, 'Sam').click();
    await alice.panel.getByRole('button', { name: 'Unsnooze' }).click();
    await toast(alice.panel).getByText('Unsnoozed: Sam').waitFor();
    await expect.poll(async () => (await stored()).status).toBe('open');
    await back(alice.panel);
    await tab(alice.panel, 'Open').click();
    await row(alice.panel, 'Sam').waitFor();
  });

  it('undo after mark unread reads it again', async () => {
    await row(alice.panel, 'Sam').click();
    await alice.panel.getByRole('button', { name: 'Mark unread' }).click();
    await row(alice.panel, 'Sam').getByLabel('1 unread').waitFor({ timeout: 10_000 });
    await toast(alice.panel).getByText('Marked unread: Sam').waitFor();
    await toast(alice.panel).getByRole('button', { name: 'Undo' }).click();
    await alice.panel.getByRole('list', { name: 'Messages' }).getByText('Undo me').waitFor({ timeout: 10_000 });
    await back(alice.panel);
    await expect.poll(() => row(alice.panel, 'Sam').getByLabel('1 unread').count(), { timeout: 10_000 }).toBe(0);
  });
});
