import { describe, expect, it } from 'vitest';
import type { ReportResponse } from '../../lib/contract/reports';
import { DEMO_HISTORY_DAYS, seedDemoHistory } from '../../server/dev/demo/history';
import { seedDemo } from '../../server/dev/demo/seed';
import { useTestStack } from '../support/fixture';
import { api, signIn } from '../support/stack';

/** `npm start`'s demo organisation comes with weeks of history, so its reports have data at once. */
describe('The demo history', () => {
  const ctx = useTestStack();
  const now = new Date('2026-11-20T12:00:00Z');

  it('writes weeks of conversations once, through the live write paths, and reports show them', async () => {
    const demo = await seedDemo(ctx.stack.db, {
      supabase: { url: ctx.stack.config.supabaseUrl, serviceRoleKey: ctx.stack.local!.serviceRoleKey },
      webhookUrl: `${ctx.stack.serverUrl}/api/webhooks/twilio`,
      signatureUrl: `${ctx.stack.config.publicUrl}/api/webhooks/twilio`,
      twilio: ctx.stack.config.twilio,
    });
    const cycles = await seedDemoHistory(ctx.stack.db, demo.organisationId, demo.agents, now);
    expect(cycles).toBeGreaterThan(20);
    expect(await seedDemoHistory(ctx.stack.db, demo.organisationId, demo.agents, now)).toBe(0); // resumable: nothing twice

    // Every generated reply is stored as sent history: none waits in the outbox.
    const waiting = await ctx.stack.db.query("select 1 from messages where organisation_id = $1 and direction = 'outbound' and status = 'accepted'", [
      demo.organisationId,
    ]);
    expect(waiting.rowCount).toBe(0);
    // All of it resolved and read: the inbox's open and unread conversations stay the demo's own.
    const { rows: left } = await ctx.stack.db.query<{ open: number; unread: number }>(
      `select count(*) filter (where c.status <> 'resolved')::int as open,
              count(*) filter (where c.inbound_count > coalesce(rs.read_inbound_count, 0))::int as unread
         from conversations c join contacts ct on ct.id = c.contact_id
         left join read_states rs on rs.conversation_id = c.id and rs.agent_id = (select id from agents where organisation_id = $1 order by created_at limit 1)
        where c.organisation_id = $1 and ct.phone_e164 like '+1202555%'`,
      [demo.organisationId],
    );
    expect(left).toEqual([{ open: 0, unread: 0 }]);

    const token = await signIn(ctx.stack, demo.agents[0]!, demo.password);
    const from = new Date(now.getTime() - (DEMO_HISTORY_DAYS + 1) * 86_400_000).toISOString();
    const { status, body } = await api<ReportResponse>(ctx.stack, token, `/api/reports?from=${from}&to=${now.toISOString()}&timeZone=UTC`);
    expect(status).toBe(200);
    const f = body.figures;
    expect(f.resolved.events).toBe(cycles);
    expect(f.opened.events + f.reopened.events).toBe(cycles);
    expect(f.firstResponse.count).toBe(cycles);
    expect(f.firstResponse.medianSeconds).toBeGreaterThan(0);
    expect(f.resolution.p90Seconds).toBeGreaterThanOrEqual(f.resolution.medianSeconds!);
    expect(body.agents.rows.every((a) => a.replies > 0)).toBe(true);
    // Fifteen working days each (three weeks of weekdays), a lunch away and a busy hour each day.
    for (const a of body.agents.rows) {
      expect(a.availableSeconds).toBeGreaterThan(15 * 6 * 3600);
      expect(a.awaySeconds).toBeGreaterThanOrEqual(15 * 30 * 60);
      expect(a.busySeconds).toBeGreaterThanOrEqual(15 * 20 * 60);
    }
    // Each working day is one connection, ended: none is open, and nobody is left away or busy.
    const { rows: shifts } = await ctx.stack.db.query<{ open: number; connections: number; availability: string[] }>(
      `select count(*) filter (where s.ended_at is null)::int as open,
              count(*) filter (where not exists (select 1 from report_agent_spans p where p.agent_id = s.agent_id and p.ended_at = s.started_at))::int as connections,
              (select array_agg(distinct availability) from agent_routing where organisation_id = $1) as availability
         from report_agent_spans s where s.organisation_id = $1`,
      [demo.organisationId],
    );
    expect(shifts).toEqual([{ open: 0, connections: 2 * 15, availability: ['available'] }]);
  });
});
