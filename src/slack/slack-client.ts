import { WebClient, LogLevel } from '@slack/web-api';

export interface SlackClientOptions {
  token: string;
  /** `slack.apiUrl`: only a local Slack double overrides it. */
  apiUrl?: string;
  /** Attempts after a failed call (429s wait out `Retry-After` first). @defaultValue 5 */
  retries?: number;
  /** Deadline of one call (ms). @defaultValue 10000 */
  timeoutMs?: number;
}

/**
 * The Web API client, with retries bounded to about a minute (the SDK's default keeps trying for 30 minutes, long
 * after anyone reads the message) and rate limits waited out rather than failed: Slack's own answer to a burst.
 */
export function createSlackClient(options: SlackClientOptions): WebClient {
  return new WebClient(options.token, {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    retryConfig: { retries: options.retries ?? 5, factor: 2, minTimeout: 250, maxTimeout: 10_000 },
    rejectRateLimitedCalls: false,
    timeout: options.timeoutMs ?? 10_000,
    logLevel: LogLevel.ERROR,
  });
}
