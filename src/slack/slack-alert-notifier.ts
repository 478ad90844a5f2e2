import type { WebClient } from '@slack/web-api';
import type { AlertNotifier } from '../alerts/alert-notifier.js';
import type { RunRequest } from '../diagnosis/run-request.js';
import type { RunRecords } from '../queue/run-records.js';
import { stillFiringMessage } from '../render/alert-blocks.js';
import { runningMessage, stoppedMessage, summaryMessage, type RunMeta } from '../render/run-status-blocks.js';

export interface SlackAlertNotifierOptions {
  client: WebClient;
  records: RunRecords;
  /** Titles of the playbooks by id, for messages. */
  playbookTitles: ReadonlyMap<string, string>;
}

/** The alert path's Slack side: an alert run's first message, its "still firing" notes, its resolution. */
export class SlackAlertNotifier implements AlertNotifier {
  constructor(private readonly options: SlackAlertNotifierOptions) {}

  private meta(run: Pick<RunRequest, 'runId' | 'cluster' | 'playbook' | 'trigger'>): RunMeta {
    const title = this.options.playbookTitles.get(run.playbook);
    return {
      runId: run.runId,
      cluster: run.cluster,
      playbook: run.playbook,
      ...(title ? { playbookTitle: title } : {}),
      trigger: run.trigger,
    };
  }

  async postRunMessage(run: RunRequest, channel: string): Promise<string | undefined> {
    const message = runningMessage(this.meta(run));
    const posted = await this.options.client.chat.postMessage({ channel, text: message.text, blocks: message.blocks });
    return posted.ts;
  }

  async noteStillFiring(
    target: { channel: string; messageTs: string },
    note: { count: number; names: readonly string[]; firingAgain: boolean; followedBy?: string },
  ): Promise<void> {
    const message = stillFiringMessage(note.count, note.names, note.firingAgain, note.followedBy);
    await this.options.client.chat.postMessage({
      channel: target.channel,
      thread_ts: target.messageTs,
      text: message.text,
      blocks: message.blocks,
    });
  }

  async showResolution(runId: string): Promise<void> {
    const { records, client } = this.options;
    const record = await records.get(runId);
    const ts = record?.slack?.messageTs;
    // A run still going shows it when its worker finishes (it reads the resolution then).
    if (!record || !ts || !['succeeded', 'failed', 'cancelled'].includes(record.state)) return;
    const resolution = await records.resolution(runId);
    if (!resolution) return;
    const meta = { ...this.meta(record), resolution };
    const report = record.state === 'succeeded' ? await records.report(runId) : undefined;
    const message = report
      ? summaryMessage(report, meta)
      : stoppedMessage(meta, record.state === 'cancelled' ? 'cancelled' : 'failed', record.error ?? 'no report');
    await client.chat.update({
      channel: record.slack?.channel as string,
      ts,
      text: message.text,
      blocks: message.blocks,
    });
  }
}
