/**
 * Renderers: a {@link DiagnosisReport} as terminal text, Markdown, JSON or Slack Block Kit. They know nothing of
 * where the output goes, and redact every finding before showing it.
 */
import type { DiagnosisReport } from '../diagnosis/diagnosis-report.js';
import { renderBlocks, type BlocksRenderOptions } from './render-blocks.js';
import { renderJson } from './render-json.js';
import { renderMarkdown } from './render-markdown.js';
import { renderText, type TextRenderOptions } from './render-text.js';

export const REPORT_FORMATS = ['text', 'markdown', 'json', 'blocks'] as const;
/** The output formats of {@link renderReport}. */
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Options of {@link renderReport}; each renderer reads the ones that concern it. */
export type RenderOptions = TextRenderOptions & BlocksRenderOptions;

/**
 * Renders a report in one of the formats, as a string without a trailing newline. `blocks` gives the JSON of the
 * Slack messages array (see {@link renderBlocks}), pretty-printed.
 */
export function renderReport(report: DiagnosisReport, format: ReportFormat, options: RenderOptions = {}): string {
  switch (format) {
    case 'text':
      return renderText(report, options);
    case 'markdown':
      return renderMarkdown(report);
    case 'json':
      return renderJson(report);
    case 'blocks':
      return JSON.stringify(renderBlocks(report, options), null, 2);
  }
}

export { BLOCK_KIT_LIMITS, validateBlockMessage, type BlockKitViolation } from './block-kit-limits.js';
export type * from './block-kit-types.js';
export { describeProposal, PROPOSAL_LABELS, type ProposalDescription } from './describe-proposal.js';
export {
  encodeProposalRef,
  parseProposalRef,
  proposalActionId,
  PROPOSAL_ACTION_ID_PREFIX,
  type ProposalRef,
} from './proposal-ref.js';
export { blocksFallbackText, renderBlocks, renderBlocksAttachment, type BlocksRenderOptions } from './render-blocks.js';
export { renderJson, toJsonReport, type JsonFinding, type JsonReport } from './render-json.js';
export { renderMarkdown } from './render-markdown.js';
export { renderText, type TextRenderOptions } from './render-text.js';
