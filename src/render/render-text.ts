import { styleText } from 'node:util';
import type { Evidence, Finding, Severity } from '../findings/finding.js';
import type { DiagnosisReport } from '../diagnosis/diagnosis-report.js';
import { describeProposal, PROPOSAL_LEAD } from './describe-proposal.js';
import { excerptLines, isExcerpt, trimExcerpt } from './excerpt.js';
import { becauseLine, shownFindings, shownRootCause, splitPassed, summarizeReport } from './report-summary.js';
import { SEVERITY_STYLE } from './severity-style.js';
import { visibleLength, wrapHard, wrapWords } from './text-wrap.js';

/** Options of {@link renderText}. */
export interface TextRenderOptions {
  /**
   * ANSI colours. The renderer never looks at the terminal or the environment: the CLI decides, from
   * `process.stdout.isTTY && !process.env.NO_COLOR`. @defaultValue false
   */
  color?: boolean;
  /** Line width in columns to wrap to. @defaultValue 100 */
  width?: number;
  /** Lists passing findings in one compact "Passed" paragraph at the end, so problems stand out. @defaultValue true */
  collapseOk?: boolean;
  /** Lines shown per excerpt (log tail, health report); the rest is counted in a "… N more lines" line. @defaultValue 12 */
  maxExcerptLines?: number;
}

type Style = Parameters<typeof styleText>[0];

/** Indent of everything under a finding's badge: the badge is 6 columns, then 2 spaces. */
const INDENT = ' '.repeat(8);
/** Labels longer than this do not widen the label column; their values start right after them. */
const MAX_LABEL_COLUMN = 28;

/** Terminal control characters in log text could move the cursor or recolour the terminal: show them as �. */
function sanitize(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/\t/g, '    ').replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, '\ufffd');
}

class TextWriter {
  readonly lines: string[] = [];

  constructor(
    readonly width: number,
    private readonly color: boolean,
  ) {}

  /** `validateStream: false`: without it styleText would decide from process.stdout and the environment itself. */
  style(format: Style, text: string): string {
    return this.color && text.length > 0 ? styleText(format, text, { validateStream: false }) : text;
  }

  /** Wraps `text`; `format` styles the text after the prefixes (prefixes stay unstyled). */
  words(text: string, firstPrefix: string, restPrefix: string, format?: Style): void {
    const plain = wrapWords(sanitize(text), this.width, firstPrefix, restPrefix);
    plain.forEach((line, index) => {
      const prefix = index === 0 ? firstPrefix : restPrefix;
      const body = line.slice(prefix.length);
      this.lines.push(format ? `${line.slice(0, prefix.length)}${this.style(format, body)}` : line);
    });
  }
}

/** Joins segments with `separator`, starting a new line between segments rather than inside one where it can. */
function joinSegments(segments: readonly string[], separator: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const segment of segments) {
    if (line && visibleLength(line) + separator.length + visibleLength(segment) > width) {
      lines.push(line);
      line = segment;
    } else {
      line = line ? `${line}${separator}${segment}` : segment;
    }
  }
  return [...lines, line].flatMap((joined, index) => wrapWords(joined, width, index === 0 ? '' : '  ', '  '));
}

function badge(out: TextWriter, severity: Severity): string {
  const style = SEVERITY_STYLE[severity];
  return out.style(['bold', style.color], style.badge);
}

function writeEvidence(out: TextWriter, evidence: readonly Evidence[], maxExcerptLines: number): void {
  const inline = evidence.filter((item) => !isExcerpt(item));
  const column = Math.min(
    MAX_LABEL_COLUMN,
    Math.max(0, ...inline.map((item) => visibleLength(sanitize(item.label)) + 1)),
  );
  for (const item of evidence) {
    const label = `${sanitize(item.label)}:`;
    if (isExcerpt(item)) {
      out.lines.push(`${INDENT}${label}`);
      const bar = out.style('dim', '│');
      for (const line of trimExcerpt(excerptLines(sanitize(item.value)), maxExcerptLines)) {
        for (const wrapped of wrapHard(line, out.width, `${INDENT}  │ `, `${INDENT}  │   `)) {
          out.lines.push(`${INDENT}  ${bar}${wrapped.slice(INDENT.length + 3)}`.trimEnd());
        }
      }
      continue;
    }
    const first = `${INDENT}${label.padEnd(column)} `;
    if (visibleLength(first) > out.width / 2) {
      // A label past half the width would leave its value a sliver: the value goes under it instead.
      out.words(label, INDENT, `${INDENT}  `);
      out.words(item.value || '(empty)', `${INDENT}  `, `${INDENT}  `);
    } else {
      out.words(item.value || '(empty)', first, ' '.repeat(visibleLength(first)));
    }
  }
}

