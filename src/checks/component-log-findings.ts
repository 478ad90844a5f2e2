import type { Component, Signal } from '../findings/cause-vocabulary.js';
import { asComponent } from '../findings/cause-vocabulary.js';
import type { Evidence, Finding } from '../findings/finding.js';
import { formatDuration, pluralize } from '../findings/format.js';
import { redact } from '../findings/redact.js';
import type { LogGroup, LogSource, PatternCount } from './component-log-summary.js';
import type { LogCause } from './log-causes.js';

const CHECK = 'control-plane.logs';

/** What a finding needs besides its group. */
export interface LogFindingContext {
  /** When the report is written: what "N ago" counts from. */
  nowMs: number;
  /** When each pod's log arrived (by pod name): whether a problem still goes on is judged against its own log's end. */
  readAtMs?: ReadonlyMap<string, number>;
  /** The lookback, as titles say it: `10m`. */
  window: string;
  /** A problem last seen within this many ms is still happening. */
  stillFailingMs: number;
  /** This many slow applies in the window make a warning. */
  slowApplyWarning: number;
  /** Patterns quoted per finding. */
  patterns: number;
  /** Every control-plane pod read or listed: to tell which pod and node serves an address. */
  pods: readonly LogSource[];
  /** Pods whose logs held more than was read, so their counts are lower bounds. */
  truncated: ReadonlySet<string>;
  /** What a pod's read is bounded by, for the evidence of a partial read: `2000 lines or 256 KiB per pod`. */
  limits: string;
}

type Target = { component?: Component; pod?: string; node?: string };

/** kube-scheduler and the controllers stop working without the objects RBAC now hides from them. */
const BLOCKED_BY_RBAC: ReadonlySet<string> = new Set([
  'kube-scheduler',
  'kube-controller-manager',
  'cloud-controller-manager',
  'kube-apiserver',
]);

/** Resources named first in a title: what tells the reader most about what stopped. */
const RESOURCE_ORDER = ['pods', 'nodes', 'leases', 'bindings', 'events'];

const unique = <T>(values: readonly T[]): T[] => [...new Set(values)];

function ago(nowMs: number, ms: number | undefined): string {
  return ms === undefined ? 'at an unknown time' : `${formatDuration(Math.max(0, nowMs - ms))} ago`;
}

/** "kube-scheduler", "kube-controller-manager on cp-2", "kube-controller-manager and kube-scheduler on cp-2". */
function who(sources: readonly LogSource[]): string {
  const components = unique(sources.map((source) => source.component));
  const nodes = unique(sources.map((source) => source.node ?? '?'));
  const names =
    components.length > 2 ? `${components.slice(0, -1).join(', ')} and ${components.at(-1)}` : components.join(' and ');
  return nodes.length === 1 && nodes[0] !== '?' ? `${names} on ${nodes[0]}` : names;
}

function times(group: LogGroup, context: LogFindingContext): string {
  const lowerBound = group.sources.some((source) => context.truncated.has(source.pod));
  const count = group.count === 1 ? 'once' : `${group.count.toLocaleString('en-US')} times`;
  return `${lowerBound ? 'at least ' : ''}${count} in ${context.window}`;
}

/** The pod and node behind an address: a loopback address is the logging pod's own node, else a node's hostIP. */
function targetOf(
  address: string | undefined,
  component: Component | undefined,
  group: LogGroup,
  context: LogFindingContext,
): Target {
  if (!component) return {};
  const host = address?.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  let node: string | undefined;
  if (host === undefined) node = undefined;
  else if (['127.0.0.1', 'localhost', '::1'].includes(host)) {
    const nodes = unique(group.sources.map((source) => source.node));
    node = nodes.length === 1 ? nodes[0] : undefined;
  } else node = context.pods.find((pod) => pod.hostIP === host)?.node;
  const pod = node
    ? context.pods.find((candidate) => candidate.component === component && candidate.node === node)
    : undefined;
  return { component, ...(node ? { node } : {}), ...(pod ? { pod: pod.pod } : {}) };
}

/** "the API server at 10.0.0.12:6443", "etcd at 127.0.0.1:2379", "10.96.0.1:443". */
function serverName(target: 'kube-apiserver' | 'etcd' | 'other', address: string | undefined): string {
  const where = address ? ` at ${address}` : '';
  if (target === 'kube-apiserver') return `the API server${where}`;
  if (target === 'etcd') return `etcd${where}`;
  return address ?? 'a server';
}

