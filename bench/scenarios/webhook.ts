import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { performance } from 'node:perf_hooks';
import { io as ioClient, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import http from 'node:http';
import { storeInbound } from '../../server/inbox/repository';
import { inboundParams, newSid, postSignedWebhook } from '../../server/dev/twilio-stand-in/inbound';
import { createBenchOrgs } from '../agents';
import { webhookSender } from '../http';
import type { RemoteStack } from '../remote-stack';
import { atRate, sleep, summarize, type LatencySummary } from '../stats';

/**
 * Delivery latency from the moment a signed Twilio webhook is sent to the moment each connected
 * agent's client has the message: over Socket.IO (`message:new`) and over Supabase Realtime
 * (`postgres_changes`), at a given rate, with `agents` connected in organisations of 10, or all in
 * one organisation. Messages go to the first organisation; "lost" counts deliveries not received
 * within 20 s of the last webhook.
 */
export type OrgLayout = 'orgs of 10' | 'one org';

export interface WebhookLatencyResult {
  agents: number;
  layout: OrgLayout;
  rate: number;
  messages: number;
  socketIo: LatencySummary & { lost: number };
  realtime: LatencySummary & { lost: number };
  webhookMs: LatencySummary;
  serverCpuPct: number;
  serverRssMb: number;
}

export async function webhookLatency(
  stack: RemoteStack,
  opts: { agents: number; rate: number; seconds: number; layout?: OrgLayout },
): Promise<WebhookLatencyResult> {
  const layout = opts.layout ?? 'orgs of 10';
  const perOrg = layout === 'one org' ? opts.agents : Math.min(10, opts.agents);
  const orgs = await createBenchOrgs(stack, Math.ceil(opts.agents / perOrg), perOrg);
  const target = orgs[0]!;
  const sentAt = new Map<string, number>();
  const ioSamples: number[] = [];
  const rtSamples: number[] = [];
  const record = (samples: number[]) => (body: string) => {
    const t0 = sentAt.get(body);
    if (t0 !== undefined) samples.push(performance.now() - t0);
  };

  const sockets: Socket[] = [];
  const clients: SupabaseClient[] = [];
  let ready = 0;
  for (const org of orgs) {
    for (const agent of org.agents) {
      const s = ioClient(stack.serverUrl, { transports: ['websocket'], auth: { token: agent.token }, forceNew: true });
      s.on('message:new', ({ message }: { message: { body: string } }) => record(ioSamples)(message.body));
      s.once('connect', () => ready++);
      sockets.push(s);
      const c = createClient(stack.supabaseUrl, stack.anonKey, {
        auth: { persistSession: false, autoRefreshToken: false },
        realtime: { transport: WebSocket as never },
      });
      await c.realtime.setAuth(agent.token);
      c.channel(`inbox-${org.id}`)
        .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'messages', filter: `organisation_id=eq.${org.id}` }, (p) =>
          record(rtSamples)(String((p.new as { body: string }).body)),
        )
        .on('system', {}, (p: { message?: string }) => p.message === 'Subscribed to PostgreSQL' && ready++)
        .subscribe();
      clients.push(c);
    }
  }
  const deadline = Date.now() + 60_000;
  while (ready < opts.agents * 2 && Date.now() < deadline) await sleep(50);

  const webhookMs: number[] = [];
  const sender = webhookSender(`${stack.serverUrl}/api/webhooks/twilio`);
  /** Sends `count` webhooks at the rate; only measured ones are timed. */
  const send = (count: number, measured: boolean) =>
    atRate(count, opts.rate, (i) => {
      const body = `wh-${i}-${Math.random().toString(36).slice(2)}`;
      // Many customers writing at once: one conversation each of 50.
      const params = inboundParams({ accountSid: stack.twilio.accountSid, from: `+1646555${String(1000 + (i % 50))}`, to: target.number, body });
      const prepared = sender.prepare(stack.twilio.authToken, `${stack.publicUrl}/api/webhooks/twilio`, params);
      const start = performance.now();
      if (measured) sentAt.set(body, start);
      return sender.post(prepared).then(() => measured && webhookMs.push(performance.now() - start));
    });
  // Warm-up: two seconds of the same traffic first (the server's pool grows to the load and
  // PostgreSQL's new sessions plan their statements), then the measured window.
  await send(opts.rate * 2, false);
  await sleep(500);
  const total = opts.rate * opts.seconds;
  const cpu0 = stack.usage();
  const t0 = performance.now();
  await send(total, true);
  const elapsed = (performance.now() - t0) / 1000;
  const expected = total * target.agents.length;
  const until = Date.now() + 20_000;
  while ((ioSamples.length < expected || rtSamples.length < expected) && Date.now() < until) await sleep(50);
  const cpu1 = stack.usage();
  for (const s of sockets) s.close();
  for (const c of clients) void c.realtime.disconnect();
  sender.close();
  return {
    agents: opts.agents,
    layout,
    rate: opts.rate,
    messages: total,
    socketIo: { ...summarize(ioSamples), lost: expected - ioSamples.length },
    realtime: { ...summarize(rtSamples), lost: expected - rtSamples.length },
    webhookMs: summarize(webhookMs),
    serverCpuPct: Math.round(((cpu1.cpuMs - cpu0.cpuMs) / (elapsed * 1000)) * 100),
    serverRssMb: cpu1.rssMb,
  };
}

