import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { AlertsConfigSchema } from '../../src/config/config-schema.js';
import {
  AlertsTokenError,
  checkAlertsAuthorization,
  constantTimeEqual,
  resolveAlertsToken,
} from '../../src/alerts/alerts-token.js';

const TOKEN = 's3cret-token';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('alert webhook authentication', () => {
  it.each([
    ['the bearer token', `Bearer ${TOKEN}`, true],
    ['the bearer token, scheme in another case', `bearer ${TOKEN}`, true],
    ['basic auth with the token as password', basic('alertmanager', TOKEN), true],
    ['a wrong bearer token', 'Bearer nope', false],
    ['a token that only starts right', `Bearer ${TOKEN}x`, false],
    ['a wrong basic password', basic('alertmanager', 'nope'), false],
    ['basic auth without a colon', `Basic ${Buffer.from(TOKEN).toString('base64')}`, false],
    ['another scheme', `Token ${TOKEN}`, false],
    ['no header', undefined, false],
  ])('%s → %s', (_, header, ok) => {
    expect(checkAlertsAuthorization(header, TOKEN).ok).toBe(ok);
  });

  it('says why it refused', () => {
    expect(checkAlertsAuthorization(undefined, TOKEN)).toEqual({
      ok: false,
      reason: 'missing Authorization header (Bearer token or basic auth)',
    });
    expect(checkAlertsAuthorization('Digest x', TOKEN)).toMatchObject({
      reason: /unsupported Authorization scheme "digest"/,
    });
  });

  it('compares strings of any length', () => {
    expect(constantTimeEqual('a', 'a')).toBe(true);
    expect(constantTimeEqual('a', 'ab')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });

  it('takes the token from QUORUM_ALERTS_TOKEN first, then from alerts.tokenFile (first line)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quorum-token-'));
    const file = join(dir, 'token');
    writeFileSync(file, 'from-file\nignored\n');
    const config = AlertsConfigSchema.parse({ tokenFile: file });
    expect(resolveAlertsToken(config, { alertsToken: 'from-env' })).toBe('from-env');
    expect(resolveAlertsToken(config, {})).toBe('from-file');
    expect(resolveAlertsToken(AlertsConfigSchema.parse({}), {})).toBeUndefined();
  });

  it('refuses an unreadable or empty token file with what to do', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quorum-token-'));
    const empty = join(dir, 'empty');
    writeFileSync(empty, '\n');
    expect(() => resolveAlertsToken(AlertsConfigSchema.parse({ tokenFile: join(dir, 'missing') }), {})).toThrow(
      /Cannot read alerts.tokenFile .*missing.*set QUORUM_ALERTS_TOKEN/,
    );
    expect(() => resolveAlertsToken(AlertsConfigSchema.parse({ tokenFile: empty }), {})).toThrow(AlertsTokenError);
  });
});
