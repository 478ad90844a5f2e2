import type { DiagnosisReport } from '../diagnosis/diagnosis-report.js';
import type { RunTrigger } from '../diagnosis/run-request.js';
import type { Block, BlockMessage, MrkdwnObject } from './block-kit-types.js';
import { BLOCK_KIT_LIMITS } from './block-kit-limits.js';
import { resolutionBlock, triggerAlertsBlock, type ShownResolution } from './alert-blocks.js';
import { escapeMrkdwn, fitMrkdwn, fitPlainText } from './mrkdwn.js';
import { becauseLine, shownFindings, shownRootCause, summarizeReport } from './report-summary.js';
import { SEVERITY_STYLE } from './severity-style.js';

/** What every message of a run names: which diagnosis, where, for whom. */
export interface RunMeta {
  runId: string;
  cluster: string;
  playbook: string;
  /** Shown instead of the id when known. */
  playbookTitle?: string;
  trigger: RunTrigger;
  /** Slack user id of whoever asked, for a mention. */
  requester?: string;
  /** An alert run whose alerts have all resolved. */
  resolution?: ShownResolution;
}

/** What every message of an alert run starts with: the resolution (once resolved), then the alerts. */
function alertBlocks(meta: RunMeta): Block[] {
  const alerts = triggerAlertsBlock(meta.trigger);
  return [...(meta.resolution ? [resolutionBlock(meta.resolution)] : []), ...(alerts ? [alerts] : [])];
}

/** How far a run is. */
export interface RunProgressLine {
  done: number;
  total: number;
  /** Findings worse than info so far. */
  problems: number;
}

const L = BLOCK_KIT_LIMITS;
/** Problem findings named in the summary message; the thread has them all. */
const TOP_FINDINGS = 5;
const mrkdwn = (text: string): MrkdwnObject => ({ type: 'mrkdwn', text });

function what(meta: RunMeta): string {
  return `*${fitMrkdwn(meta.playbookTitle ?? meta.playbook, 200)}* on *${fitMrkdwn(meta.cluster, 100)}*`;
}

function who(meta: RunMeta): string {
  if (meta.requester) return `requested by <@${meta.requester}>`;
  if (meta.trigger.kind === 'alert')
    return `started by an alert${meta.trigger.by ? ` (${escapeMrkdwn(meta.trigger.by)})` : ''}`;
  return `started from ${meta.trigger.kind}${meta.trigger.by ? ` by ${escapeMrkdwn(meta.trigger.by)}` : ''}`;
}

function footer(meta: RunMeta, extra?: string): Block {
  return {
    type: 'context',
    elements: [
      mrkdwn(
        `\`${fitMrkdwn(meta.playbook, 100)}\` · run \`${meta.runId}\` · ${who(meta)}${extra ? ` · ${extra}` : ''}`,
      ),
    ],
  };
}

/** The first message of a run, and its progress as checks finish. */
export function runningMessage(meta: RunMeta, progress?: RunProgressLine, note?: string): BlockMessage {
  const line = progress
    ? `${progress.done} of ${progress.total} checks done${progress.problems > 0 ? ` · ${progress.problems} ${progress.problems === 1 ? 'problem' : 'problems'} so far` : ''}`
    : 'queued, starting…';
  const blocks: Block[] = [
    { type: 'section', text: mrkdwn(`:hourglass_flowing_sand: Diagnosing ${what(meta)}: ${line}`) },
    ...alertBlocks(meta),
  ];
  if (note) blocks.push({ type: 'context', elements: [mrkdwn(fitMrkdwn(note, 2_000))] });
  blocks.push(footer(meta));
  return { text: `Diagnosing ${meta.playbookTitle ?? meta.playbook} on ${meta.cluster}: ${line}`, blocks };
}

/**
 * What the run's message turns into when the diagnosis is done: the worst severity and counts, the one-line
 * diagnosis, the top problems (severity as emoji and word, symptoms marked under their cause), and a pointer to the
 * thread with everything. Redacted like every renderer's output.
 */
export function summaryMessage(report: DiagnosisReport, meta: RunMeta): BlockMessage {
  const summary = summarizeReport(report);
  const worst = SEVERITY_STYLE[summary.worst];
  const problems = shownFindings(report).filter(
    (finding) => finding.severity === 'critical' || finding.severity === 'warning',
  );
  const top = problems.slice(0, TOP_FINDINGS).map((finding) => {
    const style = SEVERITY_STYLE[finding.severity];
    const mark = becauseLine(finding) ? '    ↳ ' : '';
    return `${mark}${style.slackEmoji} *${style.word}* ${fitMrkdwn(finding.title, 300)}`;
  });
  const more = problems.length - top.length;
  const blocks: Block[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: fitPlainText(`${worst.word} · ${report.playbookTitle} · ${report.cluster}`, L.headerTextChars),
        emoji: true,
      },
    },
    ...alertBlocks(meta),
    {
      type: 'section',
      text: mrkdwn(`${worst.slackEmoji} *${fitMrkdwn(shownRootCause(report), L.sectionTextChars - 40)}*`),
    },
    { type: 'context', elements: [mrkdwn(`${escapeMrkdwn(summary.countsText)} · took ${summary.duration}`)] },
  ];
  if (top.length > 0) {
    blocks.push({
      type: 'section',
      text: mrkdwn(fitMrkdwn(`${top.join('\n')}${more > 0 ? `\n…and ${more} more` : ''}`, L.sectionTextChars)),
    });
  }
  blocks.push(
    footer({ ...meta, playbookTitle: report.playbookTitle }, 'every finding and its evidence in the thread :thread:'),
  );
  return {
    text: `${worst.word}: ${report.playbookTitle} on ${report.cluster} (${summary.countsText}). ${shownRootCause(report)}`.slice(
      0,
      3_000,
    ),
    blocks,
  };
}

export type StopOutcome = 'failed' | 'cancelled' | 'timed-out';

const STOP_STYLE: Record<StopOutcome, { emoji: string; verb: string }> = {
  failed: { emoji: ':x:', verb: 'could not run' },
  cancelled: { emoji: ':no_entry_sign:', verb: 'was cancelled' },
  'timed-out': { emoji: ':alarm_clock:', verb: 'ran out of time' },
};

/**
 * A run that ended without a report: why, in words that say what to do.
 *
 * @param by - the Slack user who stopped it, mentioned (the reason itself is shown as plain text).
 */
export function stoppedMessage(meta: RunMeta, outcome: StopOutcome, reason: string, by?: string): BlockMessage {
  const style = STOP_STYLE[outcome];
  const mention = by ? ` by <@${by}>` : '';
  return {
    text: `${meta.playbookTitle ?? meta.playbook} on ${meta.cluster} ${style.verb}${by ? ` by ${by}` : ''}: ${reason}`.slice(
      0,
      3_000,
    ),
    blocks: [
      { type: 'section', text: mrkdwn(`${style.emoji} ${what(meta)} ${style.verb}${mention}.`) },
      ...alertBlocks(meta),
      { type: 'section', text: mrkdwn(fitMrkdwn(reason, L.sectionTextChars)) },
      footer(meta),
    ],
  };
}
