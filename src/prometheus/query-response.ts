import { z } from 'zod';
import { formatIssuePath } from '../core/issue-path.js';
import type { QueryResult } from '../ports/prometheus-reader.js';

/** `[unix seconds, "value"]`: how the HTTP API writes every sample (the value as text, so NaN and ±Inf survive JSON). */
const SamplePair = z.tuple([z.number(), z.string()]);
const Labels = z.record(z.string(), z.string());

const Data = z.discriminatedUnion('resultType', [
  z.object({ resultType: z.literal('vector'), result: z.array(z.object({ metric: Labels, value: SamplePair })) }),
  z.object({ resultType: z.literal('scalar'), result: SamplePair }),
  z.object({
    resultType: z.literal('matrix'),
    result: z.array(z.object({ metric: Labels, values: z.array(SamplePair) })),
  }),
  z.object({ resultType: z.literal('string'), result: SamplePair }),
]);

const Envelope = z.discriminatedUnion('status', [
  z.object({ status: z.literal('success'), data: Data, warnings: z.array(z.string()).optional() }),
  z.object({ status: z.literal('error'), errorType: z.string().optional(), error: z.string().optional() }),
]);

/** What the query API answered, or why the body is not its JSON. */
export type QueryResponse =
  | { status: 'success'; result: QueryResult; warnings: string[] }
  | { status: 'error'; errorType: string; error: string }
  | { status: 'unreadable'; problem: string };

/** Prometheus writes infinities as "+Inf"/"-Inf", which Number() does not read. */
export function parseSampleValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

const toMs = (seconds: number): number => Math.round(seconds * 1000);

function toResult(data: z.infer<typeof Data>): QueryResult {
  switch (data.resultType) {
    case 'vector':
      return {
        resultType: 'vector',
        samples: data.result.map(({ metric, value: [at, text] }) => ({
          labels: metric,
          value: parseSampleValue(text),
          timestampMs: toMs(at),
        })),
      };
    case 'scalar':
      return { resultType: 'scalar', value: parseSampleValue(data.result[1]), timestampMs: toMs(data.result[0]) };
    case 'matrix':
      return {
        resultType: 'matrix',
        series: data.result.map(({ metric, values }) => ({
          labels: metric,
          samples: values.map(([at, text]) => ({ timestampMs: toMs(at), value: parseSampleValue(text) })),
        })),
      };
    case 'string':
      return { resultType: 'string', value: data.result[1], timestampMs: toMs(data.result[0]) };
  }
}

/**
 * Reads the body of `/api/v1/query` (any HTTP status: errors come as JSON too), validated by result type: a
 * `vector`, `scalar`, `matrix` or `string` result, or Prometheus' `{status: "error", errorType, error}`.
 */
export function readQueryResponse(text: string): QueryResponse {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const start = text.trimStart().slice(0, 60).replace(/\s+/g, ' ');
    return { status: 'unreadable', problem: `not JSON${start ? ` (begins "${start}")` : ' (empty)'}` };
  }
  const parsed = Envelope.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? formatIssuePath(issue.path) : '';
    return { status: 'unreadable', problem: `${where ? `${where}: ` : ''}${issue?.message ?? 'unexpected JSON'}` };
  }
  if (parsed.data.status === 'error') {
    return {
      status: 'error',
      errorType: parsed.data.errorType ?? 'unknown',
      error: parsed.data.error ?? '(no message)',
    };
  }
  return { status: 'success', result: toResult(parsed.data.data), warnings: parsed.data.warnings ?? [] };
}
