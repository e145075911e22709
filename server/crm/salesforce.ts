import { Connection } from 'jsforce';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { salesforceCall as call, withTimeout } from './salesforce-errors';
import { CRM_TIMEOUTS } from './timeouts';
import { CrmCallError, type CrmAdapter, type CrmCheckStep, type CrmContact, type CrmRecordWrite } from './types';

/** The REST API version Switchboard speaks (Salesforce keeps old versions for years). */
export const SALESFORCE_API_VERSION = '62.0';
/** The External ID field on activities (Task) that conversations are upserted by, created on connect. */
export const SALESFORCE_KEY_FIELD = 'Switchboard_Key__c';
/** The permission set that gives the connected user field-level access to the key field. */
export const SALESFORCE_PERMISSION_SET = 'Switchboard';

/** What the admin does in Salesforce Setup when Switchboard may not grant itself the key field. */
const FLS_FIX =
  `In Salesforce Setup, give the ${SALESFORCE_PERMISSION_SET} permission set Edit access to Task.${SALESFORCE_KEY_FIELD} ` +
  `(Permission Sets → ${SALESFORCE_PERMISSION_SET}, create it if it is not there → Object Settings → Tasks → Field Permissions: Read and Edit), ` +
  'and assign it to the user who connected Salesforce; then Check connection.';
const FIELD_FIX =
  `In Salesforce Setup, Object Manager → Activity → Fields & Relationships → New: a Text(255) field named ${SALESFORCE_KEY_FIELD}, ` +
  'External ID and Unique; or connect Salesforce as a user with the Customize Application permission.';

/**
 * Salesforce through jsforce, at the org's instance URL (from the token answer, accepted only if it
 * is the configured one or a My Domain: `salesforceInstanceUrl` in salesforce-oauth.ts). A conversation window is a
 * closed Task (the org's own closed Status) on the Contact or Lead, upserted by the External ID
 * field `Switchboard_Key__c` (created through the Tooling API on connect, and made accessible
 * through the `Switchboard` permission set): a retry after a lost answer updates the same Task.
 * A private note is a Note on the record, titled with its key, looked up by that title on a retry.
 * Records hold plain text (Salesforce's Description and Body are not rich text). Every call is an
 * operation of `SALESFORCE_OPERATIONS` (server/crm/salesforce-operations.ts, with its sources).
 */
