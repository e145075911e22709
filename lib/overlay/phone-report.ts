/**
 * Tells the background which numbers a page shows, only when that set changes: at once (`now`), or
 * batched while the page is busy changing (`soon`, one report per 30 ms at most).
 */
export class PhoneReport {
  private last = '';
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly current: () => string[],
    private readonly report: (phones: string[]) => void,
  ) {}

  soon(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.now();
    }, 30);
  }

  now(): void {
    const phones = this.current();
    const key = phones.join(',');
    if (key === this.last) return;
    this.last = key;
    this.report(phones);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