/** The evidence line naming the server a group's lines are about, and the pod that serves it when known. */
function serverEvidence(name: string, target: Target): Evidence {
  return {
    label: 'server',
    value: `${name}${target.pod ? `: ${target.pod}${target.node ? ` on ${target.node}` : ''}` : ''}`,
  };
}

type RbacCause = Extract<LogCause, { kind: 'rbac-forbidden' }>;

/** The refusals of a group, those that tell most first (pods, nodes, leases, …). */
function refusals(causes: readonly LogCause[]): RbacCause[] {
  const rank = (resource: string) => {
    const index = RESOURCE_ORDER.indexOf(resource);
    return index < 0 ? RESOURCE_ORDER.length : index;
  };
  return causes
    .filter((cause): cause is RbacCause => cause.kind === 'rbac-forbidden')
    .sort((a, b) => rank(a.resource) - rank(b.resource));
}

/** "list pods", "list pods, nodes and 9 more", "get leases" — the verb of the first resource, its resources first. */
function forbiddenWhat(sorted: readonly RbacCause[]): string {
  const verb = sorted[0]?.verb ?? 'access';
  const resources = unique(sorted.filter((cause) => cause.verb === verb).map((cause) => cause.resource));
  const others = unique(sorted.map((cause) => `${cause.verb} ${cause.resource}`)).length - resources.length;
  const shown = resources.slice(0, 2);
  const more = resources.length - shown.length + others;
  return `${verb} ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

function componentOfUser(user: string): string | undefined {
  return /^system:(kube-scheduler|kube-controller-manager|cloud-controller-manager)$/.exec(user)?.[1];
}

/** `kubectl auth can-i` for the first forbidden request: what the operator runs to confirm. */
function canI(cause: RbacCause): string {
  const resource = cause.group ? `${cause.resource}.${cause.group}` : cause.resource;
  return `kubectl auth can-i ${cause.verb} ${resource}${cause.namespace ? ` -n ${cause.namespace}` : ''} --as ${cause.user}`;
}

function rbacAdvice(group: LogGroup, cause: RbacCause): string {
  const component = componentOfUser(cause.user);
  const serviceAccount = /^system:serviceaccount:([^:]+):(.+)$/.exec(cause.user);
  const check = `\`${canI(cause)}\` must answer yes.`;
  if (component) {
    return `${check} Check the ClusterRoleBinding and ClusterRole \`${cause.user}\` (\`kubectl get clusterrolebinding ${cause.user} -o yaml\`, \`kubectl describe clusterrole ${cause.user}\`): kube-apiserver recreates these default roles and bindings when it starts, unless they carry \`rbac.authorization.kubernetes.io/autoupdate: "false"\`. Find who changed them (the API server's audit log) and restore them; ${component} picks the permission up on its next retry, without a restart.`;
  }
  if (serviceAccount) {
    return `${check} ${group.sources[0]?.component ?? 'The component'} acts as the service account ${serviceAccount[2]} in ${serviceAccount[1]} (kube-controller-manager with --use-service-account-credentials runs each controller as its own): check that account's RoleBindings and ClusterRoleBindings (\`kubectl get clusterrolebindings -o wide | grep ${serviceAccount[2]}\`).`;
  }
  return `${check} Check the RoleBindings and ClusterRoleBindings of ${cause.user}.`;
}

function certificateAdvice(
  cause: Extract<LogCause, { kind: 'certificate-expired' }>,
  target: Target,
  name: string,
): string {
  if (cause.notYetValid) {
    return `The certificate of ${name} is not valid yet: the clocks disagree. Compare \`date -u\` on ${target.node ?? 'the nodes'} and on the server, and check time sync (\`timedatectl\`, \`chronyc tracking\`).`;
  }
  if (cause.side === 'client') {
    return "A client presents an expired certificate. On each control-plane node run `kubeadm certs check-expiration`; `kubeadm certs renew all` renews the control plane's certificates and kubeconfigs (controller-manager.conf, scheduler.conf, admin.conf), then restart the static pods (move their manifests out of /etc/kubernetes/manifests and back) so they load them. A kubelet renews its own client certificate (/var/lib/kubelet/pki/kubelet-client-current.pem) only while it is still valid: an expired one needs a new bootstrap.";
  }
  const node = target.node ?? 'the node that serves it';
  if (target.component === 'kube-apiserver') {
    return `On ${node}: \`kubeadm certs check-expiration\`, then \`kubeadm certs renew apiserver\` and restart kube-apiserver (move /etc/kubernetes/manifests/kube-apiserver.yaml out and back): a running API server keeps serving the old certificate. kubeadm renews certificates only on the nodes where \`kubeadm upgrade\` ran; renew on every control-plane node. On a managed control plane, this is the provider's to fix.`;
  }
  if (target.component === 'etcd') {
    return `On ${node}: \`kubeadm certs check-expiration\`, then \`kubeadm certs renew etcd-server\` (and etcd-peer) and restart etcd (move /etc/kubernetes/manifests/etcd.yaml out and back).`;
  }
  return `Renew the serving certificate of ${name} (a webhook, an aggregated API or a cloud endpoint): \`openssl s_client -connect ${cause.address ?? 'HOST:PORT'} </dev/null | openssl x509 -noout -enddate\` shows its expiry.`;
}