export function salesforceAdapter(opts: { instanceUrl: string; accessToken: string; timeoutMs?: number }): CrmAdapter {
  const conn = withTimeout(
    new Connection({ instanceUrl: opts.instanceUrl, accessToken: opts.accessToken, version: SALESFORCE_API_VERSION }),
    opts.timeoutMs ?? CRM_TIMEOUTS.callMs,
  );
  const asContact = (r: {
    Id: string;
    Name?: string;
    Email?: string | null;
    Phone?: string | null;
    MobilePhone?: string | null;
    attributes?: { type?: string };
  }): CrmContact => ({
    id: r.Id,
    name: `${r.Name ?? r.Id}${r.attributes?.type === 'Lead' ? ' (lead)' : ''}`,
    email: r.Email ?? null,
    phone: r.Phone || r.MobilePhone || null,
  });
  const returning = 'RETURNING Contact(Id, Name, Email, Phone, MobilePhone), Lead(Id, Name, Email, Phone, MobilePhone WHERE IsConverted = false)';
  const noteTitle = (key: string) => `WhatsApp note ${key}`;
  const typeOf = (id: string) => (id.startsWith('00Q') ? 'Lead' : id.startsWith('003') ? 'Contact' : null);

  /** Whether the connected user may set the key field on a Task (describe lists only fields the user can see). */
  const keyFieldAccess = async () => {
    const d = await call(() => conn.sobject('Task').describe());
    const f = d.fields.find((x) => x.name === SALESFORCE_KEY_FIELD);
    return { visible: !!f, writable: !!f && f.createable && f.updateable };
  };

  /**
   * A custom field made through the Tooling API has no field-level security for anyone (not even
   * the admin who connected): the `Switchboard` permission set gets Read and Edit on it and is
   * assigned to the connected user (Object Reference: FieldPermissions, PermissionSetAssignment).
   * When the user may not do that, the admin is told what to do in Setup.
   */
  const grantKeyField = async () => {
    const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
    const one = async (soql: string) => (await call(async () => await conn.query<{ Id: string }>(soql))).records[0]?.Id ?? null;
    const make = async (type: string, fields: Record<string, unknown>) => {
      const r = await call(() => conn.sobject(type).create(fields));
      if (!r.success) throw new CrmCallError(`Salesforce did not create the ${type}: ${JSON.stringify(r.errors)}`, { retryable: false });
      return r.id;
    };
    try {
      // Resources by Version names the identity URL, which ends with /<org id>/<user id>.
      const identity = (await call(() => conn.request<{ identity: string }>(`/services/data/v${SALESFORCE_API_VERSION}`))).identity;
      const userId = identity.split('/').at(-1)!;
      const field = `Task.${SALESFORCE_KEY_FIELD}`;
      // Each made unless there: another prepare (the connect and a first write at once, another
      // instance) may make it between the query and the create, and Salesforce refuses the
      // second as a duplicate: then it is there.
      const ensure = async (soql: string, type: string, fields: Record<string, unknown>): Promise<string> => {
        const found = await one(soql);
        if (found) return found;
        try {
          return await make(type, fields);
        } catch (err) {
          const made = /DUPLICATE_/.test((err as Error).message) ? await one(soql) : null;
          if (made) return made;
          throw err;
        }
      };
      const ps = await ensure(`SELECT Id FROM PermissionSet WHERE Name = '${SALESFORCE_PERMISSION_SET}'`, 'PermissionSet', {
        Name: SALESFORCE_PERMISSION_SET,
        Label: SALESFORCE_PERMISSION_SET,
        Description: 'Lets Switchboard log WhatsApp conversations on Tasks.',
      });
      await ensure(`SELECT Id FROM FieldPermissions WHERE ParentId = '${esc(ps)}' AND Field = '${field}' AND PermissionsEdit = true`, 'FieldPermissions', {
        ParentId: ps,
        SobjectType: 'Task',
        Field: field,
        PermissionsRead: true,
        PermissionsEdit: true,
      });
      await ensure(`SELECT Id FROM PermissionSetAssignment WHERE PermissionSetId = '${esc(ps)}' AND AssigneeId = '${esc(userId)}'`, 'PermissionSetAssignment', {
        PermissionSetId: ps,
        AssigneeId: userId,
      });
    } catch (err) {
      if (err instanceof CrmCallError && (err.setup || err.retryable || err.limit)) throw err;
      throw new CrmCallError(`Salesforce: Switchboard cannot give itself access to Task.${SALESFORCE_KEY_FIELD} (${(err as Error).message})`, {
        status: 403,
        retryable: false,
        setup: FLS_FIX,
      });
    }
    if (!(await keyFieldAccess()).writable)
      throw new CrmCallError(`Salesforce: Task.${SALESFORCE_KEY_FIELD} is still not writable`, { status: 403, retryable: false, setup: FLS_FIX });
  };

  /** The org's closed Task status (TaskStatus.IsClosed): Status is a per-org picklist, "Completed" may not exist. */
  const closedStatus = async () => {
    const r = await call(async () => await conn.query<{ ApiName: string }>('SELECT ApiName FROM TaskStatus WHERE IsClosed = true LIMIT 1'));
    const value = r.records[0]?.ApiName;
    if (!value)
      throw new CrmCallError('Salesforce: the org has no closed Task status', {
        retryable: false,
        setup: 'In Salesforce Setup, Object Manager → Task → Fields & Relationships → Status: mark one value as Closed.',
      });
    return value;
  };

  /**
   * A record we write on was deleted: if it lost a merge, the record kept (queryAll still shows
   * the deleted one with its MasterRecordId); else another record with one of its numbers.
   */
  const successorOf = async (id: string): Promise<string | null> => {
    const type = typeOf(id);
    if (!type) return null;
    const r = (
      await call(
        async () =>
          await conn.query<{ MasterRecordId: string | null; Phone: string | null; MobilePhone: string | null }>(
            `SELECT Id, MasterRecordId, Phone, MobilePhone FROM ${type} WHERE Id = '${id}'`,
            { scanAll: true },
          ),
      )
    ).records[0];
    if (!r) return null;
    if (r.MasterRecordId) return r.MasterRecordId;
    for (const phone of [r.MobilePhone, r.Phone]) {
      const e164 = phone ? parsePhoneNumberFromString(phone.trim().replace(/^00/, '+'))?.number : undefined;
      const found = e164 ? await adapter.findContact(e164) : null;
      if (found && found.id !== id) return found.id;
    }
    return null;
  };
  const deleted = (err: unknown) => err instanceof CrmCallError && /ENTITY_IS_DELETED/.test(err.message);
  /** Runs a write on the contact; when Salesforce says it was deleted, once more on its successor, else a clear refusal. */
  const onLiveRecord = async <T>(contactId: string, fn: (id: string) => Promise<T>): Promise<T> => {
    try {
      return await fn(contactId);
    } catch (err) {
      if (!deleted(err)) throw err;
      const next = await successorOf(contactId);
      if (!next) {
        // The customer is looked up again (the writer forgets the match): none found, agents see "Not in Salesforce".
        throw new CrmCallError(`Salesforce: the record ${contactId} was deleted and no other record has its number: link the customer to another record`, {
          status: 404,
          retryable: false,
          contactGone: true,
        });
      }
      return fn(next);
    }
  };

  const writeTask = async (record: CrmRecordWrite, whoId: string) => {
    const task = {
      Subject: 'WhatsApp conversation',
      Description: record.text.slice(0, 32_000),
      Status: await closedStatus(),
      ActivityDate: record.at.toISOString().slice(0, 10),
      WhoId: whoId,
    };
    const upsert = (fields: Record<string, unknown>) =>
      call(() => conn.sobject('Task').upsert({ ...fields, [SALESFORCE_KEY_FIELD]: externalId(record.key) }, SALESFORCE_KEY_FIELD));
    let result;
    if (record.remoteId)
      result = await upsert(task); // an update: TaskSubtype is create-only
    else {
      try {
        result = await upsert({ ...task, TaskSubtype: 'Task' });
      } catch (err) {
        // A retry whose lost call did create the Task: this is an update after all.
        if (!(err instanceof CrmCallError && /INVALID_FIELD_FOR_INSERT_UPDATE.*TaskSubtype|TaskSubtype.*INVALID_FIELD_FOR_INSERT_UPDATE/s.test(err.message)))
          throw err;
        result = await upsert(task);
      }
    }
    if (!result.success) throw new CrmCallError(`Salesforce did not write the task: ${JSON.stringify(result.errors)}`, { retryable: false });
    // An update by external id answers without the id on older APIs: keep the one we know.
    return { remoteId: result.id ?? record.remoteId ?? record.key };
  };

  const adapter: CrmAdapter = {
    vendor: 'salesforce',

    async prepare() {
      await call(async () => {
        try {
          await conn.tooling.sobject('CustomField').create({
            FullName: `Activity.${SALESFORCE_KEY_FIELD}`,
            Metadata: { label: 'Switchboard key', type: 'Text', length: 255, externalId: true, unique: true },
          } as never);
        } catch (err) {
          const code = (err as { errorCode?: string }).errorCode;
          if (code === 'INSUFFICIENT_ACCESS' || code === 'INSUFFICIENT_ACCESS_OR_READONLY')
            throw new CrmCallError(`Salesforce: the connected user may not create the field Activity.${SALESFORCE_KEY_FIELD}`, {
              status: 403,
              retryable: false,
              setup: FIELD_FIX,
            });
          if (code !== 'DUPLICATE_DEVELOPER_NAME') throw err; // already there
        }
      });
      if (!(await keyFieldAccess()).writable) await grantKeyField();
    },

    async findContact(phoneE164) {
      const parsed = parsePhoneNumberFromString(phoneE164);
      if (!parsed) return null;
      // SOSL's phone search matches a number's digits whatever its format; confirmed with libphonenumber-js.
      const found = await call(() => conn.search(`FIND {${parsed.nationalNumber}} IN PHONE FIELDS ${returning}`));
      const same = (value: unknown) =>
        typeof value === 'string' && parsePhoneNumberFromString(value.trim().replace(/^00/, '+'), parsed.country)?.number === parsed.number;
      const hit = found.searchRecords.find((r) => same(r.Phone) || same(r.MobilePhone));
      if (hit) return { id: String(hit.Id) };
      // SOSL indexes new records after a delay: a contact we created (MobilePhone is the E.164
      // number, exactly) is found by SOQL at once, so a second "Create contact" makes no duplicate.
      const ours = await call(async () => await conn.query<{ Id: string }>(`SELECT Id FROM Contact WHERE MobilePhone = '${parsed.number}' LIMIT 1`));
      return ours.records[0] ? { id: ours.records[0].Id } : null;
    },

    async getContact(id) {
      if (!/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/.test(id)) return null;
      const type = typeOf(id);
      if (!type) return null;
      try {
        const r = (await call(() => conn.sobject(type).retrieve(id, { fields: ['Id', 'Name', 'Email', 'Phone', 'MobilePhone'] }))) as unknown as Parameters<
          typeof asContact
        >[0];
        return asContact({ ...r, attributes: { type } });
      } catch (err) {
        if (err instanceof CrmCallError && err.status === 404) return null;
        throw err;
      }
    },

    async searchContacts(query) {
      // SOSL's reserved characters are escaped: what the agent typed is a term, never syntax.
      const term = query.replace(/[?&|!{}[\]()^~*:\\"'+-]/g, (c) => `\\${c}`);
      const found = await call(() => conn.search(`FIND {${term}} IN ALL FIELDS ${returning} LIMIT 10`));
      return found.searchRecords.map((r) => asContact(r as never));
    },

    async createContact({ name, phoneE164 }) {
      const parts = (name ?? '').trim().split(/\s+/).filter(Boolean);
      const lastName = parts.pop() ?? phoneE164;
      const created = await call(() =>
        conn.sobject('Contact').create({ LastName: lastName, ...(parts.length && { FirstName: parts.join(' ') }), MobilePhone: phoneE164 }),
      );
      if (!created.success) throw new CrmCallError(`Salesforce did not create the contact: ${JSON.stringify(created.errors)}`, { retryable: false });
      return { id: created.id };
    },

    async write(record: CrmRecordWrite) {
      if (record.kind === 'note') {
        let id = record.remoteId;
        if (!id && record.retry) {
          const existing = await call(async () =>
            conn
              .sobject('Note')
              .find({ ParentId: record.contactId, Title: noteTitle(record.key) }, ['Id'])
              .limit(1)
              .execute(),
          );
          id = (existing[0]?.Id as string | undefined) ?? null;
        }
        if (id) {
          await call(() => conn.sobject('Note').update({ Id: id!, Body: record.text }));
          return { remoteId: id };
        }
        const created = await onLiveRecord(record.contactId, (parent) =>
          call(() => conn.sobject('Note').create({ ParentId: parent, Title: noteTitle(record.key), Body: record.text })),
        );
        if (!created.success) throw new CrmCallError(`Salesforce did not create the note: ${JSON.stringify(created.errors)}`, { retryable: false });
        return { remoteId: created.id };
      }
      try {
        return await onLiveRecord(record.contactId, (whoId) => writeTask(record, whoId));
      } catch (err) {
        // The key field lost its field-level security after connecting (or was never granted).
        if (err instanceof CrmCallError && err.status === 404 && /external ID field does not exist or is not accessible|No such column/.test(err.message))
          throw new CrmCallError(err.message, { status: 403, retryable: false, setup: FLS_FIX });
        throw err;
      }
    },

    async checkAccess(): Promise<CrmCheckStep[]> {
      const field = await keyFieldAccess();
      const steps: CrmCheckStep[] = [
        field.writable
          ? { id: 'key-field', label: `Field Task.${SALESFORCE_KEY_FIELD} writable`, state: 'ok', detail: 'Switchboard can create and update it' }
          : {
              id: 'key-field',
              label: `Field Task.${SALESFORCE_KEY_FIELD} writable`,
              state: 'failed',
              detail: field.visible
                ? 'the field is visible but not editable for the connected user'
                : 'the field is missing, or the connected user has no access to it',
              fix: FLS_FIX,
            },
      ];
      try {
        steps.push({ id: 'closed-status', label: 'A closed Task status', state: 'ok', detail: `tasks are logged as “${await closedStatus()}”` });
      } catch (err) {
        if (!(err instanceof CrmCallError && err.setup)) throw err;
        steps.push({ id: 'closed-status', label: 'A closed Task status', state: 'failed', detail: err.message, fix: err.setup });
      }
      return steps;
    },

    async testWrite(contactId) {
      const id = (
        await this.write({
          kind: 'conversation',
          key: `check/${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`,
          remoteId: null,
          retry: false,
          contactId,
          at: new Date(),
          html: '',
          text: 'Switchboard connection check (deleted right away)',
        })
      ).remoteId;
      await call(() => conn.sobject('Task').destroy(id));
    },
  };
  return adapter;
}

/** The key as an External ID value: it goes in the upsert's URL path, where "/" would be a separator. */
const externalId = (key: string) => key.replaceAll('/', '_');
