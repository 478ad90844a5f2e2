/**
 * Lets a log line through at most once per interval per key: an alert storm or a misconfigured Alertmanager hammering
 * the webhook must not turn into a log storm (the metrics still count every occurrence).
 */
export class LogThrottle {
  private readonly last = new Map<string, number>();

  constructor(
    /** Shortest time between two lines of one key (ms). */
    private readonly intervalMs: number,
    /** Keys remembered at most; beyond that the memory is cleared rather than grown. */
    private readonly maxKeys = 1_000,
  ) {}

  /** True when a line for `key` may be logged now (and remembers that it was). */
  allow(key: string, now = Date.now()): boolean {
    const previous = this.last.get(key);
    if (previous !== undefined && now - previous < this.intervalMs) return false;
    if (this.last.size >= this.maxKeys) this.last.clear();
    this.last.set(key, now);
    return true;
  }
}
