import type { DiagnosisReport } from '../diagnosis/diagnosis-report.js';
import type { Finding } from '../findings/finding.js';
import { reportProposals } from '../findings/report-proposals.js';
import { BLOCK_KIT_LIMITS } from './block-kit-limits.js';
import type { Block, BlockMessage, ContextBlock, MrkdwnObject } from './block-kit-types.js';
import { findingBlocks, passedBlocks, type FindingBlockBudget } from './finding-blocks.js';
import { clipMrkdwn, escapeMrkdwn, fitMrkdwn, fitPlainText } from './mrkdwn.js';
import { paginateBlocks } from './paginate-blocks.js';
import { renderMarkdown } from './render-markdown.js';
import { isCollapsible, shownFindings, shownRootCause, summarizeReport, type ReportSummary } from './report-summary.js';
import { SEVERITY_STYLE } from './severity-style.js';

/** Options of {@link renderBlocks}. */
export interface BlocksRenderOptions {
  /** Characters of one evidence value in a field before it is cut (at most 2000). @defaultValue 300 */
  maxFieldChars?: number;
  /** Characters of one excerpt before lines are left out (at most about 2800). @defaultValue 1500 */
  maxExcerptChars?: number;
  /** Lines of one excerpt before "… N more lines". @defaultValue 15 */
  maxExcerptLines?: number;
  /**
   * Characters of one message's blocks (as JSON). Kept under Slack's ~13,000 so a message never meets
   * `msg_blocks_too_long`. @defaultValue 12000
   */
  maxMessageChars?: number;
  /**
   * Messages at most (the main one and its continuations). Findings that would need more are listed by title in
   * a closing "not shown here" section that points to the attached report. @defaultValue 10
   */
  maxMessages?: number;
}

const L = BLOCK_KIT_LIMITS;
const mrkdwn = (text: string): MrkdwnObject => ({ type: 'mrkdwn', text });
/** Characters of the root cause line in the notification text. */
const FALLBACK_CAUSE_CHARS = 200;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Room kept on the first message for the "continued in N more messages" note. */
const CONTINUED_NOTE_RESERVE = 120;

/** `<!date^…>` shows the time in each reader's own time zone; the fallback is the ISO time. */
function slackDate(iso: string): string {
  const seconds = Math.floor(Date.parse(iso) / 1000);
  return Number.isFinite(seconds)
    ? `<!date^${seconds}^{date_short_pretty} {time}|${escapeMrkdwn(iso)}>`
    : escapeMrkdwn(iso);
}

function countsText(summary: ReportSummary): string {
  const parts = (['critical', 'warning', 'info', 'ok'] as const)
    .filter((severity) => summary.counts[severity] > 0)
    .map((severity) => `${SEVERITY_STYLE[severity].slackEmoji} ${summary.counts[severity]} ${severity}`);
  return parts.length > 0 ? parts.join('   ') : 'no findings';
}

/** The notification text of the main message: worst severity, playbook, cluster and counts. */
export function blocksFallbackText(report: DiagnosisReport): string {
  const summary = summarizeReport(report);
  const worst = SEVERITY_STYLE[summary.worst];
  // The notification preview: short, so the root cause line is clipped rather than the severity and the counts.
  return escapeMrkdwn(
    `${worst.word}: ${report.playbookTitle} on ${report.cluster} (${summary.countsText}). ${clip(shownRootCause(report), FALLBACK_CAUSE_CHARS)}`,
  );
}

function headBlocks(report: DiagnosisReport, summary: ReportSummary): Block[] {
  const worst = SEVERITY_STYLE[summary.worst];
  const title = `${worst.slackEmoji} ${worst.word} · ${report.playbookTitle}`;
  return [
    { type: 'header', text: { type: 'plain_text', text: fitPlainText(title, L.headerTextChars), emoji: true } },
    {
      type: 'context',
      elements: [
        mrkdwn(
          `*${fitMrkdwn(report.cluster, 300)}* · ${slackDate(report.finishedAt)} · took ${summary.duration} · ` +
            `\`${fitMrkdwn(report.playbook, 200)}\``,
        ),
        mrkdwn(countsText(summary)),
      ],
    },
    { type: 'section', text: mrkdwn(`*${fitMrkdwn(shownRootCause(report), L.sectionTextChars - 2)}*`) },
  ];
}

function continuationHead(report: DiagnosisReport, label: string): ContextBlock {
  const what = fitMrkdwn(`${report.playbookTitle} · ${report.cluster}`, 600);
  return { type: 'context', elements: [mrkdwn(`*${label}* · ${what}`)] };
}

