import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Outcomes of a slash command, as /metrics counts them. */
export type CommandOutcome = 'queued' | 'joined' | 'answered' | 'rejected' | 'queue_unavailable' | 'error';

/** Job counts per cluster queue and state, as BullMQ reports them. */
export type QueueCounts = () => Promise<Record<string, Record<string, number>>>;

/** The bot's own metrics (GET /metrics): commands, finished runs and their duration, and the queues read at scrape time. */
export class BotMetrics {
  readonly registry = new Registry();
  readonly commands: Counter<'subcommand' | 'outcome'>;
  readonly runs: Counter<'playbook' | 'cluster' | 'result'>;
  readonly runDuration: Histogram<'playbook' | 'cluster'>;
  readonly redisUp: Gauge;
  /** Maintenance requests nobody decided in time (the bot's sweep expires them). */
  readonly approvalsExpired: Counter;

  /**
   * @param maintenanceCounts the executor's queues by state: a job fails when a maintenance stopped on a failure
   *   (the executor has no HTTP server of its own, so its outcomes are read from Redis here)
   */
  constructor(queueCounts: QueueCounts, redisReady: () => Promise<boolean>, maintenanceCounts?: QueueCounts) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'quorum_bot_' });
    this.commands = new Counter({
      name: 'quorum_commands_total',
      help: 'Slash commands by subcommand and outcome.',
      labelNames: ['subcommand', 'outcome'],
      registers,
    });
    this.runs = new Counter({
      name: 'quorum_runs_total',
      help: 'Finished runs by playbook, cluster and result (succeeded, failed, cancelled).',
      labelNames: ['playbook', 'cluster', 'result'],
      registers,
    });
    this.runDuration = new Histogram({
      name: 'quorum_run_duration_seconds',
      help: 'Duration of finished runs, from start to report.',
      labelNames: ['playbook', 'cluster'],
      buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300],
      registers,
    });
    this.redisUp = new Gauge({
      name: 'quorum_redis_up',
      help: '1 when Redis answered the scrape-time ping.',
      registers,
      async collect() {
        this.set((await redisReady()) ? 1 : 0);
      },
    });
    new Gauge({
      name: 'quorum_queue_jobs',
      help: 'Run jobs per cluster queue by state (waiting, active, delayed, completed, failed), read at scrape time.',
      labelNames: ['cluster', 'state'],
      registers,
      async collect() {
        this.reset();
        // Redis away: the scrape still answers, without queue counts; quorum_redis_up says why.
        const counts = await queueCounts().catch(() => ({}));
        for (const [cluster, states] of Object.entries(counts)) {
          for (const [state, value] of Object.entries(states)) this.set({ cluster, state }, value);
        }
      },
    });
    this.approvalsExpired = new Counter({
      name: 'quorum_approvals_expired_total',
      help: 'Maintenance requests that expired before enough approvers decided.',
      registers,
    });
    if (maintenanceCounts) {
      new Gauge({
        name: 'quorum_maintenance_jobs',
        help: 'Maintenance jobs per cluster by state (waiting, active, completed, failed), read at scrape time.',
        labelNames: ['cluster', 'state'],
        registers,
        async collect() {
          this.reset();
          const counts = await maintenanceCounts().catch(() => ({}));
          for (const [cluster, states] of Object.entries(counts)) {
            for (const [state, value] of Object.entries(states)) this.set({ cluster, state }, value);
          }
        },
      });
    }
  }
}
