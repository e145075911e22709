import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CountsResponse } from '../../lib/contract/api';
import { createCountsFeed } from '../../server/sockets/counts';

/**
 * The server's `counts:update` pacing (server/sockets/counts.ts): one read and one event per
 * interval per organisation however many changes, none without a change, reads never overlapping.
 * With fake timers, so the pacing is exact and nothing waits.
 */
describe('counts feed', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  /** A feed whose reads answer the organisation's current "counts" (a number per organisation), each `readMs` long. */
  const setUp = (o: { readMs?: number; failing?: Set<string>; clustered?: boolean } = {}) => {
    const now = new Map<string, number>();
    const reads: Array<{ org: string; at: number }> = [];
    const events: Array<{ org: string; at: number; n: number }> = [];
    const errors: string[] = [];
    const start = Date.now();
    const feed = createCountsFeed({
      intervalMs: 1000,
      read: async (org) => {
        reads.push({ org, at: Date.now() - start });
        const n = now.get(org) ?? 0; // the read's snapshot, taken as it begins
        if (o.readMs) await new Promise((resolve) => setTimeout(resolve, o.readMs));
        if (o.failing?.has(org)) throw new Error('database away');
        return { channels: [{ channelId: 'ch', status: 'open', assigned: false, count: n }] } satisfies CountsResponse;
      },
      emit: (org, counts) => events.push({ org, at: Date.now() - start, n: counts.channels[0]!.count }),
      onError: (_err, org) => errors.push(org),
      clustered: o.clustered,
    });
    const change = (org: string) => {
      now.set(org, (now.get(org) ?? 0) + 1);
      feed.changed(org);
    };
    return { feed, change, reads, events, errors };
  };

  it('sends nothing without a change', async () => {
    const { events, reads } = setUp();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(reads).toEqual([]);
    expect(events).toEqual([]);
  });

  it('sends no event when the counts read are the ones it sent last (a message to a known conversation)', async () => {
    const { feed, change, reads, events } = setUp();
    change('a');
    await vi.advanceTimersByTimeAsync(1000);
    feed.changed('a'); // something changed, not a count
    await vi.advanceTimersByTimeAsync(1000);
    expect(reads.length).toBe(2);
    expect(events).toEqual([{ org: 'a', at: 1000, n: 1 }]);
    change('a');
    await vi.advanceTimersByTimeAsync(1000);
    expect(events.map((e) => e.n)).toEqual([1, 2]);
  });

  it('in a cluster, sends equal counts again (another instance may have sent its clients other ones meanwhile)', async () => {
    const { feed, change, events } = setUp({ clustered: true });
    change('a');
    await vi.advanceTimersByTimeAsync(1000);
    feed.changed('a');
    await vi.advanceTimersByTimeAsync(1000);
    expect(events.map((e) => e.n)).toEqual([1, 1]);
  });

  it('gathers the changes of an interval into one read and one event, a second after the first change', async () => {
    const { change, reads, events } = setUp();
    change('a');
    await vi.advanceTimersByTimeAsync(300);
    change('a');
    await vi.advanceTimersByTimeAsync(600);
    change('a');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(reads).toEqual([{ org: 'a', at: 1000 }]);
    expect(events).toEqual([{ org: 'a', at: 1000, n: 3 }]);
  });

  it('sends at most one event a second however the changes come, and always the latest counts last', async () => {
    const { change, events } = setUp();
    for (let t = 0; t < 5_000; t += 100) {
      change('a');
      await vi.advanceTimersByTimeAsync(100);
    }
    await vi.advanceTimersByTimeAsync(5_000);
    const gaps = events.slice(1).map((e, i) => e.at - events[i]!.at);
    expect(gaps.every((g) => g >= 1000)).toBe(true);
    expect(events.length).toBeGreaterThanOrEqual(4);
    expect(events.at(-1)!.n).toBe(50);
  });

  it('a change during a read makes one more read an interval after it, and reads never overlap', async () => {
    const { change, reads, events } = setUp({ readMs: 1500 });
    change('a');
    await vi.advanceTimersByTimeAsync(1200); // the read began at 1000 with 1; it ends at 2500
    change('a');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(reads.map((r) => r.at)).toEqual([1000, 3500]);
    expect(events).toEqual([
      { org: 'a', at: 2500, n: 1 },
      { org: 'a', at: 5000, n: 2 },
    ]);
  });

  it('paces each organisation on its own', async () => {
    const { change, events } = setUp();
    change('a');
    await vi.advanceTimersByTimeAsync(500);
    change('b');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(events).toEqual([
      { org: 'a', at: 1000, n: 1 },
      { org: 'b', at: 1500, n: 1 },
    ]);
  });

  it('tries a failed read again an interval later, and stops trying once it answers', async () => {
    const failing = new Set(['a']);
    const { change, reads, events, errors } = setUp({ failing });
    change('a');
    await vi.advanceTimersByTimeAsync(2_500);
    expect(errors).toEqual(['a', 'a']);
    failing.clear();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(reads.map((r) => r.at)).toEqual([1000, 2000, 3000]);
    expect(events).toEqual([{ org: 'a', at: 3000, n: 1 }]);
  });

  it('reads and sends nothing once stopped', async () => {
    const { feed, change, reads, events } = setUp();
    change('a');
    feed.stop();
    change('a');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(reads).toEqual([]);
    expect(events).toEqual([]);
  });
});
