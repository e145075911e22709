/** A slice of work on the page's main thread lasts about this long (the page stays responsive). */
export const SLICE_MS = 6;

/**
 * Runs queued jobs in short slices: each job is a generator that yields every few units of work,
 * so a large scan can pause between slices; whatever is left when a slice's deadline passes runs
 * in the page's idle time (`requestIdleCallback`, at most 200 ms late). Each slice is a user-timing
 * entry (`switchboard:slice`): the benchmark reads the longest and the sum.
 * @example const slices = new TimeSlicer((task) => scan(task), () => report()); slices.push(node); slices.run();
 */
export class TimeSlicer<T> {
  private readonly queue: T[] = [];
  private job: Generator<void, void, undefined> | null = null;
  private idleHandle: number | null = null;
  private stopped = false;

  constructor(
    private readonly start: (task: T) => Generator<void, void, undefined>,
    /** Runs when the queue is empty again. */
    private readonly drained: () => void,
  ) {}

  push(task: T): void {
    this.queue.push(task);
  }

  has(task: T): boolean {
    return this.queue.includes(task);
  }

  /** Runs queued work now for one slice; the rest goes to idle time. */
  run(sliceMs = SLICE_MS): void {
    if (this.stopped) return;
    const sliceStart = performance.now();
    try {
      this.runUntil(sliceStart + sliceMs);
    } finally {
      performance.measure('switchboard:slice', { start: sliceStart, end: performance.now() });
    }
  }

  /** Asks for an idle slice (work arrived outside a slice, e.g. a frame that loaded). */
  later(): void {
    if (this.idleHandle !== null || this.stopped) return;
    this.idleHandle = requestIdleCallback(
      (idle) => {
        this.idleHandle = null;
        this.run(Math.max(4, Math.min(idle.timeRemaining(), SLICE_MS)));
      },
      { timeout: 200 },
    );
  }

  stop(): void {
    this.stopped = true;
    if (this.idleHandle !== null) cancelIdleCallback(this.idleHandle);
    this.idleHandle = null;
  }

  private runUntil(deadline: number): void {
    while (this.job || this.queue.length) {
      this.job ??= this.start(this.queue.shift()!);
      for (;;) {
        if (this.job.next().done) {
          this.job = null;
          break;
        }
        if (performance.now() > deadline) return this.later();
      }
    }
    this.drained();
  }
}
