import { afterEach, describe, expect, it, vi } from 'vitest';
import { browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { badgeNotice, touchesPages, type SentBadges } from '../../lib/background/overlay-pages';
import type { BadgeInfo } from '../../lib/overlay/badge-info';
import { overlayPortRequest } from '../../lib/messaging/schemas';
import { connectToBackground } from '../../lib/overlay/connection';
import type { InboxPatch } from '../../lib/inbox/state';
import { conversation } from '../support/views';

const patch = (over: Partial<InboxPatch>): InboxPatch => ({
  seq: 1,
  cursor: null,
  conversations: {},
  removedConversations: [],
  messages: {},
  threads: {},
  removedThreads: [],
  ...over,
});
const withPhone = (id: string, phone: string) => {
  const c = conversation(id);
  return { ...c, contact: { ...c.contact, phone } };
};

/** CRM pages are redrawn only for what they show: most messages are for customers on no open page. */
describe('Which inbox changes reach the CRM pages', () => {
  const phones = new Set(['+14155550134']);
  const behind = new Set(['c-on-page']);

  it('a change to a conversation of a number on a page does; one of another number does not', () => {
    expect(touchesPages(patch({ conversations: { a: withPhone('a', '+14155550134') } }), phones, behind)).toBe(true);
    expect(touchesPages(patch({ conversations: { b: withPhone('b', '+14155550199') } }), phones, behind)).toBe(false);
  });

  it('a conversation behind a badge changing or leaving does; messages alone do not', () => {
    expect(touchesPages(patch({ conversations: { 'c-on-page': withPhone('c-on-page', '+440000') } }), phones, behind)).toBe(true);
    expect(touchesPages(patch({ removedConversations: ['c-on-page'] }), phones, behind)).toBe(true);
    expect(touchesPages(patch({ removedConversations: ['elsewhere'] }), phones, behind)).toBe(false);
    expect(touchesPages(patch({ messages: { 'c-on-page': [] } }), phones, behind)).toBe(false);
  });
});

/** A CRM page decides how many numbers its content script finds: the port carries a bounded list. */
const badge = (unread: number): BadgeInfo => ({
  conversationId: 'c1',
  name: 'Zoë',
  unread,
  typing: [],
  viewing: [],
  lastMessage: 'hi',
  assignee: null,
});

/** A message changes one badge of a page: the page is sent that one, not all of them (issue 34). */
describe('What a CRM page is sent', () => {
  const page = (): SentBadges => ({ signedIn: null, badges: null });
  const two = { '+14155550134': badge(1), '+442079460958': badge(0) };

  it('every badge first, then only the badges that changed, and nothing when none did', () => {
    const sent = page();
    expect(badgeNotice(sent, true, two)).toEqual({ type: 'badges', signedIn: true, badges: two, complete: true });
    expect(badgeNotice(sent, true, { ...two, '+14155550134': badge(2) })).toEqual({
      type: 'badges',
      signedIn: true,
      badges: { '+14155550134': badge(2) },
      complete: false,
    });
    expect(badgeNotice(sent, true, { ...two, '+14155550134': badge(2) })).toBeNull();
  });

  it('every badge again after signing out or in, and when the page reported other numbers', () => {
    const sent = page();
    badgeNotice(sent, true, two);
    expect(badgeNotice(sent, false, {})).toEqual({ type: 'badges', signedIn: false, badges: {}, complete: true });
    expect(badgeNotice(sent, true, two)).toMatchObject({ badges: two, complete: true });
    sent.badges = null; // what the worker does when a page reports its numbers
    expect(badgeNotice(sent, true, two)).toMatchObject({ badges: two, complete: true });
  });
});

describe('What a CRM page’s content script reports over its port', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    fakeBrowser.reset();
  });

  it('a page showing 100,000 numbers reports the first 5000, a list the worker takes (not one it ignores whole)', () => {
    const sent: unknown[] = [];
    const port = { postMessage: (m: unknown) => sent.push(m), onMessage: { addListener() {} }, onDisconnect: { addListener() {} }, disconnect() {} };
    vi.spyOn(browser.runtime, 'connect').mockReturnValue(port as unknown as ReturnType<typeof browser.runtime.connect>);
    const link = connectToBackground({ onNotice() {}, onGone() {} });
    const phones = Array.from({ length: 100_000 }, (_, i) => `+1415${String(i).padStart(7, '0')}`);
    link.watch(phones);
    const last = sent.at(-1);
    const parsed = overlayPortRequest.safeParse(last);
    expect(parsed.success).toBe(true);
    expect(parsed.data?.phones).toEqual(phones.slice(0, 5000));
    link.close();
  });
});
