import { createHash } from 'node:crypto';
import { accessSync, constants, statSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeconfigError } from '../core/errors.js';

/**
 * The only file that imports `@kubernetes/client-node`, and it uses nothing of it but `KubeConfig`: reading
 * kubeconfig files and turning a context's credentials (CA, client certificates, bearer tokens, token files, exec
 * and auth-provider plugins) into options for `node:https`. The SDK's API clients are never created, so no request
 * can leave through it: every request goes through `read-only-transport.ts`.
 */

/** Where the cluster's address and credentials come from. */
export interface KubeconfigSource {
  /** A kubeconfig file. Without it (and without `inCluster`): `$KUBECONFIG`, then `~/.kube/config`. */
  kubeconfigPath?: string;
  /** The kubeconfig context to use instead of its `current-context`. */
  context?: string;
  /** Use the pod's service account (`KUBERNETES_SERVICE_HOST`, `/var/run/secrets/kubernetes.io/serviceaccount`). */
  inCluster?: boolean;
}

/** What one request needs to reach the API server with the context's identity. */
export interface ConnectionOptions {
  headers: Record<string, string>;
  /** Carries the TLS settings (CA, client certificate, server name); reused between requests for keep-alive. */
  agent: http.Agent;
}

/**
 * The TLS settings the context's requests use, for a handshake of Quorum's own (reading the serving certificate).
 * Holds key material: it never leaves src/cluster, and nothing derived from it but public certificate facts does.
 */
export interface TlsSettings extends Pick<TlsConnectionOptions, 'ca' | 'cert' | 'key' | 'pfx' | 'passphrase'> {
  /** `tls-server-name`: the name the certificate must carry, when not the server's host. */
  servername?: string;
  /** False when the cluster sets `insecure-skip-tls-verify`. */
  rejectUnauthorized: boolean;
  /** Where the client certificate comes from, for evidence: `kubeconfig user "admin" (client-certificate-data)`. */
  clientCertificateSource?: string;
  /** The cluster's `proxy-url`: a direct handshake would not go where the requests go. */
  proxyUrl?: string;
}

/** One cluster as a kubeconfig context describes it. */
export interface ClusterConnection {
  readonly contextName: string;
  /** The cluster's name in the kubeconfig (the context's `cluster`). */
  readonly clusterName: string;
  /** The API server's base URL, without a trailing slash. */
  readonly server: string;
  /**
   * Options for the next request. Credentials are applied afresh each time so that rotated service-account tokens
   * and expiring exec-plugin tokens are picked up (the SDK caches them as long as they are valid).
   */
  requestOptions(): Promise<ConnectionOptions>;
  /** The TLS settings of those requests (applied afresh, as for a request); `undefined` over plain `http://`. */
  tlsSettings(): Promise<TlsSettings | undefined>;
  /** Closes the kept-alive sockets. */
  close(): void;
}

/**
 * Reads a kubeconfig (or the in-cluster service account) and checks, up front, everything that would otherwise fail
 * on the first request: the file, the context, its cluster and user, and the certificate and token files they name.
 *
 * Over plain `http://` no credentials are sent at all, as kubectl does: a bearer token must not travel in clear text.
 *
 * @param maxSockets - sockets kept per agent, in connections; match the reader's concurrency cap.
 * @throws KubeconfigError with a message that names the file and what to fix.
 */
