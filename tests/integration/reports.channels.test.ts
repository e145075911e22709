import { describe, expect, it } from 'vitest';
import type { ReportChannelsResponse } from '../../lib/contract/reports';
import { createChannel } from '../../server/admin/commands';
import { newSid } from '../../server/dev/twilio-stand-in/inbound';
import { useTestStack } from '../support/fixture';
import { api } from '../support/stack';

/** The report's channel filter lists the caller's organisation's channels to admins and leads only. */
describe('Reports: the channels a filter offers', () => {
  const ctx = useTestStack({ orgs: { a: 3, b: 1 } });

  it('lists a lead its own organisation’s channels by name, never another’s; an agent is refused', async () => {
    const [admin, lead, agent] = ctx.a.agents as [(typeof ctx.a.agents)[0], (typeof ctx.a.agents)[0], (typeof ctx.a.agents)[0]];
    expect((await api(ctx.stack, admin.token, `/api/admin/agents/${lead.id}/role`, 'POST', { role: 'lead' })).status).toBe(200);
    const number = `whatsapp:+1737556${String(Date.now() % 10_000).padStart(4, '0')}`;
    const second = await createChannel(ctx.stack.db, {
      organisationId: ctx.a.id,
      name: 'A second number',
      whatsappNumber: number,
      messagingServiceSid: newSid('MG'),
    });
    const theirs = await ctx.stack.db.query<{ id: string }>('select id from channels where organisation_id = $1', [ctx.b.id]);

    const listed = await api<ReportChannelsResponse>(ctx.stack, lead.token, '/api/reports/channels');
    expect(listed.status).toBe(200);
    const ids = listed.body.channels.map((c) => c.id);
    expect(listed.body.channels).toContainEqual({ id: second.id, name: 'A second number' });
    expect(ids).toHaveLength(2);
    for (const { id } of theirs.rows) expect(ids).not.toContain(id);

    const refused = await api<{ error: string }>(ctx.stack, agent.token, '/api/reports/channels');
    expect([refused.status, refused.body.error]).toEqual([403, 'reports_only']);
  });
});
