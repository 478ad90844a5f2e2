/** Something BullMQ that can be closed politely or dropped. */
interface Closable {
  close(): Promise<void>;
  disconnect(): Promise<void>;
}

/**
 * Closes politely, but drops the connection if that takes longer than `ms`: after Redis went away and came back, a
 * BullMQ reader can wait on a blocking call that never returns, and a stopping process must not hang on it.
 */
export async function closeWithin(closable: Closable, ms = 2_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
    timer.unref();
  });
  const outcome = await Promise.race([
    closable.close().then(
      () => 'closed' as const,
      () => 'late' as const,
    ),
    late,
  ]);
  clearTimeout(timer);
  // Dropping does not wait either: a connection stuck reconnecting may never report that it ended.
  if (outcome === 'late') void closable.disconnect().catch(() => undefined);
}
