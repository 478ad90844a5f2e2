import { randomUUID } from 'node:crypto';
import { validateBlockMessage } from '../../render/block-kit-limits.js';
import type { SlackMessage, SlackState } from './slack-state.js';

/** What a method answers: Slack's JSON, always HTTP 200 except where Slack itself uses another status. */
export interface MethodAnswer {
  status?: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

export interface MethodContext {
  state: SlackState;
  botUserId: string;
  /** `http://127.0.0.1:PORT`, for upload URLs and permalinks. */
  baseUrl: string;
}

type Method = (args: Record<string, unknown>, context: MethodContext) => MethodAnswer;

const fail = (error: string, extra: Record<string, unknown> = {}): MethodAnswer => ({
  body: { ok: false, error, ...extra },
});
const string = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** Slack's checks on a message body: text or blocks, Block Kit limits, a 40,000-character text. */
function checkMessage(args: Record<string, unknown>): MethodAnswer | undefined {
  const text = string(args.text);
  const blocks = args.blocks;
  if (blocks !== undefined && !Array.isArray(blocks)) return fail('invalid_blocks_format');
  if (!text && !blocks) return fail('no_text');
  const violations = validateBlockMessage({ text: text ?? '', ...(blocks ? { blocks } : {}) }).filter(
    (violation) => violation.error !== 'no_text' || !blocks,
  );
  const first = violations[0];
  if (first)
    return fail(first.error, {
      response_metadata: { messages: violations.map((v) => `[ERROR] ${v.message} [json-pointer:/${v.path}]`) },
    });
  return undefined;
}

function channelFor(args: Record<string, unknown>, context: MethodContext, key = 'channel'): string | MethodAnswer {
  const channel = string(args[key]);
  if (!channel) return fail('channel_not_found');
  const known = context.state.channels.get(channel);
  if (!known) return fail('channel_not_found');
  if (!known.botIsMember) return fail('not_in_channel');
  return channel;
}

function publicMessage(message: SlackMessage): Record<string, unknown> {
  return {
    type: 'message',
    user: message.user,
    ts: message.ts,
    text: message.text,
    ...(message.blocks ? { blocks: message.blocks } : {}),
    ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
    ...(message.files
      ? { files: message.files.map((file) => ({ id: file.id, name: file.name, title: file.title })) }
      : {}),
  };
}

const postMessage: Method = (args, context) => {
  const channel = channelFor(args, context);
  if (typeof channel !== 'string') return channel;
  const invalid = checkMessage(args);
  if (invalid) return invalid;
  const threadTs = string(args.thread_ts);
  if (threadTs && !context.state.find(channel, threadTs)) return fail('thread_not_found');
  const text = string(args.text) ?? '';
  const blocks = args.blocks as unknown[] | undefined;
  const message: SlackMessage = {
    channel,
    ts: context.state.nextTs(),
    user: context.botUserId,
    text,
    ...(blocks ? { blocks } : {}),
    ...(threadTs ? { threadTs } : {}),
    history: [{ text, ...(blocks ? { blocks } : {}) }],
  };
  context.state.messages.push(message);
  return { body: { ok: true, channel, ts: message.ts, message: publicMessage(message) } };
};

const update: Method = (args, context) => {
  const channel = channelFor(args, context);
  if (typeof channel !== 'string') return channel;
  const ts = string(args.ts);
  const message = ts ? context.state.find(channel, ts) : undefined;
  if (!message) return fail('message_not_found');
  if (message.user !== context.botUserId || message.ephemeralTo) return fail('cant_update_message');
  const invalid = checkMessage(args);
  if (invalid) return invalid;
  message.text = string(args.text) ?? message.text;
  if (Array.isArray(args.blocks)) message.blocks = args.blocks as unknown[];
  message.history.push({ text: message.text, ...(message.blocks ? { blocks: message.blocks } : {}) });
  return { body: { ok: true, channel, ts: message.ts, text: message.text, message: publicMessage(message) } };
};

const postEphemeral: Method = (args, context) => {
  const channel = channelFor(args, context);
  if (typeof channel !== 'string') return channel;
  const user = string(args.user);
  if (!user) return fail('user_not_in_channel');
  const invalid = checkMessage(args);
  if (invalid) return invalid;
  const text = string(args.text) ?? '';
  const blocks = args.blocks as unknown[] | undefined;
  const ts = context.state.nextTs();
  context.state.messages.push({
    channel,
    ts,
    user: context.botUserId,
    text,
    ...(blocks ? { blocks } : {}),
    ephemeralTo: user,
    history: [{ text, ...(blocks ? { blocks } : {}) }],
  });
  return { body: { ok: true, message_ts: ts } };
};

const getPermalink: Method = (args, context) => {
  const channel = string(args.channel);
  const ts = string(args.message_ts);
  if (!channel || !ts || !context.state.find(channel, ts)) return fail('message_not_found');
  return { body: { ok: true, channel, permalink: `${context.baseUrl}/archives/${channel}/p${ts.replace('.', '')}` } };
};

const getUploadUrl: Method = (args, context) => {
  const filename = string(args.filename);
  const length = Number(args.length);
  if (!filename) return fail('invalid_arguments');
  if (!Number.isInteger(length) || length <= 0) return fail('invalid_arguments');
  const id = `F${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`;
  context.state.uploads.set(id, { filename });
  return { body: { ok: true, file_id: id, upload_url: `${context.baseUrl}/upload/${id}` } };
};

const completeUpload: Method = (args, context) => {
  const files = Array.isArray(args.files) ? (args.files as Array<{ id?: string; title?: string }>) : [];
  if (files.length === 0) return fail('invalid_arguments');
  const channel = string(args.channel_id);
  if (channel) {
    const checked = channelFor(args, context, 'channel_id');
    if (typeof checked !== 'string') return checked;
  }
  const shared: NonNullable<SlackMessage['files']> = [];
  for (const file of files) {
    const upload = file.id ? context.state.uploads.get(file.id) : undefined;
    if (!upload || upload.content === undefined) return fail('file_not_found');
    shared.push({
      id: file.id as string,
      title: file.title ?? upload.filename,
      name: upload.filename,
      content: upload.content,
    });
  }
  if (channel) {
    const threadTs = string(args.thread_ts);
    const text = string(args.initial_comment) ?? '';
    context.state.messages.push({
      channel,
      ts: context.state.nextTs(),
      user: context.botUserId,
      text,
      files: shared,
      ...(threadTs ? { threadTs } : {}),
      history: [{ text }],
    });
  }
  return { body: { ok: true, files: shared.map((file) => ({ id: file.id, title: file.title, name: file.name })) } };
};

const usergroupUsers: Method = (args, context) => {
  const group = string(args.usergroup);
  const users = group ? context.state.userGroups.get(group) : undefined;
  return users ? { body: { ok: true, users } } : fail('no_such_subteam');
};

/** Slack's limits on a modal: a title of 24 characters, up to 100 blocks, submit/close labels of 24. */
function checkModal(view: Record<string, unknown>): MethodAnswer | undefined {
  const title = (view.title as { text?: unknown } | undefined)?.text;
  const blocks = view.blocks;
  const problems: string[] = [];
  if (view.type !== 'modal') problems.push('view.type must be "modal"');
  if (typeof title !== 'string' || title.length === 0 || title.length > 24)
    problems.push('view.title.text: 1-24 characters');
  if (!Array.isArray(blocks) || blocks.length === 0 || blocks.length > 100) problems.push('view.blocks: 1-100 blocks');
  for (const key of ['submit', 'close']) {
    const text = (view[key] as { text?: unknown } | undefined)?.text;
    if (text !== undefined && (typeof text !== 'string' || text.length > 24))
      problems.push(`view.${key}.text: at most 24 characters`);
  }
  if (typeof view.private_metadata === 'string' && view.private_metadata.length > 3000) {
    problems.push('view.private_metadata: at most 3000 characters');
  }
  const hasInput = Array.isArray(blocks) && blocks.some((block) => (block as { type?: unknown }).type === 'input');
  if (hasInput && view.submit === undefined) problems.push('a modal with input blocks needs view.submit');
  return problems.length > 0
    ? fail('invalid_arguments', { response_metadata: { messages: problems.map((problem) => `[ERROR] ${problem}`) } })
    : undefined;
}

/** views.open: a trigger_id is valid for 3 s and once (`expired_trigger_id`, `exchanged_trigger_id`). */
const viewsOpen: Method = (args, context) => {
  const triggerId = string(args.trigger_id);
  if (!triggerId) return fail('invalid_trigger_id');
  let view = args.view;
  if (typeof view === 'string') {
    try {
      view = JSON.parse(view);
    } catch {
      return fail('invalid_arguments');
    }
  }
  if (typeof view !== 'object' || view === null) return fail('invalid_arguments');
  const trigger = context.state.triggers.get(triggerId);
  if (!trigger) return fail('invalid_trigger_id');
  if (trigger.used) return fail('exchanged_trigger_id');
  if (Date.now() - trigger.issuedAt > 3_000) return fail('expired_trigger_id');
  const invalid = checkModal(view as Record<string, unknown>);
  if (invalid) return invalid;
  trigger.used = true;
  const id = `V${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`;
  context.state.views.push({ id, triggerId, view: view as Record<string, unknown> });
  return { body: { ok: true, view: { id, ...(view as Record<string, unknown>) } } };
};

/** A thread as Slack answers it: the parent first, then the replies, oldest first (one page: the double keeps few). */
const conversationsReplies: Method = (args, context) => {
  const channel = channelFor(args, context);
  if (typeof channel !== 'string') return channel;
  const ts = string(args.ts);
  const parent = ts ? context.state.find(channel, ts) : undefined;
  if (!parent || !ts) return fail('thread_not_found');
  const messages = [parent, ...context.state.thread(channel, ts)].map(publicMessage);
  return { body: { ok: true, messages, has_more: false } };
};

const authTest: Method = (_args, context) => ({
  body: {
    ok: true,
    url: `${context.baseUrl}/`,
    team: 'Quorum Sandbox',
    user: 'quorum',
    team_id: 'T0SANDBOX',
    user_id: context.botUserId,
    bot_id: 'B0QUORUM',
  },
});

/** The Web API methods the double serves, by name. */
export const SLACK_METHODS: Readonly<Record<string, Method>> = {
  'auth.test': authTest,
  'chat.postMessage': postMessage,
  'chat.update': update,
  'chat.postEphemeral': postEphemeral,
  'chat.getPermalink': getPermalink,
  'conversations.replies': conversationsReplies,
  'files.getUploadURLExternal': getUploadUrl,
  'files.completeUploadExternal': completeUpload,
  'usergroups.users.list': usergroupUsers,
  'views.open': viewsOpen,
};
