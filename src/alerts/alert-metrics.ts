import { Counter, type Registry } from 'prom-client';

/** The alert path's metrics, registered on the bot's registry (GET /metrics). */
export class AlertMetrics {
  /** Webhook requests by outcome (accepted, unauthorized, bad_request, too_large, unavailable). */
  readonly webhooks: Counter<'outcome'>;
  /** Alerts processed, by what they led to: run, repeat, capped, resolved, or unrouted reasons. */
  readonly alerts: Counter<'outcome'>;
  /** Alerts that start nothing, by reason and alert name (names are bounded by what Alertmanager routes here). */
  readonly unrouted: Counter<'reason' | 'alertname'>;
  /** Alert-triggered runs started, by cluster and playbook. */
  readonly runs: Counter<'cluster' | 'playbook'>;
  /** "Still firing" notes posted. */
  readonly notes: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.webhooks = new Counter({
      name: 'quorum_alert_webhooks_total',
      help: 'Alertmanager webhook requests by outcome.',
      labelNames: ['outcome'],
      registers,
    });
    this.alerts = new Counter({
      name: 'quorum_alerts_total',
      help: 'Alerts processed, by outcome (run, repeat, capped, resolved, unrouted).',
      labelNames: ['outcome'],
      registers,
    });
    this.unrouted = new Counter({
      name: 'quorum_alerts_unrouted_total',
      help: 'Alerts that start no run: no playbook lists the alert, or no cluster or channel fits.',
      labelNames: ['reason', 'alertname'],
      registers,
    });
    this.runs = new Counter({
      name: 'quorum_alert_runs_total',
      help: 'Runs started by alerts, by cluster and playbook.',
      labelNames: ['cluster', 'playbook'],
      registers,
    });
    this.notes = new Counter({
      name: 'quorum_alert_notes_total',
      help: '"Still firing" notes added to run threads instead of new runs.',
      registers,
    });
  }
}
