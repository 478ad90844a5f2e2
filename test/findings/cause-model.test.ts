import { describe, expect, it } from '@jest/globals';
import { analyzeFindings } from '../../src/findings/analyze-findings.js';
import { CAUSE_RULES } from '../../src/findings/cause-rules.js';
import type { Signal } from '../../src/findings/cause-vocabulary.js';
import { explainFindings } from '../../src/findings/explain-findings.js';
import type { Finding } from '../../src/findings/finding.js';

function finding(check: string, overrides: Partial<Finding> = {}): Finding {
  return { check, severity: 'critical', title: check, summary: '', evidence: [], ...overrides };
}

const memberDown = finding('etcd.member-health', {
  title: 'etcd member master-2 is down',
  about: { component: 'etcd', instance: 'master-2' },
  signals: ['etcd.member-down'],
});
const readyz = finding('apiserver.health', {
  title: 'API server /readyz failing: etcd',
  about: { component: 'kube-apiserver' },
  signals: ['apiserver.etcd-check-failing'],
});
const nospace = finding('etcd.alarms', {
  title: 'etcd NOSPACE alarm',
  about: { component: 'etcd' },
  signals: ['etcd.nospace'],
});
const staleScheduler = finding('leases.leader', {
  title: 'kube-scheduler has no active leader',
  about: { component: 'kube-scheduler' },
  signals: ['lease.stale'],
});
const pending = finding('scheduler.pending', {
  severity: 'warning',
  title: '40 pods wait for a scheduler',
  about: { component: 'workload' },
  signals: ['pods.unattempted'],
});
const events = finding('control-plane.events', { severity: 'warning', title: 'Warning events in kube-system' });

