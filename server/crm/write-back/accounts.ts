import type pg from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { CrmApp } from '../oauth';
import type { Sealer } from '../seal';
import { CrmCallError, type CrmAdapter, type CrmVendor } from '../types';
import { CRM_VENDORS } from '../vendors';

/** The share of each account's burst budget background writes may use; agents' calls have the rest. */
const WRITES_SHARE = 0.8;
/** How an account's burst budget is split: the writes' calls and the agents' (at least 1), per window. */
export function budgetShares(budget: { requests: number }): { writes: number; agents: number } {
  const agents = Math.max(1, Math.ceil(budget.requests * (1 - WRITES_SHARE)));
  return { writes: budget.requests - agents, agents };
}
/** The longest an agent's CRM call waits for the account's budget before it is told to try again. */
const AGENT_BUDGET_WAIT_MS = 3000;
/** The longest a search waits for the account's search budget before its caller is told to come back. */
const SEARCH_WAIT_MS = 5000;
/** An access token this close to its expiry is refreshed before it is used. */
const REFRESH_AHEAD_MS = 60_000;

/** An organisation's CRM connection as the write-back reads it (`crm_connections`). */
export interface Connection {
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

/**
 * The organisations' CRM accounts as the write-back calls them: the connection, its access token
 * (refreshed ahead of expiry, and once after a 401), and the account's budgets, shared by every
 * server instance through PostgreSQL.
 */
export function createCrmAccounts(deps: {
  db: pg.Pool;
  sealer: Sealer | null;
  /** Where each vendor's API is, and our app there: from the server's configuration, never from a client. */
  apps: Record<CrmVendor, CrmApp>;
}) {
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
    new RateLimiterPostgres({
      storeClient: deps.db,
      tableName: 'crm_rate_limits',
      tableCreated: true,
      keyPrefix: `crm-${d.vendor}-${part}`,
      points,
      duration: d.budget.seconds,
    });
  const limiters = new Map(
    Object.values(CRM_VENDORS).map((d) => {
      const share = budgetShares(d.budget);
      return [d.vendor, { writes: limiter(d, 'writes', share.writes), agents: limiter(d, 'agents', share.agents) }];
    }),
  );
  /** Null when `part` of the account's budget can take `calls` now (a write's, by default); else how long to wait. */
  const budgetWait = async (
    organisationId: string,
    vendor: CrmVendor,
    calls = CRM_VENDORS[vendor].budget.perWrite,
    part: 'writes' | 'agents' = 'writes',
  ): Promise<number | null> => {
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
        ? [
            [
              d.vendor,
              new RateLimiterPostgres({
                storeClient: deps.db,
                tableName: 'crm_rate_limits',
                tableCreated: true,
                keyPrefix: `crm-${d.vendor}-search`,
                points: d.searchBudget.requests,
                duration: d.searchBudget.seconds,
              }),
            ] as const,
          ]
        : [],
    ),
  );
  /** Waits for a search in the account's search budget; told to come back when that would take longer than SEARCH_WAIT_MS. */
  const searchTurn = async (organisationId: string, vendor: CrmVendor) => {
    const limiter = searchLimiters.get(vendor);
    if (!limiter) return;
    for (let waited = 0; ;) {
      try {
        return void (await limiter.consume(organisationId, 1));
      } catch (res) {
        if (!(res instanceof RateLimiterRes)) throw res;
        const wait = res.msBeforeNext + Math.random() * 100;
        if (waited + wait > SEARCH_WAIT_MS)
          throw new CrmCallError(`${CRM_VENDORS[vendor].name}’s search is busy for this account`, { retryable: true, retryAfterMs: wait, heldBack: true });
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

  /**
   * An agent's call to the CRM (a lookup, a search, a link, a new contact) takes from the same
   * budget as the writes: when there is none, the agent is told to try again shortly.
   */
  const agentBudget = async (organisationId: string, conn: Connection, calls: number) => {
    if (conn.needs_setup) throw new CrmCallError(conn.needs_setup, { retryable: false, setup: conn.needs_setup });
    if (conn.paused_until) {
      throw new CrmCallError(conn.paused_reason ?? `${CRM_VENDORS[conn.vendor].name} asked to wait`, {
        retryable: true,
        retryAfterMs: conn.paused_until.getTime() - Date.now(),
        limit: 'daily',
      });
    }
    await agentsTurn(organisationId, conn.vendor, calls);
  };

  /**
   * Waits a moment for `calls` in the agents' share of the account's budget (its next window) rather
   * than refusing at once; past AGENT_BUDGET_WAIT_MS the caller is told to try again (503 crm_busy).
   */
  const agentsTurn = async (organisationId: string, vendor: CrmVendor, calls: number) => {
    for (let waited = 0; ;) {
      const wait = await budgetWait(organisationId, vendor, calls, 'agents');
      if (wait === null) return;
      if (waited + wait > AGENT_BUDGET_WAIT_MS) {
        throw new CrmCallError(`${CRM_VENDORS[vendor].name} is busy with this account’s writes`, { retryable: true, retryAfterMs: wait, limit: 'burst' });
      }
      await new Promise((r) => setTimeout(r, wait));
      waited += wait;
    }
  };

  return { connectionOf, accessToken, withCrm, adapterFor, budgetWait, agentBudget, agentsTurn };
}

export type CrmAccounts = ReturnType<typeof createCrmAccounts>;
