import { randomUUID } from 'node:crypto';
import escapeHtml from 'escape-html';
import type pg from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { StoredMediaItem } from '../../lib/contract/models';
import type { Logger } from '../logger';
import type { CrmApp } from './oauth';
import type { Sealer } from './seal';
import type { CrmCheckResult } from '../../lib/contract/api';
import { CrmCallError, type CrmAdapter, type CrmCheckStep, type CrmContact, type CrmVendor } from './types';
import { CRM_VENDORS } from './vendors';

/** A writer holds a row this long (by default); one that stopped mid-call lets it go by itself. */
const CLAIM_SECONDS = 60;
const BATCH = 10;
/** A customer no CRM record matched is looked up again after this long. */
const UNMATCHED_RETRY_MS = 60 * 60_000;
/** The share of each account's burst budget background writes may use; agents' calls have the rest. */
const WRITES_SHARE = 0.8;
/** How an account's burst budget is split: the writes' calls and the agents' (at least 1), per window. */
export function budgetShares(budget: { requests: number }): { writes: number; agents: number } {
  const agents = Math.max(1, Math.ceil(budget.requests * (1 - WRITES_SHARE)));
  return { writes: budget.requests - agents, agents };
}
/** The most calls one agent's request reserves (Create contact). */
const AGENT_CALLS_MAX = 4;
/** The longest an agent's CRM call waits for the account's budget before it is told to try again. */
const AGENT_BUDGET_WAIT_MS = 3000;
/** The calls *Check connection* takes from the account's budget (token, search, access, fields, the test record). */
const CHECK_CALLS = 8;
/** The number *Check connection* searches for: reserved for fiction (NANP 555-01xx), nobody's. */
const CHECK_PHONE = '+12025550199';
/** The longest a search waits for the account's search budget before its caller is told to come back. */
const SEARCH_WAIT_MS = 5000;
/** A *Create contact* still unfinished after this long stopped (its instance went away): another may take over. */
const CREATING_STALE_MS = 120_000;
/** How long a second click waits for the first's record before being told to try again. */
const CREATING_WAIT_MS = 10_000;
const CREATING_POLL_MS = 200;
/** A refused write (not worth retrying at once) waits this long; last_error says why. */
const REFUSED_RETRY_MS = 60 * 60_000;

interface Due {
  key: string;
  kind: 'conversation' | 'note';
  organisation_id: string;
  conversation_id: string;
  window_start: Date;
  window_end: Date;
  message_id: string | null;
  version: string;
  attempts: number;
  remote_id: string | null;
}

interface Connection {
  vendor: CrmVendor;
  account: string | null;
  api_url: string | null;
  access_token: Buffer;
  refresh_token: Buffer | null;
  expires_at: Date | null;
  connected_at: Date;
  paused_until: Date | null;
  paused_reason: string | null;
  needs_setup: string | null;
}

/** An access token this close to its expiry is refreshed before it is used. */
const REFRESH_AHEAD_MS = 60_000;

/**
 * Writes conversations to the organisations' CRMs from the `crm_outbox` (docs/crm.md): rows are
 * claimed with `for update skip locked`, so several server instances share the work; each row is
 * upserted on the CRM by its idempotency key, so a retry after a crash mid-call (or a lost answer)
 * updates the same record; a row is done when the CRM has its latest version (`written_version`),
 * and a message arriving during a write makes it due again. Rate limits and outages wait
 * (Retry-After when the CRM gives one, else backoff with jitter): nothing is dropped.
 */
