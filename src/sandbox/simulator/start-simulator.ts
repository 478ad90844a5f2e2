import { randomBytes } from 'node:crypto';
import { createServer } from 'node:https';
import type { Socket } from 'node:net';
import { ServiceStartError } from '../../core/errors.js';
import { ObjectStore } from './api/object-store.js';
import { loadScenario } from './scenario/load-scenario.js';
import type { Scenario } from './scenario/scenario.js';
import { FaultSet, type Fault, type InjectedFault } from './server/faults.js';
import { handleRequest } from './server/handle-request.js';
import { writeKubeconfig } from './server/kubeconfig.js';
import { RequestLog } from './server/request-log.js';
import { issueClientCertificate, tlsMaterial } from './server/tls-material.js';
import type { SimulatorOptions } from './simulator-options.js';

/** A simulator that is listening. */
export interface RunningSimulator {
  /** `https://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  /** The bearer token it accepts (client certificates its CA signed are accepted too). */
  readonly token: string;
  /** The CA that signed its certificate, PEM: trust it to connect (`https.request({ ca })`). */
  readonly caPem: string;
  /** A kubeconfig for it (cluster, token or client-certificate user, current context); deleted by `stop`. */
  readonly kubeconfigPath: string;
  /** The kubeconfig's context name, `quorum-sim-<scenario>`. */
  readonly contextName: string;
  /** The scenario served now (see `switchScenario`). */
  readonly scenario: Scenario;
  /**
   * Serves another scenario from the next request on, on the same address, token and kubeconfig: how the demo's
   * switchboard moves a running cluster from healthy into an incident and back. Faults stay as they were.
   */
  switchScenario(scenario: string | Scenario): Promise<Scenario>;
  /** Every request received: method, path, clock time, status. */
  readonly requests: RequestLog;
  /** Makes matching requests slow, fail or hang until removed, expired (`times`) or cleared. */
  inject(fault: Fault): InjectedFault;
  clearFaults(): void;
  /** Simulates etcd compaction: continue tokens handed out so far answer 410 Expired. */
  compact(): void;
  /** Stops listening, destroys open connections (hanging requests included) and deletes the kubeconfig. Idempotent. */
  stop(): Promise<void>;
}

/** The user the token authenticates as; it may only read, like Quorum's diagnostics. */
const USER = 'quorum-reader';

/**
 * Starts an HTTPS server on 127.0.0.1 that answers as a Kubernetes API server for a scenario: discovery, lists with
 * pagination and selectors, tables for kubectl, pod logs, health endpoints and Prometheus metrics.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const {
    scenario: scenarioOption = 'healthy',
    scenariosDir,
    token = randomBytes(24).toString('base64url'),
    now = Date.now,
    latencyMs = 0,
    port = 0,
    requestLogSize = 10_000,
    servingCertificate,
    clientCertificate,
  } = options;
  if (!Number.isFinite(latencyMs) || latencyMs < 0)
    throw new RangeError('latencyMs must be a non-negative number of milliseconds');
  if (token === '') throw new RangeError('token must not be empty');
  const scenario =
    typeof scenarioOption === 'string' ? await loadScenario(scenarioOption, scenariosDir) : scenarioOption;
  const [tls, client] = await Promise.all([
    tlsMaterial(servingCertificate),
    clientCertificate ? issueClientCertificate(clientCertificate) : undefined,
  ]);

  const abort = new AbortController();
  const faults = new FaultSet();
  const requests = new RequestLog(requestLogSize);
  const store = new ObjectStore(scenario);
  const context = {
    store,
    token,
    user: USER,
    faults,
    log: requests,
    now,
    startMs: now(),
    latencyMs,
    signal: abort.signal,
  };

  const sockets = new Set<Socket>();
  // As kube-apiserver with --client-ca-file: ask for a client certificate, verify it per request (handle-request.ts).
  const serverOptions = {
    key: tls.keyPem,
    cert: tls.certPem,
    ca: tls.caPem,
    requestCert: true,
    rejectUnauthorized: false,
  };
  const server = createServer(serverOptions, (req, res) => {
    void handleRequest(req, res, context);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(
        new ServiceStartError(`The cluster simulator cannot listen on 127.0.0.1:${port}: ${error.message}`, error),
      ),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const url = `https://127.0.0.1:${boundPort}`;
  const contextName = `quorum-sim-${scenario.name}`;
  let kubeconfig: Awaited<ReturnType<typeof writeKubeconfig>>;
  try {
    kubeconfig = await writeKubeconfig({
      context: contextName,
      server: url,
      caPem: tls.caPem,
      ...(client ? { clientCertificate: client } : { token }),
      user: clientCertificate ? clientCertificate.commonName : `${contextName}-reader`,
    });
  } catch (error) {
    server.close();
    throw new ServiceStartError(
      `The cluster simulator cannot write its kubeconfig: ${(error as Error).message}`,
      error,
    );
  }

  let stopping: Promise<void> | undefined;
  return {
    url,
    port: boundPort,
    token,
    caPem: tls.caPem,
    kubeconfigPath: kubeconfig.path,
    contextName,
    get scenario() {
      return context.store.scenario;
    },
    async switchScenario(next) {
      const loaded = typeof next === 'string' ? await loadScenario(next, scenariosDir) : next;
      context.store = new ObjectStore(loaded);
      return loaded;
    },
    requests,
    inject: (fault) => faults.inject(fault),
    clearFaults: () => faults.clear(),
    compact: () => context.store.compact(),
    stop() {
      stopping ??= (async () => {
        abort.abort();
        faults.clear();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await closed;
        await kubeconfig.remove();
      })();
      return stopping;
    },
  };
}
