import type { Finding } from '../findings/finding.js';
import { redact } from '../findings/redact.js';
import type { DiagnosisReport } from '../diagnosis/diagnosis-report.js';
import { describeProposal, PROPOSAL_LEAD } from './describe-proposal.js';
import { isExcerpt } from './excerpt.js';
import { groupTriggerAlerts } from './trigger-alerts.js';
import { codeBlock, codeSpan, escapeMarkdown, escapeMarkdownProse, escapeTableCell } from './markdown-escape.js';
import { becauseLine, shownFindings, shownRootCause, splitPassed, summarizeReport } from './report-summary.js';
import { SEVERITY_STYLE } from './severity-style.js';

/** A check id in a table: GFM splits cells on `|` even inside code spans, unless it is escaped. */
function checkCell(check: string): string {
  return codeSpan(check).replace(/\|/g, '\\|');
}

function summaryTable(findings: readonly Finding[]): string[] {
  return [
    '| # | Severity | Check | Finding |',
    '| --: | --- | --- | --- |',
    ...findings.map((finding, index) => {
      const style = SEVERITY_STYLE[finding.severity];
      const under = finding.explainedBy?.length ? '↳ ' : '';
      return `| ${index + 1} | ${style.emoji} ${finding.severity} | ${checkCell(finding.check)} | ${under}${escapeTableCell(finding.title)} |`;
    }),
  ];
}

function findingSection(finding: Finding, number: number): string[] {
  const style = SEVERITY_STYLE[finding.severity];
  const because = becauseLine(finding);
  const out = [
    `### ${number}. ${because ? '↳ ' : ''}${style.emoji} ${style.word}: ${escapeMarkdown(finding.title)}`,
    '',
  ];
  if (because) out.push(`_${escapeMarkdownProse(because)}_`, '');
  out.push(`${codeSpan(finding.check)}${finding.summary ? ` · ${escapeMarkdownProse(finding.summary)}` : ''}`, '');
  const inline = finding.evidence.filter((item) => !isExcerpt(item));
  if (inline.length > 0) {
    out.push('| Evidence | Value |', '| --- | --- |');
    for (const item of inline) out.push(`| ${escapeTableCell(item.label)} | ${escapeTableCell(item.value)} |`);
    out.push('');
  }
  for (const item of finding.evidence.filter(isExcerpt)) {
    out.push(`**${escapeMarkdown(item.label)}**`, '', codeBlock(item.value), '');
  }
  if (finding.recommendation) out.push(`**Recommendation:** ${escapeMarkdownProse(finding.recommendation)}`, '');
  for (const proposal of finding.proposals ?? []) {
    const description = describeProposal(proposal);
    out.push(`**${PROPOSAL_LEAD}** ${escapeMarkdown(description.summary)} (${codeSpan(proposal.action)})`, '');
    // Numbered steps (defrag members, in execution order) nest as an ordered list under the step before them.
    out.push(
      ...description.plan.map((step) => {
        const numbered = /^(\d+)\. (.*)$/s.exec(step);
        return numbered ? `  ${numbered[1]}. ${escapeMarkdown(numbered[2] ?? '')}` : `- ${escapeMarkdown(step)}`;
      }),
      '',
    );
  }
  return out;
}

function passedItem(finding: Finding): string {
  const evidence = finding.evidence.map((item) => `${escapeMarkdown(item.label)}: ${escapeMarkdown(item.value)}`);
  const details = [escapeMarkdownProse(finding.summary), evidence.join('; ')].filter(Boolean).join(' ');
  return `- ${SEVERITY_STYLE.ok.emoji} **${escapeMarkdown(finding.title)}** (${codeSpan(finding.check)})${details ? ` — ${details}` : ''}`.replace(
    /\r?\n/g,
    ' ',
  );
}

/** The alerts that started the run, above the findings (as on the Slack message). */
function triggerAlerts(report: DiagnosisReport): string[] {
  const { trigger } = report;
  if (trigger.kind !== 'alert' || !trigger.alerts?.length) return [];
  const total = Math.max(trigger.alertCount ?? 0, trigger.alerts.length);
  const lines = groupTriggerAlerts(trigger.alerts).map(({ alert, count }) => {
    const name = escapeMarkdown(alert.name);
    const shown =
      alert.generatorURL && /^https?:\/\//.test(alert.generatorURL)
        ? `[${name}](<${alert.generatorURL.replace(/[<>]/g, encodeURIComponent)}>)`
        : name;
    const severity = alert.severity ? ` (${escapeMarkdown(alert.severity)})` : '';
    const summary = alert.summary ? ` — ${escapeMarkdownProse(redact(alert.summary))}` : '';
    return `- ${shown}${count > 1 ? ` ×${count}` : ''}${severity}${summary}`.replace(/\r?\n/g, ' ');
  });
  const more = total - trigger.alerts.length;
  return [
    `Started by ${total === 1 ? '1 alert' : `${total} alerts`}:`,
    '',
    ...lines,
    ...(more > 0 ? [`- …and ${more} more`] : []),
    '',
  ];
}

/**
 * The report as GitHub-flavoured Markdown for tickets and postmortems: a heading with the worst severity, a
 * summary table of all findings (severity, check, title), a section per problem with evidence tables, excerpts
 * in full in fenced code blocks, the recommendation and proposed maintenance, then the passed checks. Nothing is
 * trimmed: this is the full report the Slack message points to. Findings are redacted first.
 */
export function renderMarkdown(report: DiagnosisReport): string {
  const summary = summarizeReport(report);
  const worst = SEVERITY_STYLE[summary.worst];
  const findings = shownFindings(report);
  const { problems, passed } = splitPassed(findings);
  const out = [
    `# ${worst.emoji} ${escapeMarkdown(report.playbookTitle)}: ${escapeMarkdown(report.cluster)}`,
    '',
    `**${worst.word}** · ${summary.countsText} · playbook ${codeSpan(report.playbook)} · ` +
      `${escapeMarkdown(report.startedAt)} → ${escapeMarkdown(report.finishedAt)} (${summary.duration})`,
    '',
    `**${escapeMarkdownProse(shownRootCause(report))}**`,
    '',
    ...triggerAlerts(report),
  ];
  if (findings.length === 0) return [...out, 'No findings: the playbook had nothing to report.'].join('\n');
  out.push('## Summary', '', ...summaryTable(findings), '');
  if (problems.length > 0) {
    out.push('## Findings', '');
    problems.forEach((finding) => out.push(...findingSection(finding, findings.indexOf(finding) + 1)));
  }
  if (passed.length > 0) out.push('## Passed', '', ...passed.map(passedItem), '');
  return out.join('\n').replace(/\n+$/, '');
}