export function createCrmWriter(deps: {
  db: pg.Pool;
  sealer: Sealer | null;
  /** Where each vendor's API is, and our app there: from the server's configuration, never from a client. */
  apps: Record<CrmVendor, CrmApp>;
  log: Logger;
  /** A link to a message's file that works from the CRM, where nobody is signed in to Switchboard. */
  mediaLink: (messageId: string, index: number) => string;
  pollMs?: number;
  /** How long a claim holds a row: longer than any CRM call, short enough to recover soon after a crash. */
  claimSeconds?: number;
}) {
  const pollMs = deps.pollMs ?? 10_000;
  const claimSeconds = deps.claimSeconds ?? CLAIM_SECONDS;
  const prepared = new Set<string>(); // connections (organisation@connected_at) prepared since start
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running = false;
  let pumping: Promise<void> | null = null;

  const sealer = () => {
    if (!deps.sealer) throw new CrmCallError('CRM tokens cannot be opened: CRM_TOKEN_KEY is not set', { retryable: false });
    return deps.sealer;
  };
  /**
   * Each account's burst budget (`CRM_VENDORS[v].budget`), shared by every instance through
   * PostgreSQL, in two parts that together stay within it: background writes take their calls from
   * `writes` (80 %) and wait when they are not there; agents' calls (the thread header's lookup,
   * search, link, new contact, Check connection) from `agents` (the rest), and from `writes` when
   * that is spent or too small, so a backlog of writes never leaves an agent's click waiting for
   * the window, and agents never starve the writes.
   */
  const limiter = (d: (typeof CRM_VENDORS)[CrmVendor], part: 'writes' | 'agents', points: number) =>
    new RateLimiterPostgres({ storeClient: deps.db, tableName: 'crm_rate_limits', tableCreated: true, keyPrefix: `crm-${d.vendor}-${part}`, points, duration: d.budget.seconds });
  const limiters = new Map(
    Object.values(CRM_VENDORS).map((d) => {
      const share = budgetShares(d.budget);
      return [d.vendor, { writes: limiter(d, 'writes', share.writes), agents: limiter(d, 'agents', share.agents) }];
    }),
  );
  /** Null when `part` of the account's budget can take `calls` now (a write's, by default); else how long to wait. */
  const budgetWait = async (organisationId: string, vendor: CrmVendor, calls = CRM_VENDORS[vendor].budget.perWrite, part: 'writes' | 'agents' = 'writes'): Promise<number | null> => {
    const take = async (from: 'writes' | 'agents'): Promise<number | null> => {
      try {
        await limiters.get(vendor)![from].consume(organisationId, calls);
        return null;
      } catch (res) {
        if (res instanceof RateLimiterRes) return res.msBeforeNext + Math.random() * 250;
        throw res;
      }
    };
    if (part === 'writes') return take('writes');
    const own = await take('agents');
    if (own === null) return null;
    const borrowed = await take('writes');
    return borrowed === null ? null : Math.min(own, borrowed);
  };

  /** Each account's search budget (vendors whose search endpoints have a limit of their own), shared by every instance. */
  const searchLimiters = new Map(
    Object.values(CRM_VENDORS).flatMap((d) =>
      d.searchBudget
        ? [[d.vendor, new RateLimiterPostgres({ storeClient: deps.db, tableName: 'crm_rate_limits', tableCreated: true, keyPrefix: `crm-${d.vendor}-search`, points: d.searchBudget.requests, duration: d.searchBudget.seconds })] as const]
        : [],
    ),
  );
  /** Waits for a search in the account's search budget; told to come back when that would take longer than SEARCH_WAIT_MS. */
  const searchTurn = async (organisationId: string, vendor: CrmVendor) => {
    const limiter = searchLimiters.get(vendor);
    if (!limiter) return;
    for (let waited = 0; ; ) {
      try {
        return void (await limiter.consume(organisationId, 1));
      } catch (res) {
        if (!(res instanceof RateLimiterRes)) throw res;
        const wait = res.msBeforeNext + Math.random() * 100;
        if (waited + wait > SEARCH_WAIT_MS) throw new CrmCallError(`${CRM_VENDORS[vendor].name}’s search is busy for this account`, { retryable: true, retryAfterMs: wait, heldBack: true });
        await new Promise((r) => setTimeout(r, wait));
        waited += wait;
      }
    }
  };

  /** The adapter for a connection; its searches wait their turn in the account's search budget. */
  const adapterFor = (organisationId: string, conn: Connection, accessToken: string): CrmAdapter => {
    const adapter = CRM_VENDORS[conn.vendor].adapter(deps.apps[conn.vendor], { account: conn.account, apiUrl: conn.api_url }, accessToken);
    return {
      ...adapter,
      findContact: async (phoneE164) => (await searchTurn(organisationId, conn.vendor), adapter.findContact(phoneE164)),
      searchContacts: async (query) => (await searchTurn(organisationId, conn.vendor), adapter.searchContacts(query)),
    };
  };

  /** The connection's access token, refreshed first when it is about to expire (or `force`d after a 401). */
  const accessToken = async (organisationId: string, conn: Connection, force = false): Promise<string> => {
    const s = sealer();
    const due = force || (conn.expires_at !== null && conn.expires_at.getTime() - Date.now() < REFRESH_AHEAD_MS);
    if (!due) return s.open(conn.access_token);
    if (!conn.refresh_token) throw new CrmCallError('The CRM token expired and there is no refresh token: connect the CRM again', { retryable: false });
    const t = await CRM_VENDORS[conn.vendor].refresh(deps.apps[conn.vendor], s.open(conn.refresh_token), { account: conn.account, apiUrl: conn.api_url });
    await deps.db.query('update public.crm_connections set access_token = $2, refresh_token = $3, expires_at = $4 where organisation_id = $1', [
      organisationId,
      s.seal(t.accessToken),
      t.refreshToken ? s.seal(t.refreshToken) : conn.refresh_token,
      t.expiresAt,
    ]);
    return t.accessToken;
  };

  const claim = async (): Promise<Due[]> =>
    (
      await deps.db.query<Due>(
        `update public.crm_outbox o
            set claimed_until = now() + make_interval(secs => $1), attempts = o.attempts + 1
          where o.key in (select key from public.crm_outbox
                           where written_version is distinct from version and next_attempt_at <= now()
                             and (claimed_until is null or claimed_until < now())
                             and not exists (select 1 from public.crm_connections c
                                              where c.organisation_id = crm_outbox.organisation_id and (c.paused_until > now() or c.needs_setup is not null))
                           order by next_attempt_at limit $2 for update of crm_outbox skip locked)
          returning o.key, o.kind, o.organisation_id, o.conversation_id, o.window_start, o.window_end, o.message_id, o.version, o.attempts, o.remote_id`,
        [claimSeconds, BATCH],
      )
    ).rows;

  /**
   * The row waits; a CRM failure is the connection's last error too (a customer not in the CRM is
   * not: the status counts those). A limit of the whole account pauses every write to it.
   */
  const release = (row: Due, waitMs: number, error: string, o: { crmFailed?: boolean; pause?: boolean } = {}) =>
    Promise.all([
      deps.db.query(
        `update public.crm_outbox set claimed_until = null, next_attempt_at = now() + make_interval(secs => $2), last_error = $3 where key = $1`,
        [row.key, waitMs / 1000, error],
      ),
      (o.crmFailed ?? true) &&
        deps.db.query(
          `update public.crm_connections set last_error = $2, last_error_at = now(),
                  paused_until = case when $3 then greatest(paused_until, now() + make_interval(secs => $4)) else paused_until end,
                  paused_reason = case when $3 then $2 else paused_reason end
            where organisation_id = $1`,
          [row.organisation_id, error, o.pause ?? false, waitMs / 1000],
        ),
    ]);

  const connectionOf = async (organisationId: string): Promise<Connection | undefined> =>
    (
      await deps.db.query<Connection>(
        `select vendor, account, api_url, access_token, refresh_token, expires_at, connected_at,
                case when paused_until > now() then paused_until end as paused_until, paused_reason, needs_setup
           from public.crm_connections where organisation_id = $1`,
        [organisationId],
      )
    ).rows[0];

  /**
   * Runs CRM calls with the connection's token; a token the CRM refuses (expired early, revoked)
   * is refreshed once, then the call is made again.
   */
  const withCrm = async <T>(organisationId: string, conn: Connection, fn: (a: CrmAdapter) => Promise<T>): Promise<T> => {
    try {
      return await fn(adapterFor(organisationId, conn, await accessToken(organisationId, conn)));
    } catch (err) {
      if (!(err instanceof CrmCallError && err.unauthorised && conn.refresh_token)) throw err;
      return fn(adapterFor(organisationId, conn, await accessToken(organisationId, conn, true)));
    }
  };

  /** The customer of a conversation, with the CRM record an agent chose or a phone search found (kept an hour). */
  const customerOf = async (organisationId: string, conversationId: string) =>
    (
      await deps.db.query<{ id: string; phone_e164: string; profile_name: string | null; remote_id: string | null; checked: boolean }>(
        `select ct.id, ct.phone_e164, ct.profile_name, cc.remote_id, cc.contact_id is not null as checked
           from public.conversations cv
           join public.contacts ct on ct.id = cv.contact_id and ct.organisation_id = cv.organisation_id
           left join public.crm_contacts cc on cc.contact_id = ct.id
                 and (cc.source <> 'phone' or cc.checked_at > now() - make_interval(secs => $3))
          where cv.id = $1 and cv.organisation_id = $2`,
        [conversationId, organisationId, UNMATCHED_RETRY_MS / 1000],
      )
    ).rows[0];

  /**
   * An agent's call to the CRM (a lookup, a search, a link, a new contact) takes from the same
   * budget as the writes: when there is none, the agent is told to try again shortly.
   */
  const agentBudget = async (organisationId: string, conn: Connection, calls: number) => {
    if (conn.needs_setup) throw new CrmCallError(conn.needs_setup, { retryable: false, setup: conn.needs_setup });
    if (conn.paused_until) {
      throw new CrmCallError(conn.paused_reason ?? `${CRM_VENDORS[conn.vendor].name} asked to wait`, { retryable: true, retryAfterMs: conn.paused_until.getTime() - Date.now(), limit: 'daily' });
    }
    // An agent waits a moment for the budget's next window rather than being refused at once.
    for (let waited = 0; ; ) {
      const wait = await budgetWait(organisationId, conn.vendor, calls, 'agents');
      if (wait === null) return;
      if (waited + wait > AGENT_BUDGET_WAIT_MS) {
        throw new CrmCallError(`${CRM_VENDORS[conn.vendor].name} is busy with this account’s writes`, { retryable: true, retryAfterMs: wait, limit: 'burst' });
      }
      await new Promise((r) => setTimeout(r, wait));
      waited += wait;
    }
  };

  /** The CRM record of a conversation's customer; null: none has the number. `beforeLookup` runs before the CRM is asked. */
  const contactOf = async (organisationId: string, conversationId: string, adapter: CrmAdapter, beforeLookup?: () => Promise<void>): Promise<string | null> => {
    const contact = await customerOf(organisationId, conversationId);
    if (!contact) return null;
    if (contact.checked) return contact.remote_id;
    await beforeLookup?.();
    const found = await adapter.findContact(contact.phone_e164);
    const kept = await deps.db.query<{ remote_id: string | null }>(
      `insert into public.crm_contacts as cc (contact_id, organisation_id, remote_id) values ($1, $2, $3)
       on conflict (contact_id) do update set remote_id = excluded.remote_id, checked_at = now()
         where cc.source = 'phone'
       returning remote_id`,
      [contact.id, organisationId, found?.id ?? null],
    );
    // An agent linked the customer (or made a contact) while we searched: theirs stands.
    if (!kept.rows[0]) return (await customerOf(organisationId, conversationId))?.remote_id ?? null;
    return found?.id ?? null;
  };

  const write = async (row: Due): Promise<void> => {
    const conn = await connectionOf(row.organisation_id);
    if (!conn) {
      // Disconnected meanwhile: nothing is owed to a CRM that is gone.
      await deps.db.query('delete from public.crm_outbox where key = $1', [row.key]);
      return;
    }
    const withToken = <T>(fn: (a: CrmAdapter) => Promise<T>) => withCrm(row.organisation_id, conn, fn);
    const wait = await budgetWait(row.organisation_id, conn.vendor);
    if (wait !== null) {
      // Not an error: the row waits its turn, and the CRM never saw a call.
      await deps.db.query('update public.crm_outbox set claimed_until = null, next_attempt_at = now() + make_interval(secs => $2), attempts = greatest(attempts - 1, 0) where key = $1', [row.key, wait / 1000]);
      return;
    }
    try {
      const connection = `${row.organisation_id}@${conn.connected_at.toISOString()}`;
      if (!prepared.has(connection)) {
        await withToken((a) => a.prepare());
        prepared.add(connection);
      }
      const contactId = await withToken((a) => contactOf(row.organisation_id, row.conversation_id, a));
      if (!contactId) return void (await release(row, UNMATCHED_RETRY_MS, 'No CRM record has this customer’s number', { crmFailed: false }));
      const body = await recordBody(deps.db, row, deps.mediaLink);
      const { remoteId } = await withToken((a) => a.write({ kind: row.kind, key: row.key, remoteId: row.remote_id, retry: row.attempts > 1, contactId, at: row.window_start, ...body }));
      await deps.db.query(
        `update public.crm_outbox set remote_id = $2, written_version = $3, claimed_until = null, attempts = 0, last_error = null where key = $1`,
        [row.key, remoteId, row.version],
      );
      await deps.db.query(
        'update public.crm_connections set last_write_at = now(), last_error = null, paused_until = null, paused_reason = null where organisation_id = $1',
        [row.organisation_id],
      );
    } catch (err) {
      const e = err instanceof CrmCallError ? err : new CrmCallError((err as Error).message, { retryable: true });
      if (e.heldBack) {
        // As a write waiting for the burst budget: its turn comes, and the CRM never refused anything.
        await deps.db.query('update public.crm_outbox set claimed_until = null, next_attempt_at = now() + make_interval(secs => $2), attempts = greatest(attempts - 1, 0) where key = $1', [row.key, (e.retryAfterMs ?? 1000) / 1000]);
        return;
      }
      if (e.setup) {
        // Retrying cannot help: the whole connection waits for the admin (Check connection clears it).
        deps.log.warn({ key: row.key, organisationId: row.organisation_id, status: e.status, err: e.message }, 'CRM account needs setting up; writes wait for the admin');
        // What happened is the last error; what to do is needs_setup (the admin view shows both).
        await deps.db.query('update public.crm_connections set needs_setup = $2, last_error = $3, last_error_at = now() where organisation_id = $1', [row.organisation_id, e.setup, e.message]);
        await deps.db.query('update public.crm_outbox set claimed_until = null, attempts = greatest(attempts - 1, 0), last_error = $2 where key = $1', [row.key, e.message]);
        return;
      }
      // The customer's record is gone from the CRM (deleted, or merged away): forget the match (a
      // phone match or an agent's link alike) and look the customer up again at once, instead of
      // retrying a write to a record that will never be there.
      if (e.contactGone) {
        await deps.db.query(
          'delete from public.crm_contacts where organisation_id = $1 and contact_id = (select contact_id from public.conversations where id = $2)',
          [row.organisation_id, row.conversation_id],
        );
        // The record written on the gone contact went with it (or stays there): this one is written anew.
        await deps.db.query('update public.crm_outbox set remote_id = null where key = $1', [row.key]);
        // Soon, not at once: a search index may still hold the record that is gone (backoff grows).
        await release(row, Math.max(1000, backoffMs(row.attempts)), e.message, { crmFailed: false });
        return;
      }
      const wait = e.retryable ? (e.retryAfterMs ?? backoffMs(row.attempts)) : REFUSED_RETRY_MS;
      deps.log.warn({ key: row.key, organisationId: row.organisation_id, status: e.status, limit: e.limit, waitMs: Math.round(wait), err: e.message }, 'CRM write failed; will retry');
      await release(row, wait, e.message, { pause: e.limit !== undefined });
    }
  };

  const pump = async () => {
    for (let rows = await claim(); rows.length && running; rows = await claim()) await Promise.all(rows.map(write));
  };

  /**
   * When the next record falls due (a retry, a claim lapsing, a pause ending), capped at `pollMs`:
   * the writer sleeps until then unless a new record wakes it.
   */
  const nextDueMs = async (): Promise<number> => {
    const { rows } = await deps.db.query<{ ms: number | null }>(
      `select extract(epoch from min(greatest(o.next_attempt_at, coalesce(o.claimed_until, '-infinity'), coalesce(c.paused_until, '-infinity'))) - now()) * 1000 as ms
         from public.crm_outbox o left join public.crm_connections c on c.organisation_id = o.organisation_id
        where o.written_version is distinct from o.version and c.needs_setup is null`,
    );
    const ms = rows[0]?.ms;
    return ms === null || ms === undefined ? pollMs : Math.min(pollMs, Math.max(20, Number(ms) + 5));
  };

  let again = false; // woken while a pass was running: another pass right after it
  const tick = () => {
    timer = null;
    if (!running) return;
    again = false;
    let sleep = pollMs;
    pumping = pump()
      .then(async () => void (sleep = await nextDueMs()))
      .catch((err: unknown) => deps.log.error({ err }, 'CRM outbox pass failed'))
      .finally(() => {
        pumping = null;
        if (running) timer = setTimeout(tick, again ? 0 : sleep);
      });
  };
  /** A record is newly owed (NOTIFY crm_outbox): look now, or right after the pass under way. */
  const wake = () => {
    if (!running) return;
    if (pumping) again = true;
    else if (timer) {
      clearTimeout(timer);
      tick();
    }
  };

  /**
   * Listens for new records on a connection of its own; if it drops, the writer still looks every
   * `pollMs` and listens again after a while.
   */
  const listen = async () => {
    let client: pg.PoolClient | null = null;
    let released = false;
    const drop = (err?: Error) => {
      if (!client || released) return;
      released = true;
      client.release(err);
      if (err && running) setTimeout(() => void listen(), 5000);
    };
    try {
      client = await deps.db.connect();
      client.on('notification', wake);
      client.on('error', (err) => {
        deps.log.warn({ err }, 'CRM outbox listener lost; polling until it is back');
        drop(err);
      });
      await client.query('listen crm_outbox');
      if (!running || released) return drop();
      stopListening = async () => {
        if (released) return;
        await client!.query('unlisten *').catch(() => undefined);
        drop();
      };
    } catch (err) {
      deps.log.warn({ err }, 'CRM outbox listener could not start; polling');
      if (client) drop(err as Error);
      else if (running) setTimeout(() => void listen(), 5000);
    }
  };
  let stopListening: () => Promise<void> = async () => {};

  /**
   * An agent's choice of record for a customer no phone search matched (or a record created for
   * them): kept, and the customer's records still owed to the CRM are written now.
   */
  const decide = async (organisationId: string, contactId: string, remoteId: string, source: 'linked' | 'created', agentId: string) => {
    await deps.db.query(
      `insert into public.crm_contacts (contact_id, organisation_id, remote_id, source, decided_by) values ($1, $2, $3, $4, $5)
       on conflict (contact_id) do update set remote_id = excluded.remote_id, source = excluded.source, decided_by = excluded.decided_by, checked_at = now()`,
      [contactId, organisationId, remoteId, source, agentId],
    );
    await deps.db.query(
      `update public.crm_outbox o set next_attempt_at = now(), last_error = null
         from public.conversations cv
        where cv.id = o.conversation_id and cv.contact_id = $1 and o.organisation_id = $2 and o.written_version is distinct from o.version`,
      [contactId, organisationId],
    );
    wake();
  };

  /** Keeps a check's result on the connection; every step passed: writes wait no more for the admin. */
  const record = async (organisationId: string, steps: CrmCheckStep[]): Promise<CrmCheckResult> => {
    const result: CrmCheckResult = { at: new Date().toISOString(), ok: steps.every((s) => s.state !== 'failed'), steps };
    await deps.db.query(
      `update public.crm_connections set last_check = $2,
              needs_setup = case when $3 then null else needs_setup end,
              last_error = case when $3 and needs_setup is not null then null else last_error end
        where organisation_id = $1`,
      [organisationId, JSON.stringify(result), result.ok],
    );
    if (result.ok) {
      await deps.db.query('update public.crm_outbox set next_attempt_at = now() where organisation_id = $1 and written_version is distinct from version', [organisationId]);
      wake();
    }
    return result;
  };

  /** Runs an agent's `calls` CRM calls in `fn` with the organisation's CRM, within its budget; null when it has none. */
  const withConnection = async <T>(organisationId: string, calls: number, fn: (a: CrmAdapter, conn: Connection) => Promise<T>): Promise<T | null> => {
    const conn = await connectionOf(organisationId);
    if (!conn) return null;
    await agentBudget(organisationId, conn, calls);
    return withCrm(organisationId, conn, (a) => fn(a, conn));
  };

  return {
    /** Records an agent may link a conversation's customer to: the CRM's search for what they typed. */
    searchRecords: (organisationId: string, query: string): Promise<CrmContact[] | null> => withConnection(organisationId, 2, (a) => a.searchContacts(query)),

    /** Links the customer to a record the CRM has (checked there first); false when it has no such record. */
    async linkRecord(organisationId: string, conversationId: string, recordId: string, agentId: string): Promise<'linked' | 'no_record' | 'no_crm' | 'no_conversation'> {
      const customer = await customerOf(organisationId, conversationId);
      if (!customer) return 'no_conversation';
      const found = await withConnection(organisationId, 1, (a) => a.getContact(recordId));
      if (found === null) return (await connectionOf(organisationId)) ? 'no_record' : 'no_crm';
      await decide(organisationId, customer.id, found.id, 'linked', agentId);
      return 'linked';
    },

    /**
     * A record in the CRM for the customer (their WhatsApp name and number); the one a phone search
     * finds now if there is one. Every CRM indexes new records for search seconds later, so two
     * clicks (two agents', on two server instances) must not both search and create: one create
     * per customer at a time across instances (a row in `crm_creating`; the others wait for its
     * record), and a record already decided for the customer (created or linked) is the answer.
     */
    async createRecord(organisationId: string, conversationId: string, agentId: string): Promise<'created' | 'no_crm' | 'no_conversation'> {
      const customer = await customerOf(organisationId, conversationId);
      if (!customer) return 'no_conversation';
      const decided = async () =>
        (await deps.db.query(`select 1 from public.crm_contacts where contact_id = $1 and organisation_id = $2 and source <> 'phone' and remote_id is not null`, [customer.id, organisationId])).rowCount! > 0;
      const token = randomUUID();
      const take = async () =>
        (
          await deps.db.query(
            `insert into public.crm_creating as c (contact_id, organisation_id, by_token) values ($1, $2, $3)
             on conflict (contact_id) do update set started_at = now(), by_token = excluded.by_token
               where c.started_at < now() - make_interval(secs => $4)
             returning 1`,
            [customer.id, organisationId, token, CREATING_STALE_MS / 1000],
          )
        ).rowCount! > 0;
      for (let waited = 0; !(await take()); waited += CREATING_POLL_MS) {
        // A colleague's click is creating this customer's record: theirs is the answer.
        if (await decided()) return 'created';
        if (waited >= CREATING_WAIT_MS) throw new CrmCallError('A colleague is still creating this customer’s record', { retryable: true, retryAfterMs: CREATING_POLL_MS, heldBack: true });
        await new Promise((r) => setTimeout(r, CREATING_POLL_MS));
      }
      try {
        if (await decided()) return 'created';
        // A search, then (HubSpot) a read by the number's own property and the create.
        const made = await withConnection(organisationId, AGENT_CALLS_MAX, async (a) => {
          const existing = await a.findContact(customer.phone_e164);
          return existing ? { id: existing.id, source: 'linked' as const } : { id: (await a.createContact({ name: customer.profile_name, phoneE164: customer.phone_e164 })).id, source: 'created' as const };
        });
        if (!made) return 'no_crm';
        await decide(organisationId, customer.id, made.id, made.source, agentId);
        return 'created';
      } finally {
        await deps.db.query('delete from public.crm_creating where contact_id = $1 and by_token = $2', [customer.id, token]);
      }
    },

    /**
     * The CRM record of a conversation's customer (looked up now if it never was), for the side
     * panel's link; null when the organisation has no CRM.
     */
    async recordOf(organisationId: string, conversationId: string): Promise<{ vendor: CrmVendor; account: string | null; apiUrl: string | null; remoteId: string | null } | null> {
      const conn = await connectionOf(organisationId);
      if (!conn) return null;
      const remoteId = await withCrm(organisationId, conn, (a) => contactOf(organisationId, conversationId, a, () => agentBudget(organisationId, conn, 2)));
      return { vendor: conn.vendor, account: conn.account, apiUrl: conn.api_url, remoteId };
    },
    /**
     * *Check connection* (docs/crm.md): the token (refreshed if it must be), the vendor's access
     * checks (scopes, field access), what writes rely on (`prepare`), a test search and, opt-in, one
     * record written and deleted; each step in plain words with what to do when it failed. Kept as
     * the connection's last check; when every step passes, a connection that waited for its admin
     * (`needs_setup`) writes again. Takes its calls from the agents' share of the account's budget
     * (waiting a moment for it, else 503 crm_busy). Null: no CRM.
     */
    async check(organisationId: string, o: { writeTest: boolean }): Promise<CrmCheckResult | null> {
      const conn = await connectionOf(organisationId);
      if (!conn) return null;
      const name = CRM_VENDORS[conn.vendor].name;
      const steps: CrmCheckStep[] = [];
      const failed = (id: string, label: string, err: unknown, fix: string): CrmCheckStep => {
        const e = err instanceof CrmCallError ? err : null;
        return { id, label, state: 'failed', detail: (err as Error).message, fix: e?.setup ?? fix };
      };
      // Within the agents' share of the account's budget, like an agent's click (a check makes several calls).
      for (let waited = 0, wait = await budgetWait(organisationId, conn.vendor, CHECK_CALLS, 'agents'); wait !== null; wait = await budgetWait(organisationId, conn.vendor, CHECK_CALLS, 'agents')) {
        if (waited + wait > AGENT_BUDGET_WAIT_MS) throw new CrmCallError(`${name} is busy with this account’s writes`, { retryable: true, retryAfterMs: wait, limit: 'burst' });
        await new Promise((r) => setTimeout(r, wait));
        waited += wait;
      }
      const tokenLabel = `${name} accepts Switchboard’s token`;
      const searchLabel = 'A test search by phone';
      // The token: refreshed if it must be; then the cheapest authenticated call, a search for a number nobody has.
      try {
        await accessToken(organisationId, conn);
      } catch (err) {
        steps.push(failed('token', tokenLabel, err, `Connect ${name} again from this page.`));
        return record(organisationId, steps);
      }
      try {
        await withCrm(organisationId, conn, (a) => a.findContact(CHECK_PHONE));
        steps.push({ id: 'token', label: tokenLabel, state: 'ok', detail: 'The connection is signed in.' });
        steps.push({ id: 'search', label: searchLabel, state: 'ok', detail: `${name} answered a phone search.` });
      } catch (err) {
        const e = err instanceof CrmCallError ? err : null;
        if (!e || e.unauthorised || (e.status === undefined && !e.setup) || (e.status ?? 0) >= 500) {
          const down = !e?.unauthorised && !e?.setup;
          steps.push(failed('token', tokenLabel, err, down ? `${name} did not answer: check again in a few minutes; if it keeps failing, connect ${name} again from this page.` : `Connect ${name} again from this page.`));
          return record(organisationId, steps);
        }
        // Signed in, but the search itself was refused (a scope, a permission).
        steps.push({ id: 'token', label: tokenLabel, state: 'ok', detail: 'The connection is signed in.' });
        steps.push(failed('search', searchLabel, err, `Let the connected ${name} user search contacts (and leads), then check again.`));
      }
      // The token may have been refreshed by the calls above.
      const adapter = adapterFor(organisationId, conn, await accessToken(organisationId, (await connectionOf(organisationId)) ?? conn));
      if (adapter.checkAccess) {
        try {
          steps.push(...(await adapter.checkAccess()));
        } catch (err) {
          steps.push(failed('access', 'Permissions granted', err, `Connect ${name} again and approve every permission it asks for.`));
        }
      }
      try {
        await adapter.prepare();
        prepared.add(`${organisationId}@${conn.connected_at.toISOString()}`);
        steps.push({ id: 'fields', label: 'Switchboard’s fields are there and writable', state: 'ok', detail: `What writes rely on is set up in ${name}.` });
      } catch (err) {
        steps.push(failed('fields', 'Switchboard’s fields are there and writable', err, `Ask ${name}’s administrator to let the connected user create and edit fields, then check again.`));
      }
      if (!o.writeTest) steps.push({ id: 'write', label: 'A test record written and deleted', state: 'skipped', detail: 'Not asked for.' });
      else if (!adapter.testWrite) steps.push({ id: 'write', label: 'A test record written and deleted', state: 'skipped', detail: `Not available for ${name} yet.` });
      else {
        const contact = await adapter.findContact(CHECK_PHONE).catch(() => null);
        try {
          const target = contact ?? (await adapter.createContact({ name: 'Switchboard connection check', phoneE164: CHECK_PHONE }));
          await adapter.testWrite(target.id);
          steps.push({
            id: 'write',
            label: 'A test record written and deleted',
            state: 'ok',
            detail: `A record was written on the contact “Switchboard connection check” (${CHECK_PHONE}, a number nobody has; kept for the next check, delete it when you like) and deleted.`,
          });
        } catch (err) {
          steps.push(failed('write', 'A test record written and deleted', err, `Check that the connected ${name} user may create and delete records.`));
        }
      }
      return record(organisationId, steps);
    },
    start() {
      running = true;
      void listen();
      tick();
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      await stopListening();
      await pumping;
    },
  };
}

