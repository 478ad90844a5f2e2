import { z } from 'zod';
import { KubeRequestError, describeError } from '../core/errors.js';

/** The RBAC the diagnostics need, quoted in every 403 message so the fix is in the error itself. */
export const REQUIRED_RBAC =
  'get, list and watch on nodes, pods, pods/log, events, namespaces and leases (coordination.k8s.io), get and list ' +
  'on nodes and pods of metrics.k8s.io, and get on the nonResourceURLs /livez, /readyz and /metrics';

/** The `Status` object the API server sends with most errors; only its text matters here. */
const StatusSchema = z.looseObject({ message: z.string().optional(), reason: z.string().optional() });

const TLS_VERIFY_CODES: ReadonlySet<string> = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The text of a Kubernetes `Status` body, or the start of whatever else the server sent. */
export function statusMessage(body: string): string {
  try {
    const parsed = StatusSchema.safeParse(JSON.parse(body));
    if (parsed.success && parsed.data.message) return parsed.data.message;
  } catch {
    // Not JSON: a proxy's HTML page or plain text from a non-resource endpoint.
  }
  const text = body.replace(/\s+/g, ' ').trim();
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/**
 * The error for a non-2xx answer: says what to fix for 401 and 403, and marks 429 and 5xx retryable.
 *
 * @param where - which cluster was asked, e.g. `context "prod" (https://10.0.0.1:6443)`.
 */
export function statusError(
  status: number,
  body: string,
  method: string,
  path: string,
  where: string,
): KubeRequestError {
  const said = statusMessage(body);
  const asked = `${method} ${path} on ${where}`;
  const detail = said ? `: ${said}` : '';
  if (status === 401) {
    return new KubeRequestError(
      `The API server refused the credentials for ${asked} (401 Unauthorized${detail}). The token or client certificate is missing, expired or revoked: refresh the kubeconfig or the service-account token.`,
      status,
    );
  }
  if (status === 403) {
    return new KubeRequestError(
      `${asked} is forbidden (403${detail}). Quorum's diagnostics need RBAC ${REQUIRED_RBAC}: bind the diagnostics ClusterRole to this identity.`,
      status,
    );
  }
  if (status === 429) {
    return new KubeRequestError(
      `The API server is shedding load and refused ${asked} (429 Too Many Requests${detail}): try again shortly.`,
      status,
      { retryable: true },
    );
  }
  return new KubeRequestError(`${asked} failed with HTTP ${status}${detail}`, status, { retryable: status >= 500 });
}

/** The error for a request that got no HTTP answer: TLS failures need a person, the rest may pass. */
export function connectionError(error: unknown, method: string, path: string, where: string): KubeRequestError {
  const code = (error as { code?: unknown } | undefined)?.code;
  const reason = describeError(error);
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return new KubeRequestError(
      `The TLS certificate of ${where} ${code === 'CERT_HAS_EXPIRED' ? 'has expired' : 'is not yet valid'} (${code}: ${reason}), so no request can be verified. Renew the API server's serving certificate (kubeadm: kubeadm certs renew apiserver, then restart the kube-apiserver static pod) and check the clocks; the certificates playbook shows every certificate's dates.`,
      undefined,
      { cause: error },
    );
  }
  if (typeof code === 'string' && TLS_VERIFY_CODES.has(code)) {
    return new KubeRequestError(
      `Cannot verify the TLS certificate of ${where} (${code}: ${reason}). Check the cluster's certificate-authority(-data) and tls-server-name in the kubeconfig.`,
      undefined,
      { cause: error },
    );
  }
  return new KubeRequestError(`${method} ${path} on ${where} got no answer: ${reason}`, undefined, {
    cause: error,
    retryable: true,
  });
}
