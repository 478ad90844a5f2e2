import {
  ClientClosedError,
  EtcdPermissionDeniedError,
  GRPCDeadlineExceededError,
  GRPCUnauthenticatedError,
  GRPCUnavailableError,
} from 'etcd3';
import { bareSettingName, type SettingName } from '../core/setting-name.js';
import { EtcdRequestError, EtcdUnreachableError, type QuorumError } from '../core/errors.js';

export interface EtcdFailure {
  /** False when we never got an answer from the member: worth trying another endpoint. */
  answered: boolean;
  /** One line for a person: what happened, in words, with gRPC's own text at the end. */
  reason: string;
}

/**
 * What the server or the transport said, without gRPC's "<code> <NAME>: " and, for failed connections, only the
 * socket error out of "No connection established. Last error: Error: connect ECONNREFUSED …. Resolution note: …".
 */
function detail(error: Error): string {
  const said = error.message.replace(/^\d+ [A-Z_]+: /, '').trim();
  const socket = /Last error: (?:Error: )?(.*?)\.?(?: Resolution note:.*)?$/s.exec(said)?.[1];
  return socket?.trim() || said;
}

/** OpenSSL's "…:SSL routines:<function>:<reason>:<file>…" shortened to the reason; otherwise the first line. */
function shortTls(said: string): string {
  return (/SSL routines:[^:]*:([^:]+)/.exec(said)?.[1] ?? said.split('\n')[0] ?? said).trim();
}

/** What a failed TLS handshake most likely means, in the flags' terms. */
function tlsReason(said: string, setting: SettingName): string {
  const short = shortTls(said);
  if (/alert certificate expired/i.test(said)) {
    return `the member rejected our client certificate as expired (${short}): renew ${setting('etcd.certFile')} (and its key)`;
  }
  if (/alert (bad certificate|certificate required|unknown ca|certificate unknown)/i.test(said)) {
    return `the member rejected our client certificate, or none was sent (${short}): check ${setting('etcd.certFile')} and ${setting('etcd.keyFile')}`;
  }
  if (/certificate has expired|certificate is not yet valid|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID/i.test(said)) {
    return `the member's serving certificate has expired or is not yet valid (${short}): renew it on that member (kubeadm: kubeadm certs renew etcd-server, then restart the etcd static pod) and check the node's clock`;
  }
  if (/unable to verify|self[- ]signed|local issuer|verify failed|altnames|does not match/i.test(said)) {
    return `the member's certificate is not trusted (${short}): check ${setting('etcd.caFile')}, and that the endpoint's host is in the certificate`;
  }
  if (/wrong version number|disconnected before secure TLS/i.test(said)) {
    return `TLS handshake failed (${short}): does the endpoint really serve https?`;
  }
  return `TLS handshake failed (${short}): check the CA, the client certificate and that the endpoint uses https`;
}

/**
 * Classifies what etcd3 (or gRPC under it) threw for a call to one member.
 *
 * @param timeoutMs - the call's deadline, in ms, for the message.
 * @param setting - names the settings the advice points at.
 */
export function classifyEtcdFailure(
  error: unknown,
  timeoutMs: number,
  setting: SettingName = bareSettingName,
): EtcdFailure {
  if (!(error instanceof Error)) return { answered: false, reason: String(error) };
  const said = detail(error);
  if (error instanceof GRPCDeadlineExceededError) {
    return {
      answered: false,
      reason: `no answer within ${timeoutMs} ms (the member may be down, partitioned, overloaded or without quorum)`,
    };
  }
  if (error instanceof GRPCUnavailableError) {
    // "etcdserver: no leader" and friends come from the member itself; transport failures do not.
    if (said.startsWith('etcdserver:')) return { answered: true, reason: said };
    if (/ssl|tls|certificate|handshake|wrong version number/i.test(said)) {
      return { answered: false, reason: tlsReason(said, setting) };
    }
    return {
      answered: false,
      reason: /ECONNREFUSED/.test(said)
        ? `connection refused (${said}): is etcd running and listening there?`
        : `connection failed (${said})`,
    };
  }
  if (error instanceof EtcdPermissionDeniedError || error instanceof GRPCUnauthenticatedError) {
    return {
      answered: true,
      reason: `permission denied (${said}): the client certificate's etcd user lacks read access`,
    };
  }
  if (error instanceof ClientClosedError) return { answered: false, reason: 'the etcd reader was already closed' };
  return { answered: true, reason: said || error.name };
}

/**
 * The Quorum error for a failed call: {@link EtcdUnreachableError} when the member never answered (the message
 * says to check endpoints and certificates), {@link EtcdRequestError} when it answered with an error.
 *
 * @param what - the request in words, e.g. "status" or "the alarm list".
 */
export function toEtcdError(
  endpoint: string,
  what: string,
  error: unknown,
  timeoutMs: number,
  setting: SettingName = bareSettingName,
): QuorumError {
  const { answered, reason } = classifyEtcdFailure(error, timeoutMs, setting);
  return answered
    ? new EtcdRequestError(`etcd at ${endpoint} refused ${what}: ${reason}`, error)
    : new EtcdUnreachableError([endpoint], `${what} failed: ${reason}`, error, setting);
}
