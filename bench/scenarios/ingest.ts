import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { storeInboundBatch } from '../../server/inbox/repository';
import { inboundMessageOf } from '../../server/webhooks/inbound-message';
import { io as ioClient, type Socket } from 'socket.io-client';
import { inboundParams } from '../../server/dev/twilio-stand-in/inbound';
import { createBenchOrgs } from '../agents';
import { routeOrganisations } from './routing';
import { webhookSender } from '../http';
import type { PostgresProcessKind, RemoteStack } from '../remote-stack';
import { atRate, sleep, summarize } from '../stats';

export interface IngestStep {
  'msg/s offered': number;
  'msg/s stored': number;
  stored: number;
  rejected: number;
  'answer p99 ms': number;
  'fan-out p50 ms': number;
  'fan-out p99 ms': number;
  lost: number;
  'server CPU %': number;
  'server RSS MB': number;
  'server CPU ms/msg': number;
  'PostgreSQL CPU ms/msg': number;
  'load generator CPU %': number;
}

/** Where the CPU went per stored message at one rate (ms): the server process and PostgreSQL's processes by kind. */
export interface IngestCpu {
  'msg/s offered': number;
  'msg/s stored': number;
  server: number;
  'PostgreSQL sessions': number;
  'logical decoding (Realtime)': number;
  'WAL writer': number;
  'PostgreSQL other': number;
  'load generator': number;
}

/** The statements PostgreSQL spent most time on at one rate (with BENCH_PROFILE: pg_stat_statements). */
export interface IngestStatement {
  statement: string;
  calls: number;
  'rows per call': number;
  'ms per call': number;
  'ms per stored message': number;
  'share of statement time %': number;
}

/**
 * Ingest ceiling: signed inbound webhooks at rising rates, each step for `seconds`, spread over 10
 * organisations with one Socket.IO agent each. A message counts as stored when the webhook was
 * answered 200 (the answer follows the commit) and is then found in the database; fan-out is
 * webhook sent → that organisation's agent has it. The ceiling is the highest rate whose fan-out
 * p99 stays under 100 ms with nothing lost. Signatures are computed before each step, so the load
 * generator spends its time sending.
 */
export async function ingestCeiling(
  stack: RemoteStack,
  /** `routing`: each organisation's channel answered by a round-robin team (issue 33), to compare with routing off. */
  opts: { rates: number[]; seconds: number; routing?: boolean },
): Promise<{ steps: IngestStep[]; ceiling: number; cpu: IngestCpu[]; statements: { rate: number; top: IngestStatement[] } | null }> {
  const statementStats = process.env.BENCH_PROFILE
    ? await stack.db.query('create extension if not exists pg_stat_statements').then(
        () => true,
        () => false,
      )
    : false;
  const cpu: IngestCpu[] = [];
  let statements: { rate: number; top: IngestStatement[] } | null = null;
  const orgs = await createBenchOrgs(stack, 10, 1);
  if (opts.routing)
    await routeOrganisations(
      stack.db,
      orgs.map((o) => o.id),
      1000,
    );
  const sentAt = new Map<string, number>();
  const fanout: number[] = [];
  const sockets: Socket[] = orgs.map((o) => {
    const s = ioClient(stack.serverUrl, { transports: ['websocket'], auth: { token: o.agents[0]!.token }, forceNew: true });
    s.on('message:new', ({ message }: { message: { body: string } }) => {
      const t = sentAt.get(message.body);
      if (t !== undefined) fanout.push(performance.now() - t);
    });
    return s;
  });
  await Promise.all(sockets.map((s) => new Promise<void>((r) => (s.connected ? r() : s.once('connect', () => r())))));
  const sender = webhookSender(`${stack.serverUrl}/api/webhooks/twilio`);
  const signedUrl = `${stack.publicUrl}/api/webhooks/twilio`;
  const steps: IngestStep[] = [];
  let ceiling = 0;
  try {
    // The first step is a warm-up at the lowest rate (pool grown, statements planned), not reported.
    for (const [index, rate] of [opts.rates[0]!, ...opts.rates].entries()) {
      const warmUp = index === 0;
      const total = rate * opts.seconds;
      const step = `ing-${rate}-${Date.now()}`;
      const requests = Array.from({ length: total }, (_, i) => {
        const org = orgs[i % orgs.length]!;
        const body = `${step}-${i}`;
        const params = inboundParams({ accountSid: stack.twilio.accountSid, from: `+1646556${String(1000 + (i % 500))}`, to: org.number, body });
        return { body, ...sender.prepare(stack.twilio.authToken, signedUrl, params) };
      });
      fanout.length = 0;
      const answers: number[] = [];
      let rejected = 0;
      const cpu0 = stack.usage();
      const pg0 = stack.postgresCpuByKind();
      if (statementStats) await stack.db.query('select pg_stat_statements_reset()');
      const gen0 = process.cpuUsage();
      const t0 = performance.now();
      await atRate(total, rate, (i) => {
        const r = requests[i]!;
        const start = performance.now();
        sentAt.set(r.body, start);
        return sender.post(r).then(
          (status) => (status === 200 ? answers.push(performance.now() - start) : rejected++),
          () => rejected++,
        );
      });
      const elapsed = (performance.now() - t0) / 1000;
      const until = Date.now() + 10_000;
      while (fanout.length < answers.length && Date.now() < until) await sleep(50);
      const cpu1 = stack.usage();
      const pg1 = stack.postgresCpuByKind();
      const pgMs = (kinds: PostgresProcessKind[]) => kinds.reduce((sum, k) => sum + pg1[k] - pg0[k], 0);
      const gen = process.cpuUsage(gen0);
      const stored = Number((await stack.db.query<{ n: string }>('select count(*) as n from messages where body like $1', [`${step}-%`])).rows[0]!.n);
      const f = summarize(fanout);
      const row: IngestStep = {
        'msg/s offered': rate,
        'msg/s stored': Math.round(stored / elapsed),
        stored,
        rejected,
        'answer p99 ms': summarize(answers).p99,
        'fan-out p50 ms': f.p50,
        'fan-out p99 ms': f.p99,
        lost: stored - fanout.length,
        'server CPU %': Math.round(((cpu1.cpuMs - cpu0.cpuMs) / (elapsed * 1000)) * 100),
        'server RSS MB': cpu1.rssMb,
        // Per stored message, over the step and the wait for its fan-out to finish.
        'server CPU ms/msg': Math.round(((cpu1.cpuMs - cpu0.cpuMs) / Math.max(1, stored)) * 100) / 100,
        'PostgreSQL CPU ms/msg': Math.round((pgMs(['sessions', 'logical decoding', 'WAL writer', 'other']) / Math.max(1, stored)) * 100) / 100,
        'load generator CPU %': Math.round(((gen.user + gen.system) / 1000 / (elapsed * 1000)) * 100),
      };
      sentAt.clear();
      if (warmUp) continue;
      console.error(`  ingest ${rate}/s: stored ${row['msg/s stored']}/s, fan-out p99 ${row['fan-out p99 ms']} ms, rejected ${rejected}`);
      steps.push(row);
      const perMsg = (ms: number) => Math.round((ms / Math.max(1, stored)) * 1000) / 1000;
      cpu.push({
        'msg/s offered': rate,
        'msg/s stored': row['msg/s stored'],
        server: perMsg(cpu1.cpuMs - cpu0.cpuMs),
        'PostgreSQL sessions': perMsg(pgMs(['sessions'])),
        'logical decoding (Realtime)': perMsg(pgMs(['logical decoding'])),
        'WAL writer': perMsg(pgMs(['WAL writer'])),
        'PostgreSQL other': perMsg(pgMs(['other'])),
        'load generator': perMsg((gen.user + gen.system) / 1000),
      });
      // The statements of the highest rate that was still stored in time (read before the next step resets them).
      if (statementStats && f.p99 < 100) statements = { rate, top: await topStatements(stack, stored) };
      if (rejected === 0 && stored === total && row.lost === 0 && f.p99 < 100) ceiling = Math.max(ceiling, row['msg/s stored']);
      else if (f.p99 > 1000) break; // far past the ceiling: stop loading
    }
  } finally {
    for (const s of sockets) s.close();
    sender.close();
  }
  if (statementStats)
    await explainBatch(
      stack,
      orgs.map((o) => o.number),
      process.env.BENCH_PROFILE!,
    );
  return { steps, ceiling, cpu, statements };
}

