import { describe, expect, it } from 'vitest';
import { PANEL_VISIBLE_MAX } from '@/lib/messaging/limits';
import { CONTENT_SCRIPT_REQUESTS, overlayPortRequest, panelPortRequest, requestSchemas } from '@/lib/messaging/schemas';

/** What the background accepts from CRM pages' content scripts (anything else is refused before a handler runs). */
describe('messages from content scripts', () => {
  it('only crm:open may come from a content script', () => {
    expect([...CONTENT_SCRIPT_REQUESTS]).toEqual(['overlay:open']);
  });

  it('crm:open takes one E.164 number and nothing else', () => {
    expect(requestSchemas['overlay:open'].safeParse({ phone: '+14155550134' }).success).toBe(true);
    for (const bad of [{ phone: '415 555 0134' }, { phone: '+0123' }, { phone: '<img src=x>' }, {}, null, 'x']) {
      expect(requestSchemas['overlay:open'].safeParse(bad).success).toBe(false);
    }
  });

  it('the CRM port accepts a bounded list of E.164 numbers only', () => {
    expect(overlayPortRequest.safeParse({ type: 'watch', phones: ['+14155550134', '+442079460958'] }).success).toBe(true);
    expect(overlayPortRequest.safeParse({ type: 'watch', phones: ['+14155550134', 'javascript:alert(1)'] }).success).toBe(false);
    expect(overlayPortRequest.safeParse({ type: 'watch', phones: Array.from({ length: 5001 }, () => '+14155550134') }).success).toBe(false);
    expect(overlayPortRequest.safeParse({ type: 'open', phones: [] }).success).toBe(false);
  });

  it('the side panel port says only which conversation ids the list shows, a bounded list', () => {
    const id = '0b6f1c9e-8f3a-4a1e-9c55-2f1d3e4a5b6c';
    expect(panelPortRequest.safeParse({ type: 'visible', conversationIds: [id] }).success).toBe(true);
    expect(panelPortRequest.safeParse({ type: 'visible', conversationIds: ['not an id'] }).success).toBe(false);
    expect(panelPortRequest.safeParse({ type: 'visible', conversationIds: Array.from({ length: PANEL_VISIBLE_MAX + 1 }, () => id) }).success).toBe(false);
    expect(panelPortRequest.safeParse({ type: 'snapshot', conversationIds: [] }).success).toBe(false);
  });

  it('sites are http(s) origins, normalised', () => {
    expect(requestSchemas['sites:enable'].parse({ origin: 'https://crm.example.com/path?x=1' })).toEqual({ origin: 'https://crm.example.com' });
    expect(requestSchemas['sites:enable'].safeParse({ origin: 'file:///etc/passwd' }).success).toBe(false);
    expect(requestSchemas['sites:enable'].safeParse({ origin: 'chrome://extensions' }).success).toBe(false);
  });
});

/** The background checks a reply with the server's own rules: what one refuses, the other does too. */
describe('replies: one schema for the extension and the server', async () => {
  const { replyRequest } = await import('@/lib/contract/schemas');
  const id = '00000000-0000-4000-8000-000000000001';
  const conversationId = '00000000-0000-4000-8000-000000000002';
  const template = { sid: `HX${'1'.repeat(32)}`, variables: { '1': 'Ana' } };
  const cases: Array<[string, Record<string, unknown>, boolean]> = [
    ['text', { body: 'Hello' }, true],
    ['a file by https URL', { mediaUrl: 'https://files.example.com/a.pdf' }, true],
    ['a template alone', { template }, true],
    ['a template with a body', { template, body: 'and text' }, false],
    ['a template with a file', { template, mediaUrl: 'https://files.example.com/a.pdf' }, false],
    ['nothing', {}, false],
    ['a file over http', { mediaUrl: 'http://files.example.com/a.pdf' }, false],
    ['a body over 4096 characters', { body: 'x'.repeat(4097) }, false],
    ['a malformed template sid', { template: { sid: 'HX1', variables: {} } }, false],
  ];
  it.each(cases)('%s', (_name, content, ok) => {
    expect(requestSchemas['composer:send'].safeParse({ conversationId, ...content }).success).toBe(ok);
    expect(replyRequest.safeParse({ id, ...content }).success).toBe(ok);
  });
});
