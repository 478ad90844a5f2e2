import { describe, expect, it } from '@jest/globals';
import { renderJson } from '../../src/render/render-json.js';
import { degradedReport, PLANTED_SECRET } from './fixtures.js';

describe('renderJson', () => {
  const json = renderJson(degradedReport());
  const parsed = JSON.parse(json) as Record<string, unknown> & { findings: Array<Record<string, unknown>> };

  it('has the required keys in order, then the run envelope, playbookTitle and worstSeverity', () => {
    expect(Object.keys(parsed)).toEqual([
      'playbook',
      'cluster',
      'startedAt',
      'finishedAt',
      'findings',
      'runId',
      'rootCause',
      'params',
      'trigger',
      'requestedAt',
      'apiServer',
      'playbookTitle',
      'worstSeverity',
    ]);
    expect(parsed.worstSeverity).toBe('critical');
    expect(parsed).toMatchObject({
      runId: 'r-mfz1k2a0-1a2b3c4d',
      cluster: 'prod-eu-1',
      trigger: { kind: 'slack', by: 'U0ONCALL1' },
      params: { namespace: 'kube-system', eventLookbackMinutes: 60 },
    });
  });

  it('has each finding with keys in order, data and proposals only when present', () => {
    const [nospace, lease] = parsed.findings;
    expect(Object.keys(nospace ?? {})).toEqual([
      'id',
      'check',
      'severity',
      'title',
      'summary',
      'evidence',
      'recommendation',
      'data',
      'proposals',
      'about',
      'signals',
    ]);
    expect(Object.keys(lease ?? {})).toEqual([
      'id',
      'check',
      'severity',
      'title',
      'summary',
      'evidence',
      'recommendation',
      'data',
      'about',
      'signals',
      'explainedBy',
    ]);
    const passed = parsed.findings.at(-1);
    expect(passed?.recommendation).toBeNull();
    expect(passed).not.toHaveProperty('data');
  });

  it('carries the one-line diagnosis and which finding explains which', () => {
    expect(parsed.rootCause).toEqual({
      kind: 'several',
      text: expect.stringMatching(/^Several independent problems: etcd NOSPACE alarm/),
      findingIds: ['etcd.space', 'control-plane.pods#1'],
    });
    const [nospace, lease] = parsed.findings;
    expect(lease?.explainedBy).toEqual([
      { id: nospace?.id, rule: 'writes-refused-stale-leases', because: expect.stringContaining('NOSPACE') },
    ]);
  });

  it('keeps the ranked order and the full evidence', () => {
    expect(parsed.findings.map((finding) => finding.severity)).toEqual([
      'critical',
      'critical',
      'critical',
      'warning',
      'info',
      'ok',
      'ok',
      'ok',
    ]);
    expect(json).toContain('(attempt 14)');
  });

  it('is pretty-printed and stable', () => {
    expect(json).toMatch(/^\{\n {2}"playbook": "control-plane-health",\n/);
    expect(renderJson(degradedReport())).toBe(json);
    expect(json.endsWith('}')).toBe(true);
  });

  it('is redacted', () => {
    expect(json).not.toContain(PLANTED_SECRET);
  });
});
