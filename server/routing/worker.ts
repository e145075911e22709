import type pg from 'pg';
import type { Logger } from '../logger';
import type { Broadcast } from '../sockets/broadcast';
import { agentRoom, type SwitchboardIo } from '../sockets/rooms';
import { autoReplyIfClosed } from './auto-reply';
import { routeTeam, teamsWaiting } from './engine';
import { handBack } from './hand-back';
import { adminsOf, claimWarnings, recordBreaches, scheduleClocks, type SlaAlert } from './sla';

/**
 * Routing on one server instance. Every instance runs it; the database makes each decision once
 * (engine.ts). It wakes on NOTIFY switchboard_routing (a conversation queued: `team:<id>`; an
 * agent's load fell: `agent:<id>`; SLA clocks started or stopped: `sla`), on what this instance
 * sees (an agent connects, sets themselves available, gets more capacity), and on a sweep every
 * `sweepMs` that catches anything missed (a lost notification, a row that was locked, an instance
 * that died mid-pass): queued teams, SLA due times, warnings and breaches, hand-backs, and, now
 * and then, loads re-derived from the conversations.
 */
export interface RoutingWorker {
  /** Routes a team's queue now (coalesced: one pass at a time per team on this instance, and one more if asked meanwhile). */
  routeTeam(teamId: string): Promise<void>;
  /** The agent may take conversations now: route the queues of their teams. */
  wakeAgent(agentId: string): Promise<void>;
  /** One sweep now (tests, and the timer). */
  sweep(): Promise<void>;
  /** Re-derives the loads that disagree with the conversations (the sweep does it every five minutes). */
  rederiveLoads(): Promise<void>;
  /**
   * A customer wrote: the auto-reply, if the conversation's team is closed and has one (null: none
   * sent). Channels whose team has an auto-reply are known from memory (re-read every few seconds,
   * and at once after `hoursChanged`), so other messages cost no query.
   */
  autoReply(conversation: { id: string; channelId: string }): ReturnType<typeof autoReplyIfClosed>;
  /** Teams' hours or channels changed on this instance: re-read which channels auto-reply. */
  hoursChanged(): void;
  start(): void;
  stop(): Promise<void>;
}

const REDERIVE_EVERY_MS = 5 * 60_000;
/** How long an instance trusts its list of channels with an auto-reply (another instance's change shows within this). */
const AUTO_REPLY_CHANNELS_MS = 5000;

