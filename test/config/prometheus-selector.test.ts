import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/core/errors.js';
import { loadConfig } from '../../src/config/load-config.js';

function withConfigFile(text: string, use: (path: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'quorum-config-'));
  try {
    const path = join(dir, 'quorum.yaml');
    writeFileSync(path, text);
    use(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('prometheus.selector', () => {
  it('is absent unless set', () => {
    expect(loadConfig({ env: {} }).clusters.default?.prometheus.selector).toBeUndefined();
  });

  it('keeps valid label matchers as written', () => {
    withConfigFile(
      'clusters:\n  prod-eu:\n    prometheus:\n      url: http://prometheus:9090\n      selector: \'cluster="prod-eu",job=~"apiserver|kube-apiserver"\'\n',
      (file) => {
        expect(loadConfig({ env: {}, file }).clusters['prod-eu']?.prometheus.selector).toBe(
          'cluster="prod-eu",job=~"apiserver|kube-apiserver"',
        );
      },
    );
  });

  it.each([
    ['cluster=prod-eu', /expected a quoted value at column 9/],
    ['up{cluster="a"}', /without the metric name "up"/],
    ['', /no label matchers/],
  ])('refuses %j at load with a message naming the setting and an example', (selector, problem) => {
    const attempt = () => loadConfig({ env: {}, cluster: { settings: { prometheus: { selector } } } });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/clusters\.default\.prometheus\.selector: /);
    expect(attempt).toThrow(problem);
    expect(attempt).toThrow('write label matchers such as cluster="prod-eu",job="apiserver"');
  });
});
