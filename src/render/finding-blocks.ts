import type { Evidence, Finding } from '../findings/finding.js';
import { BLOCK_KIT_LIMITS } from './block-kit-limits.js';
import type { ActionsBlock, Block, ButtonElement, MrkdwnObject, SectionBlock } from './block-kit-types.js';
import { describeProposal, PROPOSAL_LEAD } from './describe-proposal.js';
import { becauseLine } from './report-summary.js';
import { excerptLines, fitExcerpt, isExcerpt } from './excerpt.js';
import {
  escapedPrefix,
  escapeMrkdwn,
  fitMrkdwn,
  neutralizeFences,
  sanitizeForSlack,
  truncationMarker,
} from './mrkdwn.js';
import { encodeProposalRef, proposalActionId } from './proposal-ref.js';
import { SEVERITY_STYLE } from './severity-style.js';

/** Budgets for one finding's blocks, already clamped to Slack's limits. */
export interface FindingBlockBudget {
  /** Characters of an evidence value in a field. */
  fieldChars: number;
  /** Characters of an excerpt inside its code block. */
  excerptChars: number;
  /** Lines of an excerpt before "… N more lines". */
  excerptLines: number;
}

/** Where the finding's proposals sit in the run's report, for the proposal buttons' references. */
export interface FindingPosition {
  runId: string;
  /** Report-wide index of this finding's first proposal (see `reportProposals`). */
  firstProposal: number;
}

const L = BLOCK_KIT_LIMITS;
/** Characters of an evidence label in a field. */
const LABEL_CHARS = 150;
/** Characters of a title, a summary and a recommendation: a message is read at a glance, the file has the rest. */
const TITLE_CHARS = 300;
const SUMMARY_CHARS = 1000;
const RECOMMENDATION_CHARS = 1000;
/** Total characters of the fields of one section: ten full fields would not fit a message. */
const FIELDS_CHARS_PER_SECTION = 5000;

const mrkdwn = (text: string): MrkdwnObject => ({ type: 'mrkdwn', text });

