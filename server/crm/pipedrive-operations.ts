import type { CrmOperation } from './operations';

/**
 * Every Pipedrive API operation Switchboard calls, with the OAuth scopes a token needs (docs/crm.md,
 * "Pipedrive operations"). Source: Pipedrive's official client, generated from its OpenAPI
 * description (github.com/pipedrive/client-nodejs v32.2.1, `src/versions/v2/api/persons-api.ts`
 * and `src/versions/v1/api/notes-api.ts`: each operation's `setOAuthToObject(…, "oauth2", [scopes])`;
 * the installed `pipedrive` 33.7.0 carries the same). Pipedrive lists alternatives there (persons
 * search "with a narrower OAuth scope": search:read), so each operation is one group, any of it.
 * An app's scopes are set in Pipedrive's Marketplace Manager, not asked for at consent; a token
 * without one is answered 403 `{"success":false,"error":"Scope and URL mismatch"}` (Pipedrive's
 * OAuth FAQ).
 */
export const PIPEDRIVE_OPERATIONS: readonly CrmOperation[] = [
  // Search before "get a person": /persons/search would match /persons/{id} too.
  {
    id: 'search persons',
    method: 'GET',
    path: '/api/v2/persons/search',
    scopes: [['contacts:read', 'contacts:full', 'search:read']],
    answers: [200, 400, 401, 403, 429],
  },
  { id: 'get a person', method: 'GET', path: '/api/v2/persons/{id}', scopes: [['contacts:read', 'contacts:full']], answers: [200, 401, 403, 404, 410, 429] },
  { id: 'add a person', method: 'POST', path: '/api/v2/persons', scopes: [['contacts:full']], answers: [200, 400, 401, 403, 429] },
  {
    id: "a person's notes",
    method: 'GET',
    path: '/api/v1/notes',
    scopes: [['deals:read', 'deals:full', 'contacts:read', 'contacts:full']],
    answers: [200, 401, 403, 429],
  },
  { id: 'add a note', method: 'POST', path: '/api/v1/notes', scopes: [['deals:full', 'contacts:full']], answers: [200, 201, 400, 401, 403, 429] },
  { id: 'update a note', method: 'PUT', path: '/api/v1/notes/{id}', scopes: [['deals:full', 'contacts:full']], answers: [200, 401, 403, 404, 429] },
  { id: 'delete a note', method: 'DELETE', path: '/api/v1/notes/{id}', scopes: [['deals:full', 'contacts:full']], answers: [200, 401, 403, 404, 429] },
];

/** The scopes the Switchboard app needs in Marketplace Manager: one per operation group (contacts:full covers all). */
export const PIPEDRIVE_SCOPES: readonly string[] = ['contacts:full'];
