/**
 * The fallback: polls the sync endpoint only while both sockets are down, backing off from
 * `minMs` to `maxMs`, and stops as soon as either socket is back (the caller calls `stop`).
 */
export interface Poller {
  readonly active: boolean;
  start(): void;
  stop(): void;
}

export function createPoller(poll: () => Promise<void>, opts: { minMs?: number; maxMs?: number; factor?: number } = {}): Poller {
  const min = opts.minMs ?? 5_000;
  const max = opts.maxMs ?? 60_000;
  const factor = opts.factor ?? 1.5;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let delay = min;
  let active = false;
  const tick = async () => {
    timer = null;
    await poll().catch(() => {});
    if (!active) return;
    delay = Math.min(max, delay * factor);
    timer = setTimeout(() => void tick(), delay);
  };
  return {
    get active() {
      return active;
    },
    start() {
      if (active) return;
      active = true;
      delay = min;
      void tick(); // catch up at once, then back off
    },
    stop() {
      active = false;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