function unreachableAdvice(cause: Extract<LogCause, { kind: 'unreachable' }>, target: Target, name: string): string {
  const node = target.node ? ` on ${target.node}` : '';
  if (cause.reason === 'refused') {
    if (target.component === 'kube-apiserver')
      return `Nothing listens at ${cause.address ?? 'that address'}: is kube-apiserver${node} running (\`crictl ps -a --name kube-apiserver\`, its logs, the control-plane.pods findings)? A component logs this while its API server restarts; if it lasts, fix the API server first.`;
    if (target.component === 'etcd')
      return `Nothing listens at ${cause.address ?? "etcd's client port"}: is the etcd member${node} running (\`crictl ps -a --name etcd\`, its logs)? kube-apiserver cannot serve without it.`;
    return `Nothing listens at ${name}: check that server and the network path to it.`;
  }
  if (target.component === 'kube-apiserver')
    return `Requests to ${name} time out: the API server is overloaded or the network drops packets. Run the apiserver-latency playbook; check the node's CPU and the path to ${cause.address ?? 'the server'}.`;
  if (target.component === 'etcd')
    return `Requests to etcd time out: check etcd's health and latency (\`etcdctl endpoint status\`, etcd_disk_wal_fsync_duration_seconds), its disk, and the network between the API server and etcd.`;
  return `Requests to ${name} time out: check that server and the network path to it.`;
}

function quote(pattern: PatternCount, context: LogFindingContext): Evidence {
  const example = redact(pattern.example.length > 400 ? `${pattern.example.slice(0, 400)}…` : pattern.example);
  const span =
    pattern.first === undefined
      ? ''
      : pattern.count === 1
        ? ` (${ago(context.nowMs, pattern.last)})`
        : ` (first ${ago(context.nowMs, pattern.first)}, last ${ago(context.nowMs, pattern.last)})`;
  return {
    label: `${pattern.count}× ${pattern.level}${pattern.previous ? ', previous run' : ''}`,
    value: `"${example}"${span}`,
  };
}

function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

/** What every group's finding carries, whatever its cause. */
function common(group: LogGroup, context: LogFindingContext): { evidence: Evidence[]; data: Record<string, unknown> } {
  const evidence: Evidence[] = [
    {
      label: 'logged by',
      value: group.sources.map((source) => `${source.pod}${source.node ? ` (${source.node})` : ''}`).join(', '),
    },
    ...group.patterns.slice(0, context.patterns).map((pattern) => quote(pattern, context)),
  ];
  if (group.patterns.length > context.patterns) {
    evidence.push({ label: 'more', value: `${pluralize(group.patterns.length - context.patterns, 'other pattern')}` });
  }
  const lowerBound = group.sources.some((source) => context.truncated.has(source.pod));
  if (lowerBound) {
    evidence.push({
      label: 'read',
      value: `the last ${context.window} held more than ${context.limits}: the newest lines were read (and the oldest, when bytes were the limit), so the counts are lower bounds`,
    });
  }
  return {
    evidence,
    data: {
      sources: group.sources.map(({ component, pod, node }) => ({ component, pod, node: node ?? null })),
      count: group.count,
      countIsLowerBound: lowerBound,
      firstSeen: iso(group.first),
      lastSeen: iso(group.last),
      patterns: group.patterns.slice(0, context.patterns).map((pattern) => ({
        pattern: redact(pattern.pattern),
        count: pattern.count,
        example: redact(pattern.example),
      })),
    },
  };
}

