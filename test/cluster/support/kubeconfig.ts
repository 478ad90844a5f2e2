import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestContext {
  name: string;
  server: string;
  caPath?: string;
  token?: string;
  skipTlsVerify?: boolean;
  /** A client certificate and key by path (`client-certificate`, `client-key`). */
  clientCertPath?: string;
  clientKeyPath?: string;
  /** `tls-server-name`. */
  tlsServerName?: string;
  /** `proxy-url`. */
  proxyUrl?: string;
}

/** Writes a kubeconfig (JSON is YAML) with one cluster and one user per context; returns its path. */
export function writeKubeconfig(
  dir: string,
  contexts: TestContext[],
  currentContext = contexts[0]?.name,
  file = 'kubeconfig',
): string {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': currentContext,
    clusters: contexts.map((context) => ({
      name: `${context.name}-cluster`,
      cluster: {
        server: context.server,
        ...(context.caPath ? { 'certificate-authority': context.caPath } : {}),
        ...(context.skipTlsVerify ? { 'insecure-skip-tls-verify': true } : {}),
        ...(context.tlsServerName ? { 'tls-server-name': context.tlsServerName } : {}),
        ...(context.proxyUrl ? { 'proxy-url': context.proxyUrl } : {}),
      },
    })),
    users: contexts.map((context) => ({
      name: `${context.name}-user`,
      user: {
        ...(context.token ? { token: context.token } : {}),
        ...(context.clientCertPath ? { 'client-certificate': context.clientCertPath } : {}),
        ...(context.clientKeyPath ? { 'client-key': context.clientKeyPath } : {}),
      },
    })),
    contexts: contexts.map((context) => ({
      name: context.name,
      context: { cluster: `${context.name}-cluster`, user: `${context.name}-user` },
    })),
  };
  const path = join(dir, file);
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}