/**
 * The replaced design beside ours over the same window: a client polling the sync endpoint every
 * 3 s (what the original setup did) against a Switchboard agent connected by sockets, which sends
 * no request while healthy. Reports HTTP requests per agent per minute and worst delivery delay.
 */
export async function pollingVersusSockets(stack: RemoteStack, seconds: number, quietSeconds = 15) {
  const [org] = await createBenchOrgs(stack, 1, 2);
  const [poller, live] = org!.agents;
  const get = (path: string, token: string) =>
    fetch(stack.serverUrl + path, { headers: { authorization: `Bearer ${token}` } }).then(
      (r) => r.json() as Promise<{ cursor: string; messages: Array<{ body: string }> }>,
    );
  let cursor = (await get('/api/sync', poller!.token)).cursor;
  const sentAt = new Map<string, number>();
  const pollDelays: number[] = [];
  const liveDelays: number[] = [];
  let pollRequests = 0;
  const socket = ioClient(stack.serverUrl, { transports: ['websocket'], auth: { token: live!.token }, forceNew: true });
  socket.on('message:new', ({ message }: { message: { body: string } }) => {
    const t = sentAt.get(message.body);
    if (t !== undefined) liveDelays.push(performance.now() - t);
  });
  await new Promise<void>((r) => socket.once('connect', () => r()));
  const metrics = async () =>
    (await (await fetch(`${stack.serverUrl}/api/metrics`, { headers: { authorization: `Bearer ${stack.operatorToken}` } })).json()) as {
      requests: Record<string, number>;
    };
  const beforeAll = await metrics();
  const before = beforeAll.requests;
  const end = performance.now() + seconds * 1000;
  const pollLoop = (async () => {
    while (performance.now() < end) {
      await sleep(3000);
      const res = await get(`/api/sync?cursor=${encodeURIComponent(cursor)}`, poller!.token);
      pollRequests++;
      cursor = res.cursor;
      for (const m of res.messages) {
        const t = sentAt.get(m.body);
        if (t !== undefined) pollDelays.push(performance.now() - t);
      }
    }
  })();
  let i = 0;
  while (performance.now() < end - 3000) {
    const body = `cmp-${i++}`;
    const params = inboundParams({ accountSid: stack.twilio.accountSid, from: '+16465550001', to: org!.number, body });
    sentAt.set(body, performance.now());
    await postSignedWebhook(`${stack.serverUrl}/api/webhooks/twilio`, stack.twilio.authToken, params, `${stack.publicUrl}/api/webhooks/twilio`);
    await sleep(1000);
  }
  await pollLoop;

  socket.close();
  // Every request the server answered in the window, except Twilio's webhooks and the poller's syncs:
  // what the socket-connected agent cost in HTTP.
  const afterAll = await metrics();
  const after = afterAll.requests;
  const delta = (route: string) => (after[route] ?? 0) - (before[route] ?? 0);
  const others = Object.keys(after).reduce((n, r) => n + delta(r), 0) - delta('POST /api/webhooks/twilio') - pollRequests - 1; // -1: this metrics call
  const perMinute = (n: number) => Math.round((n / seconds) * 60 * 10) / 10;
  // Database work per agent, with no traffic: a window with the socket-connected agent (reconnected),
  // one with nobody (the server's own background), one with the poller polling. Transactions come
  // from pg_stat_database (each poll is the agent lookup plus one read-only transaction of three
  // statements).
  const transactions = async () => {
    await sleep(1500); // backends report their counts about once a second when idle
    return Number(
      (await stack.db.query<{ n: string }>('select xact_commit + xact_rollback as n from pg_stat_database where datname = current_database()')).rows[0]!.n,
    );
  };
  const QUIET_S = quietSeconds;
  const window = async (during: () => Promise<unknown>) => {
    const before = await transactions();
    await during();
    return Math.max(0, (await transactions()) - before - 1); // -1: our own read of the counter
  };
  const idle = () => sleep(QUIET_S * 1000);
  const quietSocket = ioClient(stack.serverUrl, { transports: ['websocket'], auth: { token: live!.token }, forceNew: true });
  await new Promise<void>((r) => quietSocket.once('connect', () => r()));
  const withSocket = await window(idle);
  quietSocket.close();
  const background = await window(idle);
  const withPoller = await window(async () => {
    const quietEnd = performance.now() + QUIET_S * 1000;
    while (performance.now() < quietEnd) {
      await sleep(3000);
      cursor = (await get(`/api/sync?cursor=${encodeURIComponent(cursor)}`, poller!.token)).cursor;
    }
  });
  const perMinuteQuiet = (n: number) => Math.round((Math.max(0, n - background) / QUIET_S) * 60 * 10) / 10;
  return [
    {
      client: '3 s polling (replaced design)',
      requestsPerAgentPerMinute: perMinute(pollRequests),
      dbTransactionsPerAgentPerMinute: perMinuteQuiet(withPoller),
      avgDelayMs: summarize(pollDelays).mean,
      worstDelayMs: summarize(pollDelays).max,
    },
    {
      client: 'Switchboard (sockets)',
      requestsPerAgentPerMinute: perMinute(Math.max(0, others)),
      dbTransactionsPerAgentPerMinute: perMinuteQuiet(withSocket),
      avgDelayMs: summarize(liveDelays).mean,
      worstDelayMs: summarize(liveDelays).max,
    },
  ];
}

