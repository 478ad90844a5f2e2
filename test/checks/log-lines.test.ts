/**
 * Control-plane log lines as public reports quote them, each with its source: the parser must read every format
 * (klog text, klog structured, JSON, etcd's capnslog, a runtime timestamp in front) and name the causes it knows.
 */
import { describe, expect, it } from '@jest/globals';
import { classifyLogMessage, type LogCause } from '../../src/checks/log-causes.js';
import { parseLogLine, type LogLine } from '../../src/checks/log-line-parser.js';
import { messagePattern } from '../../src/checks/log-patterns.js';

/** klog headers have no year: they are dated in the year before this moment. */
const NOW = Date.parse('2026-11-24T03:00:00Z');

interface Case {
  source: string;
  line: string;
  expected: Partial<LogLine> & { time?: number };
  cause?: LogCause;
}

const CASES: Case[] = [
  {
    source: 'kata-containers/tests#1872 (kube-scheduler, klog text)',
    line: 'E0731 02:29:23.425237       1 reflector.go:125] k8s.io/client-go/informers/factory.go:133: Failed to list *v1.Service: services is forbidden: User "system:kube-scheduler" cannot list resource "services" in API group "" at the cluster scope',
    expected: {
      format: 'klog',
      level: 'error',
      time: Date.parse('2026-07-31T02:29:23.425Z'),
      message:
        'k8s.io/client-go/informers/factory.go:133: Failed to list *v1.Service: services is forbidden: User "system:kube-scheduler" cannot list resource "services" in API group "" at the cluster scope',
    },
    cause: { kind: 'rbac-forbidden', user: 'system:kube-scheduler', verb: 'list', resource: 'services', group: '' },
  },
  {
    source: 'kubernetes-sigs/kubespray#11134 (kube-scheduler, klog warning)',
    line: 'W0426 12:28:39.253307       1 reflector.go:535] vendor/k8s.io/client-go/informers/factory.go:150: failed to list *v1.PodDisruptionBudget: poddisruptionbudgets.policy is forbidden: User "system:kube-scheduler" cannot list resource "poddisruptionbudgets" in API group "policy" at the cluster scope',
    expected: { format: 'klog', level: 'warning', time: Date.parse('2026-04-26T12:28:39.253Z') },
    cause: {
      kind: 'rbac-forbidden',
      user: 'system:kube-scheduler',
      verb: 'list',
      resource: 'poddisruptionbudgets',
      group: 'policy',
    },
  },
  {
    source: 'kubernetes/kubeadm#875 (kube-scheduler 1.10: no API group in the message)',
    line: 'E0531 12:49:08.754718       1 reflector.go:205] k8s.io/kubernetes/vendor/k8s.io/client-go/informers/factory.go:87: Failed to list *v1.Node: nodes is forbidden: User "system:kube-scheduler" cannot list nodes at the cluster scope',
    expected: { format: 'klog', level: 'error' },
    cause: { kind: 'rbac-forbidden', user: 'system:kube-scheduler', verb: 'list', resource: 'nodes', group: '' },
  },
  {
    source: 'luxas/kubeadm-workshop#8 (kube-scheduler 1.6: no "is forbidden")',
    line: 'E0404 09:14:48.942507       1 reflector.go:201] k8s.io/kubernetes/plugin/pkg/scheduler/factory/factory.go:451: Failed to list *v1.Pod: User "system:kube-scheduler" cannot list pods at the cluster scope. (get pods)',
    expected: { format: 'klog', level: 'error' },
    cause: { kind: 'rbac-forbidden', user: 'system:kube-scheduler', verb: 'list', resource: 'pods', group: '' },
  },
  {
    source: 'CentaurusInfra/arktos#1123 (the lease, in a namespace)',
    line: 'E1124 02:41:58.118734       1 leaderelection.go:436] error retrieving resource lock kube-system/kube-scheduler: leases.coordination.k8s.io "kube-scheduler" is forbidden: User "system:kube-scheduler" cannot get resource "leases" in API group "coordination.k8s.io" in the namespace "kube-system"',
    expected: { format: 'klog', level: 'error' },
    cause: {
      kind: 'rbac-forbidden',
      user: 'system:kube-scheduler',
      verb: 'get',
      resource: 'leases',
      group: 'coordination.k8s.io',
      namespace: 'kube-system',
    },
  },
  {
    source: 'rancher/rancher#8457 (kube-controller-manager, klog fatal)',
    line: 'F0411 05:17:54.489977       1 controllermanager.go:216] leaderelection lost',
    expected: { format: 'klog', level: 'fatal', message: 'leaderelection lost' },
    cause: { kind: 'leader-election-lost' },
  },
  {
    source: 'kubernetes/kubernetes#65966 (kube-scheduler, info, a single space before the thread id)',
    line: 'I1228 17:00:42.008006 1 leaderelection.go:287] failed to renew lease kube-system/kube-scheduler: failed to tryAcquireOrRenew context deadline exceeded',
    expected: { format: 'klog', level: 'info', time: Date.parse('2025-12-28T17:00:42.008Z') },
    cause: { kind: 'leader-election-lost', lease: 'kube-system/kube-scheduler' },
  },
  {
    source: 'kubernetes/kubernetes#135450 (kube-apiserver, klog structured)',
    line: 'E1126 03:38:26.776766       1 authentication.go:75] "Unable to authenticate the request" err="[invalid bearer token, service account token has expired]"',
    expected: {
      format: 'klog-structured',
      level: 'error',
      time: Date.parse('2025-11-26T03:38:26.776Z'),
      message: 'Unable to authenticate the request: [invalid bearer token, service account token has expired]',
    },
  },
  {
    source: 'kubernetes-sigs/kueue#3496 (klog structured, the error quoted with its own quotes)',
    line: 'E1108 22:04:17.191842       1 reflector.go:158] "Unhandled Error" err="k8s.io/client-go/informers/factory.go:160: Failed to watch *v1.FlowSchema: failed to list *v1.FlowSchema: the server could not find the requested resource" logger="UnhandledError"',
    expected: {
      format: 'klog-structured',
      level: 'error',
      message:
        'Unhandled Error: k8s.io/client-go/informers/factory.go:160: Failed to watch *v1.FlowSchema: failed to list *v1.FlowSchema: the server could not find the requested resource',
    },
    cause: { kind: 'resource-not-found', type: '*v1.FlowSchema' },
  },
  {
    source: 'kubernetes/kubernetes#129201 (kube-controller-manager, klog structured, escaped quotes in err)',
    line: String.raw`E1213 09:24:30.415149       1 metadata.go:231] "The watchlist request ended with an error, falling back to the standard LIST semantics" err="ingresses.networking.k8s.io is forbidden: User \"system:serviceaccount:kube-system:namespace-controller\" cannot watch resource \"ingresses\" in API group \"networking.k8s.io\" in the namespace \"foo\"" logger="namespace-controller" resource="networking.k8s.io/v1, Resource=ingresses"`,
    expected: { format: 'klog-structured', level: 'error' },
    cause: {
      kind: 'rbac-forbidden',
      user: 'system:serviceaccount:kube-system:namespace-controller',
      verb: 'watch',
      resource: 'ingresses',
      group: 'networking.k8s.io',
      namespace: 'foo',
    },
  },
  {
    source: 'rancher/rancher#41776 (client-go informer, the server certificate expired)',
    line: 'E0609 12:38:57.824498       1 reflector.go:127] k8s.io/client-go/informers/factory.go:134: Failed to watch *v1.Service: failed to list *v1.Service: Get "https://[::1]:6443/api/v1/services?resourceVersion=958884887": x509: certificate has expired or is not yet valid: current time 2023-06-09T12:38:57Z is after 2022-02-27T10:42:05Z',
    expected: { format: 'klog', level: 'error' },
    cause: {
      kind: 'certificate-expired',
      side: 'peer',
      address: '[::1]:6443',
      notAfter: '2022-02-27T10:42:05Z',
      notYetValid: false,
    },
  },
  {
    source: 'kubernetes/kubernetes#120890 (kube-apiserver: a client presents an expired certificate)',
    line: 'E0925 22:45:43.610253 1 authentication.go:53] Unable to authenticate the request due to an error: x509: certificate has expired or is not yet valid: current time 2023-09-25T22:45:43Z is after 2023-09-25T12:10:16Z',
    expected: { format: 'klog', level: 'error' },
    cause: { kind: 'certificate-expired', side: 'client', notAfter: '2023-09-25T12:10:16Z', notYetValid: false },
  },
  {
    source: 'kubernetes/minikube#4243 (kube-scheduler: nothing listens at the API server)',
    line: 'E0512 11:58:36.376386       1 reflector.go:126] k8s.io/client-go/informers/factory.go:133: Failed to list *v1.Node: Get https://localhost:8443/api/v1/nodes?limit=500&resourceVersion=0: dial tcp 127.0.0.1:8443: connect: connection refused',
    expected: { format: 'klog', level: 'error' },
    cause: { kind: 'unreachable', reason: 'refused', target: 'kube-apiserver', address: 'localhost:8443' },
  },
  {
    source: 'kubernetes/kubernetes#108380 (kube-controller-manager: the API server times out)',
    line: 'E0227 22:49:30.007315       1 leaderelection.go:330] error retrieving resource lock kube-system/kube-controller-manager: Get "https://127.0.0.1:6443/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager?timeout=5s": net/http: request canceled (Client.Timeout exceeded while awaiting headers)',
    expected: { format: 'klog', level: 'error' },
    cause: { kind: 'unreachable', reason: 'timeout', target: 'kube-apiserver', address: '127.0.0.1:6443' },
  },
  {
    source: 'kubernetes/kubernetes#107491 (kube-apiserver to etcd, as the CRI log file holds it)',
    line: '2022-01-12T21:16:43.834720026+00:00 stderr F W0112 21:16:43.831033       1 clientconn.go:1331] [core] grpc: addrConn.createTransport failed to connect to {127.0.0.1:2379 127.0.0.1 <nil> 0 <nil>}. Err: connection error: desc = "transport: Error while dialing dial tcp 127.0.0.1:2379: connect: connection refused". Reconnecting...',
    expected: { format: 'klog', level: 'warning', time: Date.parse('2022-01-12T21:16:43.834Z') },
    cause: { kind: 'unreachable', reason: 'refused', target: 'etcd', address: '127.0.0.1:2379' },
  },
  {
    source: 'etcd-io/etcd#16436 (etcd JSON, as the CRI log file holds it)',
    line: String.raw`2023-08-18T10:47:25.111490788+08:00 stderr F {"level":"warn","ts":"2023-08-18T02:47:25.111Z","caller":"etcdserver/util.go:166","msg":"apply request took too long","took":"627.833521ms","expected-duration":"200ms","prefix":"","request":"header:<ID:11060710893032608226 username:\"etcd\" auth_revision:1 > txn:<compare:<target:MOD key:\"/registry/karmada/configmaps/ccos-slb/slb-service-election-id\" mod_revision:138086004 > success:<request_put:<key:\"/registry/karmada/configmaps/ccos-slb/slb-service-election-id\" value_size:502 >> failure:<>>","response":"size:20"}`,
    expected: {
      format: 'json',
      level: 'warning',
      time: Date.parse('2023-08-18T02:47:25.111Z'),
      message: 'apply request took too long (took 627.833521ms, expected-duration 200ms)',
    },
    cause: { kind: 'etcd-slow-apply', tookMs: 627.833521, expectedMs: 200 },
  },
  {
    source: 'etcd-io/etcd#15740 (etcd JSON: a client presents an expired certificate)',
    line: '{"level":"warn","ts":"2023-04-18T07:10:00.276Z","caller":"embed/config_logging.go:169","msg":"rejected connection","remote-addr":"192.168.211.110:45886","server-name":"etcd.zragsai","error":"keys: failed to verify client certificate: x509: certificate has expired or is not yet valid: current time 2023-04-18T07:10:00Z is after 2023-04-18T07:04:06Z"}',
    expected: {
      format: 'json',
      level: 'warning',
      time: Date.parse('2023-04-18T07:10:00.276Z'),
      message:
        'rejected connection: keys: failed to verify client certificate: x509: certificate has expired or is not yet valid: current time 2023-04-18T07:10:00Z is after 2023-04-18T07:04:06Z',
    },
    cause: { kind: 'certificate-expired', side: 'client', notAfter: '2023-04-18T07:04:06Z', notYetValid: false },
  },
  {
    source: 'home-operations/miroir#175 (controller-runtime JSON, "level":"error"; its stacktrace field left out)',
    line: String.raw`{"level":"error","ts":"2026-07-13T10:02:13Z","logger":"controller-runtime.cache.UnhandledError","msg":"Failed to watch","reflector":"k8s.io/client-go@v0.36.2/tools/cache/reflector.go:343","type":"*v1.Deployment","error":"failed to list *v1.Deployment: deployments.apps is forbidden: User \"system:serviceaccount:miroir-system:miroir-controller\" cannot list resource \"deployments\" in API group \"apps\" at the cluster scope"}`,
    expected: { format: 'json', level: 'error', time: Date.parse('2026-07-13T10:02:13Z') },
    cause: {
      kind: 'rbac-forbidden',
      user: 'system:serviceaccount:miroir-system:miroir-controller',
      verb: 'list',
      resource: 'deployments',
      group: 'apps',
    },
  },
  {
    source: 'kubernetes-sigs/descheduler#412 (Kubernetes JSON format: no level, `err`; ts in ms in its first release)',
    line: String.raw`{"ts":1602507889919.717,"msg":"Unable to register node with API server","v":0,"err":"Post \"https://master-control-plane:6443/api/v1/nodes\": dial tcp 172.18.0.2:6443: connect: connection refused"}`,
    expected: { format: 'json', level: 'error', time: 1602507889919.717 },
    cause: { kind: 'unreachable', reason: 'refused', target: 'kube-apiserver', address: 'master-control-plane:6443' },
  },
  {
    source: 'etcd-io/etcd#7950 (etcd 3.0 capnslog, after the journal prefix)',
    line: '2017-05-18 07:47:07.863538 W | etcdserver: apply entries took too long [1.265482337s for 3 entries]',
    expected: { format: 'capnslog', level: 'warning', time: Date.parse('2017-05-18T07:47:07.863Z') },
    cause: { kind: 'etcd-slow-apply', tookMs: 1265.482337 },
  },
  {
    source: 'etcd-io/etcd#3504 (etcd 2.2 capnslog, critical)',
    line: '2015-09-13 00:45:30.786509 C | raft: tocommit(138789) is out of range [lastIndex(0)]',
    expected: { format: 'capnslog', level: 'fatal', message: 'raft: tocommit(138789) is out of range [lastIndex(0)]' },
  },
  {
    source: 'etcd-io/etcd#3504 (the Go panic that follows)',
    line: 'panic: tocommit(138789) is out of range [lastIndex(0)]',
    expected: { format: 'panic', level: 'fatal' },
  },
  {
    source: 'etcd-io/etcd#3504 (a stack frame: no level, never counted)',
    line: 'goroutine 98 [running]:',
    expected: { format: 'plain', message: 'goroutine 98 [running]:' },
  },
];

