import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPoller } from '@/lib/connection/polling';

describe('fallback poller', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('polls at once, then backs off, and stops when told', async () => {
    const times: number[] = [];
    const start = Date.now();
    const poller = createPoller(async () => void times.push(Date.now() - start), { minMs: 1000, maxMs: 4000, factor: 2 });
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(20_000);
    // 0, +2s, +4s (capped), +4s, ...
    expect(times.slice(0, 4)).toEqual([0, 2000, 6000, 10000]);
    const count = times.length;
    poller.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(times.length).toBe(count);
    expect(poller.active).toBe(false);
  });
});
