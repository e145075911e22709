import { renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AgentConversationView } from '@/lib/contract/models';
import { newestFirst, reordered } from '@/lib/inbox/order';
import { useNewestFirst, type NewestFirst } from '@/lib/hooks/useStable';
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

describe('the list order kept while the list is away (useNewestFirst with a holder)', () => {
  it('a list shown again re-places what changed meanwhile instead of sorting the inbox again', () => {
    const kept: { current: NewestFirst } = { current: null };
    const before = inbox(50);
    const first = renderHook(() => useNewestFirst(before, kept));
    const shown = first.result.current;
    first.unmount(); // a thread opens: the list goes
    // Nothing changed: the same order, the very same list (no sort).
    const again = renderHook(() => useNewestFirst(before, kept));
    expect(again.result.current).toBe(shown);
    again.unmount();
    // A message meanwhile: the conversation on top, the others the same objects in their order.
    const after = { ...before, c7: { ...before.c7!, lastMessageAt: at(59) } };
    const back = renderHook(() => useNewestFirst(after, kept));
    expect(ids(back.result.current)).toEqual(ids(sorted(after)));
    expect(back.result.current[1]).toBe(shown[0]);
    back.unmount();
    // Without a holder, each mount starts from nothing (a list of its own).
    const own = renderHook(() => useNewestFirst(before));
    expect(own.result.current).not.toBe(shown);
    expect(ids(own.result.current)).toEqual(ids(shown));
  });
});
