import { performance } from 'node:perf_hooks';
import { io as ioClient } from 'socket.io-client';
import { createApiClient } from '../../lib/api/client';
import type { FloorResponse } from '../../lib/contract/reports';
import { floorFeed } from '../../lib/reports/floor-feed';
import { buildFloor } from '../../server/reports/floor';
import { createBenchOrgs } from '../agents';
import { newCustomersWriting } from '../http';
import type { RemoteStack } from '../remote-stack';
import { round, sleep, summarize, type LatencySummary } from '../stats';
import { routeOrganisations } from './routing';

export interface FloorBenchResult {
  agents: number;
  rate: number;
  messages: number;
  /** Messages whose conversation no floor read showed within 10 s of the last webhook. */
  missed: number;
  /** Signed webhook sent → a floor read that counts its conversation has arrived at the lead (ms). */
  fromWebhook: LatencySummary;
  /** The lead's socket hearing `message:new` → a floor read that counts it has arrived (ms). */
  fromEvent: LatencySummary;
  /** Floor reads during the load, and their round trip (GET /api/floor, ms). */
  reads: number;
  readsPerSecond: number;
  readMs: LatencySummary;
  /** `buildFloor` alone afterwards over the organisation (its six queries in one snapshot, ms). */
  queryMs: LatencySummary;
  conversations: number;
}

const openOf = (floor: FloorResponse) => floor.teams.reduce((n, t) => n + t.open, 0);

/**
 * Issue 35's "the floor view updates within 1 s at 100 messages/s": new customers write at `rate`/s
 * to one organisation (a round-robin team of `agents`, as the routing scenario sets it up); a lead's
 * floor is kept live as the background keeps it, through the same pieces: the extension's API
 * client, `floorFeed` (one read at once, then at most one per `FLOOR_GAP_MS`) woken by the same Socket.IO
 * events. Each message is reflected once a read counts as many open conversations as messages heard
 * up to it (every message opens a conversation of its own; a snapshot after the k-th commit counts
 * at least k).
 */
export async function floorUnderLoad(stack: RemoteStack, opts: { agents: number; rate: number; seconds: number }): Promise<FloorBenchResult> {
  const [org] = await createBenchOrgs(stack, 1, opts.agents);
  await routeOrganisations(stack.db, [org!.id], 5);
  const lead = org!.agents[0]!;
  await stack.db.query("update agents set role = 'lead' where id = $1", [lead.id]);
  const api = createApiClient({ serverUrl: stack.serverUrl, getToken: async () => lead.token });
  const base = openOf(await api.floor());

  const sentAt = new Map<string, number>(); // body -> sent
  const heard: Array<{ at: number; sent: number }> = []; // in the order the lead's socket heard them
  const fromWebhook: number[] = [];
  const fromEvent: number[] = [];
  const readMs: number[] = [];
  let reflected = 0; // messages (in hearing order) a read has counted
  let shownOpen = base; // the latest read's count: messages heard later may already be in it
  const account = (now: number) => {
    for (; reflected < Math.min(heard.length, shownOpen - base); reflected++) {
      const h = heard[reflected]!;
      fromWebhook.push(now - h.sent);
      fromEvent.push(now - h.at);
    }
  };
  const changed = floorFeed({
    refresh: async () => {
      const t = performance.now();
      const floor = await api.floor();
      const now = performance.now();
      readMs.push(now - t);
      shownOpen = Math.max(shownOpen, openOf(floor));
      account(now);
    },
  });
  const socket = ioClient(stack.serverUrl, { transports: ['websocket'], auth: { token: lead.token }, forceNew: true });
  socket.on('message:new', ({ message }: { message: { body: string } }) => {
    const sent = sentAt.get(message.body);
    if (sent !== undefined) {
      heard.push({ at: performance.now(), sent });
      // Already counted by a read that was faster than the event: reflected at once.
      account(performance.now());
    }
    changed();
  });
  for (const event of ['conversation:updated', 'routing:agent', 'team:changed']) socket.on(event, changed);
  await new Promise<void>((r) => (socket.connected ? r() : socket.once('connect', () => r())));

  const total = opts.rate * opts.seconds;
  const step = `floor-${Date.now()}`;
  const writing = newCustomersWriting(stack, org!.number, { total, step, from: (i) => `+1646558${String(10000 + i)}` });
  const t0 = performance.now();
  try {
    await writing.run(opts.rate, sentAt, () => reflected >= total);
  } finally {
    socket.close();
  }
  const elapsed = (performance.now() - t0) / 1000;
  const reads = readMs.length;

  // The floor's own cost, once the load has settled (routing still works through its queue just after).
  await sleep(3000);
  const queryMs: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    await buildFloor(stack.db, org!.id);
    queryMs.push(performance.now() - t);
  }
  const { n } = (await stack.db.query<{ n: number }>('select count(*)::int as n from conversations where organisation_id = $1', [org!.id])).rows[0]!;
  return {
    agents: opts.agents,
    rate: opts.rate,
    messages: total,
    missed: total - reflected,
    fromWebhook: summarize(fromWebhook),
    fromEvent: summarize(fromEvent),
    reads,
    readsPerSecond: round(reads / elapsed),
    readMs: summarize(readMs),
    queryMs: summarize(queryMs),
    conversations: n,
  };
}
