import type pg from 'pg';
import type { CrmCheckResult } from '../../../lib/contract/api';
import { CrmCallError, type CrmCheckStep } from '../types';
import { CRM_VENDORS } from '../vendors';
import type { CrmAccounts } from './accounts';

/** The calls *Check connection* takes from the account's budget (token, search, access, fields, the test record). */
const CHECK_CALLS = 8;
/** The number *Check connection* searches for: reserved for fiction (NANP 555-01xx), nobody's. */
const CHECK_PHONE = '+12025550199';

export function createConnectionCheck(deps: {
  db: pg.Pool;
  accounts: CrmAccounts;
  /** Connections (organisation@connected_at) whose CRM is prepared: a passing check adds its own. */
  prepared: Set<string>;
  /** Records owed: the outbox pump looks now. */
  wake: () => void;
}) {
  const { connectionOf, accessToken, withCrm, adapterFor, agentsTurn } = deps.accounts;
  const prepared = deps.prepared;
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
      await deps.db.query('update public.crm_outbox set next_attempt_at = now() where organisation_id = $1 and written_version is distinct from version', [
        organisationId,
      ]);
      deps.wake();
    }
    return result;
  };

  return {
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
      // Within the agents' share of the account's budget, like an agent's click (a check makes several calls;
      // unlike an agent's, it runs while the account waits for its admin: it is how that wait ends).
      await agentsTurn(organisationId, conn.vendor, CHECK_CALLS);
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
        // Held back on our side (the account's search budget): the CRM was not asked, so nothing
        // failed; the admin is told to try again (503 crm_busy) and the last check stays.
        if (e?.heldBack) throw e;
        if (!e || e.unauthorised || (e.status === undefined && !e.setup) || (e.status ?? 0) >= 500) {
          const down = !e?.unauthorised && !e?.setup;
          steps.push(
            failed(
              'token',
              tokenLabel,
              err,
              down
                ? `${name} did not answer: check again in a few minutes; if it keeps failing, connect ${name} again from this page.`
                : `Connect ${name} again from this page.`,
            ),
          );
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
        steps.push(
          failed(
            'fields',
            'Switchboard’s fields are there and writable',
            err,
            `Ask ${name}’s administrator to let the connected user create and edit fields, then check again.`,
          ),
        );
      }
      if (!o.writeTest) steps.push({ id: 'write', label: 'A test record written and deleted', state: 'skipped', detail: 'Not asked for.' });
      else if (!adapter.testWrite)
        steps.push({ id: 'write', label: 'A test record written and deleted', state: 'skipped', detail: `Not available for ${name} yet.` });
      else {
        // Not found, or the search failed: a contact of its own (but a search held back is no answer).
        const contact = await adapter.findContact(CHECK_PHONE).catch((err: unknown) => {
          if (err instanceof CrmCallError && err.heldBack) throw err;
          return null;
        });
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
  };
}