export type CrmWriter = ReturnType<typeof createCrmWriter>;

/** 1 s doubling to 5 minutes, with full jitter. */
const backoffMs = (attempts: number) => Math.random() * Math.min(5 * 60_000, 1000 * 2 ** Math.max(0, attempts - 1));

const LABEL: Record<string, string> = { inbound: 'Customer', outbound: 'Agent', note: 'Private note' };

/**
 * The record's text: every message of the window (or the one message, or the one note), files as
 * links that work from the CRM; as HTML (customer text escaped) and as plain text.
 */
async function recordBody(db: pg.Pool, row: Due, mediaLink: (messageId: string, index: number) => string): Promise<{ html: string; text: string }> {
  const { rows } = await db.query<{ id: string; direction: string; body: string; media: StoredMediaItem[] | null; created_at: Date; agent: string | null }>(
    `select m.id, m.direction, m.body, m.media, m.created_at, a.display_name as agent
       from public.messages m left join public.agents a on a.id = m.sent_by
      where m.conversation_id = $1 and m.direction in ('inbound', 'outbound', 'note')
        and (($3::uuid is not null and m.id = $3) or ($3::uuid is null and m.direction <> 'note' and m.created_at >= $2 and m.created_at < $4))
      order by m.created_at limit 1000`,
    [row.conversation_id, row.window_start, row.message_id, row.window_end],
  );
  const lines = rows.map((m) => {
    const who = m.direction === 'inbound' ? LABEL.inbound : `${LABEL[m.direction]}${m.agent ? ` (${m.agent})` : ''}`;
    const files = (m.media ?? []).map((f, i) => {
      // An agent's file sent by public URL is linked as it was sent; an upload, or a customer's file at Twilio, through our signed link.
      const href = f.uploadId || f.sid ? mediaLink(m.id, i) : m.direction === 'outbound' ? f.url : undefined;
      return { name: f.name ?? f.contentType ?? 'file', href: href && /^https?:\/\//.test(href) ? href : null };
    });
    return { who, when: `${m.created_at.toISOString().slice(0, 16).replace('T', ' ')} UTC`, body: m.body ?? '', files };
  });
  return {
    html: lines
      .map((l) => {
        const files = l.files.map((f) => (f.href ? `<a href="${escapeHtml(f.href)}">${escapeHtml(f.name)}</a>` : `[${escapeHtml(f.name)}]`));
        return `<p><b>${escapeHtml(l.who)}</b> ${escapeHtml(l.when)}<br>${[escapeHtml(l.body), ...files].filter(Boolean).join(' ')}</p>`;
      })
      .join(''),
    text: lines.map((l) => [`${l.who}, ${l.when}:`, l.body, ...l.files.map((f) => (f.href ? `${f.name}: ${f.href}` : `[${f.name}]`))].filter(Boolean).join('\n')).join('\n\n'),
  };
}
