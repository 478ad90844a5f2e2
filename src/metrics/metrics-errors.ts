import { ErrorCode, QuorumError } from '../core/errors.js';

/** Stable codes of the errors raised by `src/metrics/`. */
export const MetricsErrorCode = {
  Parse: ErrorCode.MetricsParse,
} as const;
export type MetricsErrorCode = (typeof MetricsErrorCode)[keyof typeof MetricsErrorCode];

/** Longest excerpt of the offending line quoted in a message, in characters. */
const EXCERPT_CHARS = 120;

/**
 * Metrics text that is not the Prometheus text exposition format 0.0.4, or samples that cannot form what was asked
 * (a histogram bucket without `le`, the same bucket twice). Permanent: scraping again returns the same text.
 */
export class MetricsParseError extends QuorumError {
  /**
   * @param line - 1-based line number in the scraped text.
   * @param problem - what is wrong, e.g. `label value must be in double quotes`.
   * @param text - the offending line, quoted (shortened) in the message.
   */
  constructor(
    readonly line: number,
    readonly problem: string,
    text?: string,
  ) {
    super(MetricsErrorCode.Parse, MetricsParseError.describe(line, problem, text));
  }

  private static describe(line: number, problem: string, text: string | undefined): string {
    const shown =
      text === undefined
        ? ''
        : ` in ${JSON.stringify(text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text)}`;
    return (
      `Metrics text line ${line}: ${problem}${shown}. ` +
      'The endpoint must serve the Prometheus text format 0.0.4 (Accept: text/plain;version=0.0.4): check that the ' +
      'URL is a /metrics endpoint and that no proxy rewrote the answer.'
    );
  }
}
