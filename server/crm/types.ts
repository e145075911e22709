import type { CrmCheckStep, CrmVendor } from '../../lib/contract/api';

export type { CrmCheckStep, CrmVendor };

/** One CRM's calls, as the outbox and the thread header need them (docs/crm.md). */
export interface CrmAdapter {
  vendor: CrmVendor;
  /** Once per connection: what writes rely on (HubSpot: the unique key properties). */
  prepare(): Promise<void>;
  /** The CRM record of a customer, matched by phone whatever format the CRM holds; null if none. */
  findContact(phoneE164: string): Promise<{ id: string } | null>;
  /** A record by its id, as an agent picks it; null when the CRM has no such record. */
  getContact(id: string): Promise<CrmContact | null>;
  /** Records whose name, e-mail or phone matches what an agent typed (a few, best first). */
  searchContacts(query: string): Promise<CrmContact[]>;
  /** A new record for a customer no record matched. */
  createContact(contact: { name: string | null; phoneE164: string }): Promise<{ id: string }>;
  /** Creates or updates the record of `key` (never a second one for the same key) and links it to the contact. */
  write(record: CrmRecordWrite): Promise<{ remoteId: string }>;
  /**
   * *Check connection*'s vendor steps (docs/crm.md): what this account granted and lacks (scopes,
   * field access), each in the CRM's own terms. The token and the test search are checked by the
   * caller through the calls above; `prepare()` is checked as "fields".
   */
  checkAccess?(): Promise<CrmCheckStep[]>;
  /** *Check connection*'s opt-in test: one record written on a contact and deleted again. */
  testWrite?(contactId: string): Promise<void>;
}

/** A CRM record of a person, as an agent chooses one to link. */
export interface CrmContact {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
}

export interface CrmRecordWrite {
  /** A conversation (window or message) is logged as the CRM's call/communication record; a private note as its note. */
  kind: 'conversation' | 'note';
  /** The idempotency key: one CRM record per key, however often it is written. */
  key: string;
  /** The CRM's id of the record, once a write of it was answered. */
  remoteId: string | null;
  /** An earlier call for this key may have reached the CRM without its answer reaching us. */
  retry: boolean;
  contactId: string;
  /** When the conversation window starts (or the message was sent). */
  at: Date;
  /** The record's text as HTML: customer text escaped, never markup. */
  html: string;
  /** The same as plain text, for CRMs whose records are not rich text (Salesforce). */
  text: string;
}

/** A CRM call that failed, with what the outbox should do about it. */
export class CrmCallError extends Error {
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly unauthorised: boolean;
  /**
   * The CRM's limit for the whole account was hit: 'burst' (per second or ten seconds) or 'daily'.
   * Every write to that CRM waits (the connection is paused), not just this one.
   */
  readonly limit: 'burst' | 'daily' | undefined;
  /**
   * Something in the customer's CRM account is not set up for Switchboard (a scope not granted,
   * a field without access, an app uninstalled): what the admin must do, in the CRM's own terms.
   * Retrying cannot help, so the connection writes nothing (`needs_setup`) until *Check connection*
   * passes or the CRM is connected again.
   */
  readonly setup: string | undefined;
  /**
   * The customer's record is gone from the CRM (deleted, or merged away where the CRM does not
   * say into which): the writer forgets the match and looks the customer up again.
   */
  readonly contactGone: boolean;
  /** Held back on our side (the account's search budget, a colleague's create): the CRM saw no call, and nothing failed. */
  readonly heldBack: boolean;
  constructor(
    message: string,
    o: {
      status?: number;
      retryable: boolean;
      retryAfterMs?: number;
      unauthorised?: boolean;
      limit?: 'burst' | 'daily';
      setup?: string;
      contactGone?: boolean;
      heldBack?: boolean;
    },
  ) {
    super(message);
    this.status = o.status;
    this.retryable = o.retryable;
    this.retryAfterMs = o.retryAfterMs;
    this.unauthorised = o.unauthorised ?? false;
    this.limit = o.limit;
    this.setup = o.setup;
    this.contactGone = o.contactGone ?? false;
    this.heldBack = o.heldBack ?? false;
  }
}
