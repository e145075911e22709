import { describe, expect, it } from 'vitest';
import { auditSentence } from '@/lib/admin/audit';
import { createI18n } from '@/lib/i18n';

const t = createI18n('en').getFixedT('en', 'admin');
const say = (entry: Parameters<typeof auditSentence>[0]) => auditSentence(entry, t);

describe('audit sentences', () => {
  it('says what each admin action did', () => {
    expect(say({ action: 'invite.created', detail: { email: 'bo@acme.test', role: 'agent' } })).toBe('invited bo@acme.test as an agent');
    expect(say({ action: 'invite.revoked', detail: { email: 'bo@acme.test' } })).toBe('revoked the invitation of bo@acme.test');
    expect(say({ action: 'invite.revoked', detail: { email: 'bo@acme.test', reason: 'Ana was removed' } })).toBe(
      'ended the invitation of bo@acme.test (Ana was removed)',
    );
    expect(say({ action: 'invite.refused', detail: { email: 'bo@acme.test', reason: 'used' } })).toBe(
      'refused the invitation of bo@acme.test: it was already used',
    );
    expect(say({ action: 'crm.checked', detail: { ok: false, failed: 'Scopes granted' } })).toBe('checked the CRM connection: Scopes granted failed');
    expect(say({ action: 'invite.accepted', detail: { email: 'bo@acme.test', role: 'admin' } })).toBe('joined as an admin (bo@acme.test)');
    expect(say({ action: 'agent.role_changed', detail: { agent: 'Bo', role: 'admin' } })).toBe('made Bo an admin');
    expect(say({ action: 'agent.removed', detail: { agent: 'Bo' } })).toBe('removed Bo from the team');
    expect(say({ action: 'canned_reply.saved', detail: { shortcut: 'hi' } })).toBe('saved the canned reply /hi');
    expect(say({ action: 'canned_reply.deleted', detail: { shortcut: 'hi' } })).toBe('deleted the canned reply /hi');
    expect(say({ action: 'channel.created', detail: { name: 'Sales', number: '+14155550100', messages: 3 } })).toBe(
      'set up +14155550100 as the channel “Sales” (3 waiting messages moved to the inbox)',
    );
    expect(say({ action: 'channel.created', detail: { name: 'Sales', number: '+14155550100', messages: 1 } })).toBe(
      'set up +14155550100 as the channel “Sales” (1 waiting message moved to the inbox)',
    );
    expect(say({ action: 'crm.connected', detail: { vendor: 'HubSpot', account: '4000001' } })).toBe(
      'connected HubSpot (account 4000001): conversations are logged there',
    );
    expect(say({ action: 'crm.connect_refused', detail: { vendor: 'HubSpot', reason: 'no longer an admin' } })).toBe(
      'started connecting HubSpot, but it was refused (no longer an admin): nothing was changed',
    );
    expect(say({ action: 'crm.disconnected', detail: { vendor: 'hubspot' } })).toBe('disconnected the CRM (HubSpot)');
    expect(say({ action: 'crm.log_mode', detail: { logMode: 'message' } })).toBe('set the CRM to log each message as its own record');
    expect(say({ action: 'crm.record_linked', detail: { vendor: 'HubSpot', customer: '+14155550100', record: '1042' } })).toBe(
      'linked +14155550100 to the HubSpot record “1042”: their conversations are logged there',
    );
    expect(say({ action: 'crm.contact_created', detail: { vendor: 'HubSpot', customer: '+14155550100' } })).toBe('created a HubSpot contact for +14155550100');
  });

  it('shows an action it does not know with its detail', () => {
    expect(say({ action: 'billing.plan_changed', detail: { plan: 'team' } })).toBe('billing plan changed plan: team');
  });
});
