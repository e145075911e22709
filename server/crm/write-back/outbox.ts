import type pg from 'pg';
import type { Logger } from '../../logger';
import { CrmCallError, type CrmAdapter } from '../types';
import type { CrmAccounts } from './accounts';
import { UNMATCHED_RETRY_MS, type CrmCustomers } from './customers';
import { recordBody } from './record-body';

/** A writer holds a row this long (by default); one that stopped mid-call lets it go by itself. */
const CLAIM_SECONDS = 60;
const BATCH = 10;
/** A refused write (not worth retrying at once) waits this long; last_error says why. */
const REFUSED_RETRY_MS = 60 * 60_000;

/** A row of `crm_outbox` claimed for writing. */
export interface Due {
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

/**
 * The outbox pump (docs/crm.md): rows are claimed with `for update skip locked`, so several server
 * instances share the work; each row is upserted on the CRM by its idempotency key, so a retry
 * after a crash mid-call (or a lost answer) updates the same record; a row is done when the CRM
 * has its latest version (`written_version`), and a message arriving during a write makes it due
 * again. Rate limits and outages wait (Retry-After when the CRM gives one, else backoff with
 * jitter): nothing is dropped. It sleeps until the next row falls due unless NOTIFY crm_outbox
 * wakes it.
 */
export function createOutboxPump(deps: {
  db: pg.Pool;
  log: Logger;
  accounts: CrmAccounts;
  customers: () => CrmCustomers;
  /** Connections (organisation@connected_at) whose CRM is prepared since start; Check connection adds to it. */
  prepared: Set<string>;
  /** A link to a message's file that works from the CRM, where nobody is signed in to Switchboard. */
  mediaLink: (messageId: string, index: number) => string;
  pollMs?: number;
  /** How long a claim holds a row: longer than any CRM call, short enough to recover soon after a crash. */
  claimSeconds?: number;
}) {
  const pollMs = deps.pollMs ?? 10_000;
  const claimSeconds = deps.claimSeconds ?? CLAIM_SECONDS;
  const { budgetWait, connectionOf, withCrm } = deps.accounts;
  const prepared = deps.prepared;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running = false;
  let pumping: Promise<void> | null = null;

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
      deps.db.query(`update public.crm_outbox set claimed_until = null, next_attempt_at = now() + make_interval(secs => $2), last_error = $3 where key = $1`, [
        row.key,
        waitMs / 1000,
        error,
      ]),
      (o.crmFailed ?? true) &&
        deps.db.query(
          `update public.crm_connections set last_error = $2, last_error_at = now(),
                  paused_until = case when $3 then greatest(paused_until, now() + make_interval(secs => $4)) else paused_until end,
                  paused_reason = case when $3 then $2 else paused_reason end
            where organisation_id = $1`,
          [row.organisation_id, error, o.pause ?? false, waitMs / 1000],
        ),
    ]);

  /** The row waits for our own budget, not for a failure: its attempt is not counted, and no error is kept. */
  const waitTurn = async (row: Due, waitMs: number): Promise<void> => {
    await deps.db.query(
      'update public.crm_outbox set claimed_until = null, next_attempt_at = now() + make_interval(secs => $2), attempts = greatest(attempts - 1, 0) where key = $1',
      [row.key, waitMs / 1000],
    );
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
      return waitTurn(row, wait);
    }
    try {
      const connection = `${row.organisation_id}@${conn.connected_at.toISOString()}`;
      if (!prepared.has(connection)) {
        await withToken((a) => a.prepare());
        prepared.add(connection);
      }
      const contactId = await withToken((a) => deps.customers().contactOf(row.organisation_id, row.conversation_id, a));
      if (!contactId) return void (await release(row, UNMATCHED_RETRY_MS, 'No CRM record has this customer’s number', { crmFailed: false }));
      const body = await recordBody(deps.db, row, deps.mediaLink);
      const { remoteId } = await withToken((a) =>
        a.write({ kind: row.kind, key: row.key, remoteId: row.remote_id, retry: row.attempts > 1, contactId, at: row.window_start, ...body }),
      );
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
        return waitTurn(row, e.retryAfterMs ?? 1000);
      }
      if (e.setup) {
        // Retrying cannot help: the whole connection waits for the admin (Check connection clears it).
        deps.log.warn(
          { key: row.key, organisationId: row.organisation_id, status: e.status, err: e.message },
          'CRM account needs setting up; writes wait for the admin',
        );
        // What happened is the last error; what to do is needs_setup (the admin view shows both).
        await deps.db.query('update public.crm_connections set needs_setup = $2, last_error = $3, last_error_at = now() where organisation_id = $1', [
          row.organisation_id,
          e.setup,
          e.message,
        ]);
        await deps.db.query('update public.crm_outbox set claimed_until = null, attempts = greatest(attempts - 1, 0), last_error = $2 where key = $1', [
          row.key,
          e.message,
        ]);
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
      deps.log.warn(
        { key: row.key, organisationId: row.organisation_id, status: e.status, limit: e.limit, waitMs: Math.round(wait), err: e.message },
        'CRM write failed; will retry',
      );
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
    const lost = (err: Error) => {
      deps.log.warn({ err }, 'CRM outbox listener lost; polling until it is back');
      drop(err);
    };
    const drop = (err?: Error) => {
      if (!client || released) return;
      released = true;
      // Back in the pool it is no listener of ours: PostgreSQL stopping after the writer (the
      // server's shutdown) is not "the listener lost".
      client.off('notification', wake).off('error', lost);
      client.release(err);
      if (err && running) setTimeout(() => void listen(), 5000);
    };
    try {
      client = await deps.db.connect();
      client.on('notification', wake);
      client.on('error', lost);
      await client.query('listen crm_outbox');
      if (released) return;
      if (!running) {
        await client.query('unlisten *').catch(() => undefined); // stopped meanwhile: back to the pool listening to nothing
        return drop();
      }
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

  return {
    wake,
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

/** 1 s doubling to 5 minutes, with full jitter. */
const backoffMs = (attempts: number) => Math.random() * Math.min(5 * 60_000, 1000 * 2 ** Math.max(0, attempts - 1));
