import { HUBSPOT_APP_ORIGINS, ZOHO_DATA_CENTRE_IDS, ZOHO_DATA_CENTRES } from '../../lib/contract/crm-places';
import { describe, expect, it } from 'vitest';
import { badgesFor, conversationsByPhone } from '@/lib/overlay/badge-info';
import { findPhones, phoneFromHref } from '@/lib/overlay/phones';
import { matchesPattern, siteFor } from '@/lib/overlay/sites';
import { emptyCollab } from '@/lib/collab/state';
import { emptyInbox, type InboxState } from '@/lib/inbox/state';
import type { AgentConversationView } from '@/lib/contract/models';
import { conversation as viewOf } from '../support/views';

describe('finding phone numbers in text', () => {
  it.each([
    ['+1 (555) 123-4567', 'US', '+15551234567'],
    ['555.123.4567', 'US', '+15551234567'],
    ['+44 20 7946 0958', 'US', '+442079460958'],
    ['0049 30 123456', 'US', '+4930123456'],
    ['030 123456', 'DE', '+4930123456'],
    ['(415) 555-2671', 'US', '+14155552671'],
    ['020 7946 0958', 'GB', '+442079460958'],
  ] as const)('reads %s (default country %s)', (text, country, phone) => {
    expect(findPhones(text, country)).toEqual([{ phone, start: 0, end: text.length }]);
  });

  it('gives the exact span of each number in running text', () => {
    const text = 'Tel: (415) 555-2671, mobile +44 7700 900123.';
    expect(findPhones(text, 'US')).toEqual([
      { phone: '+14155552671', start: 5, end: 19 },
      { phone: '+447700900123', start: 28, end: 43 },
    ]);
  });

  it.each([
    '2026-11-25 12:30',
    'on 25.11.2026 at 10:00',
    'Order #4411',
    'Invoice 1234567890',
    '192.168.1.100',
    '1,234,567.89',
    'v1.13.16',
    'Zip 94107-1234',
    '00123456789',
  ])('takes %s for no phone number', (text) => {
    expect(findPhones(text, 'US')).toEqual([]);
  });

  it('reads tel:, wa.me and WhatsApp click-to-chat links', () => {
    expect(phoneFromHref('tel:+442079460958', 'US')).toBe('+442079460958');
    expect(phoneFromHref('tel:415-555-2671', 'US')).toBe('+14155552671');
    expect(phoneFromHref('https://wa.me/33142685300?text=hi', 'US')).toBe('+33142685300');
    expect(phoneFromHref('https://api.whatsapp.com/send?phone=14155550134', 'US')).toBe('+14155550134');
    expect(phoneFromHref('https://example.com/14155550134', 'US')).toBeNull();
    expect(phoneFromHref('not a url', 'US')).toBeNull();
  });
});

