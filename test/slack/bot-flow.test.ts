import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RedisClient } from '../../src/core/redis-client.js';
import { ConfigSchema, type Config } from '../../src/config/config-schema.js';
import { closeRedis, createRedis } from '../../src/queue/redis-connection.js';
import { RunRecords } from '../../src/queue/run-records.js';
import { loadSecrets } from '../../src/config/secrets.js';
import type { RunningBot } from '../../src/slack/bot-app.js';
import { startBot } from '../../src/slack/start-bot.js';
import { sendSlashCommand } from '../../src/sandbox/slack-double/signed-requests.js';
import { startSlackDouble, type SlackDouble } from '../../src/sandbox/slack-double/start-slack-double.js';
import type { SlackMessage } from '../../src/sandbox/slack-double/slack-state.js';
import { waitUntil } from '../../src/sandbox/services/wait-until.js';
import { startSimulator, type RunningSimulator } from '../../src/sandbox/simulator/index.js';
import { startWorker, type RunningWorker } from '../../src/worker/start-worker.js';
import { startRedis, type RedisService } from '../helpers/services.js';

const SIGNING_SECRET = 'test-signing-secret';
const BOT_TOKEN = 'xoxb-test-token';
const CHANNEL = 'C0INCIDENT';
const ONCALL = 'U0ONCALL1';

function blocksText(message: SlackMessage | undefined): string {
  return JSON.stringify(message?.blocks ?? []);
}