export function connectCluster(source: KubeconfigSource, maxSockets: number): ClusterConnection {
  const kc = new KubeConfig();
  const where = load(kc, source);

  if (source.context !== undefined) {
    if (!kc.getContextObject(source.context)) {
      throw new KubeconfigError(`Context "${source.context}" is not in ${where}. ${availableContexts(kc)}`);
    }
    kc.setCurrentContext(source.context);
  }
  const contextName = kc.getCurrentContext();
  if (!contextName)
    throw new KubeconfigError(`${where} has no current-context. Choose a context: ${availableContexts(kc)}`);
  const context = kc.getContextObject(contextName);
  if (!context) {
    throw new KubeconfigError(
      `The current-context "${contextName}" of ${where} is not defined. ${availableContexts(kc)}`,
    );
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    throw new KubeconfigError(
      `Context "${contextName}" in ${where} names cluster "${context.cluster}", which is not under clusters.`,
    );
  }
  let server: URL;
  try {
    server = new URL(cluster.server);
  } catch (error) {
    throw new KubeconfigError(
      `clusters "${cluster.name}" in ${where}: server "${cluster.server}" is not a URL.`,
      error,
    );
  }
  if (server.protocol !== 'https:' && server.protocol !== 'http:') {
    throw new KubeconfigError(
      `clusters "${cluster.name}" in ${where}: server "${cluster.server}" must start with https:// or http://.`,
    );
  }
  const user = kc.getCurrentUser();
  const secure = server.protocol === 'https:';
  if (secure && !user) {
    // The SDK skips the cluster's CA, too, when the context has no user: say so now rather than fail TLS later.
    throw new KubeconfigError(
      context.user
        ? `Context "${contextName}" in ${where} names user "${context.user}", which is not under users.`
        : `Context "${contextName}" in ${where} names no user: add one with a token, a client certificate or an exec plugin.`,
    );
  }
  requireReadable(`clusters "${cluster.name}" certificate-authority`, cluster.caFile, where);
  requireReadable(`users "${user?.name}" client-certificate`, user?.certFile, where);
  requireReadable(`users "${user?.name}" client-key`, user?.keyFile, where);
  const tokenFile: unknown = user?.authProvider?.config?.tokenFile;
  requireReadable(`users "${user?.name}" token file`, typeof tokenFile === 'string' ? tokenFile : undefined, where);

  const agents = new AgentPool(maxSockets);
  /** What the SDK makes of the context's credentials for one request: CA, client certificate, headers. */
  const httpsOptions = async (): Promise<https.RequestOptions> => {
    const options: https.RequestOptions = {};
    try {
      await kc.applyToHTTPSOptions(options);
    } catch (error) {
      throw new KubeconfigError(
        `Could not apply the credentials of context "${contextName}" (${where}): ${firstLine(error)}. Check the user's token, certificates or exec plugin.`,
        error,
      );
    }
    return options;
  };
  return {
    contextName,
    clusterName: cluster.name,
    server: cluster.server,
    async requestOptions(): Promise<ConnectionOptions> {
      if (!secure) return { headers: {}, agent: agents.plain() };
      const options = await httpsOptions();
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(options.headers ?? {})) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
      }
      if (options.auth) headers.Authorization = `Basic ${Buffer.from(options.auth).toString('base64')}`;
      // With a proxy-url the SDK builds a proxy agent; without one, its agent is a fresh non-keep-alive agent per
      // call, which would cost a TLS handshake per request: use a pooled agent with the same TLS settings instead.
      const agent = agents.tls(
        options,
        cluster.proxyUrl && options.agent instanceof http.Agent ? options.agent : undefined,
      );
      return { headers, agent };
    },
    async tlsSettings(): Promise<TlsSettings | undefined> {
      if (!secure) return undefined;
      const { ca, cert, key, pfx, passphrase, servername, rejectUnauthorized } = await httpsOptions();
      const source = cert === undefined ? undefined : clientCertificateSource(user?.name, user?.certFile, user?.exec);
      return {
        ...(ca === undefined ? {} : { ca }),
        ...(cert === undefined ? {} : { cert }),
        ...(key === undefined ? {} : { key }),
        ...(pfx === undefined ? {} : { pfx }),
        ...(passphrase === undefined ? {} : { passphrase }),
        ...(servername ? { servername } : {}),
        rejectUnauthorized: rejectUnauthorized !== false,
        ...(source ? { clientCertificateSource: source } : {}),
        ...(cluster.proxyUrl ? { proxyUrl: cluster.proxyUrl } : {}),
      };
    },
    close: () => agents.close(),
  };
}

