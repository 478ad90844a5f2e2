import { describe, expect, it } from '@jest/globals';
import { withFlagSpelling } from '../../src/cli/flag-spelling.js';

describe('withFlagSpelling', () => {
  it.each([
    ['Check clusters.prod-eu.etcd.endpoints and', 'Check clusters.prod-eu.etcd.endpoints (--etcd-endpoints) and'],
    ['set clusters.a.b.c.etcd.caFile, then', 'set clusters.a.b.c.etcd.caFile (--etcd-cacert), then'],
    ['(clusters.default.prometheus.selector)', '(clusters.default.prometheus.selector (--prometheus-selector))'],
    [
      'raise clusters.lab.kube.requestTimeoutMs in the config',
      'raise clusters.lab.kube.requestTimeoutMs in the config',
    ],
    ['etcd.endpoints alone has no cluster', 'etcd.endpoints alone has no cluster'],
  ])('%j → %j', (text, spelled) => {
    expect(withFlagSpelling(text)).toBe(spelled);
  });
});
