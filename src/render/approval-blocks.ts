import type { ApprovalRecord } from '../approvals/approval-record.js';
import type { Proposal } from '../findings/finding.js';
import { formatBytes } from '../findings/format.js';
import type { ActionsBlock, Block, BlockMessage, ButtonElement, MrkdwnObject } from './block-kit-types.js';
import { escapeMrkdwn, fitPlainText } from './mrkdwn.js';

/** action_ids of the approval request's buttons; their value is the approval id. */
export const APPROVE_ACTION_ID = 'quorum.approval.approve';
export const DENY_ACTION_ID = 'quorum.approval.deny';

const mrkdwn = (text: string): MrkdwnObject => ({ type: 'mrkdwn', text });

/**
 * Mrkdwn that is already escaped (user text goes through escapeMrkdwn, mentions stay live), cut to Slack's limit.
 * These messages are short by construction; the cut only guards against a plan with very many members.
 */
function cap(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 40)}… (cut: Slack's limit; see the audit trail)`;
}

/** The plan as numbered steps, one line each, in the order the executor runs them. */
export function planSteps(plan: readonly Proposal[]): string[] {
  const steps: string[] = [];
  for (const step of plan) {
    switch (step.action) {
      case 'etcd.compact':
        steps.push(`Compact the keyspace to revision *${step.revision}* (physical): drops superseded history`);
        break;
      case 'etcd.defrag':
        for (const member of step.members) {
          steps.push(
            `Defragment *${escapeMrkdwn(member.name)}* (${member.role}${member.role === 'leader' ? ', last' : ''}, ${member.id}): ` +
              `${formatBytes(member.dbSizeBytes)} on disk, ${formatBytes(member.dbSizeInUseBytes)} in use → ~${formatBytes(member.expectedReclaimBytes)} back`,
          );
        }
        break;
      case 'etcd.disarm':
        steps.push(
          `Disarm NOSPACE only if every member is below ${formatBytes(step.condition.belowBytes)} (${Math.round(step.condition.maxDbSizeRatio * 100)}% of the ${formatBytes(step.condition.quotaBytes)} quota), then verify that a write succeeds`,
        );
        break;
    }
  }
  return steps.map((line, index) => `${index + 1}. ${line}`);
}

function expectedBack(plan: readonly Proposal[]): number {
  return plan.reduce((sum, step) => sum + (step.action === 'etcd.defrag' ? step.expectedReclaimBytes : 0), 0);
}

function approversLine(record: ApprovalRecord): string {
  const who = [
    ...record.policy.users.map((user) => `<@${user}>`),
    ...record.policy.groups.map((group) => `<!subteam^${group}>`),
  ];
  const self = record.policy.allowSelfApproval ? '' : '; the requester cannot approve';
  return `*Who may approve:* ${who.length > 0 ? who.join(', ') : 'nobody is configured'} — ${record.policy.required} distinct approval${record.policy.required > 1 ? 's' : ''} needed${self}`;
}

