/** One line of kube-apiserver's verbose health output: `[+]ping ok` or `[-]etcd failed: reason withheld`. */
export interface HealthCheckLine {
  name: string;
  ok: boolean;
  reason?: string;
}

export interface HealthReport {
  checks: HealthCheckLine[];
  /** From the last line (`livez check passed` / `readyz check failed`), when present. */
  passed?: boolean;
}

const LINE = /^\[([+-])\]([^\s]+)\s+(ok|failed(?::\s*(.*))?|excluded: .*)$/;
const VERDICT = /^(\w+) check (passed|failed)$/;

/** Parses `/livez?verbose` or `/readyz?verbose` text; unknown lines are ignored, as newer servers may add some. */
export function parseHealthReport(text: string): HealthReport {
  const report: HealthReport = { checks: [] };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const check = LINE.exec(line);
    if (check) {
      const ok = check[1] === '+';
      report.checks.push({ name: check[2] ?? '', ok, ...(ok ? {} : { reason: check[4] ?? 'failed' }) });
      continue;
    }
    const verdict = VERDICT.exec(line);
    if (verdict) report.passed = verdict[2] === 'passed';
  }
  return report;
}
