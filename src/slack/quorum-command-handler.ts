import { within } from '../core/within.js';
import type { WebClient } from '@slack/web-api';
import type { Config } from '../config/config-schema.js';
import { QuorumError, describeError } from '../core/errors.js';
import type { RunRequest, RunRequestInput } from '../diagnosis/run-request.js';
import type { Playbook } from '../playbooks/playbook-schema.js';
import type { ActiveRuns } from '../queue/active-runs.js';
import type { RunRecords } from '../queue/run-records.js';
import type { RunQueues } from '../queue/run-queues.js';
import type { RunRecord } from '../queue/run-record.js';
import { escapeMrkdwn } from '../render/mrkdwn.js';
import { runningMessage, stoppedMessage, type RunMeta } from '../render/run-status-blocks.js';
import { auditLine, parseSince } from '../approvals/audit-format.js';
import type { AuditLog } from '../approvals/audit-log.js';
import type { ApproverDirectory } from './approver-directory.js';
import type { BotMetrics, CommandOutcome } from './bot-metrics.js';
import { clustersReply, ephemeral, playbooksReply, statusReply, type Ephemeral } from './command-replies.js';
import { HELP_TEXT, parseQuorumCommand, playbookFor, type QuorumCommand } from './quorum-command.js';

/** The fields of a slash command the handler reads. */
export interface SlashCommand {
  text: string;
  user_id: string;
  channel_id: string;
  response_url: string;
}

export interface QuorumCommandDeps {
  config: Config;
  playbooks: ReadonlyMap<string, Playbook>;
  /** Checks a run request as the worker will (playbook, cluster, parameters) without connecting to anything. */
  prepare: (input: RunRequestInput) => RunRequest;
  queues: RunQueues;
  records: RunRecords;
  activeRuns: ActiveRuns;
  /** Tells the worker running it to stop; resolves with how many workers heard. */
  publishCancel: (runId: string, by: string) => Promise<number>;
  /** True when Redis answers right now (bounded: a request path cannot wait on it). */
  redisReady: () => Promise<boolean>;
  /** True while the connection to Redis is up; says nothing of whether Redis answers in time. */
  redisConnected: () => boolean;
  /** How long a diagnosis may wait on Redis before the answer is "queue unavailable". */
  redisDeadlineMs: number;
  client: WebClient;
  metrics: BotMetrics;
  /** The audit trail, for `/quorum audit`. */
  audit?: AuditLog;
  /** Who may read the audit trail: the approvers of a cluster. */
  approvers?: ApproverDirectory;
}

/** The first answer to a command, in Slack's 3 seconds, and the work to do after it. */
export interface CommandReply {
  ack: Ephemeral | undefined;
  /** Runs after the acknowledgement (posting the message, queueing); its answers go through `respond`. */
  after?: (respond: (message: Ephemeral) => Promise<void>) => Promise<void>;
}

const QUEUE_UNAVAILABLE = ephemeral(
  ":warning: The run queue is unavailable right now, so nothing was started. Try again in a minute; if it persists, Quorum's Redis is down.",
);

/**
 * `/quorum …`: parses, validates and answers within Slack's deadline. Questions (help, playbooks, clusters,
 * status, history) are answered in the acknowledgement itself; a diagnosis is checked, claimed (one run per cluster
 * and playbook at a time), acknowledged, and then its message is posted and the run queued.
 */
export class QuorumCommandHandler {
  constructor(private readonly deps: QuorumCommandDeps) {}

  async handle(command: SlashCommand): Promise<CommandReply> {
    const parsed = parseQuorumCommand(command.text);
    if (!parsed.ok) return this.count('unknown', 'rejected', { ack: ephemeral(parsed.message) });
    const { command: request } = parsed;
    try {
      return await this.dispatch(request, command);
    } catch (error) {
      const usage = error instanceof QuorumError && !error.retryable;
      return this.count(request.kind, usage ? 'rejected' : 'error', {
        ack: ephemeral(`${usage ? '' : ':x: '}${describeError(error)}`),
      });
    }
  }

  private count(subcommand: string, outcome: CommandOutcome, reply: CommandReply): CommandReply {
    this.deps.metrics.commands.inc({ subcommand, outcome });
    return reply;
  }

  private async dispatch(request: QuorumCommand, command: SlashCommand): Promise<CommandReply> {
    const { deps } = this;
    switch (request.kind) {
      case 'help':
        return this.count('help', 'answered', { ack: ephemeral(HELP_TEXT) });
      case 'playbooks':
        return this.count('playbooks', 'answered', { ack: playbooksReply(deps.playbooks) });
      case 'clusters':
        return this.count('clusters', 'answered', { ack: clustersReply(deps.config) });
      case 'status':
      case 'history': {
        if (!(await deps.redisReady()))
          return this.count(request.kind, 'queue_unavailable', { ack: QUEUE_UNAVAILABLE });
        return this.count(request.kind, 'answered', { ack: await this.status(request) });
      }
      case 'cancel':
        return this.cancel(request.runId, command.user_id);
      case 'diagnose':
        return this.diagnose(request, command);
      case 'audit':
        return this.auditTrail(request, command.user_id);
    }
  }

