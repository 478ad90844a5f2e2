import {
  clientExtensions,
  OpensslCa,
  serverExtensions,
  validForDays,
  type CertificateLifetime,
} from '../pki/openssl-ca.js';

/** When the certificates of a TLS etcd are valid. */
export interface EtcdTlsOptions {
  /**
   * The members' serving certificate (`CN=etcd`), read by clients from the TLS handshake.
   * @defaultValue a year from now, as kubeadm issues them
   */
  servingCertificate?: CertificateLifetime;
  /**
   * Members with a serving certificate of their own (`CN=<member>`), e.g. one that expired while the others did not.
   * Names must be the cluster's member names.
   */
  memberServingCertificates?: Readonly<Record<string, CertificateLifetime>>;
}

/** The files a TLS etcd and its clients need, as paths (what etcd's and etcdctl's flags take). */
export interface EtcdTlsFiles {
  /** The private CA that signed every certificate (`--trusted-ca-file`, `etcdctl --cacert`); valid ten years. */
  caFile: string;
  /** Server certificate for 127.0.0.1 and localhost (`--cert-file`). */
  serverCertFile: string;
  serverKeyFile: string;
  /** Client certificate, CN `quorum-diagnostics`, valid a year (`etcdctl --cert`). */
  clientCertFile: string;
  clientKeyFile: string;
  /** The members with a serving certificate of their own, by name. */
  memberServerCerts: Readonly<Record<string, { certFile: string; keyFile: string }>>;
}

const SERVER_NAMES = ['IP:127.0.0.1', 'DNS:localhost'];

/**
 * Creates a CA, the serving certificates and a client certificate in `dir` with the openssl CLI (Node cannot create
 * X.509 certificates; the cluster simulator does the same), each with the lifetime asked for.
 *
 * @throws ServiceStartError when openssl is missing or fails.
 */
export async function createEtcdTlsFiles(dir: string, options: EtcdTlsOptions = {}): Promise<EtcdTlsFiles> {
  const { servingCertificate = validForDays(365), memberServingCertificates = {} } = options;
  const ca = await OpensslCa.create(dir, '/CN=quorum-sandbox-etcd-ca');
  const server = await ca.issue({
    name: 'server',
    subject: '/CN=etcd',
    extensions: serverExtensions(SERVER_NAMES),
    lifetime: servingCertificate,
  });
  const client = await ca.issue({
    name: 'client',
    subject: '/CN=quorum-diagnostics',
    extensions: clientExtensions(),
    lifetime: validForDays(365),
  });
  const memberServerCerts: Record<string, { certFile: string; keyFile: string }> = {};
  for (const [member, lifetime] of Object.entries(memberServingCertificates)) {
    const issued = await ca.issue({
      name: `server-${member}`,
      subject: `/CN=${member}`,
      extensions: serverExtensions(SERVER_NAMES),
      lifetime,
    });
    memberServerCerts[member] = { certFile: issued.certFile, keyFile: issued.keyFile };
  }
  return {
    caFile: ca.certFile,
    serverCertFile: server.certFile,
    serverKeyFile: server.keyFile,
    clientCertFile: client.certFile,
    clientKeyFile: client.keyFile,
    memberServerCerts,
  };
}

/** The files one member serves with: its own certificate when it has one, else the shared one. */
export function memberTlsFiles(files: EtcdTlsFiles, member: string): EtcdTlsFiles {
  const own = files.memberServerCerts[member];
  return own ? { ...files, serverCertFile: own.certFile, serverKeyFile: own.keyFile } : files;
}
