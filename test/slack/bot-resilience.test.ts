import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConfigSchema, type Config } from '../../src/config/config-schema.js';
import { loadSecrets } from '../../src/config/secrets.js';
import type { RunningBot } from '../../src/slack/bot-app.js';
import { startBot } from '../../src/slack/start-bot.js';
import { sendSlashCommand } from '../../src/sandbox/slack-double/signed-requests.js';
import type { SlackMessage } from '../../src/sandbox/slack-double/slack-state.js';
import { startSlackDouble, type SlackDouble } from '../../src/sandbox/slack-double/start-slack-double.js';
import { waitUntil } from '../../src/sandbox/services/wait-until.js';
import { startSimulator, type RunningSimulator } from '../../src/sandbox/simulator/index.js';
import { startWorker, type RunningWorker } from '../../src/worker/start-worker.js';
import { startRedis, type RedisService } from '../helpers/services.js';

const SIGNING_SECRET = 'resilience-secret';
const BOT_TOKEN = 'xoxb-resilience';
const CHANNEL = 'C0INCIDENT';
const ONCALL = 'U0ONCALL1';
const text = (message: SlackMessage | undefined) => JSON.stringify(message?.blocks ?? []);

describe('the bot when things go wrong: Redis away, Slack rate limits, a cancelled run', () => {
  let redis: RedisService;
  let slack: SlackDouble;
  let simulator: RunningSimulator;
  let config: Config;
  let bot: RunningBot;
  let worker: RunningWorker;
  const secrets = loadSecrets({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET });

  beforeAll(async () => {
    [redis, slack, simulator] = await Promise.all([
      startRedis(),
      startSlackDouble({ botToken: BOT_TOKEN, channels: [{ id: CHANNEL }] }),
      startSimulator({ scenario: 'apiserver-latency' }),
    ]);
    config = ConfigSchema.parse({
      clusters: { lab: { kube: { kubeconfig: simulator.kubeconfigPath } } },
      server: { port: 0, host: '127.0.0.1' },
      redis: { url: redis.url },
      slack: { apiUrl: slack.apiUrl },
    });
    bot = await startBot({ config, secrets });
    worker = await startWorker({ config, secrets, progressIntervalMs: 100 });
  }, 60_000);
  afterAll(async () => {
    await bot?.stop();
    await worker?.stop(1_000);
    await Promise.allSettled([redis?.stop(), slack?.stop(), simulator?.stop()]);
  });

  const command = (body: string) =>
    sendSlashCommand(`${bot.url}/slack/events`, SIGNING_SECRET, {
      text: body,
      user_id: ONCALL,
      channel_id: CHANNEL,
      response_url: slack.responseUrl(CHANNEL, ONCALL),
    });
  const runIdOf = (message: SlackMessage | undefined) => /run `(r-[a-z0-9-]+)`/.exec(text(message))?.[1] as string;

  it('keeps a message to one run while Slack answers 429 with Retry-After', async () => {
    slack.inject({ method: 'chat.update', retryAfterSeconds: 1, times: 2 });
    const before = slack.state.channelMessages(CHANNEL).length;
    expect((await command('diagnose health')).body).toBe('');
    await waitUntil(() => slack.state.channelMessages(CHANNEL).length > before, {
      what: 'the run message',
      timeoutMs: 5_000,
    });
    const message = slack.state.channelMessages(CHANNEL).at(-1) as SlackMessage;
    await waitUntil(
      () => /Most likely cause|Several independent|No problem found/.test(text(slack.state.find(CHANNEL, message.ts))),
      { what: 'the findings', timeoutMs: 30_000 },
    );
    expect(slack.calls.filter((call) => call.method === 'chat.update' && call.status === 429)).toHaveLength(2);
    expect(slack.state.channelMessages(CHANNEL).length).toBe(before + 1);
  }, 60_000);

  it('stops a running run on /quorum cancel, and its message says so', async () => {
    const before = slack.state.channelMessages(CHANNEL).length;
    expect((await command('diagnose latency windowSeconds=60')).body).toBe('');
    await waitUntil(() => slack.state.channelMessages(CHANNEL).length > before, {
      what: 'the run message',
      timeoutMs: 5_000,
    });
    const message = slack.state.channelMessages(CHANNEL).at(-1) as SlackMessage;
    await waitUntil(() => /checks done/.test(text(slack.state.find(CHANNEL, message.ts))), {
      what: 'the run to start',
      timeoutMs: 20_000,
    });
    const answer = JSON.parse((await command(`cancel ${runIdOf(message)}`)).body) as { text: string };
    expect(answer.text).toMatch(/^Stopping `r-/);
    await waitUntil(() => /was cancelled/.test(text(slack.state.find(CHANNEL, message.ts))), {
      what: 'the cancelled message',
      timeoutMs: 10_000,
    });
    expect(text(slack.state.find(CHANNEL, message.ts))).toContain(`cancelled by <@${ONCALL}>`);
    expect(JSON.parse((await command(`status ${runIdOf(message)}`)).body).text).toContain('cancelled');
  }, 60_000);

  it('counts commands and queue jobs on /metrics', async () => {
    // Outcomes reach the bot over Redis pub/sub after the worker updated the message: wait for both to be counted.
    let metrics = '';
    await waitUntil(
      async () => {
        metrics = await (await fetch(`${bot.url}/metrics`)).text();
        return metrics.includes('result="succeeded"} 1') && metrics.includes('result="cancelled"} 1');
      },
      { what: 'both runs counted on /metrics', timeoutMs: 10_000 },
    );
    expect(metrics).toMatch(/quorum_commands_total\{subcommand="diagnose",outcome="queued"\} [1-9]/);
    expect(metrics).toMatch(/quorum_queue_jobs\{cluster="lab",state="completed"\} [1-9]/);
    expect(metrics).toContain('quorum_redis_up 1');
    // Run outcomes from the queue's events: the health run succeeded, the latency run was cancelled.
    expect(metrics).toMatch(/quorum_runs_total\{playbook="control-plane-health",cluster="lab",result="succeeded"\} 1/);
    expect(metrics).toMatch(/quorum_runs_total\{playbook="apiserver-latency",cluster="lab",result="cancelled"\} 1/);
    expect(metrics).toMatch(/quorum_run_duration_seconds_count\{playbook="control-plane-health",cluster="lab"\} 1/);
  });

  it('answers "queue unavailable" in time while Redis is down, stays up, and works again once Redis is back', async () => {
    const port = redis.port;
    await redis.stop();
    const answer = await command('diagnose health');
    // Slack's deadline for the acknowledgement is 3 s, whatever Redis does.
    expect(answer.tookMs).toBeLessThan(3_000);
    expect(JSON.parse(answer.body)).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('queue is unavailable'),
    });
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${bot.url}/readyz`)).status).toBe(503);
    redis = await startRedis({ port });
    await waitUntil(async () => (await fetch(`${bot.url}/readyz`)).status === 200, {
      what: 'the bot to see Redis again',
      timeoutMs: 15_000,
    });
    const before = slack.state.channelMessages(CHANNEL).length;
    expect((await command('diagnose health')).body).toBe('');
    await waitUntil(() => slack.state.channelMessages(CHANNEL).length > before, {
      what: 'a run after Redis came back',
      timeoutMs: 10_000,
    });
    const message = slack.state.channelMessages(CHANNEL).at(-1) as SlackMessage;
    await waitUntil(
      () => /Most likely cause|Several independent|No problem found/.test(text(slack.state.find(CHANNEL, message.ts))),
      { what: 'its findings', timeoutMs: 30_000 },
    );
  }, 90_000);
});
