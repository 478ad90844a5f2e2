import { RunAbortedError } from './errors.js';

/** Why a signal fired, as an Error: its reason when that is one, else a {@link RunAbortedError}. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return new RunAbortedError(
    typeof reason === 'string' && reason ? reason : 'The run was cancelled before this finished.',
    reason,
  );
}

/** Throws the signal's reason when it has fired: the check before starting anything that costs. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortReason(signal);
}

/** One signal that fires when any of the given ones does (`undefined`s ignored). */
export function anySignal(...signals: ReadonlyArray<AbortSignal | undefined>): AbortSignal | undefined {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  if (present.length <= 1) return present[0];
  return AbortSignal.any(present);
}

/**
 * Settles with `work`, or rejects with the signal's reason as soon as it fires. For calls that cannot be cancelled
 * themselves (etcd3's gRPC calls take only a deadline): the caller is released at once and the call ends at its
 * own deadline.
 */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(abortReason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      work.catch(() => undefined);
      reject(abortReason(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
