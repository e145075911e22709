import { performance } from 'node:perf_hooks';
import { io as ioClient, type Socket } from 'socket.io-client';
import { inboundParams } from '../../server/dev/twilio-stand-in/inbound';
import { createBenchOrgs } from '../agents';
import { webhookSender } from '../http';
import type { RemoteStack } from '../remote-stack';
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

/**
 * Ingest ceiling: signed inbound webhooks at rising rates, each step for `seconds`, spread over 10
 * organisations with one Socket.IO agent each. A message counts as stored when the webhook was
 * answered 200 (the answer follows the commit) and is then found in the database; fan-out is
 * webhook sent → that organisation's agent has it. The ceiling is the highest rate whose fan-out
 * p99 stays under 100 ms with nothing lost. Signatures are computed before each step, so the load
 * generator spends its time sending.
 */
export async function ingestCeiling(stack: RemoteStack, opts: { rates: number[]; seconds: number }): Promise<{ steps: IngestStep[]; ceiling: number }> {
  const orgs = await createBenchOrgs(stack, 10, 1);
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
      const pg0 = stack.postgresCpuMs();
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
      const pg1 = stack.postgresCpuMs();
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
        'PostgreSQL CPU ms/msg': Math.round(((pg1 - pg0) / Math.max(1, stored)) * 100) / 100,
        'load generator CPU %': Math.round(((gen.user + gen.system) / 1000 / (elapsed * 1000)) * 100),
      };
      sentAt.clear();
      if (warmUp) continue;
      console.error(`  ingest ${rate}/s: stored ${row['msg/s stored']}/s, fan-out p99 ${row['fan-out p99 ms']} ms, rejected ${rejected}`);
      steps.push(row);
      if (rejected === 0 && stored === total && row.lost === 0 && f.p99 < 100) ceiling = Math.max(ceiling, row['msg/s stored']);
      else if (f.p99 > 1000) break; // far past the ceiling: stop loading
    }
  } finally {
    for (const s of sockets) s.close();
    sender.close();
  }
  return { steps, ceiling };
}
