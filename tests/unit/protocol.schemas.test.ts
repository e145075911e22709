import { describe, expect, it } from 'vitest';
import { CONTENT_SCRIPT_REQUESTS, crmPortRequest, requestSchemas } from '@/lib/messaging/schemas';

/** What the background accepts from CRM pages' content scripts (anything else is refused before a handler runs). */
describe('messages from content scripts', () => {
  it('only crm:open may come from a content script', () => {
    expect([...CONTENT_SCRIPT_REQUESTS]).toEqual(['crm:open']);
  });

  it('crm:open takes one E.164 number and nothing else', () => {
    expect(requestSchemas['crm:open'].safeParse({ phone: '+14155550134' }).success).toBe(true);
    for (const bad of [{ phone: '415 555 0134' }, { phone: '+0123' }, { phone: '<img src=x>' }, {}, null, 'x']) {
      expect(requestSchemas['crm:open'].safeParse(bad).success).toBe(false);
    }
  });

  it('the CRM port accepts a bounded list of E.164 numbers only', () => {
    expect(crmPortRequest.safeParse({ type: 'watch', phones: ['+14155550134', '+442079460958'] }).success).toBe(true);
    expect(crmPortRequest.safeParse({ type: 'watch', phones: ['+14155550134', 'javascript:alert(1)'] }).success).toBe(false);
    expect(crmPortRequest.safeParse({ type: 'watch', phones: Array.from({ length: 5001 }, () => '+14155550134') }).success).toBe(false);
    expect(crmPortRequest.safeParse({ type: 'open', phones: [] }).success).toBe(false);
  });

  it('sites are http(s) origins, normalised', () => {
    expect(requestSchemas['sites:enable'].parse({ origin: 'https://crm.example.com/path?x=1' })).toEqual({ origin: 'https://crm.example.com' });
    expect(requestSchemas['sites:enable'].safeParse({ origin: 'file:///etc/passwd' }).success).toBe(false);
    expect(requestSchemas['sites:enable'].safeParse({ origin: 'chrome://extensions' }).success).toBe(false);
  });
});