describe('explainFindings', () => {
  it('links readyz failing on etcd to the etcd member that is down, and says why', () => {
    const [down, symptom] = explainFindings([memberDown, readyz]);
    expect(down?.explainedBy).toBeUndefined();
    expect(symptom?.explainedBy).toEqual([
      {
        id: 'etcd.member-health',
        rule: 'etcd-fails-apiserver-etcd-check',
        because: 'because etcd member master-2 is down',
      },
    ]);
  });

  it('chains: NOSPACE stops the scheduler lease, the stale lease leaves pods unattempted', () => {
    const explained = explainFindings([pending, staleScheduler, nospace]);
    const byId = Object.fromEntries(explained.map((item) => [item.id, item]));
    expect(byId['leases.leader']?.explainedBy?.map((link: { id: string }) => link.id)).toEqual(['etcd.alarms']);
    expect(byId['scheduler.pending']?.explainedBy?.map((link: { id: string }) => link.id)).toEqual(['leases.leader']);
    expect(byId['etcd.alarms']?.explainedBy).toBeUndefined();
  });

  it('ties a pod to its own node only', () => {
    const notReady = (node: string) =>
      finding(`nodes.conditions`, { about: { component: 'node', instance: node }, signals: ['node.not-ready'] });
    const pod = finding('control-plane.pods', {
      about: { component: 'kube-apiserver', instance: 'kube-apiserver-cp-2', node: 'cp-2' },
      signals: ['component.not-ready'],
    });
    expect(explainFindings([notReady('cp-1'), pod])[1]?.explainedBy).toBeUndefined();
    expect(explainFindings([notReady('cp-2'), pod])[1]?.explainedBy?.[0]?.because).toBe(
      'because its node cp-2 is NotReady',
    );
  });

  it('does not let an OOMKilled API server be explained by etcd, but a crash-looping one can be', () => {
    const crashing = (signals: Signal[]) =>
      finding('control-plane.pods', {
        about: { component: 'kube-apiserver', instance: 'kube-apiserver-cp-1' },
        signals,
      });
    const noQuorum = finding('etcd.member-health', { about: { component: 'etcd' }, signals: ['etcd.no-quorum'] });
    expect(explainFindings([noQuorum, crashing(['component.crashlooping'])])[1]?.explainedBy).toHaveLength(1);
    expect(
      explainFindings([noQuorum, crashing(['component.crashlooping', 'component.oom-killed'])])[1]?.explainedBy,
    ).toBeUndefined();
  });

  it('puts the pod of a member that is down under the member, by the node it runs on', () => {
    const down = finding('etcd.member-health', {
      about: { component: 'etcd', instance: 'cp-2' },
      signals: ['etcd.member-down'],
    });
    const etcdPod = (node: string) =>
      finding('control-plane.pods', {
        about: { component: 'etcd', instance: `etcd-${node}`, node },
        signals: ['component.crashlooping'],
      });
    expect(explainFindings([down, etcdPod('cp-2')])[1]?.explainedBy).toEqual([
      {
        id: 'etcd.member-health',
        rule: 'etcd-member-down-its-pod',
        because: 'because this is the pod of etcd member cp-2, which is down',
      },
    ]);
    expect(explainFindings([down, etcdPod('cp-1')])[1]?.explainedBy).toBeUndefined();
    // k3s and RKE2 name a member after its node with a suffix.
    const k3s = { ...down, about: { component: 'etcd' as const, instance: 'cp-2-6b1e9f3a' } };
    expect(explainFindings([k3s, etcdPod('cp-2')])[1]?.explainedBy).toHaveLength(1);
  });

  it('puts a controller that restarts with the API server on its node, and a leader change, under that API server', () => {
    const oom = finding('control-plane.pods', {
      about: { component: 'kube-apiserver', instance: 'kube-apiserver-cp-1', node: 'cp-1' },
      signals: ['component.crashlooping', 'component.oom-killed'],
    });
    const controller = (node: string, signals: Signal[] = ['component.crashlooping']) =>
      finding('control-plane.pods', {
        severity: 'warning',
        about: { component: 'kube-controller-manager', instance: `kube-controller-manager-${node}`, node },
        signals,
      });
    const changed = finding('leases.leader', {
      severity: 'warning',
      about: { component: 'kube-controller-manager', node: 'cp-3' },
      signals: ['lease.leader-changed'],
    });
    const [, sameNode, leader] = explainFindings([oom, controller('cp-1'), changed]);
    expect(sameNode?.explainedBy?.[0]).toMatchObject({
      rule: 'apiserver-restarts-restart-local-controllers',
      because: 'because kube-apiserver-cp-1 is being OOMKilled on the same node',
    });
    expect(leader?.explainedBy?.[0]?.rule).toBe('apiserver-restarts-leader-changes');
    expect(explainFindings([oom, controller('cp-2')])[1]?.explainedBy).toBeUndefined();
    // A controller OOMKilled itself has its own cause.
    expect(
      explainFindings([oom, controller('cp-1', ['component.crashlooping', 'component.oom-killed'])])[1]?.explainedBy,
    ).toBeUndefined();
  });

  it('explains a stale lease by the NotReady node its holder runs on', () => {
    const nodeDown = finding('nodes.conditions', {
      about: { component: 'node', instance: 'cp-2' },
      signals: ['node.not-ready'],
    });
    const onNode = (node: string) => ({ ...staleScheduler, about: { component: 'kube-scheduler' as const, node } });
    expect(explainFindings([nodeDown, onNode('cp-2')])[1]?.explainedBy?.[0]).toMatchObject({
      rule: 'node-not-ready-stale-lease',
      because: 'because its holder runs on cp-2, which is NotReady',
    });
    expect(explainFindings([nodeDown, onNode('cp-1')])[1]?.explainedBy).toBeUndefined();
  });

  describe('what component logs explain', () => {
    const logs = (overrides: Partial<Finding>) => finding('control-plane.logs', overrides);
    const refused = (resources: string[]) =>
      logs({
        title: 'kube-scheduler cannot list pods: RBAC forbidden',
        about: { component: 'kube-scheduler' },
        signals: ['logs.rbac-forbidden'],
        data: {
          sources: [{ component: 'kube-scheduler', pod: 'kube-scheduler-cp-1' }],
          forbidden: resources.map((resource) => ({ user: 'system:kube-scheduler', verb: 'list', resource })),
        },
      });

    it('puts pods nobody tried under a scheduler RBAC refuses pods or nodes, and not under one refused leases only', () => {
      expect(explainFindings([refused(['pods', 'statefulsets']), pending])[1]?.explainedBy).toEqual([
        {
          id: 'control-plane.logs',
          rule: 'rbac-forbidden-scheduler-unattempted',
          because: 'because kube-scheduler is refused pods by RBAC',
        },
      ]);
      expect(explainFindings([refused(['leases']), pending])[1]?.explainedBy).toBeUndefined();
    });

    it('puts a stale lease under RBAC refusing that component its lease, not another component’s', () => {
      expect(explainFindings([refused(['leases']), staleScheduler])[1]?.explainedBy?.[0]).toMatchObject({
        rule: 'rbac-forbidden-lease',
        because: 'because kube-scheduler is refused leases by RBAC',
      });
      const controllerLease = { ...staleScheduler, about: { component: 'kube-controller-manager' as const } };
      expect(explainFindings([refused(['leases']), controllerLease])[1]?.explainedBy).toBeUndefined();
      expect(explainFindings([refused(['pods']), staleScheduler])[1]?.explainedBy).toBeUndefined();
    });

    it('puts the lease, the lost election and the restarts of the components that log an expired certificate under it', () => {
      const expired = logs({
        title: 'kube-controller-manager on cp-2 cannot verify the API server’s certificate',
        about: { component: 'kube-apiserver', instance: 'kube-apiserver-cp-2', node: 'cp-2' },
        signals: ['logs.certificate-expired'],
        data: { sources: [{ component: 'kube-controller-manager', pod: 'kube-controller-manager-cp-2' }] },
      });
      const leaderChanged = finding('leases.leader', {
        severity: 'warning',
        about: { component: 'kube-controller-manager', node: 'cp-1' },
        signals: ['lease.leader-changed'],
      });
      const restarting = (pod: string) =>
        finding('control-plane.pods', {
          about: { component: 'kube-controller-manager', instance: pod, node: pod.slice(-4) },
          signals: ['component.crashlooping'],
        });
      const explained = explainFindings([
        expired,
        leaderChanged,
        restarting('kube-controller-manager-cp-2'),
        restarting('kube-controller-manager-cp-3'),
        { ...staleScheduler, severity: 'critical' },
      ]);
      expect(explained.map((item) => item.explainedBy?.[0]?.rule)).toEqual([
        undefined,
        'expired-certificate-cuts-off-component',
        'expired-certificate-cuts-off-component',
        undefined,
        undefined,
      ]);
      expect(explained[1]?.explainedBy?.[0]?.because).toBe(
        "because kube-apiserver-cp-2's certificate expired and TLS to it fails",
      );
    });

    it('puts what cannot reach an API server or etcd under that server’s trouble on the same node', () => {
      const apiserverNotReady = finding('control-plane.pods', {
        severity: 'warning',
        about: { component: 'kube-apiserver', instance: 'kube-apiserver-cp-2', node: 'cp-2' },
        signals: ['component.not-ready'],
      });
      const cannotReach = (node: string) =>
        logs({
          severity: 'warning',
          about: { component: 'kube-apiserver', instance: `kube-apiserver-${node}`, node },
          signals: ['logs.apiserver-unreachable'],
        });
      expect(explainFindings([apiserverNotReady, cannotReach('cp-2')])[1]?.explainedBy?.[0]).toMatchObject({
        rule: 'apiserver-down-components-cannot-reach-it',
        because: 'because kube-apiserver-cp-2 is not ready',
      });
      expect(explainFindings([apiserverNotReady, cannotReach('cp-1')])[1]?.explainedBy).toBeUndefined();

      const etcdRefused = (node: string) =>
        logs({ severity: 'warning', about: { component: 'etcd', node }, signals: ['logs.etcd-unreachable'] });
      expect(explainFindings([memberDown, etcdRefused('master-2')])[1]?.explainedBy?.[0]).toMatchObject({
        rule: 'etcd-down-apiserver-cannot-reach-it',
        because: 'because etcd member master-2 is down',
      });
      expect(explainFindings([memberDown, etcdRefused('master-1')])[1]?.explainedBy).toBeUndefined();
    });
  });

  it('puts a member that looks down under its own expired serving certificate, and no other member', () => {
    const expired = (member: string) =>
      finding('etcd.certificates', {
        title: `etcd member ${member} serving certificate expired 2d 0h ago`,
        about: { component: 'etcd', instance: member },
        signals: ['certificate.expired'],
      });
    const expiring = finding('etcd.certificates', {
      title: 'etcd member master-2 serving certificate expires in 2d 23h',
      about: { component: 'etcd', instance: 'master-2' },
      signals: ['certificate.expiring'],
    });
    expect(explainFindings([expired('master-2'), memberDown])[1]?.explainedBy).toEqual([
      {
        id: 'etcd.certificates',
        rule: 'expired-certificate-member-unreachable',
        because: 'because etcd member master-2 serves an expired certificate, which clients refuse',
      },
    ]);
    expect(explainFindings([expired('master-1'), memberDown])[1]?.explainedBy).toBeUndefined();
    // A certificate that still works explains nothing.
    expect(explainFindings([expiring, memberDown])[1]?.explainedBy).toBeUndefined();
    // And the member's consequences follow it down the chain.
    const analyzed = analyzeFindings([readyz, memberDown, expired('master-2')]);
    expect(analyzed.findings.map((item) => item.id)).toEqual([
      'etcd.certificates',
      'etcd.member-health',
      'apiserver.health',
    ]);
    expect(analyzed.rootCause.text).toBe(
      'Most likely cause: etcd member master-2 serving certificate expired 2d 0h ago (explains 2 other findings)',
    );
  });

  it('explains an unreachable API server, stale leases and NotReady nodes by its expired certificate, not by an expiring one', () => {
    const certificate = (signal: Signal) =>
      finding('apiserver.serving-certificate', { about: { component: 'kube-apiserver' }, signals: [signal] });
    const nodeLeases = finding('nodes.conditions', { signals: ['node-leases.stale'] });
    const unreachable = finding('apiserver.health', {
      about: { component: 'kube-apiserver' },
      signals: ['apiserver.unreachable'],
    });
    for (const symptom of [nodeLeases, unreachable]) {
      expect(explainFindings([certificate('certificate.expired'), symptom])[1]?.explainedBy?.[0]).toEqual({
        id: 'apiserver.serving-certificate',
        rule: 'expired-apiserver-certificate-clients-refuse',
        because: "because the API server's certificate has expired, so its clients refuse to talk to it",
      });
      expect(explainFindings([certificate('certificate.expiring'), symptom])[1]?.explainedBy).toBeUndefined();
    }
  });

  it("puts the API server's slow requests and slow etcd requests under a member much slower than the others", () => {
    const slowMember = finding('etcd.round-trip', {
      severity: 'warning',
      title: 'etcd member etcd-2 answers much slower than the others',
      about: { component: 'etcd', instance: 'etcd-2' },
      signals: ['etcd.member-slow'],
    });
    const latency = finding('apiserver.request-latency', {
      about: { component: 'kube-apiserver' },
      signals: ['apiserver.slow'],
    });
    const etcdLatency = finding('apiserver.etcd-latency', {
      severity: 'warning',
      about: { component: 'kube-apiserver' },
      signals: ['apiserver.etcd-slow'],
    });
    const { findings, rootCause } = analyzeFindings([latency, etcdLatency, slowMember]);
    expect(findings.map((item) => item.id)).toEqual([
      'etcd.round-trip',
      'apiserver.request-latency',
      'apiserver.etcd-latency',
    ]);
    for (const symptom of findings.slice(1)) {
      expect(symptom.explainedBy).toEqual([
        {
          id: 'etcd.round-trip',
          rule: 'slow-etcd-member-slows-apiserver',
          because: 'because etcd member etcd-2 answers much slower than the others',
        },
      ]);
    }
    expect(rootCause.findingIds).toEqual(['etcd.round-trip']);
    // Slowness explains nothing else: not a readyz failure, not a lease.
    expect(explainFindings([slowMember, readyz, staleScheduler]).some((item) => item.explainedBy)).toBe(false);
  });

  it('never links ok or info findings, and never closes a loop', () => {
    const okReadyz = { ...readyz, severity: 'ok' as const };
    expect(explainFindings([memberDown, okReadyz])[1]?.explainedBy).toBeUndefined();
    const a = finding('a', { about: { component: 'kube-apiserver' }, signals: ['apiserver.slow'] });
    const b = finding('b', { about: { component: 'kube-apiserver' }, signals: ['component.crashlooping'] });
    const loop = [
      {
        id: 'ab',
        cause: { signals: ['apiserver.slow'] as Signal[] },
        symptom: { signals: ['component.crashlooping'] as Signal[] },
        because: () => 'x',
      },
      {
        id: 'ba',
        cause: { signals: ['component.crashlooping'] as Signal[] },
        symptom: { signals: ['apiserver.slow'] as Signal[] },
        because: () => 'y',
      },
    ];
    const explained = explainFindings([a, b], loop);
    expect(explained.filter((item) => item.explainedBy).length).toBe(1);
  });

  it('has rules that each name evidence on both sides', () => {
    for (const rule of CAUSE_RULES) {
      expect(rule.cause.signals.length).toBeGreaterThan(0);
      expect(rule.symptom.signals.length).toBeGreaterThan(0);
    }
    expect(new Set(CAUSE_RULES.map((rule) => rule.id)).size).toBe(CAUSE_RULES.length);
  });
});

