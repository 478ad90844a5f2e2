import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ServiceStartError } from '../../core/errors.js';

const run = promisify(execFile);

const DAY_MS = 24 * 60 * 60 * 1000;

/** When a generated certificate is valid. */
export interface CertificateLifetime {
  /** Valid from. @defaultValue five minutes ago (a little slack for clocks, as certificate tools give) */
  notBefore?: Date;
  /** Valid until. */
  notAfter: Date;
}

/** Valid from five minutes ago until `days` days from now. */
export function validForDays(days: number, now = Date.now()): CertificateLifetime {
  return { notBefore: new Date(now - 5 * 60_000), notAfter: new Date(now + days * DAY_MS) };
}

/** A year-long certificate that expired `days` days ago, as kubeadm's leave a cluster nobody upgraded for a year. */
export function expiredDaysAgo(days: number, now = Date.now()): CertificateLifetime {
  const notAfter = now - days * DAY_MS;
  return { notBefore: new Date(notAfter - 365 * DAY_MS), notAfter: new Date(notAfter) };
}

/** One certificate and its key, as files in the CA's directory and as PEM text. */
export interface IssuedCertificate {
  certFile: string;
  keyFile: string;
  certPem: string;
  keyPem: string;
}

/** What to issue. */
export interface CertificateRequest {
  /** File stem in the CA's directory: `<name>.crt`, `<name>.key`. */
  name: string;
  /** openssl's `-subj` form: `/O=system:masters/CN=kubernetes-admin`. */
  subject: string;
  /** X.509v3 extensions, one `name=value` per line (see {@link serverExtensions}, {@link clientExtensions}). */
  extensions: readonly string[];
  lifetime: CertificateLifetime;
}

/** A serving certificate's extensions for these subject alternative names (`IP:127.0.0.1`, `DNS:localhost`). */
export function serverExtensions(altNames: readonly string[]): string[] {
  return [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    `subjectAltName=${altNames.join(',')}`,
  ];
}

/** A client certificate's extensions. */
export function clientExtensions(): string[] {
  return [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=clientAuth',
  ];
}

const CURVE = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** `20261205031200Z`: the form `openssl ca -startdate/-enddate` takes. */
function opensslTime(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

/** The smallest `openssl ca` configuration: any subject, extensions from the request only. */
const CA_CONFIG = `[ ca ]
default_ca = sandbox
[ sandbox ]
dir = .
database = index.txt
serial = serial
new_certs_dir = issued
certificate = ca.crt
private_key = ca.key
default_md = sha256
policy = any_subject
unique_subject = no
copy_extensions = none
[ any_subject ]
commonName = supplied
organizationName = optional
`;

function failure(what: string, error: unknown): ServiceStartError {
  const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
  return new ServiceStartError(`Cannot create ${what} with openssl: ${detail}. Is the openssl CLI installed?`, error);
}

/**
 * A private CA in a directory, made and used with the openssl CLI (Node cannot create X.509 certificates). Unlike
 * `openssl x509 -req -days N`, `openssl ca` takes exact start and end dates, so a sandbox can serve a certificate
 * that expires in three days, or expired two days ago, and the checks read it from a real TLS handshake.
 */
export class OpensslCa {
  /** Requests are signed one at a time: `openssl ca` keeps its serial number and index in files. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly dir: string,
    readonly certFile: string,
    readonly certPem: string,
    /** The CA's private key, PEM: a throw-away sandbox CA's, kept so that {@link open} can sign elsewhere later. */
    readonly keyPem: string,
  ) {}

  /**
   * Creates the CA (`ca.crt`, `ca.key`) in `dir`, which must exist and be private to the caller.
   *
   * @param days - the CA's own lifetime, in days from now.
   * @throws ServiceStartError when openssl is missing or fails.
   */
  static async create(dir: string, subject: string, days = 3650): Promise<OpensslCa> {
    const path = (file: string): string => join(dir, file);
    try {
      await run('openssl', [
        ...['req', '-x509', ...CURVE, '-keyout', path('ca.key'), '-out', path('ca.crt')],
        ...['-days', String(days), '-subj', subject],
        ...['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
      ]);
      const [certPem, keyPem] = await Promise.all([readFile(path('ca.crt'), 'utf8'), readFile(path('ca.key'), 'utf8')]);
      return await OpensslCa.open(dir, { certPem, keyPem });
    } catch (error) {
      throw error instanceof ServiceStartError ? error : failure(`a CA (${subject})`, error);
    }
  }

  /**
   * An existing CA, written into `dir` (private to the caller) to sign there.
   *
   * @throws ServiceStartError when the directory cannot be written.
   */
  static async open(dir: string, pem: { certPem: string; keyPem: string }): Promise<OpensslCa> {
    const path = (file: string): string => join(dir, file);
    try {
      await mkdir(path('issued'), { recursive: true });
      await Promise.all([
        writeFile(path('ca.crt'), pem.certPem),
        writeFile(path('ca.key'), pem.keyPem, { mode: 0o600 }),
        writeFile(path('ca.cnf'), CA_CONFIG),
        writeFile(path('index.txt'), ''),
        // Unique enough across the sandbox's CAs and runs: a client trusts a serial per issuer only.
        writeFile(path('serial'), `${Date.now().toString(16).padStart(16, '0')}\n`),
      ]);
    } catch (error) {
      throw failure('the CA directory', error);
    }
    return new OpensslCa(dir, path('ca.crt'), pem.certPem, pem.keyPem);
  }

  /**
   * Issues a certificate with exactly the requested lifetime.
   *
   * @throws ServiceStartError when openssl fails.
   */
  issue(request: CertificateRequest): Promise<IssuedCertificate> {
    const issued = this.queue.then(() => this.sign(request));
    this.queue = issued.catch(() => undefined);
    return issued;
  }

  private async sign({ name, subject, extensions, lifetime }: CertificateRequest): Promise<IssuedCertificate> {
    const path = (file: string): string => join(this.dir, file);
    const notBefore = lifetime.notBefore ?? new Date(Date.now() - 5 * 60_000);
    try {
      await run('openssl', [
        'req',
        '-new',
        ...CURVE,
        '-keyout',
        path(`${name}.key`),
        '-out',
        path(`${name}.csr`),
        '-subj',
        subject,
      ]);
      await writeFile(path(`${name}.ext`), `[ leaf ]\n${extensions.join('\n')}\n`);
      await run(
        'openssl',
        [
          ...[
            'ca',
            '-batch',
            '-config',
            'ca.cnf',
            '-notext',
            '-preserveDN',
            '-in',
            `${name}.csr`,
            '-out',
            `${name}.crt`,
          ],
          ...['-extfile', `${name}.ext`, '-extensions', 'leaf'],
          ...['-startdate', opensslTime(notBefore), '-enddate', opensslTime(lifetime.notAfter)],
        ],
        { cwd: this.dir },
      );
      const [certPem, keyPem] = await Promise.all([
        readFile(path(`${name}.crt`), 'utf8'),
        readFile(path(`${name}.key`), 'utf8'),
      ]);
      return { certFile: path(`${name}.crt`), keyFile: path(`${name}.key`), certPem, keyPem };
    } catch (error) {
      throw failure(`the certificate ${subject}`, error);
    }
  }
}
