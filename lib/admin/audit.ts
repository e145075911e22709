import type { AuditEntry } from '../contract/api';

/**
 * An audit entry as a sentence after its actor's name ("Ana invited bo@acme.test as agent").
 * Detail values are the server's strings, shown as text. An action this build does not know yet
 * (a newer server) still shows, with its detail as given.
 */
export function auditSentence(entry: Pick<AuditEntry, 'action' | 'detail'>): string {
  const d = entry.detail as Record<string, string | number | undefined>;
  const role = (r: unknown) => (r === 'admin' ? 'an admin' : r === 'lead' ? 'a lead' : 'an agent');
  switch (entry.action) {
    case 'invite.created':
      return `invited ${d.email} as ${role(d.role)}`;
    case 'invite.revoked':
      return d.reason ? `ended the invitation of ${d.email} (${d.reason})` : `revoked the invitation of ${d.email}`;
    case 'invite.refused':
      return `refused the invitation of ${d.email}: ${d.reason === 'used' ? 'it was already used' : d.reason === 'expired' ? 'it had expired' : d.reason}`;
    case 'invite.accepted':
      return `joined as ${role(d.role)} (${d.email})`;
    case 'agent.role_changed':
      return `made ${d.agent} ${role(d.role)}`;
    case 'agent.removed':
      return `removed ${d.agent} from the team`;
    case 'canned_reply.saved':
      return `saved the canned reply /${d.shortcut}`;
    case 'canned_reply.deleted':
      return `deleted the canned reply /${d.shortcut}`;
    case 'channel.created': {
      const n = Number(d.messages ?? 0);
      return `set up ${d.number} as the channel “${d.name}”${n ? ` (${n === 1 ? '1 waiting message' : `${n} waiting messages`} moved to the inbox)` : ''}`;
    }
    case 'crm.connected':
      return `connected ${d.vendor}${d.account ? ` (account ${d.account})` : ''}: conversations are logged there`;
    case 'crm.connect_refused':
      return `started connecting ${d.vendor}, but it was refused (${d.reason}): nothing was changed`;
    case 'crm.log_mode':
      return d.logMode === 'message' ? 'set the CRM to log each message as its own record' : 'set the CRM to log one record per conversation per 24 hours';
    case 'crm.record_linked':
      return `linked ${d.customer} to the ${d.vendor} record “${d.record}”: their conversations are logged there`;
    case 'crm.contact_created':
      return `created a ${d.vendor} contact for ${d.customer}`;
    case 'crm.checked':
      return d.ok ? 'checked the CRM connection: every step passed' : `checked the CRM connection: ${d.failed} failed`;
    case 'crm.disconnected':
      return `disconnected the CRM (${d.vendor === 'hubspot' ? 'HubSpot' : d.vendor})`; // older entries name the vendor by its id
    default:
      return `${entry.action.replace(/[._]/g, ' ')} ${Object.entries(d)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ')}`.trim();
  }
}
