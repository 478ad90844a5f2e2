import type { Severity } from '../findings/finding.js';

/**
 * How each severity is shown in every output. Every style reads without colour: the text badge carries a symbol
 * and a word, the Slack and Markdown forms an emoji and a word.
 */
export const SEVERITY_STYLE = {
  critical: { badge: '✖ CRIT', word: 'CRITICAL', color: 'red', slackEmoji: ':red_circle:', emoji: '🔴' },
  warning: { badge: '▲ WARN', word: 'WARNING', color: 'yellow', slackEmoji: ':warning:', emoji: '⚠️' },
  info: { badge: 'ℹ INFO', word: 'INFO', color: 'cyan', slackEmoji: ':information_source:', emoji: 'ℹ️' },
  ok: { badge: '✔   OK', word: 'OK', color: 'green', slackEmoji: ':white_check_mark:', emoji: '✅' },
} as const satisfies Record<
  Severity,
  { badge: string; word: string; color: string; slackEmoji: string; emoji: string }
>;