/**
 * With BENCH_PROFILE: the plan of every statement of one batch of 20 messages (the server's own
 * call, `storeInboundBatch`), with `EXPLAIN (ANALYZE, BUFFERS)` through auto_explain, written to
 * `<dir>/store_inbound_batch.explain.txt`.
 */
async function explainBatch(stack: RemoteStack, numbers: string[], dir: string): Promise<void> {
  const client = new pg.Client({ connectionString: stack.databaseUrl });
  await client.connect();
  const plans: string[] = [];
  client.on('notice', (n) => plans.push(n.message ?? ''));
  try {
    await client.query("load 'auto_explain'");
    await client.query(
      'set auto_explain.log_min_duration = 0; set auto_explain.log_analyze = on; set auto_explain.log_buffers = on; set auto_explain.log_nested_statements = on; set auto_explain.log_level = notice',
    );
    const msgs = numbers.flatMap((to, k) =>
      [0, 1].map((j) => {
        const params = inboundParams({ accountSid: stack.twilio.accountSid, from: `+1646558${String(1000 + k * 2 + j)}`, to, body: `explain ${k}-${j}` });
        const parsed = inboundMessageOf(params, { apiBaseUrl: 'https://api.twilio.com', accountSid: stack.twilio.accountSid });
        if (!parsed.ok) throw new Error(parsed.message);
        return parsed.msg;
      }),
    );
    await storeInboundBatch(client as unknown as pg.PoolClient, msgs);
  } finally {
    await client.end();
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'store_inbound_batch.explain.txt'), plans.join('\n\n'));
}

async function topStatements(stack: RemoteStack, stored: number): Promise<IngestStatement[]> {
  // Statements run inside a function (track = all) are listed too, marked "inside"; shares are of
  // the time of the statements the clients sent.
  const { rows } = await stack.db.query<{ query: string; calls: string; rows: string; total: number; toplevel: boolean; all: number }>(
    `select query, calls, rows, total_exec_time as total, toplevel,
            sum(total_exec_time) filter (where toplevel) over () as all
       from pg_stat_statements
      where query not ilike '%pg_stat_statements%' and query not like 'select count(*) as n from messages where body like%' -- the bench's own count
      order by total_exec_time desc limit 14`,
  );
  const all = rows[0]?.all ?? 0;
  return rows.map((r) => ({
    statement: (r.toplevel ? '' : 'inside: ') + r.query.replace(/\s+/g, ' ').slice(0, 100),
    calls: Number(r.calls),
    'rows per call': Math.round((Number(r.rows) / Math.max(1, Number(r.calls))) * 10) / 10,
    'ms per call': Math.round((r.total / Math.max(1, Number(r.calls))) * 1000) / 1000,
    'ms per stored message': Math.round((r.total / Math.max(1, stored)) * 1000) / 1000,
    'share of statement time %': Math.round((r.total / Math.max(1e-9, all)) * 100),
  }));
}