export function createRoutingWorker(deps: { db: pg.Pool; io: SwitchboardIo; broadcast: Broadcast; log: Logger; sweepMs: number }): RoutingWorker {
  const { db, log } = deps;
  const passes = new Map<string, { running: Promise<void>; again: boolean }>();
  let running = false;
  let listener: pg.PoolClient | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;
  let sweeping: Promise<void> | null = null;
  let lastRederive = Date.now();

  const passOnce = async (teamId: string) => {
    for (;;) {
      const { changes, more } = await routeTeam(db, teamId);
      changes.forEach(deps.broadcast.conversationChanged);
      if (!more) return;
    }
  };
  /**
   * Runs `fn` for `key` once at a time on this instance; asked again while it runs, it runs once
   * more after (never more than one waiting), so a burst of wake-ups costs two passes, not one each.
   */
  const coalesced = (key: string, fn: () => Promise<void>): Promise<void> => {
    const current = passes.get(key);
    if (current) {
      current.again = true;
      return current.running;
    }
    const entry = { again: false, running: Promise.resolve() };
    entry.running = (async () => {
      try {
        do {
          entry.again = false;
          await fn();
        } while (entry.again);
      } catch (err) {
        log.warn({ err, key }, 'routing pass failed; the sweep tries again');
      } finally {
        passes.delete(key);
      }
    })();
    passes.set(key, entry);
    return entry.running;
  };
  const route = (teamId: string) => coalesced(`team:${teamId}`, () => passOnce(teamId));
  const wakeAgent = (agentId: string) =>
    coalesced(`agent:${agentId}`, async () => {
      if (!running) return; // stopped: the next instance's sweep finds what waits
      await Promise.all((await teamsWaiting(db, agentId)).map(route));
    });

  const alert = async (event: 'sla:warning' | 'sla:breached', a: SlaAlert) => {
    const to = new Set<string>(a.assigneeId ? [a.assigneeId] : []);
    if (a.notifyAdmins) for (const id of await adminsOf(db, a.organisationId)) to.add(id);
    const payload = { conversationId: a.conversationId, kind: a.kind, dueAt: a.dueAt, assigneeId: a.assigneeId };
    if (to.size) deps.io.to([...to].map(agentRoom)).emit(event, payload);
  };
  const sla = () =>
    coalesced('sla', async () => {
      (await scheduleClocks(db)).forEach(deps.broadcast.conversationChanged);
      for (const w of await claimWarnings(db)) await alert('sla:warning', w);
      for (const b of await recordBreaches(db)) await alert('sla:breached', b);
    });

  const sweep = async () => {
    await Promise.all((await teamsWaiting(db)).map(route));
    await sla();
    (await handBack(db)).forEach(deps.broadcast.conversationChanged);
    if (Date.now() - lastRederive > REDERIVE_EVERY_MS) {
      lastRederive = Date.now();
      await rederiveLoads();
    }
  };
  /** Loads that disagree with the conversations are counted again, one agent at a time (a short lock each). */
  const rederiveLoads = async () => {
    const { rows } = await db.query<{ agent_id: string }>('select agent_id from routing_load_mismatches()');
    for (const { agent_id } of rows) {
      const fixed = (await db.query<{ was: number; now: number }>('select was, now from routing_rederive_load($1)', [agent_id])).rows[0];
      if (fixed && fixed.was !== fixed.now) {
        log.warn({ agentId: agent_id, was: fixed.was, now: fixed.now }, 'open load disagreed with the conversations: re-derived');
        await wakeAgent(agent_id);
      }
    }
  };
  // Read once for all the messages that arrive while it is read.
  let autoReplyChannels: { ids: Promise<Set<string>>; at: number } | null = null;
  const autoReply = async (conversation: { id: string; channelId: string }) => {
    if (!autoReplyChannels || Date.now() - autoReplyChannels.at > AUTO_REPLY_CHANNELS_MS) {
      const ids = db
        .query<{ id: string }>('select ch.id from channels ch join teams t on t.id = ch.team_id where t.hours_enabled and t.auto_reply is not null')
        .then(({ rows }) => new Set(rows.map((r) => r.id)));
      autoReplyChannels = { ids, at: Date.now() };
      ids.catch(() => (autoReplyChannels = null));
    }
    return (await autoReplyChannels.ids).has(conversation.channelId) ? autoReplyIfClosed(db, conversation.id) : null;
  };
  const tick = () => {
    sweeping ??= sweep()
      .catch((err) => log.warn({ err }, 'routing sweep failed; retried on the next tick'))
      .finally(() => (sweeping = null));
  };

  const onNotification = (msg: pg.Notification) => {
    const payload = msg.payload ?? '';
    const work = payload.startsWith('team:')
      ? route(payload.slice(5))
      : payload.startsWith('agent:')
        ? wakeAgent(payload.slice(6))
        : payload === 'sla'
          ? sla()
          : Promise.resolve();
    work.catch((err) => log.warn({ err, payload }, 'routing wake-up failed; the sweep tries again'));
  };
  /** A connection of its own for LISTEN; if it drops, the sweep carries on and it listens again. */
  const listen = async () => {
    if (!running) return;
    try {
      const client = await db.connect();
      client.on('notification', onNotification);
      client.on('error', (err) => {
        if (listener !== client) return; // released already (stopping)
        log.warn({ err }, 'routing listener lost; sweeping until it is back');
        listener = null;
        client.release(err);
        if (running) setTimeout(() => void listen(), 5000).unref();
      });
      await client.query('listen switchboard_routing');
      listener = client;
      if (!running) await unlisten();
    } catch (err) {
      log.warn({ err }, 'routing listener could not start; sweeping');
      setTimeout(() => void listen(), 5000).unref();
    }
  };
  const unlisten = async () => {
    const client = listener;
    listener = null;
    if (!client) return;
    await client.query('unlisten *').catch(() => undefined);
    client.release();
  };

  return {
    routeTeam: route,
    wakeAgent,
    sweep,
    rederiveLoads,
    autoReply,
    hoursChanged: () => void (autoReplyChannels = null),
    start() {
      running = true;
      void listen();
      timer = setInterval(tick, deps.sweepMs);
      timer.unref();
      tick();
    },
    async stop() {
      running = false;
      if (timer) clearInterval(timer);
      await unlisten();
      await sweeping;
      await Promise.all([...passes.values()].map((p) => p.running));
    },
  };
}