describe('analyzeFindings', () => {
  it('puts the cause first and its symptom under it, whatever order the checks reported them in', () => {
    const { findings, rootCause } = analyzeFindings([readyz, events, memberDown]);
    expect(findings.map((item) => item.title)).toEqual([
      'etcd member master-2 is down',
      'API server /readyz failing: etcd',
      'Warning events in kube-system',
    ]);
    expect(rootCause).toEqual({
      kind: 'cause',
      text: 'Most likely cause: etcd member master-2 is down (explains 1 other finding)',
      findingIds: ['etcd.member-health'],
    });
  });

  it('keeps a critical symptom under a warning cause: the group counts as critical', () => {
    const warnLease = { ...staleScheduler, severity: 'warning' as const };
    const critPending = { ...pending, severity: 'critical' as const };
    const { findings, rootCause } = analyzeFindings([events, critPending, warnLease]);
    expect(findings.map((item) => item.check)).toEqual(['leases.leader', 'scheduler.pending', 'control-plane.events']);
    expect(rootCause.kind).toBe('cause');
    expect(rootCause.findingIds).toEqual(['leases.leader']);
  });

  it('names several independent problems of the same weight', () => {
    const oom = finding('control-plane.pods', {
      title: 'kube-controller-manager-cp-1 OOMKilled',
      about: { component: 'kube-controller-manager' },
      signals: ['component.oom-killed'],
    });
    const { rootCause } = analyzeFindings([memberDown, oom]);
    expect(rootCause.kind).toBe('several');
    expect(rootCause.text).toBe(
      'Several independent problems: etcd member master-2 is down; kube-controller-manager-cp-1 OOMKilled',
    );
  });

  it('says no problem was found, and whether some checks could not run', () => {
    expect(analyzeFindings([finding('a', { severity: 'ok' })]).rootCause).toEqual({
      kind: 'none',
      text: 'No problem found',
      findingIds: [],
    });
    const unchecked = finding('b', { severity: 'warning', title: 'Could not check b', about: { component: 'quorum' } });
    expect(analyzeFindings([unchecked]).rootCause.text).toBe(
      'No problem found in what could be checked (1 check could not run)',
    );
  });

  it('numbers findings of the same check so explanations can point at one', () => {
    const { findings } = analyzeFindings([
      finding('x', { severity: 'ok' }),
      finding('x', { severity: 'ok' }),
      finding('y', { severity: 'ok' }),
    ]);
    expect(findings.map((item) => item.id).sort()).toEqual(['x#1', 'x#2', 'y']);
  });
});
