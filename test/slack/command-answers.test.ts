import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConfigSchema, type Config } from '../../src/config/config-schema.js';
import { loadSecrets } from '../../src/config/secrets.js';
import type { RunningBot } from '../../src/slack/bot-app.js';
import { HELP_TEXT } from '../../src/slack/quorum-command.js';
import { startBot } from '../../src/slack/start-bot.js';
import { sendSlashCommand } from '../../src/sandbox/slack-double/signed-requests.js';
import { startSlackDouble, type SlackDouble } from '../../src/sandbox/slack-double/start-slack-double.js';
import { startSimulator, type RunningSimulator } from '../../src/sandbox/simulator/index.js';
import { startRedis, type RedisService } from '../helpers/services.js';

const SIGNING_SECRET = 'answers-signing-secret';
const BOT_TOKEN = 'xoxb-answers-token';
const CHANNEL = 'C0ANSWERS';
const ONCALL = 'U0ONCALL2';

interface Answer {
  response_type: string;
  text: string;
}

/**
 * Every `/quorum` answer that is not a run, through the real Bolt app over signed HTTP with a real Redis: questions
 * and mistakes are answered in the acknowledgement itself, only to the person who typed them, and start nothing.
 */
describe('/quorum answers in the acknowledgement, ephemeral, saying what to type', () => {
  let redis: RedisService;
  let slack: SlackDouble;
  let simulator: RunningSimulator;
  let config: Config;
  let bot: RunningBot;

  beforeAll(async () => {
    [redis, slack, simulator] = await Promise.all([
      startRedis(),
      startSlackDouble({ botToken: BOT_TOKEN, channels: [{ id: CHANNEL }] }),
      startSimulator({ scenario: 'healthy' }),
    ]);
    config = ConfigSchema.parse({
      clusters: {
        'prod-eu': { kube: { kubeconfig: simulator.kubeconfigPath } },
        'prod-us': { kube: { kubeconfig: simulator.kubeconfigPath } },
      },
      defaultCluster: 'prod-eu',
      server: { port: 0, host: '127.0.0.1' },
      redis: { url: redis.url, prefix: '{answers}' },
      slack: { apiUrl: slack.apiUrl },
    });
    bot = await startBot({
      config,
      secrets: loadSecrets({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET }),
    });
  }, 60_000);
  afterAll(async () => {
    await bot?.stop();
    await Promise.allSettled([redis?.stop(), slack?.stop(), simulator?.stop()]);
  });

  /** Sends `/quorum <text>`; the answer must be ephemeral, and nothing may reach Slack's channel or the queue. */
  async function ask(text: string): Promise<Answer> {
    // Bolt asks auth.test once, on its first request: that is not an answer to the command.
    const posted = () => slack.calls.filter((call) => call.method !== 'auth.test').length;
    const calls = posted();
    const response = await sendSlashCommand(`${bot.url}/slack/events`, SIGNING_SECRET, {
      text,
      user_id: ONCALL,
      channel_id: CHANNEL,
      response_url: slack.responseUrl(CHANNEL, ONCALL),
    });
    expect(response.status).toBe(200);
    expect(response.body).not.toBe('');
    const answer = JSON.parse(response.body) as Answer;
    expect(answer.response_type).toBe('ephemeral');
    expect(posted()).toBe(calls);
    return answer;
  }

  it('answers help, playbooks and clusters', async () => {
    expect((await ask('help')).text).toBe(HELP_TEXT);
    expect((await ask('')).text).toBe(HELP_TEXT);
    const playbooks = (await ask('playbooks')).text;
    for (const id of ['control-plane-health', 'apiserver-latency', 'etcd-db-growth', 'scheduler-pending'])
      expect(playbooks).toContain(`\`${id}\``);
    expect(playbooks).toMatch(/`etcd-db-growth`, `etcd`/);
    expect(playbooks).toContain('`windowSeconds=');
    const clusters = (await ask('clusters')).text;
    expect(clusters).toContain('• `prod-eu` (default)');
    expect(clusters).toContain('• `prod-us`');
  });

  it.each<[string, RegExp]>([
    // Playbooks: unknown names get the near ones.
    ['diagnose etcd-db-grwoth', /Unknown playbook "etcd-db-grwoth"\. Did you mean "etcd-db-growth"\?/],
    ['diagnose helth', /Unknown playbook "helth"/],
    ['diagnose', /Which playbook\? Type `\/quorum diagnose etcd cluster=prod-eu`/],
    // Clusters: names as Kubernetes allows them, and only configured ones, naming the choices.
    ['diagnose etcd cluster=prod-ue', /Unknown cluster "prod-ue"\. Did you mean "prod-eu" or "prod-us"\?/],
    ['diagnose etcd cluster=Prod_EU', /Configured clusters: prod-eu, prod-us\./],
    ['diagnose etcd cluster=', /`cluster=` needs a value/],
    ['diagnose pending namespace=Bad_NS', /Parameter namespace must be a namespace name .*not "Bad_NS"/],
    // Parameters: known names, declared types.
    ['diagnose etcd windowSeconds=soon', /Parameter windowSeconds must be a number, not "soon"/],
    ['diagnose health eventLookbackMinutes=1e', /Parameter eventLookbackMinutes must be a number, not "1e"/],
    [
      'diagnose pending unservedGraceMinute=5',
      /no parameter "unservedGraceMinute"\. Did you mean unservedGraceMinutes\?/,
    ],
    ['diagnose etcd bogus=1', /etcd-db-growth has no parameter "bogus"\. Its parameters: /],
    ['diagnose etcd windowSeconds=5 windowSeconds=6', /`windowSeconds` is given twice/],
    ['diagnose etcd prod-eu', /`prod-eu` is not name=value: parameters look like `cluster=prod-eu`/],
    // Other subcommands.
    ['diagnoze etcd', /I do not know `diagnoze`\. Did you mean `diagnose`\? Type `\/quorum help`/],
    ['status 1234', /`1234` is not a run id/],
    ['status r-lz2k9x1c-00000000', /No run `r-lz2k9x1c-00000000`/],
    ['history cluster=prod-ue', /Unknown cluster `prod-ue`: `\/quorum clusters` lists them/],
    ['history prod-eu', /Type `\/quorum history` or `\/quorum history cluster=prod-eu`/],
    ['cancel', /Which run\? Type `\/quorum cancel r-/],
    ['cancel r-lz2k9x1c-00000000', /No run `r-lz2k9x1c-00000000`: `\/quorum status` lists the latest/],
  ])('answers `/quorum %s` with what to type instead, and starts nothing', async (text, expected) => {
    expect((await ask(text)).text).toMatch(expected);
  });

  it('answers status and history with no runs yet', async () => {
    expect((await ask('status')).text).toBe('No runs lately.');
    expect((await ask('history cluster=prod-us')).text).toBe('No runs on `prod-us`.');
  });
});