function clock(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

const RISK =
  '*Risk:* a member blocks its reads and writes while it defragments (seconds, minutes on a multi-GB database): run it in a quiet moment. ' +
  'The executor checks every member before each step, goes one member at a time with the leader last, and stops at the first failure.';

/** What the request's message says under its plan, by state. */
function statusLine(record: ApprovalRecord): string {
  const by = record.decidedBy ? ` by <@${record.decidedBy}>` : '';
  switch (record.state) {
    case 'pending':
      return record.approvals.length > 0
        ? `:hourglass_flowing_sand: ${record.approvals.length} of ${record.policy.required} approvals (${record.approvals.map((a) => `<@${a.by}>`).join(', ')}); expires ${clock(record.expiresAt)}`
        : `:hourglass_flowing_sand: Waiting for approval; expires ${clock(record.expiresAt)}`;
    case 'approved':
      return `:white_check_mark: Approved${by} at ${clock(record.decidedAt ?? record.requestedAt)}: queued for the executor`;
    case 'denied':
      return `:no_entry: Denied${by}: nothing will run`;
    case 'expired':
      return ':alarm_clock: Expired: nothing will run. Request it again from the findings if it is still needed.';
    case 'executing':
      return `:gear: Running (approved${by}); steps follow in this thread`;
    case 'done':
      return `:white_check_mark: Done (approved${by})`;
    case 'failed':
      return `:x: Stopped on a failure: ${escapeMrkdwn(record.execution?.outcome ?? 'see the thread')}`;
    case 'aborted':
      return `:octagonal_sign: Aborted: ${escapeMrkdwn(record.execution?.outcome ?? record.history.at(-1)?.note ?? 'see the thread')}`;
  }
}

function buttons(record: ApprovalRecord): ActionsBlock {
  const approve: ButtonElement = {
    type: 'button',
    text: { type: 'plain_text', text: 'Approve', emoji: true },
    action_id: APPROVE_ACTION_ID,
    value: record.id,
    style: 'danger',
    confirm: {
      title: { type: 'plain_text', text: 'Approve etcd maintenance?' },
      text: mrkdwn(
        cap(
          `This writes to etcd on *${record.cluster}*: ${planSteps(record.plan).length} steps, one member at a time, each member blocked while it defragments.`,
          300,
        ),
      ),
      confirm: { type: 'plain_text', text: 'Approve' },
      deny: { type: 'plain_text', text: 'Cancel' },
      style: 'danger',
    },
  };
  const deny: ButtonElement = {
    type: 'button',
    text: { type: 'plain_text', text: 'Deny', emoji: true },
    action_id: DENY_ACTION_ID,
    value: record.id,
  };
  return { type: 'actions', block_id: `approval-${record.id}`, elements: [approve, deny] };
}

/**
 * The approval request posted in the run's thread: the exact plan (steps in order, each member's sizes, the space
 * expected back), the risk, who may approve and until when, and while pending, Approve (danger, with Slack's
 * confirmation dialog) and Deny. Rendered again, without buttons, as the request is decided.
 */
export function approvalRequestMessage(record: ApprovalRecord): BlockMessage {
  const title = `${record.replanOf ? 'Re-planned maintenance' : 'Maintenance'} approval ${record.state === 'pending' ? 'requested' : record.state}: etcd on ${record.cluster}`;
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: fitPlainText(title, 150), emoji: true } },
    {
      type: 'section',
      text: mrkdwn(
        cap(
          `*Requested by* <@${record.requestedBy}> for _${escapeMrkdwn(record.findingTitle)}_\n*Reason:* ${escapeMrkdwn(record.reason)}` +
            (record.replanOf
              ? `\n*Re-plans* \`${record.replanOf}\`: the cluster moved since that plan was made.`
              : '') +
            (record.dryRun ? '\n*Dry run:* the executor will only show what it would do.' : ''),
          3000,
        ),
      ),
    },
    {
      type: 'section',
      text: mrkdwn(
        cap(
          `*Plan, in this order:*\n${planSteps(record.plan).join('\n')}\n*Expected space back:* ~${formatBytes(expectedBack(record.plan))} in total`,
          3000,
        ),
      ),
    },
    { type: 'section', text: mrkdwn(RISK) },
    { type: 'section', text: mrkdwn(cap(approversLine(record), 3000)) },
    { type: 'section', text: mrkdwn(statusLine(record)) },
    {
      type: 'context',
      elements: [
        mrkdwn(
          `approval \`${record.id}\` · run \`${record.runId}\` · planned against revision ${record.basis.revision}, leader ${record.basis.leaderId}, ${record.basis.members.length} members · raising the quota is never executed: it needs --quota-backend-bytes and a restart`,
        ),
      ],
    },
  ];
  if (record.state === 'pending') blocks.push(buttons(record));
  return { text: `${title}: ${statusLine(record).replace(/^:[a-z_]+: /, '')}`, blocks };
}

/** One line of live progress in the thread. */
export function maintenanceStepMessage(text: string): BlockMessage {
  return { text, blocks: [{ type: 'section', text: mrkdwn(cap(text, 3000)) }] };
}

/** The end of a maintenance: how it ended and every member's sizes before and after. */
export function maintenanceSummaryMessage(record: ApprovalRecord): BlockMessage {
  const execution = record.execution;
  const head = `${record.state === 'done' ? ':white_check_mark: Maintenance done' : record.state === 'failed' ? ':x: Maintenance stopped' : ':octagonal_sign: Maintenance aborted'} on ${record.cluster}${execution?.outcome ? `: ${escapeMrkdwn(execution.outcome)}` : ''}`;
  const rows = (execution?.before ?? []).map((before) => {
    const after = execution?.after.find((member) => member.id === before.id);
    return `• *${escapeMrkdwn(before.name)}* (${before.role}): ${formatBytes(before.dbSizeBytes)} → ${after ? formatBytes(after.dbSizeBytes) : 'unknown'} on disk, ${formatBytes(after?.dbSizeInUseBytes ?? before.dbSizeInUseBytes)} in use`;
  });
  const steps = (execution?.steps ?? []).map(
    (step) =>
      `${step.outcome === 'ok' ? '✓' : step.outcome === 'skipped' ? '–' : '✗'} ${step.step}${step.member ? ` ${step.member}` : ''}${step.detail ? `: ${escapeMrkdwn(step.detail)}` : ''}`,
  );
  const blocks: Block[] = [{ type: 'section', text: mrkdwn(cap(head, 3000)) }];
  if (rows.length > 0)
    blocks.push({
      type: 'section',
      text: mrkdwn(cap(`*Sizes per member, before → after:*\n${rows.join('\n')}`, 3000)),
    });
  if (steps.length > 0) blocks.push({ type: 'section', text: mrkdwn(cap(`*Steps:*\n${steps.join('\n')}`, 3000)) });
  return { text: head.replace(/^:[a-z_]+: /, ''), blocks };
}
