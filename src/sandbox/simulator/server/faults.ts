/** A fault to inject into matching requests. */
export interface Fault {
  /** A prefix of the request's path and query (`/api/v1/pods`, `/readyz?verbose`), or a RegExp tested on it. */
  path: string | RegExp;
  /** Only requests with this method (GET, POST, …). Default: any. */
  method?: string;
  /** Delay before answering, ms. */
  latencyMs?: number;
  /** Answer with this HTTP status and the API server's `Status` body for it instead of serving. */
  status?: number;
  /** `Retry-After` for 429 and 503 answers, seconds. Default 1 for 429. */
  retryAfterSeconds?: number;
  /** Never answer; released (the connection is destroyed) when the simulator stops or the client gives up. */
  hang?: true;
  /** Affect this many matching requests, then expire. Default: all. */
  times?: number;
}

/** The handle `inject` returns. */
export interface InjectedFault {
  readonly fault: Readonly<Fault>;
  /** How many requests it affected so far. */
  readonly hits: number;
  remove(): void;
}

class ActiveFault implements InjectedFault {
  hits = 0;
  removed = false;
  constructor(readonly fault: Readonly<Fault>) {}

  matches(method: string, path: string): boolean {
    if (this.removed || (this.fault.times !== undefined && this.hits >= this.fault.times)) return false;
    if (this.fault.method && this.fault.method.toUpperCase() !== method) return false;
    return typeof this.fault.path === 'string' ? path.startsWith(this.fault.path) : this.fault.path.test(path);
  }

  remove(): void {
    this.removed = true;
  }
}

/** The faults in force; the most recently injected match wins, so a test can override an earlier fault. */
export class FaultSet {
  private faults: ActiveFault[] = [];

  inject(fault: Fault): InjectedFault {
    if (fault.times !== undefined && (!Number.isInteger(fault.times) || fault.times < 1))
      throw new RangeError('times must be a positive integer');
    if (fault.status !== undefined && (!Number.isInteger(fault.status) || fault.status < 400 || fault.status > 599)) {
      throw new RangeError('status must be an HTTP error status (400-599)');
    }
    const active = new ActiveFault({ ...fault });
    this.faults.push(active);
    return active;
  }

  clear(): void {
    for (const fault of this.faults) fault.remove();
    this.faults = [];
  }

  /** The fault for this request, counted as a hit; expired and removed faults are dropped. */
  take(method: string, path: string): Readonly<Fault> | undefined {
    this.faults = this.faults.filter(
      (fault) => !fault.removed && (fault.fault.times === undefined || fault.hits < fault.fault.times),
    );
    for (let index = this.faults.length - 1; index >= 0; index--) {
      const fault = this.faults[index];
      if (fault?.matches(method, path)) {
        fault.hits++;
        return fault.fault;
      }
    }
    return undefined;
  }
}
