import { describe, expect, it } from '@jest/globals';
import { AlertRouter } from '../../src/alerts/alert-routing.js';
import type { ReceivedAlert } from '../../src/alerts/alertmanager-payload.js';
import { createCheckRegistry } from '../../src/checks/all-checks.js';
import { ConfigSchema } from '../../src/config/config-schema.js';
import { defaultPlaybooksDir } from '../../src/playbooks/default-dir.js';
import { loadPlaybooks } from '../../src/playbooks/load-playbooks.js';

const playbooks = await loadPlaybooks(defaultPlaybooksDir(), createCheckRegistry());

function alert(name: string, labels: Record<string, string> = {}, fingerprint = name): ReceivedAlert {
  return {
    fingerprint,
    status: 'firing',
    name,
    labels: { alertname: name, ...labels },
    annotations: {},
  };
}

const config = ConfigSchema.parse({
  clusters: {
    'prod-eu': { slack: { channel: 'C0PRODEU' } },
    'prod-us': { slack: { channel: 'C0PRODUS' } },
    lab: {},
  },
  defaultCluster: 'prod-eu',
  alerts: { channelsBySeverity: { critical: 'C0PAGER' } },
});

describe('alert routing', () => {
  const router = new AlertRouter(config, playbooks);

  it.each([
    ['etcdDatabaseQuotaLowSpace', 'etcd-db-growth'],
    ['etcdBackendQuotaLowSpace', 'etcd-db-growth'],
    ['etcdExcessiveDatabaseGrowth', 'etcd-db-growth'],
    ['etcdDatabaseHighFragmentationRatio', 'etcd-db-growth'],
    ['KubeAPIErrorBudgetBurn', 'apiserver-latency'],
    ['KubeAPITerminatedRequests', 'apiserver-latency'],
    ['etcdGRPCRequestsSlow', 'apiserver-latency'],
    ['etcdHighFsyncDurations', 'apiserver-latency'],
    ['etcdHighCommitDurations', 'apiserver-latency'],
    ['KubePodNotReady', 'scheduler-pending'],
    ['KubeContainerWaiting', 'scheduler-pending'],
    ['KubeSchedulerDown', 'scheduler-pending'],
    ['KubeAPIDown', 'control-plane-health'],
    ['KubeAPIInstanceUnreachable', 'control-plane-health'],
    ['KubeControllerManagerDown', 'control-plane-health'],
    ['KubeSchedulerInstanceUnreachable', 'control-plane-health'],
    ['KubeControllerManagerInstanceUnreachable', 'control-plane-health'],
    ['etcdMembersDown', 'control-plane-health'],
    ['etcdInsufficientMembers', 'control-plane-health'],
    ['etcdNoLeader', 'control-plane-health'],
    ['etcdHighNumberOfLeaderChanges', 'control-plane-health'],
    ['KubeClientCertificateExpiration', 'certificates'],
  ])('%s wakes %s (REFERENCE.md alerts table, through the playbooks)', (name, playbook) => {
    expect(router.playbookFor(name)).toBe(playbook);
  });

  it('takes the cluster from the cluster label, else defaultCluster, and never falls back from an unknown one', () => {
    const { routes, unrouted } = router.route([
      alert('etcdNoLeader', { cluster: 'prod-us', severity: 'warning' }, 'a'),
      alert('etcdNoLeader', { severity: 'warning' }, 'b'),
      alert('etcdNoLeader', { cluster: 'staging' }, 'c'),
      alert('etcdNoLeader', { cluster: 'constructor' }, 'd'),
    ]);
    expect(routes.map((route) => [route.cluster, route.channel, route.alerts.length])).toEqual([
      ['prod-us', 'C0PRODUS', 1],
      ['prod-eu', 'C0PRODEU', 1],
    ]);
    expect(unrouted).toEqual([
      expect.objectContaining({ reason: 'unknown_cluster', detail: expect.stringContaining('cluster="staging"') }),
      // A name every object has through its prototype is no configured cluster either.
      expect.objectContaining({ reason: 'unknown_cluster', detail: expect.stringContaining('cluster="constructor"') }),
    ]);
  });

  it('groups alerts by (cluster, playbook) and sends critical ones to the severity channel', () => {
    const { routes } = router.route([
      alert('etcdDatabaseQuotaLowSpace', { severity: 'critical' }, 'a'),
      alert('etcdExcessiveDatabaseGrowth', { severity: 'warning' }, 'b'),
      alert('KubeAPIDown', { severity: 'warning' }, 'c'),
    ]);
    expect(routes).toEqual([
      expect.objectContaining({ playbook: 'etcd-db-growth', severity: 'critical', channel: 'C0PAGER' }),
      expect.objectContaining({ playbook: 'control-plane-health', severity: 'warning', channel: 'C0PRODEU' }),
    ]);
    expect(routes[0]?.alerts).toHaveLength(2);
  });

  it('narrows scheduler-pending to the namespace the alerts agree on, and only that playbook', () => {
    const one = router.route([
      alert('KubePodNotReady', { namespace: 't1' }, 'a'),
      alert('KubePodNotReady', { namespace: 't1' }, 'b'),
    ]);
    expect(one.routes[0]?.params).toEqual({ namespace: 't1' });
    const two = router.route([
      alert('KubePodNotReady', { namespace: 't1' }, 'a'),
      alert('KubePodNotReady', { namespace: 't2' }, 'b'),
    ]);
    expect(two.routes[0]?.params).toEqual({});
    const health = router.route([alert('KubeAPIDown', { namespace: 'monitoring' })]);
    expect(health.routes[0]?.params).toEqual({});
  });

  it('says why an alert starts nothing: no playbook, no channel, no cluster', () => {
    expect(router.route([alert('KubeJobFailed')]).unrouted[0]).toMatchObject({ reason: 'no_playbook' });
    expect(router.route([alert('etcdNoLeader', { cluster: 'lab', severity: 'warning' })]).unrouted[0]).toMatchObject({
      reason: 'no_channel',
      detail: expect.stringContaining('clusters.lab.slack.channel'),
    });
    const noDefault = new AlertRouter(ConfigSchema.parse({ clusters: { a: {}, b: {} } }), playbooks);
    expect(noDefault.route([alert('etcdNoLeader')]).unrouted[0]).toMatchObject({ reason: 'no_cluster' });
  });

  it('uses another label when alerts.clusterLabel says so', () => {
    const custom = new AlertRouter(
      ConfigSchema.parse({ ...config, alerts: { clusterLabel: 'k8s_cluster' } }),
      playbooks,
    );
    expect(custom.route([alert('etcdNoLeader', { k8s_cluster: 'prod-us' })]).routes[0]?.cluster).toBe('prod-us');
  });
});
