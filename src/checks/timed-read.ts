/** A reading and when its figures were taken (ms since the epoch). */
export interface Dated<T> {
  value: T;
  atMs: number;
}

/**
 * Reads something and dates it at the middle of the request: the server took its figures somewhere between sending
 * and receiving, and a rate between two readings whose answers were delayed unequally (a busy event loop, a slow
 * network, a member busy with fsync) would otherwise be off by the difference.
 */
export async function timedRead<T>(now: () => Date, read: () => Promise<T>): Promise<Dated<T>> {
  const sentMs = now().getTime();
  const value = await read();
  const receivedMs = now().getTime();
  return { value, atMs: sentMs + (receivedMs - sentMs) / 2 };
}
