import { existsSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { worstSeverity } from '../../src/findings/finding.js';
import { renderReport } from '../../src/render/index.js';
import { runDemo } from '../../src/sandbox/demo.js';

describe('quorum demo', () => {
  it('diagnoses the sandbox incident with both playbooks and stops what it started', async () => {
    const output: string[] = [];
    const { reports } = await runDemo({
      write: (text) => output.push(text),
      render: (report) => renderReport(report, 'text', { color: false }),
      windowSeconds: 1,
    });
    expect(reports.map((report) => report.playbook)).toEqual(['control-plane-health', 'etcd-db-growth']);
    expect(reports.map((report) => worstSeverity(report.findings))).toEqual(['critical', 'critical']);
    expect(reports[1]?.findings[0]?.title).toMatch(/NOSPACE alarm raised$/);
    const text = output.join('');
    expect(text).toContain('$ quorum diagnose etcd-db-growth');
    expect(text).toContain('Stopping etcd and the simulator');
    // The printed kubeconfig path belongs to the simulator, which removes it on stop.
    const kubeconfig = /--kubeconfig (\S+)/.exec(text)?.[1] ?? '';
    expect(kubeconfig).not.toBe('');
    expect(existsSync(kubeconfig)).toBe(false);
  });
});
