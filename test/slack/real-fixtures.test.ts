import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import type { AddressInfo } from 'node:net';
import { ConfigSchema } from '../../src/config/config-schema.js';
import { loadSecrets } from '../../src/config/secrets.js';
import type { RunningBot } from '../../src/slack/bot-app.js';
import { HELP_TEXT } from '../../src/slack/quorum-command.js';
import { startBot } from '../../src/slack/start-bot.js';
import { interactionBody, signedHeaders, slashCommandBody } from '../../src/sandbox/slack-double/signed-requests.js';
import { startSlackDouble, type SlackDouble } from '../../src/sandbox/slack-double/start-slack-double.js';
import { startRedis, type RedisService } from '../helpers/services.js';

/** Copies of ../shared/real-fixtures/slack (see test/fixtures/slack/SOURCES.md): bodies from Slack's SDK tests. */
const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'slack');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const REAL_COMMANDS = {
  'bolt-js': fixture('slash_command_body__bolt-js_AwsLambdaReceiver.spec.txt'),
  'bolt-python': fixture('slash_command_body__bolt-python_test_asgi_http.txt'),
};
/** Only Enterprise Grid installs send these; a workspace's commands do not. */
const ENTERPRISE_KEYS = ['enterprise_id', 'enterprise_name'];
const INTERACTIONS = [
  ['block_actions', 'block_actions_button__bolt-python_scenario_test_block_actions'],
  ['view_submission', 'view_submission__bolt-python_scenario_test_view_submission'],
] as const;
const ORG_WIDE = [
  'block_actions_button__bolt-python_test_request_org_wide.json',
  'view_submission__bolt-python_test_request_org_wide.json',
];

const SIGNING_SECRET = 'fixtures-signing-secret';
const BOT_TOKEN = 'xoxb-fixtures-token';

async function post(url: string, body: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: signedHeaders(SIGNING_SECRET, body, Math.floor(Date.now() / 1000)),
    body,
  });
  return { status: response.status, body: await response.text() };
}

describe("the Slack double's requests have the shapes of Slack's own", () => {
  const ours = slashCommandBody({
    text: 'diagnose etcd cluster=prod-eu',
    user_id: 'U0ONCALL1',
    channel_id: 'C0INCIDENT',
    response_url: 'http://127.0.0.1:1/response/abc',
  });

  it.each(Object.entries(REAL_COMMANDS))('sends a slash command with the keys of the %s body', (_, real) => {
    const realKeys = [...new URLSearchParams(real).keys()];
    const ourKeys = [...new URLSearchParams(ours).keys()];
    // Nothing Slack does not send…
    const allReal = new Set(Object.values(REAL_COMMANDS).flatMap((body) => [...new URLSearchParams(body).keys()]));
    expect(ourKeys.filter((key) => !allReal.has(key))).toEqual([]);
    // …and everything this body sends, apart from the Enterprise Grid fields, in the same order.
    const expected = realKeys.filter((key) => !ENTERPRISE_KEYS.includes(key));
    expect(ourKeys.filter((key) => expected.includes(key))).toEqual(expected);
  });

  it('encodes a slash command as Slack does: form fields, "/" as %2F, spaces as "+"', () => {
    expect(REAL_COMMANDS['bolt-js']).toContain('command=%2Fhello-bolt-js');
    expect(REAL_COMMANDS['bolt-js']).toContain('enterprise_name=Sandbox+Org');
    expect(REAL_COMMANDS['bolt-js']).toContain('response_url=https%3A%2F%2Fhooks.slack.com%2F');
    expect(ours).toContain('command=%2Fquorum');
    expect(ours).toContain('text=diagnose+etcd+cluster%3Dprod-eu');
    expect(ours).toContain('response_url=http%3A%2F%2F127.0.0.1%3A1%2Fresponse%2Fabc');
    expect(ours).toMatch(/^[A-Za-z0-9_.%+=&*-]+$/);
    // Flags are the strings "true"/"false", as in the real body.
    expect(new URLSearchParams(REAL_COMMANDS['bolt-js']).get('is_enterprise_install')).toBe('false');
    expect(new URLSearchParams(ours).get('is_enterprise_install')).toBe('false');
  });

  it.each(INTERACTIONS)('sends a %s interaction as one form field `payload` holding the JSON', (_, name) => {
    const realForm = fixture(`${name}.form-urlencoded.txt`);
    const payload = JSON.parse(fixture(`${name}.json`)) as Record<string, unknown>;
    expect([...new URLSearchParams(realForm).keys()]).toEqual(['payload']);
    expect(JSON.parse(new URLSearchParams(realForm).get('payload') as string)).toEqual(payload);
    const ourForm = interactionBody(payload);
    expect([...new URLSearchParams(ourForm).keys()]).toEqual(['payload']);
    expect(JSON.parse(new URLSearchParams(ourForm).get('payload') as string)).toEqual(payload);
  });
});

