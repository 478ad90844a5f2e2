import type { WebClient } from '@slack/web-api';
import type { DiagnosisReport } from '../diagnosis/diagnosis-report.js';
import { renderBlocks } from '../render/render-blocks.js';
import { renderMarkdown } from '../render/render-markdown.js';
import {
  runningMessage,
  stoppedMessage,
  summaryMessage,
  type RunMeta,
  type RunProgressLine,
  type StopOutcome,
} from '../render/run-status-blocks.js';
import type { BlockMessage } from '../render/block-kit-types.js';
import type { RunJob } from '../queue/run-job.js';
import type { RunRecords } from '../queue/run-records.js';
import type { RunReporter } from '../queue/run-reporter.js';
import type { RunAttempt } from '../queue/run-workers.js';

export interface SlackRunReporterOptions {
  client: WebClient;
  records: RunRecords;
  /** Titles of the playbooks by id, for messages. */
  playbookTitles: ReadonlyMap<string, string>;
  /** Shortest time between two progress updates of one message (ms): chat.update is rate limited. @defaultValue 2000 */
  progressIntervalMs?: number;
}

interface Throttle {
  last: number;
  timer?: NodeJS.Timeout;
  pending?: RunProgressLine;
}

/**
 * A run's life in Slack: one message, updated from "running" through progress to the summary, with the full
 * findings and the complete Markdown report in its thread. Everything it posts is rendered (and so redacted) by
 * src/render. The message and how much of the thread was posted are kept in the run record, so a worker that takes a
 * run over updates the same message and does not post the thread twice.
 */
export class SlackRunReporter implements RunReporter {
  private readonly throttles = new Map<string, Throttle>();
  private readonly intervalMs: number;

  constructor(private readonly options: SlackRunReporterOptions) {
    this.intervalMs = options.progressIntervalMs ?? 2_000;
  }

  async started(job: RunJob, attempt: RunAttempt): Promise<void> {
    const note = attempt.number > 1 ? `attempt ${attempt.number}` : undefined;
    await this.show(job, runningMessage(this.meta(job), undefined, note));
  }

  progress(job: RunJob, progress: RunProgressLine): void {
    const id = job.request.runId;
    const throttle = this.throttles.get(id) ?? { last: 0 };
    this.throttles.set(id, throttle);
    throttle.pending = progress;
    if (throttle.timer) return;
    const wait = Math.max(0, throttle.last + this.intervalMs - Date.now());
    throttle.timer = setTimeout(() => {
      throttle.timer = undefined;
      throttle.last = Date.now();
      const latest = throttle.pending;
      if (latest) void this.show(job, runningMessage(this.meta(job), latest)).catch(() => undefined);
    }, wait);
    throttle.timer.unref();
  }

  async finished(job: RunJob, report: DiagnosisReport): Promise<void> {
    this.stopProgress(job);
    const meta = await this.finalMeta(job);
    const ts = await this.show(job, summaryMessage(report, meta));
    if (!ts || !job.slack) return;
    const { channel } = job.slack;
    const record = await this.options.records.get(job.request.runId);
    let posted = record?.slack?.threadParts ?? 0;
    const pages = renderBlocks(report);
    // Page by page, remembering each: a worker taking over continues where this one stopped.
    for (; posted < pages.length; posted += 1) {
      const page = pages[posted] as BlockMessage;
      await this.options.client.chat.postMessage({ channel, thread_ts: ts, text: page.text, blocks: page.blocks });
      await this.options.records.update(job.request.runId, {
        slack: { channel, messageTs: ts, threadParts: posted + 1 },
      });
    }
    const filename = `quorum-${report.playbook}-${report.cluster}-${report.runId}.md`;
    // The thread itself says whether the file is there: the record's marker can be lost with a Redis primary that
    // failed over before its replica had it, and the worker taking the run over must not upload it twice.
    if (posted === pages.length && !(await this.threadHasFile(channel, ts, filename))) {
      // The complete report, never cut: what Block Kit's limits leave out is in here.
      await this.options.client.filesUploadV2({
        channel_id: channel,
        thread_ts: ts,
        filename,
        title: `${report.playbookTitle} on ${report.cluster}: full report`,
        content: renderMarkdown(report),
      });
      await this.options.records.update(job.request.runId, {
        slack: { channel, messageTs: ts, threadParts: posted + 1 },
      });
    }
  }

  /** True when the thread already holds a file of this name; false when Slack cannot say (upload rather than lose it). */
  private async threadHasFile(channel: string, ts: string, filename: string): Promise<boolean> {
    const replies = await this.options.client.conversations.replies({ channel, ts, limit: 200 }).catch(() => undefined);
    return (replies?.messages ?? []).some((message) => message.files?.some((file) => file.name === filename));
  }

  async retrying(job: RunJob, attempt: RunAttempt, reason: string): Promise<void> {
    this.stopProgress(job);
    await this.show(
      job,
      runningMessage(this.meta(job), undefined, `attempt ${attempt.number} failed (${reason}); trying again`),
    );
  }

  async stopped(job: RunJob, outcome: StopOutcome, reason: string, by?: string): Promise<void> {
    this.stopProgress(job);
    await this.show(job, stoppedMessage(await this.finalMeta(job), outcome, reason, by));
  }

  /** The meta of a run's last message: with the resolution of its alerts, once they resolved. */
  private async finalMeta(job: RunJob): Promise<RunMeta> {
    const meta = this.meta(job);
    if (job.request.trigger.kind !== 'alert') return meta;
    const resolution = await this.options.records.resolution(job.request.runId);
    return resolution ? { ...meta, resolution } : meta;
  }

  private meta(job: RunJob): RunMeta {
    const { request } = job;
    const title = this.options.playbookTitles.get(request.playbook);
    return {
      runId: request.runId,
      cluster: request.cluster,
      playbook: request.playbook,
      ...(title ? { playbookTitle: title } : {}),
      trigger: request.trigger,
      ...(job.slack?.requester ? { requester: job.slack.requester } : {}),
    };
  }

  private stopProgress(job: RunJob): void {
    const throttle = this.throttles.get(job.request.runId);
    if (throttle?.timer) clearTimeout(throttle.timer);
    this.throttles.delete(job.request.runId);
  }

  /**
   * Shows `message` as the run's message: updates it when it exists (the bot posted it, or an earlier attempt did),
   * posts it once otherwise and remembers where. Returns its ts; nothing for a run that reports to no channel.
   */
  private async show(job: RunJob, message: BlockMessage): Promise<string | undefined> {
    if (!job.slack) return undefined;
    const { channel } = job.slack;
    const record = await this.options.records.get(job.request.runId);
    const ts = job.slack.messageTs ?? record?.slack?.messageTs;
    if (ts) {
      await this.options.client.chat.update({ channel, ts, text: message.text, blocks: message.blocks });
      return ts;
    }
    const posted = await this.options.client.chat.postMessage({ channel, text: message.text, blocks: message.blocks });
    const postedTs = posted.ts as string;
    job.slack.messageTs = postedTs;
    await this.options.records.update(job.request.runId, {
      slack: { channel, messageTs: postedTs, threadParts: record?.slack?.threadParts ?? 0 },
    });
    return postedTs;
  }
}
