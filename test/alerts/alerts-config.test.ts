import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/load-config.js';

const directory = mkdtempSync(join(tmpdir(), 'quorum-alerts-config-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

let files = 0;
function file(text: string): string {
  const path = join(directory, `quorum-${(files += 1)}.yaml`);
  writeFileSync(path, text);
  return path;
}

const CLUSTER = 'clusters:\n  prod-eu: { slack: { channel: C0PRODEU } }\n';

describe('the alerts section of quorum.yaml', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({ env: {}, file: file(CLUSTER) }).alerts).toEqual({
      clusterLabel: 'cluster',
      windowMinutes: 10,
      maxRunsPerClusterPerHour: 20,
      noteIntervalSeconds: 300,
      maxBodyBytes: 1024 * 1024,
    });
  });

  it("reads the issue's example and the optional settings", () => {
    const config = loadConfig({
      env: {},
      file: file(
        `${CLUSTER}alerts: { clusterLabel: k8s_cluster, windowMinutes: 15, maxRunsPerClusterPerHour: 5, tokenFile: /etc/quorum/alerts-token, channelsBySeverity: { critical: C0PAGER } }\n`,
      ),
    });
    expect(config.alerts).toMatchObject({
      clusterLabel: 'k8s_cluster',
      windowMinutes: 15,
      maxRunsPerClusterPerHour: 5,
      tokenFile: '/etc/quorum/alerts-token',
      channelsBySeverity: { critical: 'C0PAGER' },
    });
  });

  it.each([
    ['windowMinutes: 0', /alerts\.windowMinutes/],
    ['clusterLabel: "not a label"', /alerts\.clusterLabel: a Prometheus label name/],
    [
      'channelsBySeverity: { critical: "#pager" }',
      /alerts\.channelsBySeverity\.critical: a Slack channel id looks like C0123456/,
    ],
    ['channelsBySeverity: { page: C0PAGER }', /alerts\.channelsBySeverity/],
    ['tokne: x', /alerts: Unrecognized key: "tokne"/],
  ])('refuses `alerts: { %s }`, naming the path', (setting, message) => {
    expect(() => loadConfig({ env: {}, file: file(`${CLUSTER}alerts: { ${setting} }\n`) })).toThrow(message);
  });
});