describe('parseLogLine and classifyLogMessage over real lines', () => {
  it.each(CASES)('$source', ({ line, expected, cause }) => {
    const parsed = parseLogLine(line, NOW);
    expect(parsed).toMatchObject(expected);
    if (!('level' in expected)) expect(parsed.level).toBeUndefined();
    expect(classifyLogMessage(parsed.message, parsed.raw)).toEqual(cause);
  });

  it('takes the time the API server prefixes (timestamps=true) over the line’s own', () => {
    const line = parseLogLine(
      '2026-11-24T02:41:58.118734123Z E1124 02:41:58.118734       1 server.go:267] "Leaderelection lost"',
      NOW,
    );
    expect(line).toMatchObject({
      time: Date.parse('2026-11-24T02:41:58.118Z'),
      level: 'error',
      message: 'Leaderelection lost',
      raw: 'E1124 02:41:58.118734       1 server.go:267] "Leaderelection lost"',
    });
  });

  it('dates a klog header in the past, never ahead of now', () => {
    expect(parseLogLine('E1124 02:59:00.000000       1 x.go:1] a', NOW).time).toBe(Date.parse('2026-11-24T02:59:00Z'));
    expect(parseLogLine('E1124 03:30:00.000000       1 x.go:1] a', NOW).time).toBe(Date.parse('2025-11-24T03:30:00Z'));
  });
});