function aboutSources(group: LogGroup): Finding['about'] {
  const components = unique(group.sources.map((source) => source.component));
  const component = components.length === 1 ? asComponent(components[0] as string) : undefined;
  if (!component) return undefined;
  const pods = unique(group.sources.map((source) => source.pod));
  const nodes = unique(group.sources.map((source) => source.node));
  return {
    component,
    ...(pods.length === 1 ? { instance: pods[0] as string } : {}),
    ...(nodes.length === 1 && nodes[0] ? { node: nodes[0] } : {}),
  };
}

function aboutTarget(target: Target, group: LogGroup): Finding['about'] {
  if (!target.component) return aboutSources(group);
  return {
    component: target.component,
    ...(target.pod ? { instance: target.pod } : {}),
    ...(target.node ? { node: target.node } : {}),
  };
}

/** A problem logged within this many ms is happening now, however long it lasted. */
const NOW_MS = 60_000;

/**
 * Whether a problem is still going on: logged within `stillFailingMs`, and either logged within the last minute or
 * for a minute or more. A component that starts before RBAC or its API server is ready logs a few seconds of
 * refusals and then works: that burst, minutes ago, has stopped.
 */
function isOngoing(group: LogGroup, context: LogFindingContext): boolean {
  if (group.last === undefined) return true;
  const readAtMs = Math.max(...group.sources.map((source) => context.readAtMs?.get(source.pod) ?? context.nowMs));
  const since = readAtMs - group.last;
  if (since > context.stillFailingMs) return false;
  return since <= NOW_MS || group.last - (group.first ?? group.last) >= NOW_MS;
}

/** Severity of a known cause: information once it stopped, else what it does to the component. */
function severityOf(group: LogGroup, cause: LogCause, context: LogFindingContext): Finding['severity'] {
  const ongoing = isOngoing(group, context);
  switch (cause.kind) {
    case 'rbac-forbidden':
      if (!ongoing) return 'info';
      return group.sources.some((source) => BLOCKED_BY_RBAC.has(source.component)) ? 'critical' : 'warning';
    case 'certificate-expired':
      return ongoing ? 'critical' : 'info';
    case 'unreachable':
    case 'resource-not-found':
      return ongoing ? 'warning' : 'info';
    case 'leader-election-lost':
      return 'warning';
    case 'etcd-slow-apply':
      return group.count >= context.slowApplyWarning && ongoing ? 'warning' : 'info';
  }
}

const SIGNALS: Partial<Record<LogCause['kind'], Signal>> = {
  'rbac-forbidden': 'logs.rbac-forbidden',
  'certificate-expired': 'logs.certificate-expired',
  'leader-election-lost': 'logs.leader-election-lost',
};

function signalsOf(cause: LogCause, severity: Finding['severity']): Signal[] {
  if (severity !== 'critical' && severity !== 'warning') return [];
  if (cause.kind === 'unreachable') {
    if (cause.target === 'kube-apiserver') return ['logs.apiserver-unreachable'];
    if (cause.target === 'etcd') return ['logs.etcd-unreachable'];
    return [];
  }
  const signal = SIGNALS[cause.kind];
  return signal ? [signal] : [];
}

function stopped(group: LogGroup, severity: Finding['severity'], context: LogFindingContext): string {
  return severity === 'info' && group.last !== undefined && !isOngoing(group, context)
    ? `; stopped ${ago(context.nowMs, group.last)}`
    : '';
}

