import type { Current, Handlers } from './types';

/** The customer's CRM record in the thread header, and the two ways to give a customer one: link or create. */
export function crmRecordHandlers(current: Current<'api'>) {
  return {
    'crm:record': async ({ conversationId }) => (await current()).api.crmRecord(conversationId),
    'crm:search': async ({ conversationId, query }) => (await current()).api.crmSearch(conversationId, query),
    'crm:link': async ({ conversationId, recordId }) => (await current()).api.crmLink(conversationId, recordId),
    'crm:createContact': async ({ conversationId }) => (await current()).api.crmCreateContact(conversationId),
  } satisfies Partial<Handlers>;
}