describe('messagePattern', () => {
  it('makes repetitions of one error one pattern: times, addresses, numbers and generated names stripped', () => {
    const pattern = (line: string) => messagePattern(parseLogLine(line, NOW).message);
    const first = pattern(
      'E0609 12:38:57.824498       1 reflector.go:127] k8s.io/client-go/informers/factory.go:134: Failed to watch *v1.Service: failed to list *v1.Service: Get "https://10.0.0.12:6443/api/v1/services?resourceVersion=958884887": x509: certificate has expired or is not yet valid: current time 2023-06-09T12:38:57Z is after 2022-02-27T10:42:05Z',
    );
    const second = pattern(
      'E0609 12:39:07.900112       1 reflector.go:127] k8s.io/client-go/informers/factory.go:134: Failed to watch *v1.Service: failed to list *v1.Service: Get "https://10.0.0.13:6443/api/v1/services?resourceVersion=958885112": x509: certificate has expired or is not yet valid: current time 2023-06-09T12:39:07Z is after 2022-02-27T10:42:05Z',
    );
    expect(first).toBe(second);
    expect(first).toBe(
      'k8s.io/client-go/informers/factory.go:<n>: Failed to watch *v1.Service: failed to list *v1.Service: Get "https://<addr>/api/v1/services?<query>": x509: certificate has expired or is not yet valid: current time <time> is after <time>',
    );
    expect(
      messagePattern('pod "web-6f8c9d7b5e-4kq7z" on cp-2 uid 5b0d6c1e-77a2-4f0e-9a53-6f8c9d7b5eab took 627.833521ms'),
    ).toBe('pod "<name>" on <name> uid <uuid> took <n>');
  });

  it('keeps what tells errors apart: the resource, the component, the API group', () => {
    const pods = messagePattern(
      'failed to list *v1.Pod: pods is forbidden: User "system:kube-scheduler" cannot list resource "pods"',
    );
    const nodes = messagePattern(
      'failed to list *v1.Node: nodes is forbidden: User "system:kube-scheduler" cannot list resource "nodes"',
    );
    expect(pods).not.toBe(nodes);
    expect(pods).toContain('system:kube-scheduler');
  });
});
