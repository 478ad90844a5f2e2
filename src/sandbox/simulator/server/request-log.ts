import { EventEmitter } from 'node:events';

/** One request the simulator received. */
export interface RequestRecord {
  method: string;
  /** Path and query as sent: `/api/v1/pods?limit=500`. */
  path: string;
  /** Simulator clock when it arrived, ms since the epoch. */
  time: number;
  /** Set when the answer was sent; absent while the request is in flight (or hanging). */
  status?: number;
  /** Wall-clock time to answer, ms. */
  durationMs?: number;
  /** True when the client closed the connection before the answer was complete (it gave up or was cancelled). */
  abortedByClient?: boolean;
  /** Body bytes written so far (headers not counted): what the answer cost on the wire. */
  bytes: number;
}

/** The requests a simulator received, newest last; keeps the latest `capacity` and counts all. */
export class RequestLog {
  private readonly records: RequestRecord[] = [];
  private readonly events = new EventEmitter();
  private received = 0;
  private open = 0;
  private mostOpen = 0;

  constructor(private readonly capacity = 10_000) {}

  /** Every request received since start (or `clear`), including those dropped from the log. */
  get total(): number {
    return this.received;
  }

  get entries(): readonly RequestRecord[] {
    return this.records;
  }

  /** How many logged requests match, e.g. `count((r) => r.path.startsWith('/metrics'))`. */
  count(predicate: (record: RequestRecord) => boolean = () => true): number {
    return this.records.filter(predicate).length;
  }

  /** Requests received and not yet answered or abandoned. */
  get inFlight(): number {
    return this.open;
  }

  /** The most requests in flight at once since start (or `clear`): what a client's concurrency cap let through. */
  get maxInFlight(): number {
    return this.mostOpen;
  }

  clear(): void {
    this.records.length = 0;
    this.received = 0;
    this.mostOpen = this.open;
  }

  /** @internal Called by the server when a request's exchange ends, answered or not. */
  ended(): void {
    this.open -= 1;
  }

  /** @internal Called by the server for each request. */
  add(record: RequestRecord): void {
    this.received++;
    this.open += 1;
    this.mostOpen = Math.max(this.mostOpen, this.open);
    this.records.push(record);
    if (this.records.length > this.capacity) this.records.splice(0, this.records.length - this.capacity);
    this.events.emit('request', record);
  }

  /**
   * Resolves with the first logged or future request that matches: lets a test wait until the server has a request
   * in hand (a hanging one, say) instead of sleeping.
   * @param timeoutMs rejects after this many ms. Default 5000.
   */
  waitFor(predicate: (record: RequestRecord) => boolean, timeoutMs = 5000): Promise<RequestRecord> {
    const existing = this.records.find(predicate);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const onRequest = (record: RequestRecord): void => {
        if (!predicate(record)) return;
        clearTimeout(timer);
        this.events.off('request', onRequest);
        resolve(record);
      };
      const timer = setTimeout(() => {
        this.events.off('request', onRequest);
        reject(new Error(`no matching request arrived within ${timeoutMs} ms`));
      }, timeoutMs);
      this.events.on('request', onRequest);
    });
  }
}
