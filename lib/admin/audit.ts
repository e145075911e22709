import type { TFunction } from 'i18next';
import type { AuditEntry } from '../contract/api';

/**
 * An audit entry as a sentence after its actor's name ("Ana invited bo@acme.test as an agent"), in
 * the language of `t` (the `admin` namespace). Detail values are the server's strings (names,
 * numbers, a refusal's reason, a failed step's label), shown as text. An action this build does not
 * know yet (a newer server) still shows, with its detail as given.
 */
export function auditSentence(entry: Pick<AuditEntry, 'action' | 'detail'>, t: TFunction<'admin'>): string {
  const d = entry.detail as Record<string, string | number | undefined>;
  const as = d.role === 'admin' ? 'admin' : d.role === 'lead' ? 'lead' : 'agent';
  switch (entry.action) {
    case 'invite.created':
      return t(`audit.invite.created.${as}`, { email: d.email });
    case 'invite.revoked':
      return d.reason ? t('audit.invite.ended', { email: d.email, reason: d.reason }) : t('audit.invite.revoked', { email: d.email });
    case 'invite.refused':
      if (d.reason === 'used') return t('audit.invite.refusedUsed', { email: d.email });
      if (d.reason === 'expired') return t('audit.invite.refusedExpired', { email: d.email });
      return t('audit.invite.refused', { email: d.email, reason: d.reason });
    case 'invite.accepted':
      return t(`audit.invite.accepted.${as}`, { email: d.email });
    case 'agent.role_changed':
      return t(`audit.agent.made.${as}`, { agent: d.agent });
    case 'agent.removed':
      return t('audit.agent.removed', { agent: d.agent });
    case 'canned_reply.saved':
      return t('audit.canned.saved', { shortcut: d.shortcut });
    case 'canned_reply.deleted':
      return t('audit.canned.deleted', { shortcut: d.shortcut });
    case 'channel.created': {
      const count = Number(d.messages ?? 0);
      const channel = { number: d.number, name: d.name };
      return count ? t('audit.channel.createdMoved', { ...channel, count }) : t('audit.channel.created', channel);
    }
    case 'crm.connected':
      return d.account ? t('audit.crm.connectedAccount', { vendor: d.vendor, account: d.account }) : t('audit.crm.connected', { vendor: d.vendor });
    case 'crm.connect_refused':
      return t('audit.crm.connectRefused', { vendor: d.vendor, reason: d.reason });
    case 'crm.log_mode':
      return d.logMode === 'message' ? t('audit.crm.logMessage') : t('audit.crm.logWindow');
    case 'crm.record_linked':
      return t('audit.crm.recordLinked', { customer: d.customer, vendor: d.vendor, record: d.record });
    case 'crm.contact_created':
      return t('audit.crm.contactCreated', { vendor: d.vendor, customer: d.customer });
    case 'crm.checked':
      return d.ok ? t('audit.crm.checkPassed') : t('audit.crm.checkFailed', { failed: d.failed });
    case 'crm.disconnected':
      // Older entries name the vendor by its id.
      return t('audit.crm.disconnected', { vendor: d.vendor === 'hubspot' ? 'HubSpot' : d.vendor });
    default:
      return `${entry.action.replace(/[._]/g, ' ')} ${Object.entries(d)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ')}`.trim();
  }
}