/** Loads the kubeconfig and names its source for messages. */
function load(kc: KubeConfig, source: KubeconfigSource): string {
  if (source.inCluster) {
    kc.loadFromCluster();
    // The SDK does not check the environment: without it the server reads "https://undefined:undefined".
    if (kc.getCurrentCluster()?.server.includes('undefined')) {
      throw new KubeconfigError(
        'In-cluster configuration needs KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT, which Kubernetes sets in pods: run inside a pod or pass a kubeconfig.',
      );
    }
    return 'the in-cluster service account configuration';
  }
  const where = source.kubeconfigPath
    ? `kubeconfig ${source.kubeconfigPath}`
    : 'the default kubeconfig ($KUBECONFIG or ~/.kube/config)';
  try {
    if (source.kubeconfigPath) {
      const stats = statSync(source.kubeconfigPath, { throwIfNoEntry: false });
      if (!stats) throw new KubeconfigError(`${where} does not exist: pass the path of a kubeconfig file.`);
      if (!stats.isFile()) throw new KubeconfigError(`${where} is not a file: pass the path of a kubeconfig file.`);
      kc.loadFromFile(source.kubeconfigPath);
    } else {
      kc.loadFromDefault();
      // With no file and no service account, the SDK silently falls back to http://localhost:8080.
      if (kc.getCurrentContext() === 'loaded-context' && kc.getClusters()[0]?.server === 'http://localhost:8080') {
        throw new KubeconfigError(
          'No kubeconfig found: set KUBECONFIG, create ~/.kube/config, pass a kubeconfig path or run in-cluster.',
        );
      }
    }
  } catch (error) {
    if (error instanceof KubeconfigError) throw error;
    if (error instanceof Error && error.name === 'YAMLException') {
      throw new KubeconfigError(`${where} is not valid YAML: ${firstLine(error)}`, error);
    }
    if (error instanceof TypeError) {
      // js-yaml yields undefined for an empty file and the SDK then dereferences it.
      throw new KubeconfigError(`${where} is empty or not a kubeconfig: it needs clusters, users and contexts.`, error);
    }
    throw new KubeconfigError(`Cannot read ${where}: ${firstLine(error)}`, error);
  }
  if (kc.getContexts().length === 0) {
    throw new KubeconfigError(`${where} defines no contexts: it is not a kubeconfig, or it is incomplete.`);
  }
  return where;
}

/** Where a user's client certificate comes from, in the kubeconfig's own words (the file path, never the data). */
function clientCertificateSource(name: string | undefined, certFile: string | undefined, exec: unknown): string {
  const user = `kubeconfig user "${name ?? '?'}"`;
  if (certFile) return `${user} (client-certificate ${certFile})`;
  return exec ? `${user} (exec plugin)` : `${user} (client-certificate-data)`;
}

function availableContexts(kc: KubeConfig): string {
  const names = kc.getContexts().map((context) => context.name);
  return names.length > 0 ? `Available contexts: ${names.join(', ')}.` : 'It defines no contexts.';
}

function requireReadable(what: string, file: string | undefined, where: string): void {
  if (!file) return;
  try {
    accessSync(file, constants.R_OK);
  } catch (error) {
    throw new KubeconfigError(`${what} ${file} (from ${where}) cannot be read: ${firstLine(error)}.`, error);
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'unknown error';
}

/** Keep-alive agents, one per set of TLS settings (a rotated client certificate gets a new agent). */
class AgentPool {
  private readonly agents = new Map<string, http.Agent>();

  constructor(private readonly maxSockets: number) {}

  plain(): http.Agent {
    return this.remember('plain', () => new http.Agent({ keepAlive: true, maxSockets: this.maxSockets }));
  }

  /** The pooled agent for these TLS settings; `proxyAgent` (the SDK's, for a proxy-url) is kept in place of ours. */
  tls(options: https.RequestOptions, proxyAgent?: http.Agent): http.Agent {
    const { ca, cert, key, pfx, passphrase, rejectUnauthorized, servername } = options;
    const settings = { ca, cert, key, pfx, passphrase, rejectUnauthorized, servername };
    // Buffers serialise as their bytes, so the fingerprint changes exactly when the TLS material does.
    const fingerprint = createHash('sha256').update(JSON.stringify(settings)).digest('hex');
    return this.remember(
      fingerprint,
      () => proxyAgent ?? new https.Agent({ keepAlive: true, maxSockets: this.maxSockets, ...settings }),
    );
  }

  close(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }

  private remember(key: string, create: () => http.Agent): http.Agent {
    let agent = this.agents.get(key);
    if (!agent) {
      agent = create();
      this.agents.set(key, agent);
    }
    return agent;
  }
}
