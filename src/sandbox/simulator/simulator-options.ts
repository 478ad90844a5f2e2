import type { CertificateLifetime } from '../pki/openssl-ca.js';
import type { Scenario } from './scenario/scenario.js';
import type { ClientCertificateSpec } from './server/tls-material.js';

/** Options of {@link startSimulator}; every field is optional. */
export interface SimulatorOptions {
  /**
   * A scenario name (a file `src/sandbox/scenarios/<name>.yaml`), a path to a scenario file, or a scenario built
   * in code.
   * @defaultValue 'healthy'
   */
  scenario?: string | Scenario;
  /** Where scenario names are looked up. @defaultValue the `src/sandbox/scenarios` directory */
  scenariosDir?: string;
  /** The bearer token clients must send. @defaultValue a random token per start */
  token?: string;
  /**
   * The simulator's clock, ms since the epoch. Relative scenario times resolve against it and metrics advance with
   * it, so a test can move time forward deterministically.
   * @defaultValue Date.now
   */
  now?: () => number;
  /** Delay added to every request, ms. @defaultValue 0 */
  latencyMs?: number;
  /** Port on 127.0.0.1. @defaultValue 0 (a free port) */
  port?: number;
  /** How many requests the request log keeps (it counts all). @defaultValue 10000 */
  requestLogSize?: number;
  /**
   * When the serving certificate (`CN=kube-apiserver`) is valid: three days left, or expired two days ago, read by
   * clients from the real TLS handshake. @defaultValue 825 days from the first simulator's start
   */
  servingCertificate?: CertificateLifetime;
  /**
   * Write a kubeconfig whose user authenticates with a client certificate the simulator's CA signs, as kubeadm's
   * `admin.conf` does, instead of the token. The simulator, like kube-apiserver with `--client-ca-file`, accepts a
   * certificate that verifies and answers 401 to one that does not (expired, not yet valid).
   * @defaultValue the token
   */
  clientCertificate?: ClientCertificateSpec;
}
