/** One message as the double keeps it: what was posted, and what chat.update made of it. */
export interface SlackMessage {
  channel: string;
  ts: string;
  /** The parent's ts for a thread reply. */
  threadTs?: string;
  user: string;
  text: string;
  blocks?: unknown[];
  /** Every version, oldest first (the post, then each update). */
  history: Array<{ text: string; blocks?: unknown[] }>;
  files?: Array<{ id: string; title: string; name: string; content: string }>;
  /** Ephemeral messages are seen by one user and cannot be updated. */
  ephemeralTo?: string;
}

/** One Web API call the double received, whatever it answered. */
export interface SlackCall {
  method: string;
  /** Parsed form or JSON body; `blocks` and `attachments` are decoded from their JSON strings. */
  args: Record<string, unknown>;
  /** The answer's `error`, absent when `ok`. */
  error?: string;
  status: number;
  at: number;
}

export interface SlackChannel {
  id: string;
  name: string;
  /** Whether the bot was invited: posting elsewhere fails with `not_in_channel`. */
  botIsMember: boolean;
}

/** A response_url handed out with a slash command or an interaction. */
export interface ResponseUrl {
  id: string;
  channel: string;
  user: string;
  /** Slack allows five uses in 30 minutes. */
  uses: number;
}

/** A modal opened with views.open, as the user would see it. */
export interface SlackView {
  id: string;
  /** The user whose interaction's trigger_id opened it. */
  triggerId: string;
  view: Record<string, unknown>;
}

/** The workspace the double pretends to be: channels, messages with their threads, calls, uploads. */
export class SlackState {
  readonly channels = new Map<string, SlackChannel>();
  readonly messages: SlackMessage[] = [];
  readonly calls: SlackCall[] = [];
  readonly uploads = new Map<string, { filename: string; content?: string }>();
  readonly responseUrls = new Map<string, ResponseUrl>();
  /** User groups for usergroups.users.list: group id → user ids. */
  readonly userGroups = new Map<string, string[]>();
  /** Modals opened with views.open, oldest first. */
  readonly views: SlackView[] = [];
  /** trigger_ids handed out with interactions (valid about 3 s, once), and whether they were used. */
  readonly triggers = new Map<string, { issuedAt: number; used: boolean }>();
  private clock = Math.floor(Date.now() / 1000);
  private sequence = 0;

  /** A fresh, strictly increasing message ts (`1764650000.000123`). */
  nextTs(): string {
    this.sequence += 1;
    return `${this.clock}.${String(this.sequence).padStart(6, '0')}`;
  }

  find(channel: string, ts: string): SlackMessage | undefined {
    return this.messages.find((message) => message.channel === channel && message.ts === ts);
  }

  /** Top-level messages of a channel (no thread replies, no ephemerals), oldest first. */
  channelMessages(channel: string): SlackMessage[] {
    return this.messages.filter((message) => message.channel === channel && !message.threadTs && !message.ephemeralTo);
  }

  /** A message's thread replies, oldest first. */
  thread(channel: string, ts: string): SlackMessage[] {
    return this.messages.filter((message) => message.channel === channel && message.threadTs === ts);
  }

  /** Ephemeral messages one user saw, oldest first. */
  ephemerals(user: string): SlackMessage[] {
    return this.messages.filter((message) => message.ephemeralTo === user);
  }
}