function fieldsSections(evidence: readonly Evidence[], fieldChars: number): MrkdwnObject[][] {
  const groups: MrkdwnObject[][] = [];
  let group: MrkdwnObject[] = [];
  let size = 0;
  for (const item of evidence) {
    const label = fitMrkdwn(item.label, LABEL_CHARS);
    const value = fitMrkdwn(item.value || '(empty)', Math.min(fieldChars, L.sectionFieldChars - label.length - 3));
    const field = mrkdwn(`*${label}*\n${value}`);
    if (group.length === L.sectionFields || (group.length > 0 && size + field.text.length > FIELDS_CHARS_PER_SECTION)) {
      groups.push(group);
      group = [];
      size = 0;
    }
    group.push(field);
    size += field.text.length;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/** An excerpt as a code block under its label: lines trimmed first, then characters, each with its marker. */
function excerptSection(item: Evidence, budget: FindingBlockBudget): SectionBlock {
  const label = `*${fitMrkdwn(item.label, LABEL_CHARS)}*`;
  const raw = excerptLines(neutralizeFences(sanitizeForSlack(item.value)));
  const room = Math.min(
    budget.excerptChars,
    L.sectionTextChars - label.length - truncationMarker(item.value.length).length - 10,
  );
  const lines = fitExcerpt(raw, budget.excerptLines, room, (line) => escapeMrkdwn(line).length).join('\n');
  // Only a single line longer than the whole budget is left to cut here.
  const { text, omitted } = escapedPrefix(lines, room);
  const block = `${label}\n\`\`\`${text}\`\`\``;
  return { type: 'section', text: mrkdwn(omitted > 0 ? `${block}\n${truncationMarker(omitted)}` : block) };
}

/** Text of the one button under a finding's proposals: it requests the finding's whole plan. */
export const REQUEST_MAINTENANCE_TEXT = 'Request maintenance';

function proposalBlocks(finding: Finding, position: FindingPosition): Block[] {
  const blocks: Block[] = [];
  const proposals = finding.proposals ?? [];
  proposals.forEach((proposal) => {
    const description = describeProposal(proposal);
    const plan = description.plan.map((step) => (/^\d+\. /.test(step) ? `    ${step}` : `• ${step}`)).join('\n');
    blocks.push({
      type: 'section',
      text: mrkdwn(
        `*${PROPOSAL_LEAD}* ${fitMrkdwn(`${description.summary}\n${plan}`, L.sectionTextChars - PROPOSAL_LEAD.length - 3)}`,
      ),
    });
  });
  const first = proposals[0];
  if (!first) return blocks;
  // One button per finding: compaction, defragmentation and disarming are one recovery, approved and run together
  // in order. It refers to the finding's first proposal; the handler takes every proposal of that finding.
  const value = encodeProposalRef({ runId: position.runId, proposal: position.firstProposal, action: first.action });
  if (value.length <= L.buttonValueChars) {
    const button: ButtonElement = {
      type: 'button',
      text: { type: 'plain_text', text: REQUEST_MAINTENANCE_TEXT, emoji: true },
      action_id: proposalActionId(first.action),
      value,
    };
    blocks.push({ type: 'actions', elements: [button] } satisfies ActionsBlock);
  }
  return blocks;
}

/**
 * One problem finding as blocks: a section with the severity emoji, `*title*` and summary, the evidence as fields
 * (ten per section), each excerpt in a code block, the recommendation after "→", and each proposal with its plan
 * followed by one "Request maintenance" button. Every text is escaped and fits Slack's limits, cut with a marker if not.
 */
export function findingBlocks(finding: Finding, position: FindingPosition, budget: FindingBlockBudget): Block[] {
  const emoji = SEVERITY_STYLE[finding.severity].slackEmoji;
  const title = fitMrkdwn(finding.title, TITLE_CHARS);
  const because = becauseLine(finding);
  // A symptom is marked and says why, so it reads as part of the cause above it.
  const head = because ? `↳ ${emoji} *${title}*\n_${fitMrkdwn(because, SUMMARY_CHARS)}_\n` : `${emoji} *${title}*\n`;
  const main: SectionBlock = {
    type: 'section',
    text: mrkdwn(`${head}${fitMrkdwn(finding.summary, SUMMARY_CHARS)}`.trimEnd()),
  };
  const [firstFields, ...moreFields] = fieldsSections(
    finding.evidence.filter((item) => !isExcerpt(item)),
    budget.fieldChars,
  );
  if (firstFields) main.fields = firstFields;
  const blocks: Block[] = [main, ...moreFields.map((fields): SectionBlock => ({ type: 'section', fields }))];
  blocks.push(...finding.evidence.filter(isExcerpt).map((item) => excerptSection(item, budget)));
  if (finding.recommendation) {
    blocks.push({ type: 'section', text: mrkdwn(`→ ${fitMrkdwn(finding.recommendation, RECOMMENDATION_CHARS)}`) });
  }
  blocks.push(...proposalBlocks(finding, position));
  return blocks;
}

/** Passing findings listed compactly: `:white_check_mark: *Passed (N):* a · b · c`, split over sections as needed. */
export function passedBlocks(passed: readonly Finding[]): SectionBlock[] {
  if (passed.length === 0) return [];
  const sections: SectionBlock[] = [];
  let text = `${SEVERITY_STYLE.ok.slackEmoji} *Passed (${passed.length}):* `;
  let count = 0;
  for (const finding of passed) {
    const item = fitMrkdwn(finding.title, 1000);
    if (count > 0 && text.length + 3 + item.length > L.sectionTextChars) {
      sections.push({ type: 'section', text: mrkdwn(text) });
      text = '';
      count = 0;
    }
    text += `${count > 0 ? ' · ' : ''}${item}`;
    count += 1;
  }
  sections.push({ type: 'section', text: mrkdwn(text) });
  return sections;
}