describe('real Slack bodies through Bolt: the bot and a Bolt app with interaction listeners', () => {
  let redis: RedisService;
  let slack: SlackDouble;
  let bot: RunningBot;
  let receiver: HTTPReceiver;
  let interactionsUrl: string;
  const seen: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    [redis, slack] = await Promise.all([startRedis(), startSlackDouble({ botToken: BOT_TOKEN })]);
    const config = ConfigSchema.parse({
      server: { port: 0, host: '127.0.0.1' },
      redis: { url: redis.url, prefix: '{fixtures}' },
      slack: { apiUrl: slack.apiUrl },
    });
    bot = await startBot({
      config,
      secrets: loadSecrets({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET }),
    });
    // The bot has no interactions yet (approvals come later): a Bolt app with the listeners the fixtures name
    // shows what Bolt makes of the real bodies and of the double's.
    receiver = new HTTPReceiver({ signingSecret: SIGNING_SECRET, logLevel: LogLevel.ERROR });
    const app = new App({
      token: BOT_TOKEN,
      receiver,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } },
    });
    app.action('a', async ({ ack, body }) => {
      seen.push(body as unknown as Record<string, unknown>);
      await ack();
    });
    app.view('view-id', async ({ ack, body }) => {
      seen.push(body as unknown as Record<string, unknown>);
      await ack();
    });
    const server = await receiver.start({ port: 0, host: '127.0.0.1' });
    interactionsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  }, 60_000);
  afterAll(async () => {
    await bot?.stop();
    await receiver?.stop();
    await Promise.allSettled([redis?.stop(), slack?.stop()]);
  });

  it.each(Object.entries(REAL_COMMANDS))(
    'answers the %s slash command body, as /quorum help, signed',
    async (_, real) => {
      // Only the command and its text change; every other field and its encoding stay as Slack's SDK test has them.
      const form = new URLSearchParams(real);
      form.set('command', '/quorum');
      form.set('text', 'help');
      const answer = await post(`${bot.url}/slack/events`, form.toString());
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toEqual({ response_type: 'ephemeral', text: HELP_TEXT });
    },
  );

  it.each(INTERACTIONS)(
    'hands the same %s payload to a listener from the real body and from the double',
    async (_, name) => {
      const payload = JSON.parse(fixture(`${name}.json`)) as Record<string, unknown>;
      seen.length = 0;
      const real = await post(interactionsUrl, fixture(`${name}.form-urlencoded.txt`));
      const ours = await post(interactionsUrl, interactionBody(payload));
      expect([real.status, ours.status]).toEqual([200, 200]);
      expect(seen).toHaveLength(2);
      expect(seen[0]).toEqual(payload);
      expect(seen[1]).toEqual(seen[0]);
    },
  );

  it.each(ORG_WIDE)('hands an org-wide install payload (%s) to its listener from the double', async (name) => {
    const payload = JSON.parse(fixture(name)) as Record<string, unknown>;
    seen.length = 0;
    const answer = await post(interactionsUrl, interactionBody(payload));
    expect(answer.status).toBe(200);
    expect(seen).toEqual([payload]);
  });
});
