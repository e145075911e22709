/** One CRM's calls, as the outbox needs them (docs/crm.md). */
export interface CrmAdapter {
  vendor: 'hubspot';
  /** Once per connection: what writes rely on (HubSpot: the unique key property). */
  prepare(): Promise<void>;
  /** The CRM record of a customer, matched by phone whatever format the CRM holds; null if none. */
  findContact(phoneE164: string): Promise<{ id: string } | null>;
  /** Creates or updates the record of `key` (never a second one for the same key) and links it to the contact. */
  write(record: CrmRecordWrite): Promise<{ remoteId: string }>;
}

export interface CrmRecordWrite {
  /** The idempotency key: one CRM record per key, however often it is written. */
  key: string;
  contactId: string;
  /** When the conversation window starts (or the message was sent). */
  at: Date;
  /** The record's text as HTML: customer text escaped, never markup. */
  html: string;
}

/** A CRM call that failed, with what the outbox should do about it. */
export class CrmCallError extends Error {
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly unauthorised: boolean;
  constructor(message: string, o: { status?: number; retryable: boolean; retryAfterMs?: number; unauthorised?: boolean }) {
    super(message);
    this.status = o.status;
    this.retryable = o.retryable;
    this.retryAfterMs = o.retryAfterMs;
    this.unauthorised = o.unauthorised ?? false;
  }
}
