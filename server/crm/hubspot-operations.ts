import type { CrmOperation } from './operations';

/**
 * Every HubSpot operation Switchboard calls, with the scopes its `security` section names and the
 * answers we handle (docs/crm.md, "HubSpot operations"). Transcribed, not copied, from HubSpot's
 * public API spec collection (github.com/HubSpot/HubSpot-public-api-spec-collection, commit
 * 99893791383), `PublicApiSpecs/…`:
 * - `CRM/Contacts/Rollouts/424/v3/contacts.json` (Contacts v3),
 * - `CRM/Communications/Rollouts/424/v3/communications.json`, `CRM/Notes/Rollouts/424/v3/notes.json` (v3),
 * - `CRM/Properties/Rollouts/145899/v3/properties.json` (Properties v3),
 * - `CRM/Associations/Rollouts/130902/v4/associations.json` (Associations v4),
 * - `Auth/Oauth/Rollouts/155908/v1/oauth.json` (OAuth v1: the token endpoint; the access-token
 *   info endpoint is marked deprecated there, and the token answer carries `hub_id` and `scopes`).
 *
 * A group of scopes is met by any one of them. Where HubSpot's description lists many
 * alternatives (the properties and associations operations accept any of 26 to 100 scopes of
 * every object type), the group holds those that concern contacts and their activities: the
 * ones an app like ours can hold; the stand-in is never looser than HubSpot for such an app.
 * The description names no `crm.schemas.notes.write` or `crm.schemas.communications.write`: of the
 * alternatives for creating a property, `crm.schemas.contacts.write` is the one we request (every
 * HubSpot tier has it, and it also covers the contact property we create).
 */
export const HUBSPOT_OPERATIONS: readonly CrmOperation[] = [
  { id: 'token', method: 'POST', path: '/oauth/v1/token', scopes: [], answers: [200, 400] },
  // Deprecated in oauth.json v1; Check connection reads the granted scopes with it (the official client has no v3 introspection).
  { id: 'access token info', method: 'GET', path: '/oauth/v1/access-tokens/{token}', scopes: [], answers: [200, 404] },
  {
    id: 'property groups',
    method: 'GET',
    path: '/crm/v3/properties/{objectType}/groups',
    scopes: [['crm.objects.contacts.read', 'crm.objects.contacts.write', 'crm.schemas.contacts.read', 'crm.objects.notes.read', 'crm.schemas.notes.read']],
    answers: [200],
  },
  {
    id: 'create property',
    method: 'POST',
    path: '/crm/v3/properties/{objectType}',
    scopes: [['crm.schemas.contacts.write', 'crm.schemas.custom.write']],
    answers: [201, 409],
  },
  { id: 'search contacts', method: 'POST', path: '/crm/v3/objects/contacts/search', scopes: [['crm.objects.contacts.read']], answers: [200] },
  // Also by a unique property (`idProperty`): a read by id, not a search, so a contact just made is there at once.
  { id: 'read contact', method: 'GET', path: '/crm/v3/objects/contacts/{contactId}', scopes: [['crm.objects.contacts.read']], answers: [200, 404] },
  { id: 'create contact', method: 'POST', path: '/crm/v3/objects/contacts', scopes: [['crm.objects.contacts.write']], answers: [201, 409] },
  {
    id: 'upsert communications',
    method: 'POST',
    path: '/crm/v3/objects/communications/batch/upsert',
    scopes: [['crm.objects.contacts.write']],
    answers: [200, 207],
  },
  { id: 'upsert notes', method: 'POST', path: '/crm/v3/objects/notes/batch/upsert', scopes: [['crm.objects.contacts.write']], answers: [200, 207] },
  {
    id: 'delete communication',
    method: 'DELETE',
    path: '/crm/v3/objects/communications/{communicationId}',
    scopes: [['crm.objects.contacts.write']],
    answers: [204],
  },
  {
    id: 'associate (default)',
    method: 'PUT',
    path: '/crm/v4/objects/{fromObjectType}/{fromObjectId}/associations/default/{toObjectType}/{toObjectId}',
    scopes: [['crm.objects.contacts.write', 'crm.objects.contacts.read', 'crm.objects.notes.read', 'oauth']],
    answers: [200, 404],
  },
];

/**
 * The scopes the authorize URL asks for (all required: without any of them a write fails on a
 * real portal): the one of each group above we rely on.
 */
export const HUBSPOT_SCOPES = ['crm.objects.contacts.read', 'crm.objects.contacts.write', 'crm.schemas.contacts.write'] as const;

/** Scopes asked for as `optional_scope` (granted when the portal's tier has them); none today. */
export const HUBSPOT_OPTIONAL_SCOPES: readonly string[] = [];

/** Operations called by the OAuth code only (with the app's credentials, not a portal's token). */
export const HUBSPOT_OAUTH_OPERATIONS = new Set(['token', 'access token info']);

/** What each scope is for, in words an admin reads next to HubSpot's own consent screen. */
export const HUBSPOT_SCOPE_PURPOSE: Record<(typeof HUBSPOT_SCOPES)[number], string> = {
  'crm.objects.contacts.read': 'find the contact of a customer',
  'crm.objects.contacts.write': 'log conversations and notes on contacts, and create contacts',
  'crm.schemas.contacts.write': 'create the Switchboard key properties on communications, notes and contacts',
};
