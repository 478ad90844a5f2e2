import { ConfigError } from '../core/errors.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Credentials, from the environment only: never in the config file, never logged, never rendered. Kept apart from
 * the config object so that printing or logging a config cannot show them.
 */
export interface Secrets {
  /** SLACK_BOT_TOKEN: `xoxb-…`, for the Web API. */
  readonly slackBotToken?: string;
  /** SLACK_SIGNING_SECRET: verifies that HTTP requests come from Slack. */
  readonly slackSigningSecret?: string;
  /** SLACK_APP_TOKEN: `xapp-…`, switches the bot to Socket Mode. */
  readonly slackAppToken?: string;
  /** QUORUM_ALERTS_TOKEN: what Alertmanager sends as bearer token (or basic-auth password) to the alert webhook. */
  readonly alertsToken?: string;
}

/** The secrets the environment holds (empty values count as unset). */
export function loadSecrets(env: Env): Secrets {
  const read = (name: string): string | undefined => env[name]?.trim() || undefined;
  const secrets: Record<string, string> = {};
  const bot = read('SLACK_BOT_TOKEN');
  const signing = read('SLACK_SIGNING_SECRET');
  const app = read('SLACK_APP_TOKEN');
  if (bot) secrets.slackBotToken = bot;
  if (signing) secrets.slackSigningSecret = signing;
  if (app) secrets.slackAppToken = app;
  const alerts = read('QUORUM_ALERTS_TOKEN');
  if (alerts) secrets.alertsToken = alerts;
  return Object.freeze(secrets);
}

/** The Slack credentials the bot needs, or an error that names the missing variables. */
export function requireSlackSecrets(secrets: Secrets): Required<Pick<Secrets, 'slackBotToken'>> & Secrets {
  const missing = [
    secrets.slackBotToken ? undefined : 'SLACK_BOT_TOKEN (the bot token, xoxb-…)',
    secrets.slackSigningSecret || secrets.slackAppToken
      ? undefined
      : 'SLACK_SIGNING_SECRET (Basic Information → App Credentials), or SLACK_APP_TOKEN for Socket Mode',
  ].filter((entry): entry is string => entry !== undefined);
  if (missing.length > 0 || !secrets.slackBotToken) {
    throw new ConfigError(
      `Set ${missing.join(' and ')} in the environment: Slack credentials are never read from the config file.`,
    );
  }
  return { ...secrets, slackBotToken: secrets.slackBotToken };
}
