import type { Config } from '../config/config-schema.js';
import type { Playbook } from '../playbooks/playbook-schema.js';
import type { ReceivedAlert } from './alertmanager-payload.js';

/** Why an alert starts nothing. */
export type UnroutedReason = 'no_playbook' | 'unknown_cluster' | 'no_cluster' | 'no_channel';

/** Alerts of one notification that lead to the same diagnosis: one (cluster, playbook). */
export interface AlertRoute {
  cluster: string;
  playbook: string;
  /** Where the run's message goes. */
  channel: string;
  /** Playbook parameters taken from the alerts' labels (all alerts of the route agree on them). */
  params: Record<string, string>;
  /** The worst severity among the alerts (`critical` > `warning` > `info` > other). */
  severity?: string;
  alerts: ReceivedAlert[];
}

export interface UnroutedAlert {
  alert: ReceivedAlert;
  reason: UnroutedReason;
  /** What the log says: which label, which cluster. */
  detail: string;
}

export interface RoutedNotification {
  routes: AlertRoute[];
  unrouted: UnroutedAlert[];
}

/**
 * Labels that carry a playbook parameter. Only where the label means the same thing as the parameter: a Pending pod's
 * `namespace` narrows scheduler-pending, but an alert's `namespace` (often the exporter's) is not where
 * control-plane-health should look for the control plane.
 */
const LABEL_PARAMS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'scheduler-pending': { namespace: 'namespace' },
};

const SEVERITY_RANK: Readonly<Record<string, number>> = { critical: 3, warning: 2, info: 1 };

function worst(alerts: readonly ReceivedAlert[]): string | undefined {
  let best: string | undefined;
  for (const alert of alerts) {
    const severity = alert.labels.severity;
    if (severity === undefined) continue;
    if (best === undefined || (SEVERITY_RANK[severity] ?? 0) > (SEVERITY_RANK[best] ?? 0)) best = severity;
  }
  return best;
}

/**
 * Alert names to playbooks (each playbook's `alerts` list), alerts to clusters (`alerts.clusterLabel`, else
 * `defaultCluster` or the only cluster) and runs to channels (`alerts.channelsBySeverity`, else the cluster's
 * `slack.channel`). Built once from the config and the playbooks.
 */
export class AlertRouter {
  private readonly playbookByAlert = new Map<string, string>();
  /** The configured clusters' names, and the cluster of alerts without the label: looked up once, not per alert. */
  private readonly clusterNames: readonly string[];
  private readonly fallbackCluster: string | undefined;

  constructor(
    private readonly config: Pick<Config, 'clusters' | 'defaultCluster' | 'alerts'>,
    playbooks: ReadonlyMap<string, Playbook>,
  ) {
    this.clusterNames = Object.keys(config.clusters);
    this.fallbackCluster = config.defaultCluster ?? (this.clusterNames.length === 1 ? this.clusterNames[0] : undefined);
    // Sorted by id so that an alert listed by two playbooks always goes to the same one.
    for (const playbook of [...playbooks.values()].sort((a, b) => a.id.localeCompare(b.id))) {
      for (const alert of playbook.alerts)
        if (!this.playbookByAlert.has(alert)) this.playbookByAlert.set(alert, playbook.id);
    }
  }

  /** The playbook an alert name wakes, if any. */
  playbookFor(alertName: string): string | undefined {
    return this.playbookByAlert.get(alertName);
  }

  private clusterOf(alert: ReceivedAlert): { cluster: string } | { reason: UnroutedReason; detail: string } {
    const label = this.config.alerts.clusterLabel;
    const named = alert.labels[label];
    if (named !== undefined) {
      // A label naming a cluster Quorum does not know must not fall back: that would diagnose the wrong cluster.
      return Object.hasOwn(this.config.clusters, named)
        ? { cluster: named }
        : {
            reason: 'unknown_cluster',
            detail: `${label}="${named}" names no configured cluster (${this.clusterNames.join(', ') || 'none'})`,
          };
    }
    const fallback = this.fallbackCluster;
    return fallback
      ? { cluster: fallback }
      : { reason: 'no_cluster', detail: `no ${label} label and no defaultCluster to fall back to` };
  }

  private channelFor(cluster: string, severity: string | undefined): string | undefined {
    const bySeverity = this.config.alerts.channelsBySeverity as Readonly<Record<string, string>> | undefined;
    return (severity ? bySeverity?.[severity] : undefined) ?? this.config.clusters[cluster]?.slack.channel;
  }

  /** Groups a notification's alerts by (cluster, playbook); says why each of the others starts nothing. */
  route(alerts: readonly ReceivedAlert[]): RoutedNotification {
    const groups = new Map<string, { cluster: string; playbook: string; alerts: ReceivedAlert[] }>();
    const unrouted: UnroutedAlert[] = [];
    for (const alert of alerts) {
      const playbook = this.playbookFor(alert.name);
      if (!playbook) {
        unrouted.push({ alert, reason: 'no_playbook', detail: `no playbook lists ${alert.name} under alerts:` });
        continue;
      }
      const where = this.clusterOf(alert);
      if ('reason' in where) {
        unrouted.push({ alert, reason: where.reason, detail: where.detail });
        continue;
      }
      const key = `${where.cluster}\u0000${playbook}`;
      const group = groups.get(key) ?? { cluster: where.cluster, playbook, alerts: [] };
      group.alerts.push(alert);
      groups.set(key, group);
    }
    const routes: AlertRoute[] = [];
    for (const group of groups.values()) {
      const severity = worst(group.alerts);
      const channel = this.channelFor(group.cluster, severity);
      if (!channel) {
        for (const alert of group.alerts) {
          unrouted.push({
            alert,
            reason: 'no_channel',
            detail: `clusters.${group.cluster}.slack.channel is not set (nor alerts.channelsBySeverity.${severity ?? '<severity>'})`,
          });
        }
        continue;
      }
      const route: AlertRoute = {
        cluster: group.cluster,
        playbook: group.playbook,
        channel,
        params: this.paramsOf(group.playbook, group.alerts),
        alerts: group.alerts,
      };
      if (severity) route.severity = severity;
      routes.push(route);
    }
    return { routes, unrouted };
  }

  /** A parameter is taken from a label only when every alert of the route has the same value for it. */
  private paramsOf(playbook: string, alerts: readonly ReceivedAlert[]): Record<string, string> {
    const params: Record<string, string> = {};
    const labels = LABEL_PARAMS[playbook];
    if (!labels) return params;
    for (const [param, label] of Object.entries(labels)) {
      const values = new Set(alerts.map((alert) => alert.labels[label]));
      const [only] = values;
      if (values.size === 1 && only !== undefined && only !== '') params[param] = only;
    }
    return params;
  }
}
