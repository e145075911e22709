import { describe, expect, it } from 'vitest';
import { watchRoom } from '../../server/sockets/collaboration';
import { api, customer } from '../support/stack';
import { useSignedInBrowser, useTestStack } from '../support/fixture';

/**
 * Issue 34 (docs/delivery-scope.md): the extension receives only its agent's scope live, so a
 * conversation entering it must arrive whole: the worker catches up from its cursor when a
 * colleague's conversation becomes its agent's, mid-burst, or while the worker was stopped.
 */
describe('Delivery scope in Chromium', () => {
  const ctx = useTestStack({ orgs: { org: 2 } });
  const me = () => ctx.org.agents[0]!;
  const colleague = () => ctx.org.agents[1]!;
  const ui = useSignedInBrowser(ctx, () => me().email);

  const write = (from: string, body: string, profileName: string) => ctx.stack.inbound({ from, to: ctx.org.number, body, profileName });
  const conversationOf = async (from: string) =>
    (await ctx.stack.db.query<{ id: string }>('select c.id from conversations c join contacts ct on ct.id = c.contact_id where ct.phone_e164 = $1', [from]))
      .rows[0]!.id;
  const assign = async (id: string, to: string) =>
    expect((await api(ctx.stack, colleague().token, `/api/conversations/${id}/assign`, 'POST', { assigneeId: to })).status).toBe(200);
  /** The customer's messages in the thread, read from the side panel once the last one is on screen. */
  async function inboundBodies(name: RegExp, last: string): Promise<string[]> {
    await ui.panel.getByRole('button', { name }).click();
    const thread = ui.panel.getByRole('list', { name: 'Messages' });
    await thread.getByText(last).waitFor();
    const items = thread.locator('li.message.inbound .body');
    const bodies = await items.allTextContents();
    await ui.panel.getByRole('button', { name: 'Back to conversations' }).click();
    return bodies;
  }
  const row = (name: RegExp) => ui.panel.getByRole('button', { name });
  /** Sockets the server sends this conversation to because they show it (a list row on screen, a badge). */
  const showing = async (id: string) => (await ctx.stack.app.io.in(watchRoom(id)).fetchSockets()).length;

  it('a colleague’s conversation given to the agent in the middle of a burst arrives whole, each message once', async () => {
    await expect.poll(() => ui.panel.locator('[data-status]').getAttribute('data-status'), { timeout: 15_000 }).toBe('live');
    const from = customer();
    await write(from, 'first', 'Quinn');
    await row(/Quinn/).getByLabel('1 unread').waitFor({ timeout: 10_000 });
    const id = await conversationOf(from);
    await assign(id, colleague().id);
    // The colleague's now: gone from the agent's Inbox, so no longer shown (watched) either, and
    // what follows never reaches this agent's extension live.
    await expect.poll(() => showing(id), { timeout: 10_000 }).toBe(0);
    for (let i = 1; i <= 3; i++) await write(from, `the colleague’s ${i}`, 'Quinn');
    await assign(id, me().id);
    for (let i = 1; i <= 3; i++) await write(from, `mine ${i}`, 'Quinn');
    await row(/Quinn/).getByLabel('7 unread').waitFor({ timeout: 15_000 });
    expect(await inboundBodies(/Quinn/, 'mine 3')).toEqual([
      'first',
      'the colleague’s 1',
      'the colleague’s 2',
      'the colleague’s 3',
      'mine 1',
      'mine 2',
      'mine 3',
    ]);
  }, 60_000);

  it('a worker stopped while a colleague’s conversation became the agent’s catches it up whole', async () => {
    const from = customer();
    await write(from, 'before the stop', 'Rory');
    await row(/Rory/).getByLabel('1 unread').waitFor({ timeout: 10_000 });
    const id = await conversationOf(from);
    await assign(id, colleague().id);

    const cdp = await ui.browser.context.newCDPSession(ui.panel);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    await expect.poll(() => ctx.stack.app.io.engine.clientsCount, { timeout: 10_000 }).toBe(0);
    for (let i = 1; i <= 3; i++) await write(from, `while stopped ${i}`, 'Rory');
    await assign(id, me().id);

    await row(/Rory/).getByLabel('4 unread').waitFor({ timeout: 45_000 });
    await write(from, 'after the restart', 'Rory');
    await row(/Rory/).getByLabel('5 unread').waitFor({ timeout: 10_000 });
    expect(await inboundBodies(/Rory/, 'after the restart')).toEqual([
      'before the stop',
      'while stopped 1',
      'while stopped 2',
      'while stopped 3',
      'after the restart',
    ]);
  }, 90_000);
});
