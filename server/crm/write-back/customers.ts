import type pg from 'pg';
import type { CrmAdapter } from '../types';

/** A customer no CRM record matched is looked up again after this long. */
export const UNMATCHED_RETRY_MS = 60 * 60_000;

/**
 * Which CRM record a conversation's customer is (`crm_contacts`): found by a phone search (kept an
 * hour when nothing matched), or decided by an agent (linked, or created), which stands.
 */
export function createCrmCustomers(deps: {
  db: pg.Pool;
  /** Records newly owed: the outbox pump looks now. */
  wake: () => void;
}) {
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
    deps.wake();
  };

  return { customerOf, contactOf, decide };
}

export type CrmCustomers = ReturnType<typeof createCrmCustomers>;
