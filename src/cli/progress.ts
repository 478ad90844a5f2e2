import type { RunProgress } from '../playbooks/run-playbook.js';

/** Progress lines on stderr while checks run, so stdout stays clean for the report (and for `--format json`). */
export function progressPrinter(write: (line: string) => void): (progress: RunProgress) => void {
  return (progress) => {
    if (progress.kind === 'started') {
      if (progress.index === 0) write(`running ${progress.total} checks…`);
      return;
    }
    const mark = progress.failed ? '✗' : '✓';
    write(`  ${mark} ${progress.check} (${progress.durationMs} ms${progress.failed ? ', could not check' : ''})`);
  };
}
