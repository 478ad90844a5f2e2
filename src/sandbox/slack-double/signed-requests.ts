import { createHmac } from 'node:crypto';

/** Slack's request signature: `v0=` HMAC-SHA256 of `v0:<timestamp>:<body>` with the signing secret. */
export function slackSignature(signingSecret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** The fields Slack sends with a slash command (see ../shared/real-fixtures/slack/). */
export interface SlashCommandFields {
  text: string;
  user_id: string;
  channel_id: string;
  response_url: string;
  user_name?: string;
  channel_name?: string;
  command?: string;
  team_id?: string;
  trigger_id?: string;
}

export interface SignedResponse {
  status: number;
  /** The HTTP answer's body: the acknowledgement, an ephemeral message as JSON, or empty. */
  body: string;
  /** Time from sending to the whole answer (ms): what Slack's 3-second deadline is about. */
  tookMs: number;
}

export interface SignOptions {
  /** Seconds since the epoch to sign with. @defaultValue now */
  timestamp?: number;
  /** Sign with this secret instead (a forgery). */
  wrongSecret?: string;
}

/** The headers Slack signs a request with: the timestamp and `v0=` HMAC of `v0:<timestamp>:<body>`. */
export function signedHeaders(signingSecret: string, body: string, timestamp: number): Record<string, string> {
  return {
    // Exactly this: Bolt refuses "; charset=utf-8" on slash commands (REFERENCE.md).
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': slackSignature(signingSecret, timestamp, body),
  };
}

async function post(url: string, signingSecret: string, body: string, options: SignOptions): Promise<SignedResponse> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const began = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: signedHeaders(options.wrongSecret ?? signingSecret, body, timestamp),
    body,
  });
  const text = await response.text();
  return { status: response.status, body: text, tookMs: performance.now() - began };
}

/**
 * The form body of a slash command, with the fields in the order Slack sends them (checked against the bodies in
 * test/fixtures/slack, taken from Slack's SDK test suites).
 */
export function slashCommandBody(fields: SlashCommandFields): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: fields.team_id ?? 'T0SANDBOX',
    team_domain: 'quorum-sandbox',
    channel_id: fields.channel_id,
    channel_name: fields.channel_name ?? 'incident',
    user_id: fields.user_id,
    user_name: fields.user_name ?? fields.user_id.toLowerCase(),
    command: fields.command ?? '/quorum',
    text: fields.text,
    api_app_id: 'A0QUORUM',
    is_enterprise_install: 'false',
    response_url: fields.response_url,
    trigger_id: fields.trigger_id ?? `${Date.now()}.1.${Math.random().toString(16).slice(2)}`,
  }).toString();
}

/** The form body of an interaction: one field, `payload`, holding the JSON. */
export function interactionBody(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** Sends a `/quorum …` slash command to the bot as Slack would: form-encoded, signed, timestamped. */
export function sendSlashCommand(
  eventsUrl: string,
  signingSecret: string,
  fields: SlashCommandFields,
  options: SignOptions = {},
): Promise<SignedResponse> {
  const body = slashCommandBody(fields);
  return post(eventsUrl, signingSecret, body, options);
}

/** Sends an interaction (a button click, a view submission) as Slack would: `payload=<json>`, signed. */
export function sendInteraction(
  eventsUrl: string,
  signingSecret: string,
  payload: Record<string, unknown>,
  options: SignOptions = {},
): Promise<SignedResponse> {
  const body = interactionBody(payload);
  return post(eventsUrl, signingSecret, body, options);
}
