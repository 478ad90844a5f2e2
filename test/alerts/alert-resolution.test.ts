import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RedisClient } from '../../src/core/redis-client.js';
import { ConfigSchema, type Config } from '../../src/config/config-schema.js';
import { closeRedis, createRedis } from '../../src/queue/redis-connection.js';
import { RunRecords } from '../../src/queue/run-records.js';
import { loadSecrets } from '../../src/config/secrets.js';
import { startSlackDouble, type SlackDouble } from '../../src/sandbox/slack-double/start-slack-double.js';
import type { SlackMessage } from '../../src/sandbox/slack-double/slack-state.js';
import { waitUntil } from '../../src/sandbox/services/wait-until.js';
import { startSimulator, type RunningSimulator } from '../../src/sandbox/simulator/index.js';
import { startBot, type StartedBot } from '../../src/slack/start-bot.js';
import { startWorker, type RunningWorker } from '../../src/worker/start-worker.js';
import { startRedis, type RedisService } from '../helpers/services.js';
import { payload } from './fixtures.js';
import { postAlerts } from './webhook-client.js';

const TOKEN = 'alerts-test-token';
const BOT_TOKEN = 'xoxb-test-token';
const CHANNEL = 'C0ALERTS';
const AUTH = `Bearer ${TOKEN}`;
const FINISHED = /No problem found|Most likely cause|Several independent problems/;

const blocksText = (message: SlackMessage | undefined) => JSON.stringify(message?.blocks ?? []);

describe('an alert run resolved: the original message says so', () => {
  let redis: RedisService;
  let slack: SlackDouble;
  let simulator: RunningSimulator;
  let config: Config;
  let bot: StartedBot;
  let worker: RunningWorker | undefined;
  let connection: RedisClient;
  const secrets = loadSecrets({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: 'x', QUORUM_ALERTS_TOKEN: TOKEN });

  beforeAll(async () => {
    [redis, slack, simulator] = await Promise.all([
      startRedis(),
      startSlackDouble({ botToken: BOT_TOKEN, channels: [{ id: CHANNEL }] }),
      startSimulator({ scenario: 'healthy' }),
    ]);
    config = ConfigSchema.parse({
      clusters: {
        'prod-eu': { kube: { kubeconfig: simulator.kubeconfigPath }, slack: { channel: CHANNEL } },
        'prod-us': { kube: { kubeconfig: simulator.kubeconfigPath }, slack: { channel: CHANNEL } },
      },
      defaultCluster: 'prod-eu',
      server: { port: 0, host: '127.0.0.1' },
      redis: { url: redis.url },
      slack: { apiUrl: slack.apiUrl },
      worker: { runTimeoutSeconds: 60 },
    });
    bot = await startBot({ config, secrets });
    // As a readiness probe would: Alertmanager's first post gets 503 (and a retry) until Redis answers.
    await waitUntil(async () => (await fetch(`${bot.url}/readyz`)).status === 200, {
      what: 'the bot to be ready',
      timeoutMs: 10_000,
    });
    connection = createRedis(config.redis, 'worker');
  });
  afterAll(async () => {
    if (connection) await closeRedis(connection);
    await bot?.stop();
    await worker?.stop(1_000);
    await Promise.allSettled([redis?.stop(), slack?.stop(), simulator?.stop()]);
  });

  const post = (status: 'firing' | 'resolved', cluster: string, fingerprint: string) =>
    postAlerts(
      `${bot.url}/alerts/alertmanager`,
      payload(status, [{ name: 'KubeAPIDown', fingerprint, labels: { cluster }, summary: 'Target disappeared.' }]),
      { authorization: AUTH },
    );
  const newMessage = async (before: number): Promise<SlackMessage> => {
    await waitUntil(() => slack.state.channelMessages(CHANNEL).length > before, {
      what: 'the alert run message',
      timeoutMs: 5_000,
    });
    return slack.state.channelMessages(CHANNEL).at(-1) as SlackMessage;
  };
  const current = (message: SlackMessage) => slack.state.find(CHANNEL, message.ts) as SlackMessage;

  it('applies a resolve that arrived while the run was queued when the run finishes', async () => {
    const before = slack.state.channelMessages(CHANNEL).length;
    expect((await post('firing', 'prod-eu', '00000000000000d1')).status).toBe(200);
    const message = await newMessage(before);
    expect((await post('resolved', 'prod-eu', '00000000000000d1')).status).toBe(200);
    // No worker yet: the resolution is recorded, and the message of the unfinished run is left to the worker.
    const runId = /run `(r-[a-z0-9-]+)`/.exec(blocksText(message))?.[1] as string;
    const records = new RunRecords({ connection, prefix: config.redis.prefix });
    await waitUntil(async () => (await records.resolution(runId)) !== undefined, {
      what: 'the resolution to be recorded',
      timeoutMs: 5_000,
    });
    expect(blocksText(current(message))).not.toContain('Alert resolved');
    worker = await startWorker({ config, secrets, progressIntervalMs: 200 });
    await waitUntil(
      () => FINISHED.test(blocksText(current(message))) && blocksText(current(message)).includes('Alert resolved'),
      {
        what: 'the findings with the resolution',
        timeoutMs: 30_000,
      },
    );
    const final = blocksText(current(message));
    expect(final).toContain('after firing for 5m 0s');
    expect(final).toContain('KubeAPIDown');
    expect(final.indexOf('Alert resolved')).toBeLessThan(final.indexOf('KubeAPIDown'));
    expect(slack.state.channelMessages(CHANNEL).length).toBe(before + 1);
  }, 60_000);

  it('updates the message of a finished run when its alert resolves', async () => {
    const before = slack.state.channelMessages(CHANNEL).length;
    worker ??= await startWorker({ config, secrets, progressIntervalMs: 200 });
    expect((await post('firing', 'prod-us', '00000000000000e1')).status).toBe(200);
    const message = await newMessage(before);
    await waitUntil(() => FINISHED.test(blocksText(current(message))), { what: 'the findings', timeoutMs: 30_000 });
    expect(blocksText(current(message))).not.toContain('Alert resolved');
    expect((await post('resolved', 'prod-us', '00000000000000e1')).status).toBe(200);
    await waitUntil(() => blocksText(current(message)).includes('Alert resolved'), {
      what: 'the resolution on the message',
      timeoutMs: 10_000,
    });
    expect(blocksText(current(message))).toMatch(FINISHED);
    expect(slack.state.channelMessages(CHANNEL).length).toBe(before + 1);
  }, 60_000);
});
