import { performance } from 'node:perf_hooks';
import { io as ioClient, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { createBenchOrgs } from '../agents';
import type { RemoteStack } from '../remote-stack';
import { sleep } from '../stats';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInstance, type InstanceTarget } from '../../tests/support/instance';
import { BENCH_LIMITS } from '../limits';
import { freePort } from '../../tests/support/stack';

/**
 * Many agents connected at once to one server process: each with a Socket.IO socket (as the
 * extension connects it: WebSocket only, reconnection with backoff and jitter) and a Realtime
 * socket joined to its organisation's postgres_changes (a raw Phoenix client, what supabase-js
 * sends, without its per-client overhead in the load generator). Reports the server's memory per
 * agent and its CPU while idle (heartbeats and pings only). Reconnection after a restart is
 * `reconnectAfterRestart` below.
 */
export async function connections(stack: RemoteStack, opts: { agents: number; idleSeconds: number }) {
  const orgs = await createBenchOrgs(stack, Math.ceil(opts.agents / 10), 10);
  const agents = orgs.flatMap((o) => o.agents.map((a) => ({ ...a, org: o.id }))).slice(0, opts.agents);
  await sleep(1000);
  const base = stack.usage();
  const sockets: Socket[] = [];
  const realtime: WebSocket[] = [];
  let ioUp = 0;
  let rtJoined = 0;
  const rtUrl = `${stack.supabaseUrl.replace(/^http/, 'ws')}/realtime/v1/websocket?apikey=${stack.anonKey}&vsn=1.0.0`;
  const t0 = performance.now();
  // Connect in waves, as agents do over a morning (and so the load generator keeps up).
  for (let i = 0; i < agents.length; i++) {
    const a = agents[i]!;
    const s = ioClient(stack.serverUrl, {
      transports: ['websocket'],
      auth: { token: a.token },
      forceNew: true,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 30_000,
      randomizationFactor: 0.5,
    });
    s.on('connect', () => ioUp++);
    s.on('disconnect', () => ioUp--);
    sockets.push(s);
    const ws = new WebSocket(rtUrl);
    ws.on('open', () => {
      ws.send(
        JSON.stringify({
          topic: `realtime:inbox-${a.org}`,
          event: 'phx_join',
          payload: {
            config: { postgres_changes: [{ event: '*', schema: 'public', table: 'messages', filter: `organisation_id=eq.${a.org}` }] },
            access_token: a.token,
          },
          ref: '1',
          join_ref: '1',
        }),
      );
      let ref = 2;
      const beat = setInterval(
        () => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify({ topic: 'phoenix', event: 'heartbeat', payload: {}, ref: String(ref++) })),
        25_000,
      );
      ws.on('close', () => clearInterval(beat));
    });
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { event: string; ref: string; payload: { status?: string } };
      if (m.event === 'phx_reply' && m.ref === '1' && m.payload.status === 'ok') rtJoined++;
    });
    ws.on('error', () => {});
    realtime.push(ws);
    if (i % 200 === 199) await sleep(100);
  }
  const deadline = Date.now() + 120_000;
  while ((ioUp < agents.length || rtJoined < agents.length) && Date.now() < deadline) await sleep(200);
  const connectSeconds = (performance.now() - t0) / 1000;
  await sleep(2000);
  const connected = stack.usage();
  // Idle: nothing but Socket.IO pings (every 25 s) and Realtime heartbeats.
  const idle0 = stack.usage();
  await sleep(opts.idleSeconds * 1000);
  const idle1 = stack.usage();

  const result = {
    agents: agents.length,
    'Socket.IO connected': ioUp,
    'Realtime joined': rtJoined,
    'connect all s': Math.round(connectSeconds * 10) / 10,
    'server RSS MB': connected.rssMb,
    'KB per agent (both sockets)': Math.round(((connected.rssMb - base.rssMb) * 1024) / agents.length),
    'idle CPU % of a core': Math.round(((idle1.cpuMs - idle0.cpuMs) / (opts.idleSeconds * 1000)) * 1000) / 10,
  };
  for (const s of sockets) s.close();
  for (const ws of realtime) ws.close();
  return result;
}

/**
 * Agents connected to one server instance (a process of its own, in hosted mode, as in production)
 * when it is restarted: SIGTERM (a graceful stop), then a new process on the same port. How long
 * until every agent is back, and how the reconnections spread over time (the extension's backoff:
 * 1 s doubling to 30 s, with 50 % jitter: no storm).
 */
