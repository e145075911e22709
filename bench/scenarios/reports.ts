import { performance } from 'node:perf_hooks';
import { storeInboundBatch, type InboundMessage } from '../../server/inbox/repository';
import { newSid } from '../../server/dev/twilio-stand-in/inbound';
import { createBenchOrgs } from '../agents';
import type { RemoteStack } from '../remote-stack';
import { round, summarize } from '../stats';

export interface ReportLatencyRow {
  report: string;
  requests: number;
  p50: number;
  p95: number;
  max: number;
}

export interface AggregateCostRow {
  'facts trigger': 'off' | 'on';
  messages: number;
  'ms per message': number;
  'PostgreSQL CPU ms per message': number;
}

const DAY = 86_400_000;

/**
 * A history of `conversations` conversations of 10 rows each (customer and agent messages
 * alternating, then a resolve line), spread over 30 days, inserted in bulk so the facts trigger
 * keeps the aggregates exactly as it does live. Two writers, each its own range of days.
 */
async function bulkHistory(stack: RemoteStack, orgId: string, agentIds: string[], conversations: number, end: number): Promise<void> {
  const start = end - 30 * DAY;
  const { rows } = await stack.db.query<{ id: string }>('select id from channels where organisation_id = $1', [orgId]);
  const channelId = rows[0]!.id;
  const chunk = Math.min(5000, conversations);
  const chunks = Array.from({ length: Math.ceil(conversations / chunk) }, (_, i) => i * chunk);
  const write = async (first: number) => {
    const n = Math.min(chunk, conversations - first);
    // Ten rows per conversation in time order: in, out, in, out, … and a resolve line by an agent.
    await stack.db.query(
      `with c as (
         insert into contacts (organisation_id, phone_e164)
         select $1, '+1999' || lpad(g::text, 9, '0') from generate_series($3::int, $3::int + $4::int - 1) g
         returning id, substr(phone_e164, 6)::int as n
       ), v as (
         insert into conversations (organisation_id, channel_id, contact_id) select $1, $2, c.id from c returning id, contact_id
       )
       insert into messages (organisation_id, conversation_id, direction, body, status, sent_by, activity, created_at)
       select $1, v.id,
              case when j = 9 then 'activity' when j % 2 = 0 then 'inbound' else 'outbound' end,
              case when j = 9 then '' else 'message ' || j end,
              case when j % 2 = 0 and j < 9 then 'received' else 'read' end,
              case when j % 2 = 1 or j = 9 then ($5::uuid[])[1 + (c.n + j) % array_length($5::uuid[], 1)] end,
              case when j = 9 then jsonb_build_object('kind', 'status', 'status', 'resolved', 'reason', 'agent', 'until', null) end,
              to_timestamp($6::float8 / 1000) + (c.n::float8 / $7::float8) * interval '30 days' + j * interval '3 minutes' + (c.n % 7) * interval '1 minute'
         from v join c on c.id = v.contact_id cross join generate_series(0, 9) j
        order by c.n, j`,
      [orgId, channelId, first, n, agentIds, start, conversations],
    );
  };
  // Two at a time: chunks touch different conversations (and mostly different 15-minute slots).
  for (let i = 0; i < chunks.length; i += 2) await Promise.all(chunks.slice(i, i + 2).map(write));
}

/**
 * Reports over one organisation's large history: `GET /api/reports` (and its CSV) over 30 days,
 * sequential requests, latency as the client sees it. The aggregate cost: inbound messages stored
 * through `storeInboundBatch` in batches of 20 (as the webhook batcher does), with the facts
 * trigger off, then on, five times alternating; the difference of the medians is what keeping the
 * aggregates costs the database's part of ingest.
 */
