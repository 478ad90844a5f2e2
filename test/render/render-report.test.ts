import { describe, expect, it } from '@jest/globals';
import type { Finding } from '../../src/findings/finding.js';
import type { DiagnosisReport } from '../../src/diagnosis/diagnosis-report.js';
import { REDACTED } from '../../src/findings/redact.js';
import {
  renderBlocksAttachment,
  renderReport,
  REPORT_FORMATS,
  validateBlockMessage,
  type BlockMessage,
} from '../../src/render/index.js';
import { degradedReport, nospace, nospaceBasis, PLANTED_SECRET } from './fixtures.js';

/** Secrets a check might let through, one per place a renderer shows. */
const SECRETS = {
  title: 'xoxb-1234567890-0987654321-AbCdEfGhIjKl',
  summary: 'AKIAIOSFODNN7EXAMPLE',
  evidence: 'hunter2-evidence-password',
  excerpt: PLANTED_SECRET,
  recommendation: 's3cr3t-in-url',
  data: 'data-token-value-123',
  proposal: 'proposal-pass-456',
};

function leakyReport(): DiagnosisReport {
  const leaky: Finding = {
    ...nospace,
    title: `Slack token ${SECRETS.title} found in logs`,
    summary: `the key ${SECRETS.summary} is in use`,
    evidence: [
      { label: 'flags', value: `--etcd-password=${SECRETS.evidence} --etcd-servers=https://10.0.0.11:2379` },
      { label: 'log', value: `line one\nAuthorization: Bearer ${SECRETS.excerpt}\nline three` },
    ],
    recommendation: `retry against https://admin:${SECRETS.recommendation}@10.0.0.10:6443`,
    data: { raw: { lines: [`token: ${SECRETS.data}`] } },
    proposals: [
      {
        action: 'etcd.disarm',
        summary: `disarm (password=${SECRETS.proposal})`,
        alarms: [{ memberId: '8e9e05c52164694d', alarm: 'NOSPACE' }],
        condition: { description: 'below 90%', maxDbSizeRatio: 0.9, quotaBytes: 100, belowBytes: 90 },
        basis: nospaceBasis,
      },
    ],
  };
  return { ...degradedReport(), findings: [leaky, ...degradedReport().findings] };
}

describe('renderReport', () => {
  it.each(REPORT_FORMATS)('never shows a secret from a finding in %s', (format) => {
    const out = renderReport(leakyReport(), format, { color: true });
    for (const [where, secret] of Object.entries(SECRETS))
      expect({ where, leaked: out.includes(secret) }).toEqual({ where, leaked: false });
    expect(out).toContain(format === 'markdown' ? '\\[REDACTED\\]' : REDACTED);
  });

  it('never shows a secret in the Slack attachment', () => {
    const { content } = renderBlocksAttachment(leakyReport());
    for (const secret of Object.values(SECRETS)) expect(content.includes(secret)).toBe(false);
  });

  it('gives the blocks format as a JSON array of valid messages', () => {
    const messages = JSON.parse(renderReport(degradedReport(), 'blocks')) as BlockMessage[];
    expect(messages.length).toBeGreaterThanOrEqual(1);
    for (const message of messages) expect(validateBlockMessage(message)).toEqual([]);
  });

  it('ends no format with a newline (the caller adds one)', () => {
    for (const format of REPORT_FORMATS) expect(renderReport(degradedReport(), format).endsWith('\n')).toBe(false);
  });

  it('passes the colour option to the text renderer only', () => {
    expect(renderReport(degradedReport(), 'text', { color: true })).toContain('\u001b[');
    expect(renderReport(degradedReport(), 'json', { color: true })).not.toContain('\u001b[');
  });
});
