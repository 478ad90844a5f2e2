/**
 * Interaction payloads as Slack sends them (shapes from ../shared/real-fixtures/slack/: bolt-python's block_actions
 * and view_submission scenarios), for tests and the sandbox to click buttons and submit modals.
 */

export interface ButtonClick {
  user: string;
  channel: string;
  /** The message the button is on. */
  messageTs: string;
  /** The thread it sits in, when it is a reply. */
  threadTs?: string;
  actionId: string;
  value: string;
  blockId?: string;
  triggerId: string;
  responseUrl: string;
}

/** A `block_actions` payload for one button click. */
export function blockActionsPayload(click: ButtonClick): Record<string, unknown> {
  return {
    type: 'block_actions',
    user: { id: click.user, username: click.user.toLowerCase(), name: click.user.toLowerCase(), team_id: 'T0SANDBOX' },
    api_app_id: 'A0QUORUM',
    token: 'legacy-verification-token',
    container: {
      type: 'message',
      message_ts: click.messageTs,
      channel_id: click.channel,
      is_ephemeral: false,
      ...(click.threadTs ? { thread_ts: click.threadTs } : {}),
    },
    trigger_id: click.triggerId,
    team: { id: 'T0SANDBOX', domain: 'quorum-sandbox' },
    channel: { id: click.channel, name: 'incident' },
    message: {
      type: 'message',
      ts: click.messageTs,
      ...(click.threadTs ? { thread_ts: click.threadTs } : {}),
    },
    response_url: click.responseUrl,
    actions: [
      {
        action_id: click.actionId,
        block_id: click.blockId ?? 'b',
        text: { type: 'plain_text', text: 'Button', emoji: true },
        value: click.value,
        type: 'button',
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  };
}

/**
 * A `view_submission` of a modal the bot opened: `values` by block id, then action id, as plain-text inputs.
 */
export function viewSubmissionPayload(options: {
  user: string;
  view: Record<string, unknown>;
  viewId: string;
  values: Record<string, Record<string, string>>;
}): Record<string, unknown> {
  const values = Object.fromEntries(
    Object.entries(options.values).map(([block, actions]) => [
      block,
      Object.fromEntries(
        Object.entries(actions).map(([action, value]) => [action, { type: 'plain_text_input', value }]),
      ),
    ]),
  );
  return {
    type: 'view_submission',
    team: { id: 'T0SANDBOX', domain: 'quorum-sandbox' },
    user: {
      id: options.user,
      username: options.user.toLowerCase(),
      name: options.user.toLowerCase(),
      team_id: 'T0SANDBOX',
    },
    api_app_id: 'A0QUORUM',
    token: 'legacy-verification-token',
    trigger_id: `${Date.now()}.1.submit`,
    view: {
      ...options.view,
      id: options.viewId,
      team_id: 'T0SANDBOX',
      state: { values },
      hash: `${Date.now()}.abc`,
      previous_view_id: null,
      root_view_id: options.viewId,
      app_id: 'A0QUORUM',
      bot_id: 'B0QUORUM',
    },
    response_urls: [],
  };
}
