import type { WebClient } from '@slack/web-api';
import type { ApprovalRecord } from '../approvals/approval-record.js';
import type { ApprovalStore } from '../approvals/approval-store.js';
import type { MaintenanceReporter } from '../approvals/maintenance-reporter.js';
import {
  approvalRequestMessage,
  maintenanceStepMessage,
  maintenanceSummaryMessage,
} from '../render/approval-blocks.js';
import type { BlockMessage } from '../render/block-kit-types.js';

/**
 * The executor's voice in Slack: every step as a reply in the request's thread, the request's message updated to its
 * state, a summary with each member's sizes before and after, and a re-planned request posted for approval.
 */
export class SlackMaintenanceReporter implements MaintenanceReporter {
  constructor(private readonly options: { client: WebClient; store: ApprovalStore }) {}

  async step(record: ApprovalRecord, text: string): Promise<void> {
    await this.reply(record, maintenanceStepMessage(text));
  }

  async updated(record: ApprovalRecord): Promise<void> {
    if (!record.slack?.requestTs) return;
    const message = approvalRequestMessage(record);
    await this.options.client.chat.update({
      channel: record.slack.channel,
      ts: record.slack.requestTs,
      text: message.text,
      blocks: message.blocks,
    });
  }

  async finished(record: ApprovalRecord): Promise<void> {
    await this.reply(record, maintenanceSummaryMessage(record));
  }

  async replanned(_previous: ApprovalRecord, next: ApprovalRecord): Promise<void> {
    const ts = await this.reply(next, approvalRequestMessage(next));
    if (ts) await this.options.store.apply(next.id, { kind: 'slack', requestTs: ts });
  }

  /** Posts in the request's thread; the reply's ts, or nothing for a request made outside Slack. */
  private async reply(record: ApprovalRecord, message: BlockMessage): Promise<string | undefined> {
    if (!record.slack) return undefined;
    const posted = await this.options.client.chat.postMessage({
      channel: record.slack.channel,
      thread_ts: record.slack.threadTs,
      text: message.text,
      blocks: message.blocks,
    });
    return posted.ts;
  }
}
