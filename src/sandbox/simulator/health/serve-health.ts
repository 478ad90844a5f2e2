import type { HealthCheck, HealthEndpoint } from '../scenario/scenario.js';

/** A plain-text answer. */
export interface TextAnswer {
  status: number;
  body: string;
}

const NOT_FOUND: TextAnswer = { status: 404, body: '404 page not found\n' };

/**
 * `/livez`, `/readyz`, `/healthz`, as kube-apiserver's healthz handler writes them: `ok` when every check passes
 * (the list with `?verbose`), the list and `<endpoint> check failed` with 500 when one fails (verbose or not, the
 * reason withheld), `?exclude=name` skipping a check, and `/<endpoint>/<check>` answering for one check with its
 * error.
 */
export function healthAnswer(
  endpoint: HealthEndpoint,
  checks: readonly HealthCheck[],
  subpath: string,
  query: URLSearchParams,
): TextAnswer {
  if (subpath) {
    const check = checks.find((candidate) => candidate.name === subpath);
    if (!check) return NOT_FOUND;
    return check.error === undefined
      ? { status: 200, body: 'ok' }
      : { status: 500, body: `internal server error: ${check.error}\n` };
  }
  const excluded = new Set(
    query
      .getAll('exclude')
      .flatMap((value) => value.split(','))
      .filter(Boolean),
  );
  const unmatched = new Set(excluded);
  let output = '';
  let failed = false;
  for (const check of checks) {
    if (excluded.has(check.name)) {
      unmatched.delete(check.name);
      output += `[+]${check.name} excluded: ok\n`;
    } else if (check.error !== undefined) {
      failed = true;
      output += `[-]${check.name} failed: reason withheld\n`;
    } else {
      output += `[+]${check.name} ok\n`;
    }
  }
  if (unmatched.size > 0) {
    output += `warn: some health checks cannot be excluded: no matches for ${[...unmatched]
      .sort()
      .map((name) => `"${name}"`)
      .join(',')}\n`;
  }
  if (failed) return { status: 500, body: `${output}${endpoint} check failed\n` };
  if (!query.has('verbose')) return { status: 200, body: 'ok' };
  return { status: 200, body: `${output}${endpoint} check passed\n` };
}
