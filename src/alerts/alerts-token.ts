import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AlertsConfig } from '../config/config-schema.js';
import type { Secrets } from '../config/secrets.js';
import { ErrorCode, QuorumError } from '../core/errors.js';

/** The alert webhook's token cannot be read: the bot does not start with a receiver nobody can authenticate to. */
export class AlertsTokenError extends QuorumError {
  constructor(message: string, cause?: unknown) {
    super(ErrorCode.AlertsToken, message, { cause });
  }
}

/**
 * The token Alertmanager must present: `QUORUM_ALERTS_TOKEN`, else the first line of `alerts.tokenFile` (as
 * Alertmanager's own `credentials_file` is read, so one file can serve both). Undefined when neither is set: the
 * receiver is then not mounted.
 *
 * @throws AlertsTokenError when the file is unreadable or empty.
 */
export function resolveAlertsToken(config: AlertsConfig, secrets: Secrets): string | undefined {
  if (secrets.alertsToken) return secrets.alertsToken;
  if (!config.tokenFile) return undefined;
  let text: string;
  try {
    text = readFileSync(config.tokenFile, 'utf8');
  } catch (error) {
    throw new AlertsTokenError(
      `Cannot read alerts.tokenFile ${config.tokenFile} (${(error as Error).message}): fix the path or its permissions, or set QUORUM_ALERTS_TOKEN.`,
      error,
    );
  }
  const token = text.split(/\r?\n/)[0]?.trim();
  if (!token) throw new AlertsTokenError(`alerts.tokenFile ${config.tokenFile} is empty: write the token into it.`);
  return token;
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Equal strings, in time that does not depend on where they differ (both are hashed to the same length first). */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

export type AuthVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Checks an `Authorization` header as Alertmanager's `http_config` sends it: `Bearer <token>` (`authorization:`)
 * or `Basic base64(user:password)` (`basic_auth:`) whose password is the token (any user name).
 */
export function checkAlertsAuthorization(header: string | undefined, token: string): AuthVerdict {
  return createAlertsAuthorizer(token)(header);
}

/** {@link checkAlertsAuthorization} for one token, its digest computed once (the webhook checks every request). */
export function createAlertsAuthorizer(token: string): (header: string | undefined) => AuthVerdict {
  const expected = digest(token);
  const matches = (presented: string) => timingSafeEqual(digest(presented), expected);
  return (header) => authorize(header, matches);
}

function authorize(header: string | undefined, matches: (presented: string) => boolean): AuthVerdict {
  if (!header) return { ok: false, reason: 'missing Authorization header (Bearer token or basic auth)' };
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const value = space < 0 ? '' : header.slice(space + 1).trim();
  if (scheme === 'bearer') {
    return matches(value) ? { ok: true } : { ok: false, reason: 'wrong bearer token' };
  }
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return { ok: false, reason: 'malformed basic auth credentials' };
    return matches(decoded.slice(colon + 1)) ? { ok: true } : { ok: false, reason: 'wrong basic auth password' };
  }
  return { ok: false, reason: `unsupported Authorization scheme "${scheme}" (use Bearer or Basic)` };
}
