import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  clientExtensions,
  OpensslCa,
  serverExtensions,
  validForDays,
  type CertificateLifetime,
} from '../../pki/openssl-ca.js';

/** A private CA and a server certificate it signed, for 127.0.0.1 and localhost. PEM text. */
export interface TlsMaterial {
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** A client certificate the simulator's CA signed, as kubeadm's CA signs `admin.conf`'s. PEM text. */
export interface ClientCertificateMaterial {
  certPem: string;
  keyPem: string;
}

/** Who a client certificate names and how long it lasts. */
export interface ClientCertificateSpec {
  /** The user name the API server takes from it (`CN`). */
  commonName: string;
  /** The groups (`O`), e.g. `system:masters`. @defaultValue none */
  organizations?: readonly string[];
  /** @defaultValue a year from now */
  lifetime?: CertificateLifetime;
}

/** The names kubeadm puts into the apiserver certificate, plus the loopback address the simulator listens on. */
const SERVER_NAMES = [
  'IP:127.0.0.1',
  'DNS:localhost',
  'DNS:kubernetes',
  'DNS:kubernetes.default',
  'DNS:kubernetes.default.svc',
  'DNS:kubernetes.default.svc.cluster.local',
];

/** kube-apiserver's serving certificate in a fresh kubeadm cluster lasts a year; the simulator's, 825 days. */
const DEFAULT_SERVING_DAYS = 825;

let cachedCa: Promise<{ certPem: string; keyPem: string }> | undefined;
let cachedDefault: Promise<TlsMaterial> | undefined;

/** Runs `work` with a CA in a fresh private directory that is removed afterwards, whatever happens. */
async function inTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'quorum-sim-tls-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The simulator's CA, created on first use and kept in memory only, shared by every simulator in the process. */
function simulatorCa(): Promise<{ certPem: string; keyPem: string }> {
  cachedCa ??= inTempDir(async (dir) => {
    const ca = await OpensslCa.create(dir, '/CN=quorum-simulator-ca');
    return { certPem: ca.certPem, keyPem: ca.keyPem };
  }).catch((error: unknown) => {
    cachedCa = undefined;
    throw error;
  });
  return cachedCa;
}

/** Signs one certificate with the simulator's CA (openssl needs files: they live only for this call). */
async function issue(
  subject: string,
  extensions: readonly string[],
  lifetime: CertificateLifetime,
): Promise<TlsMaterial> {
  const pem = await simulatorCa();
  return inTempDir(async (dir) => {
    const ca = await OpensslCa.open(dir, pem);
    const issued = await ca.issue({ name: 'leaf', subject, extensions, lifetime });
    return { caPem: pem.certPem, certPem: issued.certPem, keyPem: issued.keyPem };
  });
}

/**
 * The CA and a serving certificate for `CN=kube-apiserver`. Without a lifetime, one certificate valid for 825 days is
 * generated on first use and shared by every simulator in the process; with one, a certificate of exactly that
 * lifetime (three days left, expired two days ago) is made for this simulator.
 */
export function tlsMaterial(servingCertificate?: CertificateLifetime): Promise<TlsMaterial> {
  if (servingCertificate) return issue('/CN=kube-apiserver', serverExtensions(SERVER_NAMES), servingCertificate);
  cachedDefault ??= issue(
    '/CN=kube-apiserver',
    serverExtensions(SERVER_NAMES),
    validForDays(DEFAULT_SERVING_DAYS),
  ).catch((error: unknown) => {
    cachedDefault = undefined;
    throw error;
  });
  return cachedDefault;
}

/** A client certificate the simulator's CA signed: the simulator accepts it as kube-apiserver accepts kubeadm's. */
export async function issueClientCertificate(spec: ClientCertificateSpec): Promise<ClientCertificateMaterial> {
  const subject = [...(spec.organizations ?? []).map((group) => `/O=${group}`), `/CN=${spec.commonName}`].join('');
  const { certPem, keyPem } = await issue(subject, clientExtensions(), spec.lifetime ?? validForDays(365));
  return { certPem, keyPem };
}
