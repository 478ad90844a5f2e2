import type { WebClient } from '@slack/web-api';
import type { ApprovalRecord } from '../approvals/approval-record.js';
import type { ApprovalStore } from '../approvals/approval-store.js';
import type { AuditLog } from '../approvals/audit-log.js';
import { newApproval, planLine } from '../approvals/new-approval.js';
import type { Config } from '../config/config-schema.js';
import { describeError } from '../core/errors.js';
import { reportProposals } from '../findings/report-proposals.js';
import type { MaintenanceQueue } from '../queue/maintenance-queue.js';
import type { RunRecords } from '../queue/run-records.js';
import { approvalRequestMessage } from '../render/approval-blocks.js';
import { parseProposalRef } from '../render/proposal-ref.js';
import type { ApproverDirectory } from './approver-directory.js';
import {
  REASON_ACTION_ID,
  REASON_BLOCK_ID,
  REQUEST_CALLBACK_ID,
  RequestModalMetadataSchema,
  type ButtonClick,
  type RequestSubmission,
} from './interaction-schemas.js';

export interface MaintenanceInteractionsDeps {
  config: Config;
  client: WebClient;
  store: ApprovalStore;
  audit: AuditLog;
  records: RunRecords;
  queue: MaintenanceQueue;
  approvers: ApproverDirectory;
  /** Failures after the acknowledgement, for the log. */
  onError: (error: unknown, where: string) => void;
}

/**
 * The approval flow in Slack, apart from Bolt so each step can be read on its own:
 * "Request maintenance" → a modal asking why → the approval request with the exact plan in the run's thread →
 * Approve / Deny by authorised people → the approved plan queued for the executor. Every refusal is ephemeral and
 * says why; every decision is in the audit trail (the store writes it with the change).
 */
export class MaintenanceInteractions {
  constructor(private readonly deps: MaintenanceInteractionsDeps) {}

