import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { decodeJwt } from 'jose';
import type pg from 'pg';
import { WebSocket, WebSocketServer } from 'ws';
import { secretEquals } from '../../../auth/compare';
import type { ServerConfig } from '../../../config';
import { createAddressLimits } from '../../../http/client-address';
import { originAllowed, type OriginPolicy } from '../../../http/origins';
import { InvalidTokenError, type SupabaseClaims, type TokenVerifier } from '../../../auth/jwt';
import type { Logger } from '../../../logger';
import { jsonValue, PublicationCatalog, type TableInfo } from './catalog';
import { visibilityKeySql } from './visibility';
import type { ChangeStream, RowChange } from './cdc';
import { filterSql, FilterError, parseFilter, passesPrefilter, prefilterOf, type Prefilter } from './filters';
import { decodeFrame, encodeFrame, encodeFrameWithPayload, FrameError, type Frame, type Vsn } from './wire';

/**
 * The local stack's Supabase Realtime: `/realtime/v1/websocket` as the unmodified supabase-js
 * client expects it (docs/supabase-wire-protocol.md, Realtime). postgres_changes come
 * from logical replication and are filtered per subscriber with its role, JWT claims and RLS;
 * broadcast and presence are kept in memory.
 */
export interface RealtimeDeps {
  db: pg.Pool;
  verify: TokenVerifier;
  changes: ChangeStream;
  log: Logger;
  publication?: string;
  /** Close sockets silent this long (Phoenix: 60 s; the client heartbeats every 25 s). */
  idleTimeoutMs?: number;
  /** The project's new-style keys: an `sb_…` key is accepted only if it is exactly one of these. */
  apiKeys: { publishable: string; secret: string };
  origins: OriginPolicy;
  limits: { handshakesPerIp: number; connectionsPerIp: number };
  trustProxy?: ServerConfig['trustProxy'];
}

/** What one connection may hold and send; over these it is refused or cut, and others stay served. */
export const REALTIME_LIMITS = {
  channelsPerConnection: 100,
  bindingsPerConnection: 100,
  frameBytes: 256 * 1024,
  presencePayloadBytes: 4 * 1024,
  framesPerSecond: 200,
} as const;

export interface LocalRealtime {
  /** Connected sockets and joined channels. */
  stats(): { sockets: number; channels: number; bindings: number };
  /** Fault injection: while unavailable, every socket is dropped and new ones are refused (503). */
  setAvailable(available: boolean): void;
  close(): Promise<void>;
}

const PATH = '/realtime/v1/websocket';

interface Binding {
  id: number;
  event: string;
  schema: string;
  table: string | undefined;
  filterSql: string | null;
  /** The filter's conditions decided here, before the check in PostgreSQL (filters.ts). */
  prefilter: Prefilter[];
  channel: Channel;
}

interface Channel {
  conn: Connection;
  topic: string;
  subTopic: string;
  /** Topic plus privacy: a private and a public channel of the same name are separate. */
  scope: string;
  joinRef: string;
  self: boolean;
  ack: boolean;
  presenceEnabled: boolean;
  presenceKey: string;
  tracked: { meta: Record<string, unknown>; payload: string } | null;
  claims: SupabaseClaims;
  token: string;
  expiryTimer: ReturnType<typeof setTimeout> | null;
  bindings: Binding[];
}

interface Connection {
  ws: WebSocket;
  vsn: Vsn;
  apiClaims: SupabaseClaims;
  apiToken: string;
  channels: Map<string, Channel>;
  lastFrameAt: number;
  /** Frames received in the current one-second window (flood control). */
  window: { at: number; frames: number };
}

