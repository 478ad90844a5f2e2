import { ErrorCode, QuorumError } from '../core/errors.js';

/**
 * Every failure of a Prometheus query: `retryable` only when asking again later may succeed (unreachable, 5xx, 429,
 * the deadline), never for a refused query, bad credentials or an answer Quorum cannot read.
 */
export function prometheusError(message: string, retryable: boolean, cause?: unknown): QuorumError {
  return new QuorumError(ErrorCode.PrometheusRequest, message, { cause, retryable });
}
