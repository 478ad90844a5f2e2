import { describe, expect, it } from '@jest/globals';
import { ConfigSchema, type ClusterConfigInput } from '../../src/config/config-schema.js';
import { executorEtcdSettings } from '../../src/config/executor-etcd.js';
import { loadConfig } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/core/errors.js';

const CLUSTERS = {
  'prod-eu': {
    etcd: { endpoints: ['https://10.0.0.1:2379'], quotaBytes: 8589934592, caFile: '/ro/ca.crt' },
    approvers: { users: ['U0APPROVER1'], groups: ['S0SRELEADS'], required: 2, allowSelfApproval: true },
  },
  'prod-us': {},
};

describe('approvers and executor in the config', () => {
  it('fills approver defaults and keeps clusters without approvers unapprovable', () => {
    const config = ConfigSchema.parse({ clusters: CLUSTERS });
    expect(config.clusters['prod-eu']?.approvers).toEqual({
      users: ['U0APPROVER1'],
      groups: ['S0SRELEADS'],
      required: 2,
      allowSelfApproval: true,
      expiresMinutes: 15,
    });
    expect(config.clusters['prod-us']?.approvers).toBeUndefined();
    expect(config.executor).toMatchObject({ clusters: {}, pauseBetweenMembersSeconds: 10, defragTimeoutSeconds: 600 });
  });

  it.each([
    [{ approvers: { users: ['alice'] } }, 'clusters.prod-eu.approvers.users[0]: a Slack user id looks like U0123456'],
    [{ approvers: { groups: ['U0NOTAGROUP'] } }, 'clusters.prod-eu.approvers.groups[0]: a Slack user group id'],
    [{ approvers: { required: 0 } }, 'clusters.prod-eu.approvers.required'],
    [{ approvers: { expiresMinutes: 0 } }, 'clusters.prod-eu.approvers.expiresMinutes'],
    [{ approvers: { approvers: [] } }, 'clusters.prod-eu.approvers: Unrecognized key: "approvers"'],
  ])('refuses bad approvers with the path: %j', (cluster, message) => {
    expect(() =>
      loadConfig({ env: {}, overrides: { clusters: { 'prod-eu': cluster as ClusterConfigInput } } }),
    ).toThrow(message);
  });

  it('refuses executor credentials for a cluster that is not configured', () => {
    expect(() =>
      loadConfig({
        env: {},
        overrides: { clusters: { 'prod-eu': {} }, executor: { clusters: { 'prod-xx': { etcd: {} } } } },
      }),
    ).toThrow(/executor\.clusters\.prod-xx: names no cluster under clusters \(configured: prod-eu\)/);
  });

  it('gives the executor its own credentials with the cluster endpoints and quota when it leaves them out', () => {
    const config = ConfigSchema.parse({
      clusters: CLUSTERS,
      executor: {
        clusters: { 'prod-eu': { etcd: { certFile: '/rw/c.crt', keyFile: '/rw/c.key', caFile: '/rw/ca.crt' } } },
        pauseBetweenMembersSeconds: 2,
      },
    });
    expect(executorEtcdSettings(config, 'prod-eu')).toMatchObject({
      endpoints: ['https://10.0.0.1:2379'],
      quotaBytes: 8589934592,
      certFile: '/rw/c.crt',
      keyFile: '/rw/c.key',
      caFile: '/rw/ca.crt',
    });
    expect(config.executor.pauseBetweenMembersSeconds).toBe(2);
    expect(() => executorEtcdSettings(config, 'prod-us')).toThrow(ConfigError);
    expect(() => executorEtcdSettings(config, 'prod-us')).toThrow(/executor\.clusters\.prod-us\.etcd/);
  });
});