function writeFinding(out: TextWriter, finding: Finding, maxExcerptLines: number): void {
  const because = becauseLine(finding);
  // A symptom is marked and says why right under its title, so it reads as part of the cause above it.
  const titleLines = wrapWords(sanitize(`${because ? '↳ ' : ''}${finding.title}`), out.width, INDENT, INDENT);
  titleLines.forEach((line, index) => {
    const body = out.style('bold', line.slice(INDENT.length));
    out.lines.push(index === 0 ? `${badge(out, finding.severity)}  ${body}` : `${INDENT}${body}`);
  });
  if (because) out.words(because, `${INDENT}  `, `${INDENT}  `);
  if (finding.summary) out.words(finding.summary, INDENT, INDENT);
  writeEvidence(out, finding.evidence, maxExcerptLines);
  if (finding.recommendation) out.words(finding.recommendation, `${INDENT}→ `, `${INDENT}  `);
  for (const proposal of finding.proposals ?? []) {
    const description = describeProposal(proposal);
    out.lines.push(
      ...wrapWords(sanitize(`${PROPOSAL_LEAD} ${description.summary}`), out.width, INDENT, `${INDENT}  `).map(
        (line, index) => (index === 0 ? `${INDENT}${out.style(['bold', 'magenta'], line.slice(INDENT.length))}` : line),
      ),
    );
    for (const step of description.plan) out.words(step, `${INDENT}  `, `${INDENT}     `);
  }
}

/**
 * The report as terminal text: a header line (playbook, cluster, worst severity, counts, duration), then each
 * finding with a severity badge that reads without colour (`✖ CRIT`, `▲ WARN`, `ℹ INFO`, `✔  OK`), its evidence as
 * aligned `label: value` lines, excerpts trimmed to `maxExcerptLines`, the recommendation after "→" and any
 * proposed maintenance with its exact plan. Findings keep the report's order; findings are redacted first.
 */
export function renderText(report: DiagnosisReport, options: TextRenderOptions = {}): string {
  const { color = false, width = 100, collapseOk = true, maxExcerptLines = 12 } = options;
  const out = new TextWriter(Math.max(40, width), color);
  const summary = summarizeReport(report);
  const worst = SEVERITY_STYLE[summary.worst];
  const headerParts = [
    report.playbookTitle,
    `cluster ${report.cluster}`,
    `${worst.badge.split(' ')[0]} ${worst.word}`,
    summary.countsText,
    `took ${summary.duration}`,
  ];
  for (const line of joinSegments(headerParts.map(sanitize), ' · ', out.width)) {
    out.lines.push(
      out
        .style('bold', line)
        .replace(`${worst.badge.split(' ')[0]} ${worst.word}`, (word) => out.style(worst.color, word)),
    );
  }

  out.lines.push('');
  out.words(shownRootCause(report), '', '  ', 'bold');

  const findings = shownFindings(report);
  const { problems, passed } = collapseOk ? splitPassed(findings) : { problems: findings, passed: [] };
  for (const finding of problems) {
    out.lines.push('');
    writeFinding(out, finding, maxExcerptLines);
  }
  if (passed.length > 0) {
    out.lines.push('');
    const titles = passed.map((finding) => sanitize(finding.title)).join('; ');
    const lines = wrapWords(`Passed (${passed.length}): ${titles}`, out.width, INDENT, INDENT);
    out.lines.push(
      ...lines.map((line, index) => (index === 0 ? `${badge(out, 'ok')}  ${line.slice(INDENT.length)}` : line)),
    );
  }
  if (findings.length === 0) out.lines.push('', 'No findings: the playbook had nothing to report.');
  return out.lines.join('\n');
}
