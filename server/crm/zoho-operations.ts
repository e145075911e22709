import type { CrmOperation } from './operations';

/**
 * Every Zoho CRM API v8 operation Switchboard calls, with the scopes a token needs (docs/crm.md,
 * "Zoho CRM operations"). Sources: Zoho's `crm-oas` (github.com/zoho/crm-oas, v8.0, commit
 * 45dff2c of 2025-06-27): `notes.json` (security: ZohoCRM.modules.ALL or ZohoCRM.modules.notes.ALL),
 * `record.json` and `related_records.json` (ZohoCRM.modules.ALL), `module_search.json`; and Zoho's
 * v8 "Search Records" page, which requires `ZohoCRM.modules.{module}.{ALL|READ}` *and*
 * `ZohoSearch.securesearch.READ` (the OAS's search operation names no such scope: its `security`
 * there says ZohoCRM.users.*, a copy of another file's, so the page is followed). Zoho's module
 * scopes come as `ZohoCRM.modules.{module}.{ALL|READ|CREATE|UPDATE|DELETE}`, or ZohoCRM.modules.ALL
 * for every module.
 *
 * The first scope of each group is the one Switchboard asks for at consent (`ZOHO_SCOPES`): the
 * narrowest that covers the operation.
 */
const any = (module: string, op: 'READ' | 'CREATE') => [`ZohoCRM.modules.${module}.${op}`, `ZohoCRM.modules.${module}.ALL`, 'ZohoCRM.modules.ALL'];
const notes = ['ZohoCRM.modules.notes.ALL', 'ZohoCRM.modules.ALL'];
const search = ['ZohoSearch.securesearch.READ'];

export const ZOHO_OPERATIONS: readonly CrmOperation[] = [
  // Search before "get a record": /{module}/search would match /{module}/{id} too.
  { id: 'search contacts', method: 'GET', path: '/crm/v8/Contacts/search', scopes: [any('contacts', 'READ'), search], answers: [200, 204, 400, 401] },
  { id: 'search leads', method: 'GET', path: '/crm/v8/Leads/search', scopes: [any('leads', 'READ'), search], answers: [200, 204, 400, 401] },
  { id: "a contact's notes", method: 'GET', path: '/crm/v8/Contacts/{id}/Notes', scopes: [any('contacts', 'READ'), notes], answers: [200, 204, 401] },
  { id: "a lead's notes", method: 'GET', path: '/crm/v8/Leads/{id}/Notes', scopes: [any('leads', 'READ'), notes], answers: [200, 204, 401] },
  { id: 'get a contact', method: 'GET', path: '/crm/v8/Contacts/{id}', scopes: [any('contacts', 'READ')], answers: [200, 204, 400, 401, 404] },
  { id: 'get a lead', method: 'GET', path: '/crm/v8/Leads/{id}', scopes: [any('leads', 'READ')], answers: [200, 204, 400, 401, 404] },
  { id: 'create a contact', method: 'POST', path: '/crm/v8/Contacts', scopes: [any('contacts', 'CREATE')], answers: [200, 201, 400, 401] },
  { id: 'create a note', method: 'POST', path: '/crm/v8/Notes', scopes: [notes], answers: [200, 201, 202, 400, 401] },
  { id: 'update a note', method: 'PUT', path: '/crm/v8/Notes/{id}', scopes: [notes], answers: [200, 400, 401] },
  { id: 'delete a note', method: 'DELETE', path: '/crm/v8/Notes/{id}', scopes: [notes], answers: [200, 400, 401] },
];

/** What Switchboard asks for at Zoho's consent: the first scope of every operation's every group. */
export const ZOHO_SCOPES: readonly string[] = [...new Set(ZOHO_OPERATIONS.flatMap((op) => op.scopes.map((group) => group[0]!)))];
