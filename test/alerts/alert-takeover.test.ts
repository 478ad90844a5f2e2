import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RedisClient } from '../../src/core/redis-client.js';
import { AlertInbox } from '../../src/alerts/alert-inbox.js';
import { AlertmanagerPayloadSchema, normalizeNotification } from '../../src/alerts/alertmanager-payload.js';
import { ConfigSchema, type Config } from '../../src/config/config-schema.js';
import { loadSecrets } from '../../src/config/secrets.js';
import { closeRedis, createRedis } from '../../src/queue/redis-connection.js';
import { startSlackDouble, type SlackDouble } from '../../src/sandbox/slack-double/start-slack-double.js';
import { waitUntil } from '../../src/sandbox/services/wait-until.js';
import { startBot, type StartedBot } from '../../src/slack/start-bot.js';
import { startRedis, type RedisService } from '../helpers/services.js';
import { payload } from './fixtures.js';

const BOT_TOKEN = 'xoxb-test-token';
const CHANNEL = 'C0ALERTS';

describe('alert notifications a replica took and never finished', () => {
  let redis: RedisService;
  let slack: SlackDouble;
  let config: Config;
  let connection: RedisClient;
  let bot: StartedBot | undefined;

  beforeAll(async () => {
    [redis, slack] = await Promise.all([
      startRedis(),
      startSlackDouble({ botToken: BOT_TOKEN, channels: [{ id: CHANNEL }] }),
    ]);
    config = ConfigSchema.parse({
      clusters: { 'prod-eu': { slack: { channel: CHANNEL } } },
      server: { port: 0, host: '127.0.0.1' },
      redis: { url: redis.url },
      slack: { apiUrl: slack.apiUrl },
    });
    connection = createRedis(config.redis, 'worker');
  });
  afterAll(async () => {
    await bot?.stop();
    if (connection) await closeRedis(connection);
    await Promise.allSettled([redis?.stop(), slack?.stop()]);
  });

  it('are taken over by another replica and processed once', async () => {
    const inbox = new AlertInbox({ prefix: config.redis.prefix });
    await inbox.ensureGroup(connection);
    await inbox.accept(
      connection,
      JSON.stringify(payload('firing', [{ name: 'etcdNoLeader', fingerprint: '00000000000000f1' }])),
      new Date(),
    );
    // An entry as earlier versions wrote it (the normalized notification), left by a replica not yet upgraded.
    const older = AlertmanagerPayloadSchema.parse(
      payload('firing', [{ name: 'etcdDatabaseQuotaLowSpace', fingerprint: '00000000000000f2' }]),
    );
    await connection.xadd(inbox.key, '*', 'n', JSON.stringify(normalizeNotification(older, new Date())));
    // A replica reads both and dies before finishing them.
    expect(await inbox.read(connection, 'replica-that-died', 10, 100)).toHaveLength(2);
    expect(await inbox.read(connection, 'replica-that-died', 10, 100)).toHaveLength(0);

    bot = await startBot({
      config,
      secrets: loadSecrets({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: 'x', QUORUM_ALERTS_TOKEN: 't' }),
      alertReclaimIdleMs: 500,
    });
    await waitUntil(() => slack.state.channelMessages(CHANNEL).length === 2, {
      what: 'both runs, taken over from the dead replica',
      timeoutMs: 15_000,
    });
    await waitUntil(async () => (await inbox.backlog(connection)) === 0, {
      what: 'the inbox to empty',
      timeoutMs: 5_000,
    });
    const texts = slack.state.channelMessages(CHANNEL).map((message) => JSON.stringify(message.blocks));
    expect(texts.some((text) => text.includes('etcdNoLeader'))).toBe(true);
    expect(texts.some((text) => text.includes('etcdDatabaseQuotaLowSpace'))).toBe(true);
  });
});