/**
 * Where one webhook's time goes on an idle server, one at a time (25 ms apart), one agent
 * connected: the HTTP round trip of the health check (which does one `select 1`), the database's
 * part (one `store_inbound_message` call and its commit, sent from here over the same loopback),
 * and the whole path, webhook sent → Socket.IO `message:new` received.
 */
export async function latencyFloor(stack: RemoteStack, samples: number) {
  const [org] = await createBenchOrgs(stack, 1, 1);
  const socket = ioClient(stack.serverUrl, { transports: ['websocket'], auth: { token: org!.agents[0]!.token }, forceNew: true });
  await new Promise<void>((r) => socket.once('connect', () => r()));
  const received = new Map<string, () => void>();
  socket.on('message:new', ({ message }: { message: { body: string } }) => received.get(message.body)?.());
  const sender = webhookSender(`${stack.serverUrl}/api/webhooks/twilio`);
  const health = new http.Agent({ keepAlive: true });
  const get = (path: string) =>
    new Promise<void>((ok, fail) => http.get(`${stack.serverUrl}${path}`, { agent: health }, (res) => res.resume().on('end', () => ok())).on('error', fail));
  const roundTrip: number[] = [];
  const store: number[] = [];
  const whole: number[] = [];
  for (let i = 0; i < samples + 20; i++) {
    let t = performance.now();
    await get('/api/health');
    const rt = performance.now() - t;
    await sleep(8);
    const direct = {
      messageSid: newSid('SM'),
      from: `whatsapp:+1646558${String(1000 + (i % 50))}`,
      to: org!.number,
      messagingServiceSid: null,
      body: `floor-db-${i}`,
      profileName: null,
      media: [],
      location: null,
      raw: {},
    };
    t = performance.now();
    await storeInbound(stack.db, direct);
    const db = performance.now() - t;
    await sleep(8);
    const body = `floor-${i}`;
    const prepared = sender.prepare(
      stack.twilio.authToken,
      `${stack.publicUrl}/api/webhooks/twilio`,
      inboundParams({ accountSid: stack.twilio.accountSid, from: `+1646559${String(1000 + (i % 50))}`, to: org!.number, body }),
    );
    const arrived = new Promise<void>((r) => received.set(body, r));
    t = performance.now();
    void sender.post(prepared);
    await arrived;
    const all = performance.now() - t;
    // The first 20 warm up.
    if (i >= 20) {
      roundTrip.push(rt);
      store.push(db);
      whole.push(all);
    }
    await sleep(8);
  }
  socket.close();
  sender.close();
  health.destroy();
  return { roundTrip: summarize(roundTrip), store: summarize(store), whole: summarize(whole) };
}
