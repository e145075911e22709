import { io as ioClient, type Socket } from 'socket.io-client';
import type { SyncResponse } from '../../lib/contract/api';
import type { ClientToServerEvents, ServerToClientEvents } from '../../lib/contract/events';
import type { ConversationView, MessageView } from '../../lib/contract/models';
import { applyMessage, applySync, emptyInbox, type InboxState } from '../../lib/inbox/state';
import { inboundParams, postSignedWebhook } from '../../server/dev/twilio-stand-in/inbound';
import { tcpBalancer } from '../support/balancer';
import { startInstance, type ServerInstance } from '../support/instance';
import { cuttableProxy } from '../support/proxy';
import { startRedis } from '../support/redis';
import { createTestOrg, startTestStack } from '../support/stack';

/**
 * The bounded soak test: two server instances behind a load balancer, on one PostgreSQL and one
 * Redis; signed inbound webhooks at a steady rate, retried as Twilio retries; agents that apply
 * what they receive with the extension's own reducers (`lib/inbox/state.ts`: live Socket.IO
 * events, then a sync from their cursor after every reconnect). Meanwhile: agents' sockets are
 * dropped at random, one instance is killed and restarted, PostgreSQL is cut off for a moment.
 * At the end every agent's state is compared with the database.
 */
export interface SoakOptions {
  seconds: number;
  rate: number; // webhooks per second
  agents: number;
  customers: number;
  /** How long PostgreSQL stays unreachable (ms). */
  outageMs: number;
  log?: (line: string) => void;
}

export interface SoakReport {
  seconds: number;
  rate: number;
  agents: number;
  webhooksSent: number;
  webhookAttempts: number;
  answered503: number;
  refusedConnections: number;
  storedMessages: number;
  duplicateRows: number;
  socketDrops: number;
  instanceKills: number;
  databaseOutageMs: number;
  /**
   * Per agent: messages in the database it never received; messages shown twice (a thread holding
   * one id twice, or a conversation counting more inbound messages than the database); conversations
   * whose count differs from the database.
   */
  agentsLost: number[];
  agentsDoubled: number[];
  agentsCountersWrong: number[];
  settleMs: number;
}

type AgentSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

class SoakAgent {
  state: InboxState = emptyInbox();
  /** Every message id this agent got, by any path (live or sync). */
  received = new Set<string>();
  socket: AgentSocket;
  private syncing: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {
    this.socket = ioClient(url, { transports: ['websocket'], auth: { token }, reconnectionDelay: 200, reconnectionDelayMax: 2000, forceNew: true });
    this.socket.on('connect', () => void this.catchUp());
    this.socket.on('message:new', ({ message, conversation }) => this.apply(message, conversation));
  }

  private apply(message: MessageView, conversation?: ConversationView) {
    this.received.add(message.id);
    this.state = applyMessage(this.state, message, conversation);
  }

  /** What the extension does after every (re)connect: everything since the cursor, retried until it works. */
  catchUp(): Promise<void> {
    if (this.syncing) {
      this.again = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      do {
        this.again = false;
        for (;;) {
          const res = await fetch(`${this.url}/api/sync${this.state.cursor ? `?cursor=${encodeURIComponent(this.state.cursor)}` : ''}`, {
            headers: { authorization: `Bearer ${this.token}` },
          }).catch(() => null);
          if (res?.ok) {
            const sync = (await res.json()) as SyncResponse;
            if (sync.messagesTruncated) throw new Error('a sync was truncated: lower the soak rate or duration (the extension would refetch threads on open)');
            for (const m of sync.messages) this.received.add(m.id);
            this.state = applySync(this.state, sync);
            break;
          }
          await new Promise((r) => setTimeout(r, 250));
        }
      } while (this.again);
    })().finally(() => (this.syncing = null));
    return this.syncing;
  }

  close() {
    this.socket.close();
  }
}

