import { performance } from 'node:perf_hooks';
import { io as ioClient, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { createBenchOrgs } from '../agents';
import type { RemoteStack } from '../remote-stack';
import { sleep } from '../stats';

/**
 * Many agents connected at once to one server process: each with a Socket.IO socket (as the
 * extension connects it: WebSocket only, reconnection with backoff and jitter) and a Realtime
 * socket joined to its organisation's postgres_changes (a raw Phoenix client, what supabase-js
 * sends, without its per-client overhead in the load generator). Reports the server's memory per
 * agent and its CPU while idle (heartbeats and pings only). Not measured yet: reconnecting them
 * all after a server restart.
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
    const s = ioClient(stack.serverUrl, { transports: ['websocket'], auth: { token: a.token }, forceNew: true, reconnectionDelay: 1000, reconnectionDelayMax: 30_000, randomizationFactor: 0.5 });
    s.on('connect', () => ioUp++);
    s.on('disconnect', () => ioUp--);
    sockets.push(s);
    const ws = new WebSocket(rtUrl);
    ws.on('open', () => {
      ws.send(
        JSON.stringify({
          topic: `realtime:inbox-${a.org}`,
          event: 'phx_join',
          payload: { config: { postgres_changes: [{ event: '*', schema: 'public', table: 'messages', filter: `organisation_id=eq.${a.org}` }] }, access_token: a.token },
          ref: '1',
          join_ref: '1',
        }),
      );
      let ref = 2;
      const beat = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify({ topic: 'phoenix', event: 'heartbeat', payload: {}, ref: String(ref++) })), 25_000);
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
