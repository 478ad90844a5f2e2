/** The `Status` object the API server sends with every error, `kind: Status`, `apiVersion: v1`. */
export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: { continue?: string };
  status: 'Failure';
  message: string;
  reason: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    retryAfterSeconds?: number;
    causes?: Array<{ message: string }>;
  };
  code: number;
}

/** The `reason` the API server gives with each status code (apimachinery's `StatusReason`). */
const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** An error that becomes an HTTP response with a Kubernetes `Status` body; thrown by handlers, sent at the top. */
export class StatusError extends Error {
  readonly status: KubeStatus;
  readonly headers: Record<string, string>;

  constructor(
    code: number,
    message: string,
    extra: Partial<Pick<KubeStatus, 'details' | 'metadata' | 'reason'>> = {},
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'StatusError';
    this.headers = headers;
    this.status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: extra.metadata ?? {},
      status: 'Failure',
      message,
      reason: extra.reason ?? REASONS[code] ?? (code >= 500 ? 'InternalError' : 'BadRequest'),
      ...(extra.details ? { details: extra.details } : {}),
      code,
    };
  }

  get code(): number {
    return this.status.code;
  }
}

/** `pods "x" not found`, with the details kubectl prints as `Error from server (NotFound)`. */
export function notFound(resource: string, name: string, group = ''): StatusError {
  const plural = group ? `${resource}.${group}` : resource;
  return new StatusError(404, `${plural} "${name}" not found`, { details: { name, group, kind: resource } });
}

/** What go-restful answers for a path under a known API group that names nothing. */
export function noSuchResource(): StatusError {
  return new StatusError(404, 'the server could not find the requested resource', { details: {} });
}

/** 400 BadRequest with the server's message. */
export function badRequest(message: string): StatusError {
  return new StatusError(400, message);
}

/** Answer for a missing or unknown bearer token. */
export function unauthorized(): StatusError {
  return new StatusError(401, 'Unauthorized');
}

/** An injected or declared error with the API server's wording for its code. */
export function statusForCode(code: number, retryAfterSeconds?: number): StatusError {
  switch (code) {
    case 429:
      return new StatusError(
        429,
        'Too many requests, please try again later.',
        { details: { retryAfterSeconds: retryAfterSeconds ?? 1 } },
        { 'Retry-After': String(retryAfterSeconds ?? 1) },
      );
    case 500:
      return new StatusError(500, 'Internal error occurred: injected fault', {
        details: { causes: [{ message: 'injected fault' }] },
      });
    case 503:
      return new StatusError(
        503,
        'the server is currently unable to handle the request',
        {},
        retryAfterSeconds ? { 'Retry-After': String(retryAfterSeconds) } : {},
      );
    case 504:
      return new StatusError(
        504,
        'Timeout: request did not complete within requested timeout - context deadline exceeded',
        {
          details: {},
        },
      );
    case 401:
      return unauthorized();
    case 403:
      return new StatusError(403, 'forbidden: injected fault', { details: {} });
    default:
      return new StatusError(code, `the server responded with status ${code}`);
  }
}
