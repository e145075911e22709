import { describe, expect, it } from 'vitest';
import { watchRoom } from '../../server/sockets/collaboration';
import { api, customer } from '../support/stack';
import { useSignedInBrowser, useTestStack } from '../support/fixture';

/**
 * Issue 34 (docs/delivery-scope.md, "Counts"): the agent's extension no longer receives colleagues'
 * conversations, yet the side panel's *All* count in the default Inbox view follows them, from the
 * organisation's counts (`counts:update`), not from the conversations it holds.
 */
describe('Organisation-wide counts in Chromium', () => {
  const ctx = useTestStack({ orgs: { org: 2 } });
  const colleague = () => ctx.org.agents[1]!;
  const ui = useSignedInBrowser(ctx, () => ctx.org.agents[0]!.email);
  const pill = (group: 'Status' | 'Assigned to', name: string) =>
    ui.panel.getByRole('group', { name: group }).getByRole('button', { name: new RegExp(`^${name}`) });

  it('the All count follows a colleague’s conversation resolved out of the agent’s scope', async () => {
    await expect.poll(() => ui.panel.locator('[data-status]').getAttribute('data-status'), { timeout: 15_000 }).toBe('live');
    const from = customer();
    await ctx.stack.inbound({ from, to: ctx.org.number, body: 'Is my order shipped?', profileName: 'Sasha' });
    const row = ui.panel.getByRole('button', { name: /Sasha/ });
    await row.waitFor({ timeout: 10_000 });
    const id = (
      await ctx.stack.db.query<{ id: string }>('select c.id from conversations c join contacts ct on ct.id = c.contact_id where ct.phone_e164 = $1', [from])
    ).rows[0]!.id;
    const asColleague = (path: string, body: unknown) => api(ctx.stack, colleague().token, `/api/conversations/${id}${path}`, 'POST', body);

    // The colleague takes it: it leaves the agent's Inbox (and scope), and All still counts it.
    expect((await asColleague('/assign', { assigneeId: colleague().id })).status).toBe(200);
    await row.waitFor({ state: 'detached', timeout: 10_000 });
    await expect.poll(async () => (await ctx.stack.app.io.in(watchRoom(id)).fetchSockets()).length, { timeout: 10_000 }).toBe(0);
    await expect.poll(() => pill('Assigned to', 'All').textContent(), { timeout: 10_000 }).toBe('All 1');

    // Resolved by the colleague: the agent's extension never hears of it, but the organisation's counts do.
    expect((await asColleague('/status', { status: 'resolved' })).status).toBe(200);
    await expect.poll(() => pill('Assigned to', 'All').textContent(), { timeout: 10_000 }).toBe('All 0');
    await pill('Status', 'Resolved').click();
    await expect.poll(() => pill('Assigned to', 'All').textContent(), { timeout: 10_000 }).toBe('All 1');
    // The agent's own choices stay the cache's: nothing of theirs is resolved.
    expect(await pill('Assigned to', 'Inbox').textContent()).toBe('Inbox 0');
  }, 60_000);
});
