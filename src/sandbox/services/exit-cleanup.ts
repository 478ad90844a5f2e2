/**
 * Last-resort cleanup when the process ends without calling `stop()`: kill the servers we started and remove their
 * temporary directories. Actions must be synchronous ('exit' listeners cannot wait).
 *
 * This only runs where `process` is Node's real process object. Under Jest, test code sees a copy whose listeners
 * never fire, so the servers are also started with a parent-death signal (see `spawn-server.ts`) and stale temporary
 * directories are swept on the next start (see `temp-dir.ts`).
 */
const actions = new Set<() => void>();
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let installed = false;
let signalsHandledByCaller = false;

function runAll(): void {
  for (const action of [...actions]) {
    try {
      action();
    } catch {
      // Best effort: the process is going away and there is nobody left to tell.
    }
  }
  actions.clear();
}

function onExit(): void {
  runAll();
}

function onSignal(signal: NodeJS.Signals): void {
  // A caller that stops its servers in order on a signal (the demo) must not see them killed under it first; the
  // 'exit' listener still cleans up whatever it left.
  if (signalsHandledByCaller) return;
  runAll();
  uninstall();
  // We only listened to clean up: restore the default behaviour (terminate) unless someone else handles the signal.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', onExit);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', onExit);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

/**
 * Runs `action` if the process exits (or gets SIGINT/SIGTERM/SIGHUP) before the returned function is called.
 * Listeners are installed only while at least one action is pending, so nothing lingers between tests.
 */
export function onProcessExit(action: () => void): () => void {
  actions.add(action);
  install();
  return () => {
    actions.delete(action);
    if (actions.size === 0) uninstall();
  };
}

/**
 * Leaves SIGINT/SIGTERM/SIGHUP to the caller, who promises to stop what it started (as `quorum demo` does, in
 * order, on Ctrl-C); the last-resort cleanup then runs only at process exit.
 */
export function leaveSignalsToCaller(): void {
  signalsHandledByCaller = true;
}