describe('sites', () => {
  it('matches CRM pages as Chrome match patterns do (ports ignored)', () => {
    expect(matchesPattern(new URL('https://acme.lightning.force.com/lightning/r/1'), 'https://*.lightning.force.com/*')).toBe(true);
    expect(matchesPattern(new URL('https://lightning.force.com.evil.test/'), 'https://*.lightning.force.com/*')).toBe(false);
    expect(matchesPattern(new URL('http://127.0.0.1:3000/demo/crm'), 'http://127.0.0.1/demo/*')).toBe(true);
    expect(matchesPattern(new URL('http://127.0.0.1:3000/api/me'), 'http://127.0.0.1/demo/*')).toBe(false);
  });

  it('knows the built-in CRMs and treats other pages as enabled custom sites', () => {
    expect(siteFor(new URL('https://app.hubspot.com/contacts/1')).id).toBe('hubspot');
    expect(siteFor(new URL('https://crm.zoho.eu/crm/org1')).id).toBe('zoho');
    expect(siteFor(new URL('https://crm.internal.test/x'))).toMatchObject({ id: 'custom', name: 'https://crm.internal.test' });
  });

  it('puts badges on every data centre write-back connects: all eight Zoho web apps, every HubSpot app host', () => {
    for (const dc of ZOHO_DATA_CENTRE_IDS) expect(siteFor(new URL(`${ZOHO_DATA_CENTRES[dc].web}/crm/org1/tab/Contacts/1`)).id).toBe('zoho');
    expect(siteFor(new URL('https://crm.zohocloud.ca/crm/org1')).id).toBe('zoho');
    expect(siteFor(new URL('https://crm.zoho.sa/crm/org1')).id).toBe('zoho');
    for (const origin of HUBSPOT_APP_ORIGINS) expect(siteFor(new URL(`${origin}/contacts/1/record/0-1/2`)).id).toBe('hubspot');
    expect(siteFor(new URL('https://app-ap1.hubspot.com/contacts/1')).id).toBe('hubspot');
    expect(siteFor(new URL('https://acme.develop.lightning.force.com/lightning/r/Contact/1/view')).id).toBe('salesforce');
    // Look-alikes are not the CRM.
    expect(siteFor(new URL('https://crm.zoho.sa.evil.test/')).id).toBe('custom');
    expect(siteFor(new URL('https://www.hubspot.com/pricing')).id).toBe('custom');
  });
});

describe('badge data', () => {
  const conversation = (id: string, phone: string, over: Partial<AgentConversationView> = {}): AgentConversationView =>
    viewOf(id, {
      contact: { id: `ct-${id}`, phone, profileName: 'Maria' },
      lastMessagePreview: 'Hi',
      lastInboundAt: '2026-11-25T10:00:00.000Z',
      inboundCount: 3,
      readInboundCount: 1,
      readVersion: 1,
      unreadCount: 2,
      ...over,
    });

  it('sums unread over a number’s conversations, shows the latest, and lists colleagues typing but not me', () => {
    const inbox: InboxState = {
      ...emptyInbox(),
      conversations: {
        a: conversation('a', '+14155550134'),
        b: conversation('b', '+14155550134', { lastMessageAt: '2026-11-25T11:00:00.000Z', lastMessagePreview: 'Newer', unreadCount: 1 }),
      },
    };
    const now = 1_000_000;
    const collab = {
      ...emptyCollab(),
      typing: {
        a: [
          { agentId: 'bob', displayName: 'Bob', until: now + 1000 },
          { agentId: 'me', displayName: 'Me', until: now + 1000 },
        ],
        b: [{ agentId: 'carol', displayName: 'Carol', until: now - 1 }],
      },
      viewing: {
        b: [
          { agentId: 'carol', displayName: 'Carol' },
          { agentId: 'me', displayName: 'Me' },
        ],
      },
    };
    const badges = badgesFor(['+14155550134', '+33142685300'], conversationsByPhone(inbox), collab, 'me', now, new Map([['bob', 'Bob']]));
    expect(badges['+14155550134']).toEqual({
      conversationId: 'b',
      name: 'Maria',
      unread: 3,
      typing: ['Bob'],
      viewing: ['Carol'],
      lastMessage: 'Newer',
      assignee: null,
    });
    expect(badges['+33142685300']).toEqual({ conversationId: null, name: null, unread: 0, typing: [], viewing: [], lastMessage: null, assignee: null });
    // Who has it: you, a colleague by name, or one the team list does not know yet.
    const assigned = (assigneeId: string) =>
      badgesFor(
        ['+14155550134'],
        conversationsByPhone({ ...inbox, conversations: { b: { ...inbox.conversations.b!, assigneeId } } }),
        collab,
        'me',
        now,
        new Map([['bob', 'Bob']]),
      )['+14155550134']!.assignee;
    expect([assigned('me'), assigned('bob'), assigned('zed')]).toEqual([{ me: true }, { me: false, name: 'Bob' }, { me: false, name: null }]);
  });
});