/** The findings that did not fit the messages, by severity and title, pointing to the full report. */
function overflowBlocks(findings: readonly Finding[], passedCount: number): Block[] {
  const passedNote = passedCount > 0 ? ` and ${passedCount} passed check${passedCount === 1 ? '' : 's'}` : '';
  const count = `${findings.length} more finding${findings.length === 1 ? '' : 's'}${passedNote}`;
  let text = `:page_facing_up: *${count} not shown here:* see the attached report (JSON/markdown) for all details.`;
  for (const [index, finding] of findings.entries()) {
    const line = `\n• ${SEVERITY_STYLE[finding.severity].slackEmoji} ${clipMrkdwn(finding.title, 150)}`;
    if (text.length + line.length + 40 > L.sectionTextChars) {
      text += `\n… and ${findings.length - index} more`;
      break;
    }
    text += line;
  }
  return [{ type: 'section', text: mrkdwn(text) }];
}

/**
 * The report as Slack messages within Block Kit's limits. The first message is the main one: a header with the
 * worst severity, a context line (cluster, time, duration, counts), each problem finding (see `findingBlocks`)
 * separated by dividers, and the passing findings in one compact section. What does not fit goes into
 * continuation messages for the thread, each starting "(continued 2/3)"; the main message says how many follow.
 * Long values are cut with an explicit marker pointing to the JSON/Markdown report, and findings beyond
 * `maxMessages` are listed by title: nothing is dropped silently. Every message has a plain `text` fallback.
 */
export function renderBlocks(report: DiagnosisReport, options: BlocksRenderOptions = {}): BlockMessage[] {
  const budget: FindingBlockBudget = {
    fieldChars: Math.min(options.maxFieldChars ?? 300, L.sectionFieldChars),
    excerptChars: Math.min(options.maxExcerptChars ?? 1500, L.sectionTextChars),
    excerptLines: Math.max(3, options.maxExcerptLines ?? 15),
  };
  const maxChars = Math.min(options.maxMessageChars ?? 12_000, L.messageBlocksChars);
  const maxMessages = Math.max(1, options.maxMessages ?? 10);
  const summary = summarizeReport(report);
  const findings = shownFindings(report);

  const problems = findings
    .map((finding, index) => ({ finding, index }))
    .filter(({ finding }) => !isCollapsible(finding));
  const passed = findings.filter(isCollapsible);
  const firstProposal = new Map<number, number>();
  for (const numbered of reportProposals(report.findings).reverse()) {
    firstProposal.set(numbered.findingIndex, numbered.index);
  }
  const problemGroups: Block[][] = problems.map(({ finding, index }) => [
    ...findingBlocks(finding, { runId: report.runId, firstProposal: firstProposal.get(index) ?? 0 }, budget),
    { type: 'divider' },
  ]);
  const paginate = (groups: Block[][]) =>
    paginateBlocks(
      headBlocks(report, summary),
      groups,
      // Sized with the widest label the numbers could produce; the real numbers are filled in once pages are known.
      () => [continuationHead(report, '(continued 999/999)')],
      { maxBlocks: L.blocksPerMessage, maxChars },
      CONTINUED_NOTE_RESERVE,
    );
  const tail: Block[][] = [passedBlocks(passed)];
  if (findings.length === 0) {
    tail.push([{ type: 'section', text: mrkdwn('No findings: the playbook had nothing to report.') }]);
  }
  let pages = paginate([...problemGroups, ...tail]);
  if (pages.length > maxMessages) {
    // As many findings in full as the messages allow (most severe first, as ranked), the rest by title.
    const withOverflow = (shown: number) =>
      paginate([
        ...problemGroups.slice(0, shown),
        overflowBlocks(
          problems.slice(shown).map(({ finding }) => finding),
          passed.length,
        ),
      ]);
    let low = 0;
    let high = problemGroups.length - 1;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (withOverflow(middle).length <= maxMessages) low = middle;
      else high = middle - 1;
    }
    pages = withOverflow(low);
  }

  const text = blocksFallbackText(report);
  return pages.map((blocks, index) => {
    if (index === 0) {
      if (pages.length > 1) {
        const context = blocks[1] as ContextBlock;
        const more = pages.length - 1;
        context.elements.push(mrkdwn(`:thread: continued in ${more} more message${more === 1 ? '' : 's'}`));
      }
      return { text, blocks };
    }
    const label = `(continued ${index + 1}/${pages.length})`;
    return { text: `${label} ${text}`, blocks: [continuationHead(report, label), ...blocks.slice(1)] };
  });
}

/** The full report as a Markdown file a Slack adapter can upload next to the message (`files.uploadV2`). */
export function renderBlocksAttachment(report: DiagnosisReport): { filename: string; content: string } {
  const finished = Date.parse(report.finishedAt);
  const iso = Number.isFinite(finished) ? new Date(finished).toISOString() : '';
  // 2026-11-24T03:12:12.400Z → 20261124T031212Z
  const stamp = iso ? `${iso.slice(0, 19).replace(/[-:]/g, '')}Z` : 'undated';
  const slug = `${report.playbook}-${report.cluster}`
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .slice(0, 120);
  return { filename: `quorum-${slug}-${stamp}.md`, content: renderMarkdown(report) };
}
