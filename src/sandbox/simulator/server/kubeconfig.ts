import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { onProcessExit } from '../../services/exit-cleanup.js';

/** What a kubeconfig for the simulator names. */
export interface KubeconfigSpec {
  /** Cluster and context name, `quorum-sim-<scenario>`. */
  context: string;
  server: string;
  caPem: string;
  /** The user's bearer token, unless it has a client certificate. */
  token?: string;
  /** The user's client certificate and key, PEM (inlined as `client-certificate-data`, `client-key-data`). */
  clientCertificate?: { certPem: string; keyPem: string };
  user: string;
}

/** The kubeconfig text: one cluster with the CA inline, one token (or client certificate) user, one current context. */
export function renderKubeconfig(spec: KubeconfigSpec): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [
      {
        name: spec.context,
        cluster: { server: spec.server, 'certificate-authority-data': Buffer.from(spec.caPem).toString('base64') },
      },
    ],
    users: [
      {
        name: spec.user,
        user: spec.clientCertificate
          ? {
              'client-certificate-data': Buffer.from(spec.clientCertificate.certPem).toString('base64'),
              'client-key-data': Buffer.from(spec.clientCertificate.keyPem).toString('base64'),
            }
          : { token: spec.token },
      },
    ],
    contexts: [{ name: spec.context, context: { cluster: spec.context, user: spec.user, namespace: 'default' } }],
    'current-context': spec.context,
  });
}

/**
 * Writes the kubeconfig into a new private temporary directory; `remove` deletes the directory. If the process ends
 * without `remove` (Ctrl-C during the demo), the directory is removed on the way out.
 */
export async function writeKubeconfig(spec: KubeconfigSpec): Promise<{ path: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'quorum-sim-kube-'));
  const path = join(dir, 'kubeconfig');
  await writeFile(path, renderKubeconfig(spec), { mode: 0o600 });
  const forget = onProcessExit(() => rmSync(dir, { recursive: true, force: true }));
  return {
    path,
    remove: async () => {
      forget();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
