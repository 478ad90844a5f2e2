import { httpGetText } from './http-get.js';

/**
 * One gauge from an etcd member's plain-HTTP `/metrics` (its metrics URL, or a client URL without TLS) (Prometheus text), e.g. `etcd_server_is_leader`; undefined when absent.
 *
 * @param timeoutMs - give up after this long, in ms.
 */
export async function readEtcdGauge(url: string, metric: string, timeoutMs = 1_000): Promise<number | undefined> {
  const { body } = await httpGetText(new URL('/metrics', url), timeoutMs);
  const line = body.split('\n').find((candidate) => candidate.startsWith(`${metric} `));
  return line === undefined ? undefined : Number(line.slice(metric.length + 1));
}
