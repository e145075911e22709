import { describe, expect, it } from 'vitest';
import type { AgentConversationView } from '@/lib/contract/models';
import { newestFirst, reordered } from '@/lib/inbox/order';
import { conversation } from '../support/views';

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 10, minute)).toISOString();
const inbox = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`c${i}`, conversation(`c${i}`, { lastMessageAt: at(i) })]));
const ids = (list: AgentConversationView[]) => list.map((c) => c.id);
const sorted = (record: Record<string, AgentConversationView>) => Object.values(record).sort(newestFirst);

describe('the list order kept as messages arrive (reordered)', () => {
  it('moves the conversation with a new message to the top and keeps the others where they were', () => {
    const before = inbox(20);
    const list = sorted(before);
    const after = { ...before, c3: { ...before.c3!, lastMessageAt: at(30) } };
    const next = reordered(list, before, after);
    expect(ids(next)).toEqual(['c3', ...ids(list).filter((id) => id !== 'c3')]);
    expect(next[0]).toBe(after.c3);
    expect(next[1]).toBe(list[0]); // unchanged rows are the same objects (their rows do not render again)
  });

  it('gives the same order as sorting the whole inbox: new, changed, removed and equal times (by id)', () => {
    const before = inbox(40);
    const list = sorted(before);
    const { c5: _gone, ...rest } = before;
    const after = {
      ...rest,
      c7: { ...before.c7!, lastMessageAt: at(100) },
      c8: { ...before.c8!, lastMessageAt: at(100) }, // the same time as c7: by id
      c2: { ...before.c2!, lastMessagePreview: 'read elsewhere' }, // changed, same time: stays in place
      fresh: conversation('fresh', { lastMessageAt: at(20) }),
      quiet: conversation('quiet', { lastMessageAt: null }), // no message yet: last
    };
    expect(ids(reordered(list, before, after))).toEqual(ids(sorted(after)));
  });

  it('returns the same list when nothing changed, and sorts afresh when much did', () => {
    const before = inbox(16);
    const list = sorted(before);
    expect(reordered(list, before, { ...before })).toBe(list);
    const after = Object.fromEntries(Object.entries(before).map(([id, c], i) => [id, { ...c, lastMessageAt: at(100 - i) }]));
    expect(ids(reordered(list, before, after))).toEqual(ids(sorted(after)));
  });
});
