import type { CrmOperation } from './operations';

/**
 * Every call the Salesforce adapter makes (server/crm/salesforce.ts), with the OAuth scopes its
 * token needs and the answers handled. Salesforce publishes no OpenAPI file with `security`
 * sections, so this is transcribed from its reference pages (read for API v62.0, Winter '25):
 *
 * - REST API Developer Guide, "Status Codes and Error Responses" (200/201/204/300/400/401/403/404)
 *   and the resources used below (Resources by Version, Query, QueryAll, Search, SObject Basic
 *   Information, Describe, SObject Rows, SObject Rows by External ID: 201 created, 200 updated).
 * - "OAuth Tokens and Scopes" (Salesforce Help): `api` lets a token call REST API (Tooling API
 *   included); `refresh_token` (alias `offline_access`) is what makes the token endpoint issue a
 *   refresh token at all. A token without `api` is refused by every REST resource with 401
 *   INVALID_SESSION_ID "This session is not valid for use with the REST API" (seen in jsforce
 *   issue #1274 and PR #1301). Switchboard asks for exactly `api refresh_token`.
 * - Object Reference: Task (TaskSubtype: "This field isn't updateable", restricted picklist;
 *   Status: the org's picklist), TaskStatus (IsClosed), FieldPermissions ("To grant a user access
 *   to a field, associate a FieldPermissions record with a PermissionSet that's assigned to a
 *   user"; only on permission sets, not profiles; PermissionsEdit needs PermissionsRead),
 *   PermissionSet, PermissionSetAssignment (create needs "Assign Permission Sets"), Contact and
 *   Lead (MasterRecordId: the record kept when this one was merged away).
 * - Tooling API: CustomField create (a field so created has no field-level security for anyone
 *   until a permission set or profile grants it; until then the REST API answers it as absent:
 *   404 NOT_FOUND for an upsert by it, 400 INVALID_FIELD "No such column" in a body or a query).
 *
 * Scopes are the same for every data call (`api`); the table still names them so the stand-in
 * refuses a token without them as Salesforce does, and a test fails on any call not listed here.
 */
export const SALESFORCE_OPERATIONS: readonly CrmOperation[] = [
  { id: 'token', method: 'POST', path: '/services/oauth2/token', scopes: [], answers: [200, 400] },
  {
    id: 'resources by version (the identity URL: the connected user)',
    method: 'GET',
    path: '/services/data/v{version}',
    scopes: [['api']],
    answers: [200, 401],
  },
  { id: 'SOSL search', method: 'GET', path: '/services/data/v{version}/search', scopes: [['api']], answers: [200, 400, 401, 403] },
  { id: 'SOQL query', method: 'GET', path: '/services/data/v{version}/query', scopes: [['api']], answers: [200, 400, 401, 403] },
  {
    id: 'SOQL query with deleted and merged records',
    method: 'GET',
    path: '/services/data/v{version}/queryAll',
    scopes: [['api']],
    answers: [200, 400, 401, 403],
  },
  { id: 'describe an sObject', method: 'GET', path: '/services/data/v{version}/sobjects/{sObject}/describe', scopes: [['api']], answers: [200, 401, 404] },
  { id: 'create a record', method: 'POST', path: '/services/data/v{version}/sobjects/{sObject}', scopes: [['api']], answers: [201, 400, 401, 403] },
  { id: 'retrieve a record', method: 'GET', path: '/services/data/v{version}/sobjects/{sObject}/{id}', scopes: [['api']], answers: [200, 401, 404] },
  { id: 'update a record', method: 'PATCH', path: '/services/data/v{version}/sobjects/{sObject}/{id}', scopes: [['api']], answers: [204, 400, 401, 404] },
  { id: 'delete a record', method: 'DELETE', path: '/services/data/v{version}/sobjects/{sObject}/{id}', scopes: [['api']], answers: [204, 401, 404] },
  {
    id: 'upsert by an External ID field',
    method: 'PATCH',
    path: '/services/data/v{version}/sobjects/{sObject}/{field}/{value}',
    scopes: [['api']],
    answers: [200, 201, 300, 400, 401, 404],
  },
  {
    id: 'Tooling API: create a CustomField',
    method: 'POST',
    path: '/services/data/v{version}/tooling/sobjects/{sObject}',
    scopes: [['api']],
    answers: [201, 400, 401],
  },
];

/** The scopes Switchboard asks for when an admin connects Salesforce: every scope of the table, plus the refresh token. */
export const SALESFORCE_SCOPES = ['api', 'refresh_token'] as const;