export async function reconnectAfterRestart(stack: RemoteStack, opts: { agents: number }) {
  const orgs = await createBenchOrgs(stack, Math.ceil(opts.agents / 10), 10);
  const agents = orgs.flatMap((o) => o.agents).slice(0, opts.agents);
  const home = mkdtempSync(join(tmpdir(), 'switchboard-bench-instance-'));
  const target: InstanceTarget = {
    home,
    config: {
      publicUrl: stack.publicUrl,
      databaseUrl: stack.databaseUrl,
      supabaseUrl: stack.supabaseUrl,
      supabaseAnonKey: stack.anonKey,
      jwtSecret: stack.jwtSecret,
      twilio: stack.twilio,
      twilioApiBaseUrl: null,
    },
  };
  const env = { PORT: String(await freePort()), LOG_LEVEL: 'warn', ...BENCH_LIMITS };
  let instance = await startInstance(target, env);
  let up = 0;
  let restartAt = 0;
  let attempts = 0;
  const reconnectedAt: number[] = [];
  const refused = new Map<string, number>();
  const sockets: Socket[] = [];
  try {
    for (let i = 0; i < agents.length; i++) {
      const s = ioClient(instance.url, {
        transports: ['websocket'],
        auth: { token: agents[i]!.token },
        forceNew: true,
        reconnectionDelay: 1000,
        reconnectionDelayMax: 30_000,
        randomizationFactor: 0.5,
      });
      let retries = 0;
      s.on('connect', () => {
        up++;
        retries = 0;
        if (restartAt) reconnectedAt.push(performance.now() - restartAt);
      });
      s.on('disconnect', () => up--);
      s.io.on('reconnect_attempt', () => void (restartAt && attempts++));
      // As the extension does (lib/background/links/socket.ts): a handshake the server refused (it was
      // too busy to look the agent up, say) is retried with the same backoff; socket.io-client
      // itself gives up on those.
      s.on('connect_error', (err) => {
        if (s.active || !restartAt) return;
        refused.set(err.message, (refused.get(err.message) ?? 0) + 1);
        const base = Math.min(30_000, 1000 * 2 ** retries++);
        setTimeout(() => (attempts++, s.connect()), base / 2 + Math.random() * (base / 2));
      });
      sockets.push(s);
      if (i % 200 === 199) await sleep(100);
    }
    const deadline = Date.now() + 180_000;
    while (up < agents.length && Date.now() < deadline) await sleep(200);
    const before = up;

    restartAt = performance.now();
    await instance.stop();
    const downMs = performance.now() - restartAt;
    // Healthy = answering /api/health while the agents pour back in.
    instance = await startInstance(target, env, { readyWithinMs: 120_000 });
    const backMs = performance.now() - restartAt;
    const until = Date.now() + 180_000;
    while (reconnectedAt.length < before && Date.now() < until) await sleep(200);
    const perSecond = new Map<number, number>();
    for (const t of reconnectedAt) perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
    const sorted = [...reconnectedAt].sort((a, b) => a - b);
    const s1 = (ms: number | undefined) => (ms === undefined ? '-' : Math.round(ms / 100) / 10);
    return {
      agents: agents.length,
      'connected before': before,
      reconnected: reconnectedAt.length,
      'old process gone s': s1(downMs),
      'new process healthy s': s1(backMs),
      'half back s': s1(sorted[Math.floor(sorted.length / 2)]),
      'all back s': s1(sorted.at(-1)),
      'busiest second (reconnects)': Math.max(0, ...perSecond.values()),
      'attempts per agent': Math.round((attempts / agents.length) * 10) / 10,
      'handshakes refused (retried)': [...refused].map(([m, n]) => `${n} × ${m}`).join('; ') || 0,
    };
  } finally {
    for (const s of sockets) s.close();
    await instance.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * One organisation's agents connecting at once. Presence changes are coalesced per organisation
 * (one `presence:changes` per interval) and a newcomer is answered from memory, so the events grow
 * with n times the intervals the connects span, not n²/2. Reports, per size, how many were
 * connected within `withinSeconds`, how long all took, and the presence events (state and
 * changes) the agents received.
 */
export async function organisationConnect(stack: RemoteStack, opts: { sizes: number[]; withinSeconds: number }) {
  const rows = [];
  for (const n of opts.sizes) {
    const [org] = await createBenchOrgs(stack, 1, n);
    let up = 0;
    let events = 0;
    const t0 = performance.now();
    const cpu0 = stack.usage();
    const sockets = org!.agents.map((a) => {
      const s = ioClient(stack.serverUrl, { transports: ['websocket'], auth: { token: a.token }, forceNew: true });
      s.on('connect', () => up++);
      s.on('presence:state', () => events++);
      s.on('presence:changes', () => events++);
      return s;
    });
    const deadline = performance.now() + opts.withinSeconds * 1000;
    while (up < n && performance.now() < deadline) await sleep(200);
    const seconds = (performance.now() - t0) / 1000;
    const cpu1 = stack.usage();
    rows.push({
      'agents (one organisation)': n,
      connected: up,
      'all connected s': up === n ? Math.round(seconds * 10) / 10 : `not within ${opts.withinSeconds}`,
      'presence events received': events,
      'server CPU s': Math.round((cpu1.cpuMs - cpu0.cpuMs) / 100) / 10,
    });
    for (const s of sockets) s.close();
    await sleep(2000); // let the organisation's disconnects settle before the next size
  }
  return rows;
}