/** The finding for one group of a known cause. */
export function causeFinding(group: LogGroup, cause: LogCause, context: LogFindingContext): Finding {
  const { evidence, data } = common(group, context);
  const severity = severityOf(group, cause, context);
  const signals = signalsOf(cause, severity);
  const base = { check: CHECK, severity, ...(signals.length > 0 ? { signals } : {}) };
  const whom = who(group.sources);
  const counted = `${times(group, context)}${stopped(group, severity, context)}`;
  switch (cause.kind) {
    case 'rbac-forbidden': {
      const rbac = refusals(group.causes);
      // The refusal that tells most (pods before statefulsets) is the one to check first.
      const primary = rbac[0] ?? cause;
      const asUser = componentOfUser(cause.user) === group.sources[0]?.component ? '' : ` (as ${cause.user})`;
      const what = forbiddenWhat(rbac);
      const scheduler =
        group.sources.every((source) => source.component === 'kube-scheduler') &&
        rbac.some((each) => each.resource === 'pods' || each.resource === 'nodes');
      const lease = rbac.some((each) => each.resource === 'leases');
      evidence.splice(1, 0, {
        label: 'forbidden',
        value: unique(
          rbac.map(
            (each) =>
              `${each.verb} ${each.resource}${each.group ? `.${each.group}` : ''}${each.namespace ? ` in ${each.namespace}` : ' (cluster scope)'}`,
          ),
        ).join(', '),
      });
      return {
        ...base,
        ...(aboutSources(group) ? { about: aboutSources(group) } : {}),
        title: `${whom}${asUser} cannot ${what}: RBAC forbidden (${counted})`,
        summary: scheduler
          ? `The API server refuses ${cause.user} to ${what}: the scheduler's view stays stale, and new pods are never scheduled, nor even get a FailedScheduling event.`
          : lease
            ? `The API server refuses ${cause.user} its leader-election lease: no instance can take or renew it, so none of them works, even though their pods run.`
            : `The API server refuses ${cause.user} to ${what}: ${unique(group.sources.map((source) => source.component)).join(' and ')} cannot work with those objects until its role allows it again.`,
        evidence,
        recommendation: rbacAdvice(group, primary),
        data: {
          ...data,
          cause: 'rbac-forbidden',
          user: cause.user,
          forbidden: rbac.map(({ kind: _kind, ...rest }) => rest),
        },
      };
    }
    case 'certificate-expired': {
      const kind = cause.side === 'peer' ? targetKind(cause.address) : 'other';
      const target =
        cause.side === 'peer' ? targetOf(cause.address, targetComponent(cause.address), group, context) : {};
      const name = serverName(kind, cause.address);
      const owner =
        kind === 'kube-apiserver'
          ? `the API server's certificate`
          : kind === 'etcd'
            ? `etcd's certificate`
            : 'the certificate';
      const at = cause.address ? ` at ${cause.address}` : '';
      // Lines without the times (older Go) say less: the group's other lines may give the certificate's notAfter.
      const notAfter = group.causes.find(
        (each): each is typeof cause => each.kind === 'certificate-expired' && each.notAfter !== undefined,
      )?.notAfter;
      const expiredAgo = notAfter ? `expired ${ago(context.nowMs, Date.parse(notAfter))}` : 'expired';
      const title =
        cause.side === 'client'
          ? `${whom} rejects a client certificate that ${cause.notYetValid ? 'is not valid yet' : 'expired'} (${counted})`
          : cause.notYetValid
            ? `${whom} cannot verify ${owner}${at}: not valid yet, clocks disagree (${counted})`
            : `${whom} cannot verify ${owner}${at}: ${expiredAgo} (${counted})`;
      if (cause.side === 'peer') {
        evidence.splice(1, 0, serverEvidence(name, target), {
          label: 'certificate',
          value: notAfter ? `${expiredAgo} (notAfter ${notAfter})` : cause.notYetValid ? 'not valid yet' : 'expired',
        });
      }
      const components = unique(group.sources.map((source) => source.component)).join(' and ');
      return {
        ...base,
        ...(aboutTarget(target, group) ? { about: aboutTarget(target, group) } : {}),
        title,
        summary:
          cause.side === 'client'
            ? 'Requests that present this certificate are refused: whoever presents it (a kubelet, a controller, a user) is cut off.'
            : `Every request from ${components} to ${name} fails the TLS handshake: ${components} cannot renew ${group.sources.length === 1 ? 'its' : 'their'} leases, list or write anything through it.`,
        evidence,
        recommendation: certificateAdvice(cause, target, name),
        data: {
          ...data,
          cause: 'certificate-expired',
          side: cause.side,
          address: cause.address ?? null,
          notAfter: notAfter ?? null,
          notYetValid: cause.notYetValid,
          target: target.component
            ? { component: target.component, pod: target.pod ?? null, node: target.node ?? null }
            : null,
        },
      };
    }
    case 'unreachable': {
      const target = targetOf(cause.address, cause.target === 'other' ? undefined : cause.target, group, context);
      const name = serverName(cause.target, cause.address);
      evidence.splice(1, 0, serverEvidence(name, target));
      return {
        ...base,
        ...(aboutTarget(target, group) ? { about: aboutTarget(target, group) } : {}),
        title: `${whom} cannot reach ${name}: ${cause.reason === 'refused' ? 'connection refused' : 'timed out'} (${counted})`,
        summary: `${unique(group.sources.map((source) => source.component)).join(' and ')} ${cause.reason === 'refused' ? 'finds nothing listening at' : 'gets no answer in time from'} ${name}.`,
        evidence,
        recommendation: unreachableAdvice(cause, target, name),
        data: {
          ...data,
          cause: 'unreachable',
          reason: cause.reason,
          address: cause.address ?? null,
          target: target.component ?? 'other',
        },
      };
    }
    case 'leader-election-lost':
      return {
        ...base,
        ...(aboutSources(group) ? { about: aboutSources(group) } : {}),
        title: `${whom} lost its leader lease (${counted})`,
        summary: `A leader that cannot renew its lease within the renew deadline stops and exits; the kubelet restarts it and another instance takes over.`,
        evidence,
        recommendation:
          'A lease is lost when renewals fail for the whole renew deadline (10 s by default): the API server or etcd was slow or unreachable from this node, or the process was starved of CPU. Read the other findings about the API server and etcd, and run the apiserver-latency playbook if they are slow.',
        data: { ...data, cause: 'leader-election-lost' },
      };
    case 'etcd-slow-apply': {
      const slowest = Math.max(
        ...group.causes.map((each) => (each.kind === 'etcd-slow-apply' ? (each.tookMs ?? 0) : 0)),
      );
      const expected = group.causes.find((each) => each.kind === 'etcd-slow-apply' && each.expectedMs !== undefined);
      const expectedMs = expected?.kind === 'etcd-slow-apply' ? expected.expectedMs : undefined;
      return {
        ...base,
        ...(aboutSources(group) ? { about: aboutSources(group) } : {}),
        title: `${whom}: requests took too long to apply (${counted}${slowest > 0 ? `, up to ${formatMs(slowest)}` : ''}${expectedMs ? `, expected under ${formatMs(expectedMs)}` : ''})`,
        summary:
          'etcd applies requests slower than it expects; every write and consistent read through the API server waits for it.',
        evidence,
        recommendation:
          "Usually the disk: check etcd's fsync and commit latency (etcd_disk_wal_fsync_duration_seconds p99 under 10 ms, etcd_disk_backend_commit_duration_seconds p99 under 25 ms), use SSDs, keep other I/O off etcd's disk; a large or fragmented database also slows it (etcd-db-growth playbook).",
        data: { ...data, cause: 'etcd-slow-apply', slowestMs: slowest || null, expectedMs: expectedMs ?? null },
      };
    }
    case 'resource-not-found': {
      const types = unique(group.causes.map((each) => (each.kind === 'resource-not-found' ? (each.type ?? '?') : '?')));
      return {
        ...base,
        ...(aboutSources(group) ? { about: aboutSources(group) } : {}),
        title: `${whom} cannot list ${types.slice(0, 2).join(', ')}${types.length > 2 ? ` and ${types.length - 2} more` : ''}: the API server does not serve ${types.length === 1 ? 'it' : 'them'} (${counted})`,
        summary:
          'The component asks for API versions the API server does not serve: a version skew, or an API removed in this release.',
        evidence,
        recommendation:
          "Compare the API server's version (`kubectl version`) with the component's image (`kubectl -n kube-system get pod <pod> -o jsonpath='{..image}'`): control-plane components must not be newer than the API server; during an upgrade, upgrade the API servers first. For an aggregated API or a CRD, check that it is installed (`kubectl api-resources`).",
        data: { ...data, cause: 'resource-not-found', types },
      };
    }
  }
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

function targetKind(address: string | undefined): 'kube-apiserver' | 'etcd' | 'other' {
  const port = address ? /:(\d+)$/.exec(address)?.[1] : undefined;
  if (port === '2379') return 'etcd';
  if (port === '6443' || port === '443' || port === '8443') return 'kube-apiserver';
  return 'other';
}

function targetComponent(address: string | undefined): Component | undefined {
  const kind = targetKind(address);
  return kind === 'other' ? undefined : kind;
}

/** A component's error lines of no known cause: worth a look, not an alarm. */
export function otherErrorsFinding(group: LogGroup, context: LogFindingContext): Finding {
  const { evidence, data } = common(group, context);
  const about = aboutSources(group);
  return {
    check: CHECK,
    severity: 'info',
    ...(about ? { about } : {}),
    title: `${who(group.sources)} logged ${pluralize(group.count, 'error line')} in ${context.window} (${pluralize(group.patterns.length, 'pattern')})`,
    summary: 'Errors of no pattern Quorum knows; the most frequent are quoted.',
    evidence,
    data: { ...data, cause: null },
  };
}
