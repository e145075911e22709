import { describe, expect, it } from 'vitest';
import { floorFeed } from '../../lib/reports/floor-feed';

/** A clock the test moves, and waits that resolve when it passes their time. */
function fakeClock() {
  let now = 0;
  const waits: Array<{ at: number; resolve: () => void }> = [];
  return {
    now: () => now,
    wait: (ms: number) => new Promise<void>((resolve) => waits.push({ at: now + ms, resolve })),
    pending: () => waits.length,
    async advance(ms: number) {
      now += ms;
      for (const w of waits.filter((x) => x.at <= now)) {
        waits.splice(waits.indexOf(w), 1);
        w.resolve();
      }
      await new Promise((r) => setTimeout(r, 0));
    },
  };
}
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('The floor view’s refresh: at most once a second, never while nothing happens', () => {
  it('reads at once on the first change, then once more a second later for a burst of changes', async () => {
    const clock = fakeClock();
    const reads: number[] = [];
    const changed = floorFeed({ gapMs: 1000, refresh: async () => void reads.push(clock.now()), now: clock.now, wait: clock.wait });
    changed();
    await settle();
    expect(reads).toEqual([0]);
    for (let i = 0; i < 50; i++) changed();
    await settle();
    expect(reads).toEqual([0]);
    await clock.advance(999);
    expect(reads).toEqual([0]);
    await clock.advance(1);
    expect(reads).toEqual([0, 1000]);
    // Nothing more happens: nothing is read, nothing waits.
    await clock.advance(10_000);
    expect([reads, clock.pending()]).toEqual([[0, 1000], 0]);
  });

  it('reads at once again when the last read is more than a second old, and survives a failed read', async () => {
    const clock = fakeClock();
    let reads = 0;
    const changed = floorFeed({
      refresh: async () => {
        reads++;
        if (reads === 1) throw new Error('offline');
      },
      now: clock.now,
      wait: clock.wait,
    });
    changed();
    await settle();
    await clock.advance(5_000);
    changed();
    await settle();
    expect([reads, clock.pending()]).toEqual([2, 0]);
  });
});