export async function reportsBench(
  stack: RemoteStack,
  opts: { conversations: number; requests: number; costMessages: number },
): Promise<{ latency: ReportLatencyRow[]; cost: AggregateCostRow[]; overheadPct: number; setupSeconds: number }> {
  const [org] = await createBenchOrgs(stack, 1, 20);
  const end = Math.floor(Date.now() / (15 * 60_000)) * 15 * 60_000;
  const t0 = performance.now();
  await bulkHistory(
    stack,
    org!.id,
    org!.agents.map((a) => a.id),
    opts.conversations,
    end,
  );
  const setupSeconds = round((performance.now() - t0) / 1000, 1);
  // As autovacuum does after a bulk insert: the visibility map lets the covering indexes answer alone.
  await stack.db.query('vacuum analyze report_cycles, report_responses, report_volume, report_agent_replies');

  const period = `from=${new Date(end - 30 * DAY).toISOString()}&to=${new Date(end).toISOString()}&timeZone=Europe/Berlin`;
  const token = org!.agents[0]!.token;
  const channel = (await stack.db.query<{ id: string }>('select id from channels where organisation_id = $1', [org!.id])).rows[0]!.id;
  const cases: Array<[string, string]> = [
    ['30 days, whole organisation', `/api/reports?${period}`],
    ['30 days, one channel', `/api/reports?${period}&channel=${channel}`],
    ['30 days, one agent', `/api/reports?${period}&agent=${org!.agents[1]!.id}`],
    ['30 days, agents table as CSV', `/api/reports/csv?table=agents&${period}`],
  ];
  const latency: ReportLatencyRow[] = [];
  // The admin is the organisation's first agent (bench agents are inserted, so make it so).
  await stack.db.query("update agents set role = 'admin' where id = $1", [org!.agents[0]!.id]);
  for (const [report, path] of cases) {
    const samples: number[] = [];
    for (let i = 0; i < opts.requests + 2; i++) {
      const t = performance.now();
      const res = await fetch(stack.serverUrl + path, { headers: { authorization: `Bearer ${token}` } });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`${path}: ${res.status}`);
      if (i >= 2) samples.push(performance.now() - t); // the first two warm the caches
    }
    const s = summarize(samples);
    latency.push({ report, requests: samples.length, p50: s.p50, p95: s.p95, max: s.max });
  }

  const [costOrg] = await createBenchOrgs(stack, 1, 1);
  const cost: AggregateCostRow[] = [];
  const PAIRS = 5;
  const perRun = Math.max(20, Math.floor(opts.costMessages / (2 * PAIRS) / 20) * 20);
  let seq = 0;
  // 500 customers writing again and again, as the ingest scenario's: conversations exist after the warm-up.
  const CUSTOMERS = 500;
  const store = async (count = perRun): Promise<{ ms: number; cpu: number }> => {
    const t = performance.now();
    const cpu = stack.postgresCpuMs();
    for (let i = 0; i < count; i += 20) {
      const batch: InboundMessage[] = Array.from({ length: 20 }, () => {
        const n = seq++;
        return {
          messageSid: newSid('SM'),
          from: `whatsapp:+1888${String(n % CUSTOMERS).padStart(7, '0')}`,
          to: costOrg!.number,
          messagingServiceSid: null,
          body: `cost ${n}`,
          profileName: null,
          media: [],
          location: null,
          raw: {},
        };
      });
      await storeInboundBatch(stack.db, batch);
    }
    return { ms: (performance.now() - t) / count, cpu: (stack.postgresCpuMs() - cpu) / count };
  };
  try {
    await store(CUSTOMERS); // warm-up (every customer's conversation, plans, caches), not reported
    for (const on of Array.from({ length: 2 * PAIRS }, (_, i) => i % 2 === 1)) {
      await stack.db.query(`alter table messages ${on ? 'enable' : 'disable'} trigger messages_report`);
      const run = await store();
      cost.push({
        'facts trigger': on ? 'on' : 'off',
        messages: perRun,
        'ms per message': round(run.ms, 3),
        'PostgreSQL CPU ms per message': round(run.cpu, 3),
      });
    }
  } finally {
    await stack.db.query('alter table messages enable trigger messages_report');
  }
  // Medians of PostgreSQL's CPU time: this machine's other work shows in wall time, far less in CPU.
  const median = (on: 'on' | 'off') => summarize(cost.filter((c) => c['facts trigger'] === on).map((c) => c['PostgreSQL CPU ms per message'] * 1000)).p50;
  return { latency, cost, overheadPct: round(((median('on') - median('off')) / median('off')) * 100, 1), setupSeconds };
}
