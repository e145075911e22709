import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { CrmCallError, type CrmAdapter, type CrmContact, type CrmVendor } from '../types';
import type { Connection, CrmAccounts } from './accounts';
import type { CrmCustomers } from './customers';

/** The most calls one agent's request reserves (Create contact). */
const AGENT_CALLS_MAX = 4;
/** A *Create contact* not heard of for this long stopped (its instance went away): another may take over. */
const CREATING_STALE_MS = 120_000;
/** How often an instance creating says it still is: a CRM call may take longer than CREATING_STALE_MS. */
const CREATING_ALIVE_MS = 10_000;
/** How long a second click waits for the first's record before being told to try again. */
const CREATING_WAIT_MS = 10_000;
const CREATING_POLL_MS = 200;

/**
 * A create the CRM answered with a refusal (made nothing): anything else (no answer, a call past
 * its time limit, `CRM_TIMEOUTS`, a server error, an answer we could not read) may have made the record.
 */
const createRefused = (err: unknown) =>
  err instanceof CrmCallError && (!err.retryable || (err.status !== undefined && err.status >= 400 && err.status < 500 && err.status !== 408));

/**
 * What agents ask of their organisation's CRM from the thread header: the customer's record (for
 * "Open in …"), a search for records to link, *Link*, *Create contact*. Each takes its calls from
 * the agents' share of the account's budget (waiting a moment for it, else 503 crm_busy).
 */
export function createAgentCrmCalls(deps: { db: pg.Pool; accounts: CrmAccounts; customers: CrmCustomers }) {
  const { connectionOf, agentBudget, withCrm } = deps.accounts;
  const { customerOf, contactOf, decide } = deps.customers;

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
    async linkRecord(
      organisationId: string,
      conversationId: string,
      recordId: string,
      agentId: string,
    ): Promise<'linked' | 'no_record' | 'no_crm' | 'no_conversation'> {
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
        (
          await deps.db.query(
            `select 1 from public.crm_contacts where contact_id = $1 and organisation_id = $2 and source <> 'phone' and remote_id is not null`,
            [customer.id, organisationId],
          )
        ).rowCount! > 0;
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
        if (waited >= CREATING_WAIT_MS) {
          const { rows } = await deps.db.query<{ ms: number | null }>(
            'select extract(epoch from started_at + make_interval(secs => $2) - now()) * 1000 as ms from public.crm_creating where contact_id = $1',
            [customer.id, CREATING_STALE_MS / 1000],
          );
          const retryAfterMs = Math.max(CREATING_POLL_MS, Number(rows[0]?.ms ?? 0));
          throw new CrmCallError('This customer’s record is still being created (or was just made and the CRM cannot find it yet)', {
            retryable: true,
            retryAfterMs,
            heldBack: true,
          });
        }
        await new Promise((r) => setTimeout(r, CREATING_POLL_MS));
      }
      // The CRM may hold a record we have not recorded (made, then `decide` failed; or a create
      // whose answer never came): the row then stays until it is stale, so that a click before the
      // CRM's search finds that record waits instead of making a second one.
      let madeUnrecorded = false;
      // Still creating: the row is kept fresh while the CRM takes its time, so nobody takes it over.
      const alive = setInterval(() => {
        deps.db.query('update public.crm_creating set started_at = now() where contact_id = $1 and by_token = $2', [customer.id, token]).catch(() => undefined);
      }, CREATING_ALIVE_MS);
      try {
        if (await decided()) return 'created';
        // A search, then (HubSpot) a read by the number's own property and the create.
        const made = await withConnection(organisationId, AGENT_CALLS_MAX, async (a) => {
          const existing = await a.findContact(customer.phone_e164);
          if (existing) return { id: existing.id, source: 'linked' as const };
          try {
            return { id: (await a.createContact({ name: customer.profile_name, phoneE164: customer.phone_e164 })).id, source: 'created' as const };
          } catch (err) {
            madeUnrecorded = !createRefused(err);
            throw err;
          }
        });
        if (!made) return 'no_crm';
        madeUnrecorded = made.source === 'created';
        await decide(organisationId, customer.id, made.id, made.source, agentId);
        madeUnrecorded = false;
        return 'created';
      } finally {
        clearInterval(alive);
        await (
          madeUnrecorded
            ? deps.db.query('update public.crm_creating set started_at = now() where contact_id = $1 and by_token = $2', [customer.id, token])
            : deps.db.query('delete from public.crm_creating where contact_id = $1 and by_token = $2', [customer.id, token])
        ).catch(() => undefined);
      }
    },

    /**
     * The CRM record of a conversation's customer (looked up now if it never was), for the side
     * panel's link; null when the organisation has no CRM.
     */
    async recordOf(
      organisationId: string,
      conversationId: string,
    ): Promise<{ vendor: CrmVendor; account: string | null; apiUrl: string | null; remoteId: string | null } | null> {
      const conn = await connectionOf(organisationId);
      if (!conn) return null;
      const remoteId = await withCrm(organisationId, conn, (a) => contactOf(organisationId, conversationId, a, () => agentBudget(organisationId, conn, 2)));
      return { vendor: conn.vendor, account: conn.account, apiUrl: conn.api_url, remoteId };
    },
  };
}