export async function runSoak(opts: SoakOptions): Promise<SoakReport> {
  const log = opts.log ?? (() => {});
  const redis = await startRedis();
  const stack = await startTestStack(); // PostgreSQL, Auth and Realtime ("Supabase"); its own server takes no traffic here
  const pgPort = Number(new URL(stack.config.databaseUrl).port);
  const pgProxy = await cuttableProxy(pgPort);
  const viaProxy = new URL(stack.config.databaseUrl);
  viaProxy.port = new URL(pgProxy.url).port;
  const env = { DATABASE_URL: viaProxy.toString(), REDIS_URL: redis.url, PRESENCE_SWEEP_MS: '1000' };
  const instances: Array<ServerInstance | null> = [await startInstance(stack, env), await startInstance(stack, env)];
  const balancer = await tcpBalancer(() => instances.filter((i): i is ServerInstance => i !== null).map((i) => Number(new URL(i.url).port)));
  const org = await createTestOrg(stack, opts.agents);
  const agents = org.agents.map((a) => new SoakAgent(balancer.url, a.token));
  await Promise.all(agents.map((a) => new Promise<void>((r) => (a.socket.connected ? r() : a.socket.once('connect', () => r())))));

  const report: SoakReport = {
    seconds: opts.seconds,
    rate: opts.rate,
    agents: opts.agents,
    webhooksSent: 0,
    webhookAttempts: 0,
    answered503: 0,
    refusedConnections: 0,
    storedMessages: 0,
    duplicateRows: 0,
    socketDrops: 0,
    instanceKills: 0,
    databaseOutageMs: 0,
    agentsLost: [],
    agentsDoubled: [],
    agentsCountersWrong: [],
    settleMs: 0,
  };
  const sids: string[] = [];
  /** Twilio's side: post until a 2xx, backing off on 5xx and refused connections. */
  const deliver = async (n: number) => {
    const params = inboundParams({
      accountSid: stack.config.twilio.accountSid,
      from: `+1646555${String(1000 + (n % opts.customers))}`,
      to: org.number,
      body: `soak ${n}`,
    });
    sids.push(params.MessageSid!);
    for (let attempt = 0; ; attempt++) {
      report.webhookAttempts++;
      const res = await postSignedWebhook(
        `${balancer.url}/api/webhooks/twilio`,
        stack.config.twilio.authToken,
        params,
        `${stack.config.publicUrl}/api/webhooks/twilio`,
      ).catch(() => null);
      if (res?.ok) return;
      if (!res) report.refusedConnections++;
      else if (res.status === 503) report.answered503++;
      else throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
      await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt)));
    }
  };

  const started = Date.now();
  const deliveries: Promise<void>[] = [];
  const total = opts.seconds * opts.rate;
  const faults: Promise<void>[] = [];
  const at = (fraction: number, fn: () => Promise<void>) => faults.push(new Promise<void>((r) => setTimeout(r, opts.seconds * 1000 * fraction)).then(fn));
  // Sockets dropped at random, about one every second.
  const dropper = setInterval(() => {
    const victim = agents[Math.floor(Math.random() * agents.length)]!;
    victim.socket.io.engine?.close();
    report.socketDrops++;
  }, 1000);
  at(0.25, async () => {
    log('killing instance 2');
    const doomed = instances[1]!;
    instances[1] = null;
    await doomed.kill();
    report.instanceKills++;
    await new Promise((r) => setTimeout(r, opts.seconds * 100));
    instances[1] = await startInstance(stack, env);
    log('instance 2 restarted');
  });
  at(0.6, async () => {
    log('cutting PostgreSQL off');
    pgProxy.setUp(false);
    await new Promise((r) => setTimeout(r, opts.outageMs));
    pgProxy.setUp(true);
    report.databaseOutageMs = opts.outageMs;
    log('PostgreSQL back');
  });
  for (let n = 0; n < total; n++) {
    const due = started + (n * 1000) / opts.rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    deliveries.push(deliver(n));
  }
  clearInterval(dropper);
  await Promise.all(faults);
  await Promise.all(deliveries);
  report.webhooksSent = total;

  // Everything delivered: let every agent catch up once more, then compare with the database.
  const settled = Date.now();
  await Promise.all(agents.map((a) => a.catchUp()));
  report.settleMs = Date.now() - settled;
  const db = stack.db;
  const stored = (
    await db.query<{ id: string; twilio_sid: string }>("select id, twilio_sid from messages where organisation_id = $1 and direction = 'inbound'", [org.id])
  ).rows;
  report.storedMessages = stored.length;
  report.duplicateRows = stored.length - new Set(stored.map((r) => r.twilio_sid)).size;
  const missingSids = sids.filter((s) => !stored.some((r) => r.twilio_sid === s));
  if (missingSids.length) throw new Error(`${missingSids.length} acknowledged webhooks are not in the database`);
  const counters = new Map(
    (await db.query<{ id: string; inbound_count: string }>('select id, inbound_count from conversations where organisation_id = $1', [org.id])).rows.map(
      (r) => [r.id, Number(r.inbound_count)],
    ),
  );
  for (const a of agents) {
    report.agentsLost.push(stored.filter((r) => !a.received.has(r.id)).length);
    const twiceInThread = Object.values(a.state.messages).reduce((n, list) => n + list.length - new Set(list.map((m) => m.id)).size, 0);
    const overCounted = [...counters].filter(([id, n]) => (a.state.conversations[id]?.inboundCount ?? 0) > n).length;
    report.agentsDoubled.push(twiceInThread + overCounted);
    report.agentsCountersWrong.push([...counters].filter(([id, n]) => a.state.conversations[id]?.inboundCount !== n).length);
  }

  for (const a of agents) a.close();
  await balancer.close();
  for (const i of instances) await i?.stop();
  await pgProxy.close();
  await stack.stop();
  await redis.stop();
  return report;
}