  /**
   * `/quorum audit`: the latest entries, ephemerally, to approvers only (of the named cluster, or of any cluster,
   * seeing only the clusters they approve for). Reading the trail is itself audited.
   */
  private async auditTrail(request: Extract<QuorumCommand, { kind: 'audit' }>, user: string): Promise<CommandReply> {
    const { deps } = this;
    if (!deps.audit || !deps.approvers) {
      return this.count('audit', 'rejected', { ack: ephemeral('The audit trail is not available from this bot.') });
    }
    if (request.cluster && !deps.config.clusters[request.cluster]) {
      return this.count('audit', 'rejected', {
        ack: ephemeral(`Unknown cluster \`${request.cluster}\`: \`/quorum clusters\` lists them.`),
      });
    }
    if (!(await deps.redisReady())) return this.count('audit', 'queue_unavailable', { ack: QUEUE_UNAVAILABLE });
    const candidates = request.cluster ? [request.cluster] : Object.keys(deps.config.clusters);
    const allowed: string[] = [];
    for (const cluster of candidates) {
      const policy = deps.config.clusters[cluster]?.approvers;
      if (policy && (await deps.approvers.check(user, policy)).ok) allowed.push(cluster);
    }
    await deps.audit.append({
      at: new Date().toISOString(),
      action: 'command.audit',
      actor: user,
      ...(request.cluster ? { cluster: request.cluster } : {}),
      outcome: allowed.length > 0 ? 'answered' : 'refused: not an approver',
    });
    if (allowed.length === 0) {
      return this.count('audit', 'rejected', {
        ack: ephemeral(
          `Only approvers may read the audit trail${request.cluster ? ` of \`${request.cluster}\`` : ''} (\`clusters.<name>.approvers\` in the config): you are not one.`,
        ),
      });
    }
    const since = new Date(Date.now() - parseSince(request.since));
    const entries = (await deps.audit.read({ since, limit: 200 }))
      .filter((entry) => entry.cluster !== undefined && allowed.includes(entry.cluster))
      .slice(0, 20);
    // Reasons are typed by people: escaped, and kept out of the code spans' backticks.
    const lines = entries.map((entry) => `\`${escapeMrkdwn(auditLine(entry).replace(/`/g, "'"))}\``);
    return this.count('audit', 'answered', {
      ack: ephemeral(
        entries.length === 0
          ? `No audit entries for ${allowed.join(', ')} in the last ${request.since}.`
          : `*Audit trail* (${allowed.join(', ')}, last ${request.since}, newest first, at most 20; \`quorum audit\` prints all):\n${lines.join('\n')}`,
      ),
    });
  }

  private async status(request: Extract<QuorumCommand, { kind: 'status' | 'history' }>): Promise<Ephemeral> {
    const { records } = this.deps;
    if (request.kind === 'status' && request.runId) {
      const record = await records.get(request.runId);
      return record
        ? statusReply([{ record }], `for \`${request.runId}\``)
        : ephemeral(`No run \`${request.runId}\` (records are kept for a week).`);
    }
    if (request.kind === 'history' && request.cluster && !this.deps.config.clusters[request.cluster]) {
      return ephemeral(`Unknown cluster \`${request.cluster}\`: \`/quorum clusters\` lists them.`);
    }
    const cluster = request.kind === 'history' ? request.cluster : undefined;
    const found = await records.history({ ...(cluster ? { cluster } : {}), limit: request.kind === 'status' ? 5 : 10 });
    return statusReply(
      found.map((record) => ({ record })),
      cluster ? `on \`${cluster}\`` : 'lately',
    );
  }

  private async cancel(runId: string, user: string): Promise<CommandReply> {
    const { deps } = this;
    if (!(await deps.redisReady())) return this.count('cancel', 'queue_unavailable', { ack: QUEUE_UNAVAILABLE });
    const record = await deps.records.get(runId);
    if (!record)
      return this.count('cancel', 'rejected', {
        ack: ephemeral(`No run \`${runId}\`: \`/quorum status\` lists the latest.`),
      });
    if (!['queued', 'running', 'retrying'].includes(record.state)) {
      return this.count('cancel', 'rejected', { ack: ephemeral(`Run \`${runId}\` already ended (${record.state}).`) });
    }
    if (await deps.queues.removeWaiting(record.cluster, runId)) {
      await this.endWaiting(record, user);
      return this.count('cancel', 'answered', { ack: ephemeral(`Cancelled \`${runId}\` before it started.`) });
    }
    await deps.publishCancel(runId, user);
    return this.count('cancel', 'answered', {
      ack: ephemeral(`Stopping \`${runId}\`: its message will say when it stopped.`),
    });
  }

  private async endWaiting(record: RunRecord, reason: string): Promise<void> {
    const { deps } = this;
    await deps.records.update(record.runId, {
      state: 'cancelled',
      finishedAt: new Date().toISOString(),
      error: reason,
    });
    await deps.activeRuns.release(record.cluster, record.playbook, record.runId);
    if (record.slack?.messageTs) {
      const message = stoppedMessage(this.meta(record), 'cancelled', reason);
      await deps.client.chat.update({
        channel: record.slack.channel,
        ts: record.slack.messageTs,
        text: message.text,
        blocks: message.blocks,
      });
    }
  }

  private meta(record: Pick<RunRecord, 'runId' | 'cluster' | 'playbook' | 'trigger'>): RunMeta {
    const title = this.deps.playbooks.get(record.playbook)?.title;
    return {
      runId: record.runId,
      cluster: record.cluster,
      playbook: record.playbook,
      ...(title ? { playbookTitle: title } : {}),
      trigger: record.trigger,
      ...(record.trigger.kind === 'slack' && record.trigger.by ? { requester: record.trigger.by } : {}),
    };
  }

  private async diagnose(
    request: Extract<QuorumCommand, { kind: 'diagnose' }>,
    command: SlashCommand,
  ): Promise<CommandReply> {
    const { deps } = this;
    // Checked before anything else: a typo gets its answer even while Redis is down.
    const run = deps.prepare({
      playbook: playbookFor(request.playbook),
      ...(request.cluster ? { cluster: request.cluster } : {}),
      params: request.params,
      trigger: { kind: 'slack', by: command.user_id },
    });
    // The hot path of the acknowledgement: no probe first, one bounded round trip that claims or names the holder.
    const claim = deps.redisConnected()
      ? await within(
          deps.activeRuns.claim(run.cluster, run.playbook, run.runId, command.channel_id),
          deps.redisDeadlineMs,
          (late) => {
            // Claimed after the user was told nothing started: free it, or the diagnosis stays blocked until expiry.
            if (late.claimed) void deps.activeRuns.release(run.cluster, run.playbook, run.runId).catch(() => undefined);
          },
        )
      : undefined;
    if (!claim) return this.count('diagnose', 'queue_unavailable', { ack: QUEUE_UNAVAILABLE });
    if (!claim.claimed) {
      // No Slack call before the acknowledgement: the channel and run id say where to look.
      const where = claim.channel ? `its message in <#${claim.channel}>` : 'its message';
      return this.count('diagnose', 'joined', {
        ack: ephemeral(
          `\`${run.playbook}\` is already running on \`${run.cluster}\` (run \`${claim.runId}\`): follow ${where}. Nothing new was started.`,
        ),
      });
    }
    const meta: RunMeta = {
      runId: run.runId,
      cluster: run.cluster,
      playbook: run.playbook,
      ...(deps.playbooks.get(run.playbook)?.title
        ? { playbookTitle: deps.playbooks.get(run.playbook)?.title as string }
        : {}),
      trigger: run.trigger,
      requester: command.user_id,
    };
    return this.count('diagnose', 'queued', {
      ack: undefined,
      after: (respond) => this.start(run, meta, command, respond),
    });
  }

  /** After the acknowledgement: the message that says it is running, the record, the queued job. */
  private async start(
    run: RunRequest,
    meta: RunMeta,
    command: SlashCommand,
    respond: (message: Ephemeral) => Promise<void>,
  ): Promise<void> {
    const { deps } = this;
    const release = () => deps.activeRuns.release(run.cluster, run.playbook, run.runId).catch(() => undefined);
    const first = runningMessage(meta);
    let ts: string;
    try {
      const posted = await deps.client.chat.postMessage({
        channel: command.channel_id,
        text: first.text,
        blocks: first.blocks,
      });
      ts = posted.ts as string;
    } catch (error) {
      await release();
      const code = (error as { data?: { error?: string } }).data?.error;
      const hint =
        code === 'not_in_channel' || code === 'channel_not_found'
          ? 'I am not in this channel: invite me with `/invite @Quorum` and try again.'
          : `Slack refused the message (${describeError(error)}).`;
      return respond(ephemeral(`:x: Nothing was started. ${hint}`));
    }
    await deps.records.save({
      runId: run.runId,
      cluster: run.cluster,
      playbook: run.playbook,
      trigger: run.trigger,
      requestedAt: run.requestedAt,
      state: 'queued',
      attempts: 0,
      slack: { channel: command.channel_id, messageTs: ts, threadParts: 0 },
    });
    try {
      await deps.queues.enqueue({
        request: run,
        slack: { channel: command.channel_id, messageTs: ts, requester: command.user_id },
      });
    } catch (error) {
      await release();
      const failed = stoppedMessage(meta, 'failed', `${describeError(error)}`);
      await deps.client.chat
        .update({ channel: command.channel_id, ts, text: failed.text, blocks: failed.blocks })
        .catch(() => undefined);
      await deps.records.update(run.runId, { state: 'failed', error: describeError(error) }).catch(() => undefined);
      await respond(QUEUE_UNAVAILABLE);
    }
  }
}
