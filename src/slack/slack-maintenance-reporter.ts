import type { WebClient } from '@slack/web-api';
import type { ApprovalRecord } from '../approvals/approval-record.js';
import type { ApprovalStore } from '../approvals/approval-store.js';
import type { MaintenanceReporter } from '../approvals/maintenance-reporter.js';
import {
  approvalRequestMessage,
  maintenanceStepMessage,
  maintenanceSummaryMessage,
} from '../render/approval-blocks.js';

/**
 * The executor's voice in Slack: every step as a reply in the request's thread, the request's message updated to its
 * state, a summary with each member's sizes before and after, and a re-planned request posted for approval.
 */
export class SlackMaintenanceReporter implements MaintenanceReporter {
  constructor(private readonly options: { client: WebClient; store: ApprovalStore }) {}

  async step(record: ApprovalRecord, text: string): Promise<void> {
    if (!record.slack) return;
    const message = maintenanceStepMessage(text);
    await this.options.client.chat.postMessage({
      channel: record.slack.channel,
      thread_ts: record.slack.threadTs,
      text: message.text,
      blocks: message.blocks,
    });
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
    if (!record.slack) return;
    const message = maintenanceSummaryMessage(record);
    await this.options.client.chat.postMessage({
      channel: record.slack.channel,
      thread_ts: record.slack.threadTs,
      text: message.text,
      blocks: message.blocks,
    });
  }

  async replanned(_previous: ApprovalRecord, next: ApprovalRecord): Promise<void> {
    if (!next.slack) return;
    const message = approvalRequestMessage(next);
    const posted = await this.options.client.chat.postMessage({
      channel: next.slack.channel,
      thread_ts: next.slack.threadTs,
      text: message.text,
      blocks: message.blocks,
    });
    await this.options.store.apply(next.id, { kind: 'slack', requestTs: posted.ts as string });
  }
}