  private async tell(channel: string, user: string, text: string): Promise<void> {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text } }];
    await this.deps.client.chat.postEphemeral({ channel, user, text, blocks }).catch((error: unknown) => {
      this.deps.onError(error, 'ephemeral answer');
    });
  }

  /** "Request maintenance": opens the modal at once (the trigger_id lives 3 s); the proposal is checked on submit. */
  async requestClicked(click: ButtonClick): Promise<void> {
    const action = click.actions[0];
    const channel = click.channel.id;
    if (!action || !parseProposalRef(action.value)) {
      return this.tell(
        channel,
        click.user.id,
        'That button is not a maintenance proposal Quorum knows: nothing was requested.',
      );
    }
    const metadata = JSON.stringify({ ref: action.value, channel, messageTs: click.container.message_ts });
    await this.deps.client.views.open({
      trigger_id: click.trigger_id,
      view: {
        type: 'modal',
        callback_id: REQUEST_CALLBACK_ID,
        private_metadata: metadata,
        title: { type: 'plain_text', text: 'Request maintenance' },
        submit: { type: 'plain_text', text: 'Request approval' },
        close: { type: 'plain_text', text: 'Cancel' },
        blocks: [
          {
            type: 'section',
            text: {
              type: 'mrkdwn',
              text: 'The approval request will show the exact plan in the thread. Nothing runs until an authorised second person approves it.',
            },
          },
          {
            type: 'input',
            block_id: REASON_BLOCK_ID,
            label: { type: 'plain_text', text: 'Why now?' },
            element: {
              type: 'plain_text_input',
              action_id: REASON_ACTION_ID,
              multiline: true,
              min_length: 3,
              max_length: 500,
              placeholder: { type: 'plain_text', text: 'e.g. NOSPACE since 03:10, writes refused' },
            },
          },
        ],
      },
    });
  }

  /** The modal was submitted: the plan is looked up in the run's stored report and posted for approval. */
  async requestSubmitted(submission: RequestSubmission): Promise<void> {
    const user = submission.user.id;
    const metadata = RequestModalMetadataSchema.safeParse(safeJson(submission.view.private_metadata));
    if (!metadata.success) return;
    const { channel } = metadata.data;
    const ref = parseProposalRef(metadata.data.ref);
    if (!ref) return this.tell(channel, user, 'That request did not name a proposal: nothing was requested.');
    const [report, run] = await Promise.all([this.deps.records.report(ref.runId), this.deps.records.get(ref.runId)]);
    const numbered = report
      ? reportProposals(report.findings).find((entry) => entry.index === ref.proposal)
      : undefined;
    if (!report || !numbered || numbered.proposal.action !== ref.action) {
      return this.tell(
        channel,
        user,
        `The report of run \`${ref.runId}\` is gone or does not hold that proposal (reports are kept a week): run the diagnosis again and request from its findings. Nothing was requested.`,
      );
    }
    const finding = report.findings[numbered.findingIndex];
    const approvers = this.deps.config.clusters[report.cluster]?.approvers;
    if (!finding || !approvers) {
      await this.deps.audit.append({
        at: new Date().toISOString(),
        action: 'approval.request',
        actor: user,
        cluster: report.cluster,
        runId: report.runId,
        outcome: 'refused: no approvers configured',
      });
      return this.tell(
        channel,
        user,
        `Nobody may approve maintenance on \`${report.cluster}\`: set \`clusters.${report.cluster}.approvers\` in the config. Nothing was requested.`,
      );
    }
    const record = newApproval({
      cluster: report.cluster,
      runId: report.runId,
      findingTitle: finding.title,
      proposals: finding.proposals ?? [],
      reason: submission.view.state.values[REASON_BLOCK_ID][REASON_ACTION_ID].value,
      requestedBy: user,
      approvers,
      slack: { channel, threadTs: run?.slack?.messageTs ?? metadata.data.messageTs },
    });
    try {
      await this.deps.store.create(record, planLine(record.plan));
      await this.post(record);
    } catch (error) {
      return this.tell(
        channel,
        user,
        `:x: The request could not be recorded or posted (${describeError(error)}): ask again in a minute; if it persists, Quorum's Redis or Slack access is down.`,
      );
    }
  }

  /** Posts a new request in its thread and remembers where. */
  async post(record: ApprovalRecord): Promise<void> {
    if (!record.slack) return;
    const message = approvalRequestMessage(record);
    const posted = await this.deps.client.chat.postMessage({
      channel: record.slack.channel,
      thread_ts: record.slack.threadTs,
      text: message.text,
      blocks: message.blocks,
    });
    await this.deps.store.apply(record.id, { kind: 'slack', requestTs: posted.ts as string });
  }

  /** Shows a request's current state in its message (buttons only while pending). */
  async refresh(record: ApprovalRecord): Promise<void> {
    const ts = record.slack?.requestTs;
    if (!record.slack || !ts) return;
    const message = approvalRequestMessage(record);
    await this.deps.client.chat.update({
      channel: record.slack.channel,
      ts,
      text: message.text,
      blocks: message.blocks,
    });
  }

  /**
   * The bot's periodic sweep: expires what is past its deadline (and updates those requests' messages), and queues
   * again every approved request not yet started — harmless for one already queued (its job id is the approval id),
   * and the repair for one whose queueing failed or whose bot stopped between approving and queueing.
   */
  async sweep(): Promise<{ expired: number; queued: number }> {
    const expired = await this.deps.store.expireDue();
    for (const record of expired) {
      await this.refresh(record).catch((error: unknown) => this.deps.onError(error, 'expired request message'));
    }
    let queued = 0;
    for (const record of await this.deps.store.approvedWaiting()) {
      if ((await this.deps.queue.enqueue({ approvalId: record.id, cluster: record.cluster })) === 'queued') queued += 1;
    }
    return { expired: expired.length, queued };
  }

  /** Approve or Deny: authorised, applied atomically, refused ephemerally with the reason. */
  async decisionClicked(click: ButtonClick, decision: 'approve' | 'deny'): Promise<void> {
    const user = click.user.id;
    const channel = click.channel.id;
    const id = click.actions[0]?.value ?? '';
    const record = await this.deps.store.get(id);
    if (!record)
      return this.tell(
        channel,
        user,
        `No approval \`${id}\` (expired from the records, or never made): nothing happened.`,
      );
    // The requester may withdraw (deny) their own request, and is told plainly that they cannot approve it (the
    // store refuses that); everyone else must be an approver first.
    const requester = user === record.requestedBy && (decision === 'deny' || !record.policy.allowSelfApproval);
    if (!requester) {
      const check = await this.deps.approvers.check(user, record.policy);
      if (!check.ok) {
        await this.deps.audit.append({
          at: new Date().toISOString(),
          action: `approval.${decision}`,
          actor: user,
          cluster: record.cluster,
          approvalId: record.id,
          runId: record.runId,
          outcome: 'refused: not an approver',
        });
        return this.tell(channel, user, `Nothing happened: ${check.why}.`);
      }
    }
    const outcome = await this.deps.store.apply(
      id,
      decision === 'approve' ? { kind: 'approve', by: user } : { kind: 'deny', by: user },
    );
    if (outcome.record && outcome.record.version !== record.version) {
      await this.refresh(outcome.record).catch((error: unknown) => this.deps.onError(error, 'approval message'));
    }
    if (!outcome.ok) return this.tell(channel, user, outcome.error.message);
    if (outcome.record.state === 'approved') {
      try {
        await this.deps.queue.enqueue({ approvalId: id, cluster: outcome.record.cluster });
      } catch (error) {
        return this.tell(
          channel,
          user,
          `Approved, but the maintenance queue is unavailable (${describeError(error)}): the executor cannot see it until it is queued. Ask again once Redis is back.`,
        );
      }
    } else if (outcome.record.state === 'pending') {
      await this.tell(
        channel,
        user,
        `Your approval is recorded: ${outcome.record.approvals.length} of ${outcome.record.policy.required}.`,
      );
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
