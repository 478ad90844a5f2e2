import { describe, expect, it } from '@jest/globals';
import { controlPlanePodsCheck, judgePod } from '../../src/checks/control-plane-pods.js';
import type { ContainerStatus, Pod } from '../../src/ports/kube-types.js';
import { FakeKubeReader, checkContext } from './fake-readers.js';

function pod(name: string, component: string, status: Partial<ContainerStatus> = {}, phase = 'Running'): Pod {
  return {
    metadata: { name, namespace: 'kube-system', labels: { component, tier: 'control-plane' } },
    spec: { nodeName: name.split('-').slice(-2).join('-') },
    status: {
      phase,
      containerStatuses: [{ name: component, ready: true, restartCount: 0, state: { running: {} }, ...status }],
    },
  };
}

const crashLooping = {
  ready: false,
  restartCount: 41,
  state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' } },
  lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2026-11-24T02:55:00Z' } },
};

describe('judgePod', () => {
  it.each([
    { name: 'running and ready', input: pod('kube-scheduler-cp-1', 'kube-scheduler'), severity: 'ok' },
    {
      name: 'crash-looping',
      input: pod('kube-controller-manager-cp-2', 'kube-controller-manager', crashLooping),
      severity: 'critical',
    },
    { name: 'pending', input: pod('etcd-cp-1', 'etcd', {}, 'Pending'), severity: 'critical' },
    { name: 'not ready', input: pod('kube-apiserver-cp-1', 'kube-apiserver', { ready: false }), severity: 'warning' },
    {
      name: 'often restarted',
      input: pod('kube-apiserver-cp-1', 'kube-apiserver', { restartCount: 9 }),
      severity: 'warning',
    },
  ])('calls a pod that is $name $severity', ({ input, severity }) => {
    expect(judgePod(input, 'x', 5).severity).toBe(severity);
  });
});

describe('control-plane.pods', () => {
  it('names the crash-looping pod with its restarts, last exit and a redacted log excerpt', async () => {
    const kube = new FakeKubeReader();
    kube.podList = [
      pod('kube-apiserver-cp-1', 'kube-apiserver'),
      pod('kube-controller-manager-cp-2', 'kube-controller-manager', crashLooping),
      pod('kube-scheduler-cp-1', 'kube-scheduler'),
      pod('etcd-cp-1', 'etcd'),
      { metadata: { name: 'coredns-abc', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } } },
    ];
    kube.logs.set(
      'kube-system/kube-controller-manager-cp-2',
      'I1124 starting\nE1124 error: --token=s3cr3t-value-123456 rejected\nF1124 failed to create listener: bind: address already in use\n',
    );
    const findings = await controlPlanePodsCheck.run(checkContext({ kube }), controlPlanePodsCheck.args.parse({}));
    const [crash, healthy] = findings;
    expect(crash?.severity).toBe('critical');
    expect(crash?.title).toBe('kube-controller-manager-cp-2 is crash-looping (41 restarts)');
    expect(crash?.summary).toContain('Error (exit code 1)');
    const log = crash?.evidence.find((item) => item.label.startsWith('log'))?.value ?? '';
    expect(log).toContain('address already in use');
    expect(log).not.toContain('s3cr3t-value-123456');
    expect(healthy).toMatchObject({ severity: 'ok', title: '3 control-plane pods running and ready' });
  });
});
