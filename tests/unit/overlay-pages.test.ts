import { describe, expect, it } from 'vitest';
import { touchesPages } from '../../lib/background/overlay-pages';
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
