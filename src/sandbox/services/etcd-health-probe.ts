import { httpGetText } from './http-get.js';

/**
 * True when the member behind `url` (its plain-HTTP client or metrics URL) answers `GET /health?exclude=NOSPACE` with `{"health":"true"}`: it has a
 * leader and can serve a quorum read. NOSPACE is excluded so that a member restarted into a cluster whose quota is
 * exhausted still counts as up (etcd 3.4.23 supports `exclude`; checked here).
 *
 * @param timeoutMs - give up after this long, in ms.
 */
export async function etcdAnswersHealthy(url: string, timeoutMs = 1_000): Promise<boolean> {
  const { status, body } = await httpGetText(new URL('/health?exclude=NOSPACE', url), timeoutMs);
  try {
    return status === 200 && (JSON.parse(body) as { health?: unknown }).health === 'true';
  } catch {
    return false;
  }
}

/**
 * True once a member serves its peer API (`GET <peerUrl>/version`), which etcd does only after its own bootstrap
 * check. Until then its peer port accepts connections but does not answer.
 *
 * @param timeoutMs - give up after this long, in ms.
 */
export async function etcdServesPeers(peerUrl: string, timeoutMs = 1_000): Promise<boolean> {
  return (await httpGetText(new URL('/version', peerUrl), timeoutMs)).status === 200;
}