export function attachRealtime(http: HttpServer, deps: RealtimeDeps): LocalRealtime {
  const log = deps.log.child({ name: 'realtime' });
  const catalog = new PublicationCatalog(deps.db, deps.publication ?? 'supabase_realtime');
  const wss = new WebSocketServer({ noServer: true, maxPayload: REALTIME_LIMITS.frameBytes });
  const addresses = createAddressLimits(deps.limits, deps.trustProxy);
  const connections = new Set<Connection>();
  const scopes = new Map<string, Set<Channel>>();
  const bindings = new Set<Binding>();
  let nextBindingId = 1;
  let nextPresenceRef = 1;
  const ready = catalog.refresh();
  let available = true;

  const send = (conn: Connection, f: Frame) => {
    if (conn.ws.readyState === WebSocket.OPEN) conn.ws.send(encodeFrame(f, conn.vsn));
  };
  const reply = (conn: Connection, f: Frame, status: 'ok' | 'error', response: Record<string, unknown> = {}) =>
    send(conn, { joinRef: f.joinRef, ref: f.ref, topic: f.topic, event: 'phx_reply', payload: { status, response } });

  async function verifyToken(token: string): Promise<SupabaseClaims> {
    try {
      return await deps.verify(token);
    } catch (err) {
      if (err instanceof InvalidTokenError && err.message === 'Token has expired') {
        let ago = 0;
        try {
          ago = Math.max(0, Math.floor(Date.now() / 1000) - Number(decodeJwt(token).exp));
        } catch {
          /* the verifier already judged it */
        }
        throw new InvalidTokenError(`Token has expired ${ago} seconds ago`);
      }
      throw err;
    }
  }

  /**
   * API keys: the project's publishable and secret keys map to anon and service_role when they
   * match exactly (compared in constant time); any other `sb_` key is refused; legacy keys are
   * JWTs, verified.
   */
  async function apiKeyClaims(key: string): Promise<SupabaseClaims> {
    const far = Math.floor(Date.now() / 1000) + 3600 * 24 * 365;
    if (key.startsWith('sb_')) {
      if (secretEquals(key, deps.apiKeys.secret)) return { role: 'service_role', exp: far };
      if (secretEquals(key, deps.apiKeys.publishable)) return { role: 'anon', exp: far };
      throw new InvalidTokenError('Invalid API key');
    }
    return verifyToken(key);
  }

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://local');
    if (url.pathname !== PATH) return;
    const vsn = (url.searchParams.get('vsn') ?? '1.0.0') as Vsn;
    const apikey = (req.headers['x-api-key'] as string | undefined) ?? url.searchParams.get('apikey');
    const refuse = (status: number, error: string) => {
      const reason = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 429: 'Too Many Requests', 503: 'Service Unavailable' }[status] ?? 'Error';
      socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n${JSON.stringify({ error })}`);
    };
    if (!available) return refuse(503, 'Realtime is unavailable');
    // A web page is not a client: browsers send their Origin on a WebSocket upgrade.
    if (!originAllowed(req.headers.origin, deps.origins)) return refuse(403, 'Origin not allowed');
    if (vsn !== '1.0.0' && vsn !== '2.0.0') return refuse(400, `unsupported vsn ${vsn}`);
    if (!apikey) return refuse(401, 'API key is missing');
    const accept = (apiClaims: SupabaseClaims, ip: string) =>
      wss.handleUpgrade(req, socket, head, (ws) => {
        const conn: Connection = { ws, vsn, apiClaims, apiToken: apikey, channels: new Map(), lastFrameAt: Date.now(), window: { at: 0, frames: 0 } };
        connections.add(conn);
        const release = addresses.opened(ip);
        ws.on('message', (data, isBinary) => void onFrame(conn, data as Buffer, isBinary));
        ws.on('close', () => {
          connections.delete(conn);
          release();
          for (const ch of conn.channels.values()) removeChannel(ch);
        });
        ws.on('error', () => ws.terminate());
      });
    void addresses.admit(req).then((admitted) => {
      if ('refused' in admitted) return refuse(429, admitted.refused);
      return apiKeyClaims(apikey).then(
        (claims) => accept(claims, admitted.ip),
        (err: Error) => refuse(401, err.message),
      );
    });
  });

  const idleTimeout = deps.idleTimeoutMs ?? 60_000;
  const idleTimer = setInterval(
    () => {
      for (const conn of connections) if (Date.now() - conn.lastFrameAt > idleTimeout) conn.ws.terminate();
    },
    Math.min(idleTimeout, 15_000),
  );
  idleTimer.unref();

  async function onFrame(conn: Connection, data: Buffer, isBinary: boolean): Promise<void> {
    conn.lastFrameAt = Date.now();
    if (conn.lastFrameAt - conn.window.at >= 1000) conn.window = { at: conn.lastFrameAt, frames: 0 };
    if (++conn.window.frames > REALTIME_LIMITS.framesPerSecond) {
      // A flood: this connection goes, the others are not held up by it.
      log.warn({ frames: conn.window.frames }, 'realtime connection flooding: closed');
      return void conn.ws.close(1008, 'too many messages');
    }
    let f: Frame;
    try {
      f = decodeFrame(data, isBinary, conn.vsn);
    } catch (err) {
      if (err instanceof FrameError) log.debug({ err: err.message }, 'dropped a malformed frame');
      return;
    }
    if (f.topic === 'phoenix' && f.event === 'heartbeat') return reply(conn, f, 'ok');
    if (f.event === 'phx_join') return join(conn, f);
    const ch = conn.channels.get(f.topic);
    if (!ch || (f.joinRef !== null && f.joinRef !== ch.joinRef)) return reply(conn, f, 'error', { reason: 'unmatched topic' });
    switch (f.event) {
      case 'phx_leave':
        reply(conn, f, 'ok');
        send(conn, { joinRef: ch.joinRef, ref: ch.joinRef, topic: ch.topic, event: 'phx_close', payload: {} });
        return removeChannel(ch);
      case 'broadcast':
        return broadcast(ch, f);
      case 'presence':
        return presence(ch, f);
      case 'access_token':
        return accessToken(ch, f);
      default:
        return reply(conn, f, 'error', { reason: `unknown event ${f.event}` });
    }
  }

  async function join(conn: Connection, f: Frame): Promise<void> {
    const subTopic = f.topic.startsWith('realtime:') ? f.topic.slice('realtime:'.length) : '';
    if (!subTopic) return reply(conn, f, 'error', { reason: 'TopicNameRequired: You must provide a topic name' });
    const config = (f.payload.config ?? {}) as {
      broadcast?: { self?: boolean; ack?: boolean };
      presence?: { key?: string; enabled?: boolean };
      postgres_changes?: Array<Record<string, unknown>>;
      private?: boolean;
    };
    const given = (f.payload.access_token ?? f.payload.user_token) as string | undefined;
    let claims = conn.apiClaims;
    let token = conn.apiToken;
    if (given && !given.startsWith('sb_')) {
      try {
        claims = await verifyToken(given);
        token = given;
      } catch (err) {
        return reply(conn, f, 'error', { reason: joinErrorReason(err) });
      }
    }
    if (config.private && claims.role !== 'service_role') {
      return reply(conn, f, 'error', { reason: `Unauthorized: You do not have permissions to read from this Channel topic: ${subTopic}` });
    }
    const previous = conn.channels.get(f.topic);
    if (!previous && conn.channels.size >= REALTIME_LIMITS.channelsPerConnection) {
      return reply(conn, f, 'error', {
        reason: `ChannelRateLimitReached: Too many channels (at most ${REALTIME_LIMITS.channelsPerConnection} per connection)`,
      });
    }
    const requestedCount = Array.isArray(config.postgres_changes) ? config.postgres_changes.length : 0;
    const held = [...conn.channels.values()].reduce((n, c) => (c === previous ? n : n + c.bindings.length), 0);
    if (held + requestedCount > REALTIME_LIMITS.bindingsPerConnection) {
      return reply(conn, f, 'error', { reason: `Too many postgres_changes bindings (at most ${REALTIME_LIMITS.bindingsPerConnection} per connection)` });
    }
    if (previous) {
      // A rejoin replaces the old channel (Phoenix closes it with the old join_ref).
      send(conn, { joinRef: previous.joinRef, ref: previous.joinRef, topic: f.topic, event: 'phx_close', payload: {} });
      removeChannel(previous);
    }
    const ch: Channel = {
      conn,
      topic: f.topic,
      subTopic,
      scope: `${config.private ? 'private' : 'public'}:${f.topic}`,
      joinRef: f.joinRef ?? f.ref ?? '',
      self: !!config.broadcast?.self,
      ack: !!config.broadcast?.ack,
      // realtime-js before 2.10 sends no `enabled` (its presence is always on); newer ones say so.
      presenceEnabled: config.presence?.enabled ?? config.presence !== undefined,
      presenceKey: config.presence?.key || randomUUID(),
      tracked: null,
      claims,
      token,
      expiryTimer: null,
      bindings: [],
    };
    await ready;
    const requested = Array.isArray(config.postgres_changes) ? config.postgres_changes : [];
    const echoed: Array<Record<string, unknown>> = [];
    let cdcError: string | null = null;
    for (const spec of requested) {
      const id = nextBindingId++;
      echoed.push({ ...spec, id });
      try {
        ch.bindings.push(await makeBinding(ch, id, spec));
      } catch (err) {
        cdcError ??= err instanceof FilterError ? err.message : 'Unknown Error on Channel';
      }
    }
    conn.channels.set(f.topic, ch);
    const members = scopes.get(ch.scope) ?? new Set();
    members.add(ch);
    scopes.set(ch.scope, members);
    for (const b of ch.bindings) bindings.add(b);
    scheduleExpiry(ch);

    reply(conn, f, 'ok', { postgres_changes: echoed });
    if (ch.presenceEnabled) send(conn, { joinRef: ch.joinRef, ref: null, topic: ch.topic, event: 'presence_state', payload: presenceState(ch.scope) });
    if (requested.length) {
      const payload = cdcError
        ? { extension: 'postgres_changes', status: 'error', message: cdcError, channel: subTopic }
        : { extension: 'postgres_changes', status: 'ok', message: 'Subscribed to PostgreSQL', channel: subTopic };
      send(conn, { joinRef: ch.joinRef, ref: null, topic: ch.topic, event: 'system', payload });
    }
  }

  async function makeBinding(ch: Channel, id: number, spec: Record<string, unknown>): Promise<Binding> {
    const event = String(spec.event ?? '*').toUpperCase();
    const schema = typeof spec.schema === 'string' ? spec.schema : 'public';
    const table = typeof spec.table === 'string' ? spec.table : undefined;
    let tables = catalog.matching(schema, table);
    if (tables.length === 0) {
      await catalog.refresh(); // a table may have joined the publication since
      tables = catalog.matching(schema, table);
    }
    const describe = `[event: ${event}, schema: ${schema}, table: ${table ?? '*'}, filters: ${JSON.stringify(spec.filter ?? [])}]`;
    if (tables.length === 0) {
      throw new FilterError(
        `Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given connect parameters: ${describe}`,
      );
    }
    const conditions = parseFilter(typeof spec.filter === 'string' ? spec.filter : undefined);
    if (conditions.length && tables.length !== 1) throw new FilterError('filters need a single table');
    const sql = filterSql(conditions, tables[0]!.types);
    if (sql) {
      // Values must cast to the column type, or the subscription is refused (as Supabase does).
      try {
        await deps.db.query(`select ${sql} from (select $1::jsonb) as probe`, ['{}']);
      } catch (err) {
        throw new FilterError(`Error parsing \`filter\` params: ${(err as Error).message}`);
      }
    }
    const prefilter = conditions.length ? prefilterOf(conditions, tables[0]!.types, tables[0]!.plainText) : [];
    return { id, event: ['INSERT', 'UPDATE', 'DELETE'].includes(event) ? event : '*', schema, table, filterSql: sql, prefilter, channel: ch };
  }

  function scheduleExpiry(ch: Channel): void {
    if (ch.expiryTimer) clearTimeout(ch.expiryTimer);
    const ms = ch.claims.exp * 1000 - Date.now();
    ch.expiryTimer = setTimeout(() => shutdown(ch, 'Token has expired 0 seconds ago'), Math.max(0, Math.min(ms, 2 ** 31 - 1)));
  }

  /** Ends a channel from the server: a system error, then phx_close. The client does not rejoin. */
  function shutdown(ch: Channel, message: string): void {
    send(ch.conn, {
      joinRef: ch.joinRef,
      ref: null,
      topic: ch.topic,
      event: 'system',
      payload: { extension: 'system', status: 'error', message, channel: ch.subTopic },
    });
    send(ch.conn, { joinRef: ch.joinRef, ref: ch.joinRef, topic: ch.topic, event: 'phx_close', payload: {} });
    removeChannel(ch);
  }

  function removeChannel(ch: Channel): void {
    if (ch.conn.channels.get(ch.topic) === ch) ch.conn.channels.delete(ch.topic);
    if (ch.expiryTimer) clearTimeout(ch.expiryTimer);
    for (const b of ch.bindings) bindings.delete(b);
    const members = scopes.get(ch.scope);
    members?.delete(ch);
    if (ch.tracked) {
      const left = ch.tracked.meta;
      ch.tracked = null;
      fanOutPresenceDiff(ch.scope, {}, { [ch.presenceKey]: { metas: [left] } });
    }
    if (members && members.size === 0) scopes.delete(ch.scope);
  }

  async function accessToken(ch: Channel, f: Frame): Promise<void> {
    const token = f.payload.access_token;
    if (typeof token !== 'string' || !token || token.startsWith('sb_') || token === ch.token) return;
    try {
      ch.claims = await verifyToken(token);
      ch.token = token;
    } catch (err) {
      return shutdown(ch, (err as Error).message);
    }
    scheduleExpiry(ch);
    if (ch.bindings.length) {
      send(ch.conn, {
        joinRef: ch.joinRef,
        ref: null,
        topic: ch.topic,
        event: 'system',
        payload: { extension: 'postgres_changes', status: 'ok', message: 'Subscribed to PostgreSQL', channel: ch.subTopic },
      });
    }
  }

  function broadcast(ch: Channel, f: Frame): void {
    const p = f.payload as { event?: unknown; payload?: unknown; meta?: unknown };
    const out = { type: 'broadcast', event: String(p.event ?? ''), payload: p.payload ?? {} };
    for (const other of scopes.get(ch.scope) ?? []) {
      if (other === ch && !ch.self) continue;
      send(other.conn, { joinRef: null, ref: null, topic: other.topic, event: 'broadcast', payload: out });
    }
    if (ch.ack) reply(ch.conn, f, 'ok');
  }

  function presence(ch: Channel, f: Frame): void {
    const event = String(f.payload.event ?? '').toLowerCase();
    if (event === 'track') {
      const payload = f.payload.payload;
      if (!payload || typeof payload !== 'object' || Array.isArray(payload)) {
        return reply(ch.conn, f, 'error', { reason: 'Presence track payload must be a map' });
      }
      const serialized = JSON.stringify(payload);
      if (Buffer.byteLength(serialized) > REALTIME_LIMITS.presencePayloadBytes) {
        return reply(ch.conn, f, 'error', { reason: `Presence payload too large (at most ${REALTIME_LIMITS.presencePayloadBytes} bytes)` });
      }
      if (ch.tracked?.payload === serialized) return reply(ch.conn, f, 'ok');
      const previous = ch.tracked?.meta;
      const meta: Record<string, unknown> = { ...(payload as object), phx_ref: `F${nextPresenceRef++}` };
      if (previous) meta.phx_ref_prev = previous.phx_ref;
      ch.tracked = { meta, payload: serialized };
      reply(ch.conn, f, 'ok');
      return fanOutPresenceDiff(ch.scope, { [ch.presenceKey]: { metas: [meta] } }, previous ? { [ch.presenceKey]: { metas: [previous] } } : {});
    }
    if (event === 'untrack') {
      reply(ch.conn, f, 'ok');
      if (!ch.tracked) return;
      const left = ch.tracked.meta;
      ch.tracked = null;
      return fanOutPresenceDiff(ch.scope, {}, { [ch.presenceKey]: { metas: [left] } });
    }
    reply(ch.conn, f, 'error', { reason: `unknown presence event ${event}` });
  }

  function presenceState(scope: string): Record<string, { metas: Array<Record<string, unknown>> }> {
    const state: Record<string, { metas: Array<Record<string, unknown>> }> = {};
    for (const ch of scopes.get(scope) ?? []) {
      if (ch.tracked) (state[ch.presenceKey] ??= { metas: [] }).metas.push(ch.tracked.meta);
    }
    return state;
  }

  function fanOutPresenceDiff(scope: string, joins: object, leaves: object): void {
    for (const ch of scopes.get(scope) ?? []) {
      if (ch.presenceEnabled) send(ch.conn, { joinRef: null, ref: null, topic: ch.topic, event: 'presence_diff', payload: { joins, leaves } });
    }
  }

  // postgres_changes: one change at a time, in commit order; one visibility query per change.
  // Visibility checks of successive changes run concurrently (on the pool); their frames are
  // sent strictly in commit order.
  let sendQueue: Promise<void> = Promise.resolve();
  const onChange = (change: RowChange) => {
    const checked = check(change).catch((err: unknown) => {
      log.error({ err }, 'postgres_changes visibility check failed');
      return null;
    });
    sendQueue = sendQueue.then(async () => {
      const result = await checked;
      if (result) deliver(result);
    });
  };
  deps.changes.on('change', onChange);

  async function check(change: RowChange): Promise<{ candidates: Binding[]; visible: Set<number>; data: Record<string, unknown> } | null> {
    const subject = change.type === 'DELETE' ? change.oldRecord : change.record;
    if (!subject) return null;
    const candidates = [...bindings].filter(
      (b) =>
        (b.schema === '*' || b.schema === change.schema) &&
        (!b.table || b.table === '*' || b.table === change.table) &&
        (b.event === '*' || b.event === change.type) &&
        passesPrefilter(b.prefilter, subject),
    );
    if (candidates.length === 0) return null;
    let info = catalog.get(change.schema, change.table);
    if (!info) {
      await catalog.refresh();
      info = catalog.get(change.schema, change.table);
      if (!info) return null;
    }
    const pk = Object.fromEntries(info.primaryKey.map((k) => [k, subject[k] ?? null]));
    const { rows } = await deps.db.query<{ id: string }>(
      'select realtime.local_visible_subscriptions($1::regclass, $2::jsonb, $3::jsonb, $4, $5::jsonb, $6) as id',
      [
        info.entity,
        JSON.stringify(subject),
        JSON.stringify(pk),
        info.rls && change.type !== 'DELETE',
        JSON.stringify(candidates.map((b) => ({ id: String(b.id), role: b.channel.claims.role, claims: b.channel.claims, filter: b.filterSql }))),
        // Subscribers who see the same rows share one check (visibility.ts).
        visibilityKeySql(change.schema, change.table),
      ],
    );
    return { candidates, visible: new Set(rows.map((r) => Number(r.id))), data: changePayload(change, info) };
  }

  function deliver({ candidates, visible, data }: { candidates: Binding[]; visible: Set<number>; data: Record<string, unknown> }): void {
    const byChannel = new Map<Channel, number[]>();
    for (const b of candidates) {
      if (!visible.has(b.id)) continue;
      const ids = byChannel.get(b.channel);
      if (ids) ids.push(b.id);
      else byChannel.set(b.channel, [b.id]);
    }
    // The row is encoded once for every subscriber (a change may go to a thousand).
    const dataJson = JSON.stringify(data);
    for (const [ch, ids] of byChannel) {
      // The channel may have left while the check ran.
      if (ch.conn.channels.get(ch.topic) !== ch || ch.conn.ws.readyState !== WebSocket.OPEN) continue;
      const frame = { joinRef: null, ref: null, topic: ch.topic, event: 'postgres_changes' };
      ch.conn.ws.send(encodeFrameWithPayload(frame, `{"ids":${JSON.stringify(ids)},"data":${dataJson}}`, ch.conn.vsn));
    }
  }

  return {
    stats: () => ({
      sockets: connections.size,
      channels: [...connections].reduce((n, c) => n + c.channels.size, 0),
      bindings: bindings.size,
    }),
    setAvailable: (value) => {
      available = value;
      if (!value) for (const c of connections) c.ws.terminate();
    },
    close: async () => {
      clearInterval(idleTimer);
      deps.changes.off('change', onChange);
      for (const c of connections) c.ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

function joinErrorReason(err: unknown): string {
  const message = (err as Error).message;
  if (message.startsWith('Token has expired') || message.startsWith('Fields')) return `InvalidJWTToken: ${message}`;
  if (message === 'Failed to validate JWT signature') return `JwtSignatureError: ${message}`;
  return 'MalformedJWT: The token provided is not a valid JWT';
}

/** The `data` of a postgres_changes frame, as realtime.apply_rls builds it. */
function changePayload(change: RowChange, info: TableInfo): Record<string, unknown> {
  const toJson = (rec: Record<string, string | null> | null, only?: string[]) =>
    rec &&
    Object.fromEntries(info.columns.filter((c) => c.name in rec && (!only || only.includes(c.name))).map((c) => [c.name, jsonValue(rec[c.name], c.type)]));
  const data: Record<string, unknown> = {
    schema: change.schema,
    table: change.table,
    commit_timestamp: change.commitTimestamp,
    type: change.type,
    columns: info.columns,
    errors: null,
  };
  if (change.type !== 'DELETE') data.record = toJson(change.record);
  // pgoutput sends the old key only when it changed; unchanged, it is the new row's key.
  if (change.type === 'UPDATE') data.old_record = toJson(change.oldRecord) ?? toJson(change.record, info.primaryKey);
  // With RLS on, a DELETE reveals only the primary key.
  if (change.type === 'DELETE') data.old_record = toJson(change.oldRecord, info.rls ? info.primaryKey : undefined);
  return data;
}
