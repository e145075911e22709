/**
 * The least time between two floor reads, however many events arrive (docs/reports.md, "Floor"):
 * a change waits at most this plus one read, so under 800 ms the floor shows every change within
 * the second issue 35 asks at 100 messages/s (`npm run bench -- --only floor`).
 */
export const FLOOR_GAP_MS = 800;

/**
 * The floor view's refresh, told each time something changed: the first change reads at once; the
 * changes that follow within `gapMs` of a read are one more read, `gapMs` after it. Never two reads
 * at once, never a read while nothing changes (no timer of its own between events).
 * @example const changed = floorFeed({ refresh }); socket.on('message:new', changed);
 */
export function floorFeed(deps: { refresh: () => Promise<void>; gapMs?: number; now?: () => number; wait?: (ms: number) => Promise<void> }): () => void {
  const gap = deps.gapMs ?? FLOOR_GAP_MS;
  const now = deps.now ?? Date.now;
  const wait = deps.wait ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let last = -Infinity;
  // A read asked and not begun: later changes are in it. Reads run one after the other.
  let asked = false;
  let reads = Promise.resolve();
  return () => {
    if (asked) return;
    asked = true;
    reads = reads.then(async () => {
      const early = last + gap - now();
      if (early > 0) await wait(early);
      asked = false;
      last = now();
      await deps.refresh().catch(() => {
        /* the next change reads again */
      });
    });
  };
}
