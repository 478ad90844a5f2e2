import { StatusError } from './status-error.js';

/**
 * What to answer with: the object itself as JSON, a server-side `meta.k8s.io/v1` Table of it, or its metadata alone
 * (`PartialObjectMetadata`, or `PartialObjectMetadataList` for a list: what client-go's metadata client asks for).
 */
export type Representation = 'json' | 'table' | 'metadata';

/** Which conversions an endpoint offers. */
export interface Conversions {
  /** Resources can answer with a Table (and with metadata alone); discovery cannot. */
  tables: boolean;
  /** A list converts to `PartialObjectMetadataList`, a single object to `PartialObjectMetadata`, not the other way. */
  list?: boolean;
}

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

function parseAccept(header: string): MediaRange[] {
  return header
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [type = '', ...rest] = part.split(';').map((piece) => piece.trim());
      const params: Record<string, string> = {};
      for (const piece of rest) {
        const equals = piece.indexOf('=');
        if (equals > 0) params[piece.slice(0, equals).trim().toLowerCase()] = piece.slice(equals + 1).trim();
      }
      return { type: type.toLowerCase(), params };
    });
}

/**
 * Picks the representation from `Accept`, in the client's order, as the API server does. Conversions the simulator
 * does not implement (aggregated discovery, protobuf, YAML), and a metadata kind that does not fit the endpoint
 * (`PartialObjectMetadata` for a list), are passed over, so clients fall back to their plain `application/json`
 * entry; with none left the answer is 406.
 */
export function negotiate(accept: string | undefined, conversions: Conversions): Representation {
  const { tables, list = false } = conversions;
  if (!accept || accept.trim() === '') return 'json';
  for (const range of parseAccept(accept)) {
    const json = range.type === 'application/json' || range.type === '*/*' || range.type === 'application/*';
    if (!json) continue;
    const as = range.params.as;
    if (as === undefined) return 'json';
    if (
      tables &&
      as === 'Table' &&
      range.params.g === 'meta.k8s.io' &&
      (range.params.v === 'v1' || range.params.v === 'v1beta1')
    )
      return 'table';
    if (
      tables &&
      as === (list ? 'PartialObjectMetadataList' : 'PartialObjectMetadata') &&
      range.params.g === 'meta.k8s.io' &&
      range.params.v === 'v1'
    )
      return 'metadata';
  }
  throw new StatusError(406, 'only the following media types are accepted: application/json', { details: {} });
}