describe('/quorum from Slack: the Bolt app, the queue and a worker', () => {
  let redis: RedisService;
  let slack: SlackDouble;
  let degraded: RunningSimulator;
  let healthy: RunningSimulator;
  let config: Config;
  let bot: RunningBot;
  let worker: RunningWorker;
  const secrets = loadSecrets({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET });

  beforeAll(async () => {
    [redis, slack, degraded, healthy] = await Promise.all([
      startRedis(),
      startSlackDouble({ botToken: BOT_TOKEN, channels: [{ id: CHANNEL }, { id: 'C0ELSEWHERE', botIsMember: false }] }),
      startSimulator({ scenario: 'control-plane-degraded' }),
      startSimulator({ scenario: 'healthy' }),
    ]);
    config = ConfigSchema.parse({
      clusters: {
        'prod-eu': { kube: { kubeconfig: degraded.kubeconfigPath }, slack: { channel: CHANNEL } },
        'prod-us': { kube: { kubeconfig: healthy.kubeconfigPath } },
      },
      defaultCluster: 'prod-eu',
      server: { port: 0, host: '127.0.0.1' },
      redis: { url: redis.url },
      slack: { apiUrl: slack.apiUrl },
      worker: { concurrency: 4, perClusterConcurrency: 2, runTimeoutSeconds: 60 },
    });
    bot = await startBot({ config, secrets });
    worker = await startWorker({ config, secrets, progressIntervalMs: 200 });
  }, 60_000);
  afterAll(async () => {
    if (recordsConnection) await closeRedis(recordsConnection);
    await bot?.stop();
    await worker?.stop(1_000);
    await Promise.allSettled([redis?.stop(), slack?.stop(), degraded?.stop(), healthy?.stop()]);
  });

  let recordsConnection: RedisClient | undefined;
  const records = () => {
    recordsConnection ??= createRedis(config.redis, 'request');
    return new RunRecords({ connection: recordsConnection, prefix: config.redis.prefix });
  };
  const events = () => `${bot.url}/slack/events`;
  const command = (text: string, user = ONCALL, channel = CHANNEL) =>
    sendSlashCommand(events(), SIGNING_SECRET, {
      text,
      user_id: user,
      channel_id: channel,
      response_url: slack.responseUrl(channel, user),
    });

  it('turns one in-channel message into the findings, with the details in its thread, and records the run', async () => {
    const before = slack.state.channelMessages(CHANNEL).length;
    const answer = await command('diagnose health cluster=prod-eu');
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('');
    await waitUntil(() => slack.state.channelMessages(CHANNEL).length > before, {
      what: 'the run message',
      timeoutMs: 5_000,
    });
    const message = slack.state.channelMessages(CHANNEL).at(-1) as SlackMessage;
    expect(blocksText(message)).toContain('Diagnosing');
    await waitUntil(() => /CRITICAL/.test(blocksText(slack.state.find(CHANNEL, message.ts))), {
      what: 'the findings',
      timeoutMs: 30_000,
    });
    const final = slack.state.find(CHANNEL, message.ts) as SlackMessage;
    expect(blocksText(final)).toMatch(/Most likely cause|Several independent problems/);
    expect(blocksText(final)).toContain(`<@${ONCALL}>`);
    // One message for the run, updated in place: never a second top-level post.
    expect(slack.state.channelMessages(CHANNEL).length).toBe(before + 1);
    expect(final.history.length).toBeGreaterThanOrEqual(2);
    await waitUntil(() => slack.state.thread(CHANNEL, message.ts).some((reply) => reply.files?.length), {
      what: 'the full report in the thread',
      timeoutMs: 10_000,
    });
    const thread = slack.state.thread(CHANNEL, message.ts);
    expect(thread.some((reply) => blocksText(reply).includes('kube-controller-manager'))).toBe(true);
    const file = thread.find((reply) => reply.files?.length)?.files?.[0];
    expect(file?.name).toMatch(/^quorum-control-plane-health-prod-eu-r-.*\.md$/);
    expect(file?.content).toContain('# 🔴 Control-plane health checklist: prod-eu');
    const runId = /run `(r-[a-z0-9-]+)`/.exec(blocksText(final))?.[1];
    expect(runId).toBeDefined();
    const status = await command(`status ${runId}`);
    expect(JSON.parse(status.body)).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining(runId as string),
    });
    const history = await command('history cluster=prod-eu');
    expect(JSON.parse(history.body).text).toContain(runId);
  }, 60_000);

  it.each([
    ['a bad signature', { wrongSecret: 'forged' }],
    ['a stale timestamp', { timestamp: Math.floor(Date.now() / 1000) - 10 * 60 }],
  ])('answers %s with 401 and queues nothing', async (_, options) => {
    const calls = slack.calls.length;
    const answer = await sendSlashCommand(
      events(),
      SIGNING_SECRET,
      {
        text: 'diagnose health',
        user_id: ONCALL,
        channel_id: CHANNEL,
        response_url: slack.responseUrl(CHANNEL, ONCALL),
      },
      options,
    );
    expect(answer.status).toBe(401);
    expect(slack.calls.length).toBe(calls);
  });

  it.each([
    ['diagnose etcd-db-grwoth', /Unknown playbook "etcd-db-grwoth"\. Did you mean "etcd-db-growth"\?/],
    [
      'diagnose health cluster=prod-ue',
      /Unknown cluster "prod-ue"\. Did you mean "prod-eu" or "prod-us"\? Configured clusters: prod-eu, prod-us\./,
    ],
    ['diagnose latency windowSeconds=soon', /Parameter windowSeconds must be a number, not "soon"/],
    ['diagnose latency windowSecond=5', /no parameter "windowSecond"\. Did you mean windowSeconds\?/],
    ['diagnoze health', /I do not know `diagnoze`\. Did you mean `diagnose`\?/],
  ])('answers `/quorum %s` with an ephemeral message saying what to type', async (text, expected) => {
    const answer = await command(text);
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.body) as { response_type: string; text: string };
    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toMatch(expected);
  });

  it('runs two identical commands at once as one run, and points the second at the first', async () => {
    const before = slack.state.channelMessages(CHANNEL).length;
    const [first, second] = await Promise.all([
      command('diagnose health cluster=prod-us'),
      command('diagnose health cluster=prod-us', 'U0SECOND'),
    ]);
    const answers = [first.body, second.body];
    expect(answers.filter((body) => body === '')).toHaveLength(1);
    expect(answers.find((body) => body !== '')).toMatch(
      new RegExp(`already running on \`prod-us\` \\(run \`r-[^\`]+\`\\): follow its message in <#${CHANNEL}>`),
    );
    await waitUntil(() => slack.state.channelMessages(CHANNEL).length > before, {
      what: 'the run message',
      timeoutMs: 5_000,
    });
    const message = slack.state.channelMessages(CHANNEL).at(-1) as SlackMessage;
    await waitUntil(
      () => /No problem found|Several|Most likely/.test(blocksText(slack.state.find(CHANNEL, message.ts))),
      { what: 'the findings', timeoutMs: 30_000 },
    );
    expect(slack.state.channelMessages(CHANNEL).length).toBe(before + 1);
    // Once the run is over, the same diagnosis may start again.
    const runId = /run `(r-[a-z0-9-]+)`/.exec(blocksText(message))?.[1] as string;
    await waitUntil(async () => (await records().get(runId))?.state === 'succeeded', {
      what: 'the run to end',
      timeoutMs: 10_000,
    });
  }, 60_000);

  it('tells the user to invite the bot when it is not in the channel, and starts nothing', async () => {
    const answer = await command('diagnose health cluster=prod-us', ONCALL, 'C0ELSEWHERE');
    expect(answer.body).toBe('');
    await waitUntil(() => slack.state.ephemerals(ONCALL).some((message) => message.text.includes('/invite @Quorum')), {
      what: 'the ephemeral hint',
      timeoutMs: 5_000,
    });
    // The claim was released: the same diagnosis can start at once in the right channel.
    const again = await command('diagnose health cluster=prod-us');
    expect(again.body).toBe('');
  });
});
