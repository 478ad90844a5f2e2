import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RedisClient } from '../../src/core/redis-client.js';
import { AlertInbox } from '../../src/alerts/alert-inbox.js';
import { ConfigSchema, type Config } from '../../src/config/config-schema.js';
import { loadSecrets } from '../../src/config/secrets.js';
import { closeRedis, createRedis } from '../../src/queue/redis-connection.js';
import { RunQueues } from '../../src/queue/run-queues.js';
import { RunRecords } from '../../src/queue/run-records.js';
import { startSlackDouble, type SlackDouble } from '../../src/sandbox/slack-double/start-slack-double.js';
import type { SlackMessage } from '../../src/sandbox/slack-double/slack-state.js';
import { waitUntil } from '../../src/sandbox/services/wait-until.js';
import { startBot, type StartedBot } from '../../src/slack/start-bot.js';
import { startRedis, type RedisService } from '../helpers/services.js';
import { payload, realPayload } from './fixtures.js';
import { postAlerts } from './webhook-client.js';

const TOKEN = 'alerts-test-token';
const BOT_TOKEN = 'xoxb-test-token';
const CHANNEL = 'C0ALERTS';
const PAGER = 'C0PAGER';
const AUTH = `Bearer ${TOKEN}`;

const blocksText = (message: SlackMessage | undefined) => JSON.stringify(message?.blocks ?? []);

describe('POST /alerts/alertmanager on the bot', () => {
  let redis: RedisService;
  let slack: SlackDouble;
  let config: Config;
  let bot: StartedBot;
  let connection: RedisClient;
  let url: string;

  beforeAll(async () => {
    [redis, slack] = await Promise.all([
      startRedis(),
      startSlackDouble({ botToken: BOT_TOKEN, channels: [{ id: CHANNEL }, { id: PAGER }] }),
    ]);
    config = ConfigSchema.parse({
      clusters: {
        'prod-eu': { slack: { channel: CHANNEL } },
        'prod-us': { slack: { channel: CHANNEL } },
      },
      defaultCluster: 'prod-eu',
      server: { port: 0, host: '127.0.0.1' },
      redis: { url: redis.url },
      slack: { apiUrl: slack.apiUrl },
      alerts: { maxBodyBytes: 8192, noteIntervalSeconds: 0, channelsBySeverity: { info: PAGER } },
    });
    bot = await startBot({
      config,
      secrets: loadSecrets({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: 'x', QUORUM_ALERTS_TOKEN: TOKEN }),
      alertReclaimIdleMs: 1_000,
    });
    url = `${bot.url}/alerts/alertmanager`;
    connection = createRedis(config.redis, 'worker');
  });
  afterAll(async () => {
    if (connection) await closeRedis(connection);
    await bot?.stop();
    await Promise.allSettled([redis?.stop(), slack?.stop()]);
  });

  const inbox = new AlertInbox({ prefix: '{quorum}' });
  const backlog = () => inbox.backlog(connection);
  const waiting = async (cluster: string) =>
    (await new RunQueues({ connection, prefix: config.redis.prefix }).queue(cluster).getJobCounts()).waiting ?? 0;
  const messages = () => slack.state.channelMessages(CHANNEL);

  it.each([
    ['no credentials', undefined, /missing Authorization header/],
    ['a wrong token', 'Bearer wrong', /wrong bearer token/],
    ['a wrong basic-auth password', `Basic ${Buffer.from('am:wrong').toString('base64')}`, /wrong basic auth password/],
  ])('answers %s with 401 and keeps nothing', async (_, authorization, reason) => {
    const before = await backlog();
    const answer = await postAlerts(
      url,
      payload('firing', [{ name: 'etcdNoLeader', fingerprint: '0000000000000001' }]),
      {
        ...(authorization ? { authorization } : {}),
      },
    );
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body).error).toMatch(reason);
    expect(await backlog()).toBe(before);
  });

  it('accepts basic auth with the token as password', async () => {
    const answer = await postAlerts(
      url,
      payload('firing', [{ name: 'KubeJobFailed', fingerprint: '0000000000000002' }]),
      {
        authorization: `Basic ${Buffer.from(`alertmanager:${TOKEN}`).toString('base64')}`,
      },
    );
    expect(answer.status).toBe(200);
  });

  it.each([
    ['a body that is not JSON', '{"status": "firing", ', /body is not JSON/],
    [
      'JSON that is not a webhook payload',
      { hello: 'world' },
      /not an Alertmanager webhook payload: status: .*; alerts: /,
    ],
    [
      'an alert without a name',
      { status: 'firing', alerts: [{ labels: {} }] },
      /alerts\.0\.labels: every alert needs an alertname label/,
    ],
  ])('answers %s with 400 and the reason, and keeps nothing', async (_, body, reason) => {
    const before = await backlog();
    const answer = await postAlerts(url, body, { authorization: AUTH });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error).toMatch(reason);
    expect(await backlog()).toBe(before);
  });

  it.each([
    ['declared in Content-Length', false],
    ['sent in chunks', true],
  ])('answers a body over alerts.maxBodyBytes (%s) with 413', async (_, chunked) => {
    const before = await backlog();
    const big = payload(
      'firing',
      Array.from({ length: 100 }, (_, index) => ({
        name: 'etcdNoLeader',
        fingerprint: index.toString(16).padStart(16, '0'),
        summary: 'x'.repeat(100),
      })),
    );
    const answer = await postAlerts(url, big, { authorization: AUTH, chunked });
    expect(answer.status).toBe(413);
    expect(answer.body).toMatch(/alerts\.maxBodyBytes/);
    expect(await backlog()).toBe(before);
  });

  it('is served ahead of Bolt: a query string still reaches it, other methods get 405, other paths stay with Bolt', async () => {
    const before = await backlog();
    const answer = await postAlerts(
      `${url}?from=alertmanager`,
      payload('resolved', [{ name: 'NotAKubernetesAlert', fingerprint: '00000000000000b1' }]),
      { authorization: AUTH },
    );
    expect(answer.status).toBe(200);
    const get = await fetch(url);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await fetch(`${bot.url}/alerts/alertmanager-not`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    await waitUntil(async () => (await backlog()) <= before, { what: 'the inbox to drain', timeoutMs: 5_000 });
  });

  it('starts one run for a firing alert: the channel gets its message naming the alert, the queue its job', async () => {
    const before = messages().length;
    const answer = await postAlerts(
      url,
      payload('firing', [
        {
          name: 'etcdDatabaseQuotaLowSpace',
          fingerprint: '00000000000000a1',
          summary: 'etcd cluster database is running full.',
        },
      ]),
      { authorization: AUTH },
    );
    expect(answer.status).toBe(200);
    await waitUntil(() => messages().length > before, { what: 'the alert run message', timeoutMs: 5_000 });
    const message = messages().at(-1) as SlackMessage;
    expect(blocksText(message)).toContain('Started by 1 alert');
    expect(blocksText(message)).toContain('etcdDatabaseQuotaLowSpace');
    expect(blocksText(message)).toContain('etcd cluster database is running full.');
    expect(blocksText(message)).toContain('<http://prometheus:9090/graph?g0.expr=up&g0.tab=1|');
    // The run message is posted before the job is queued (the job carries the message's ts).
    await waitUntil(async () => (await backlog()) === 0, { what: 'the inbox to drain', timeoutMs: 5_000 });
    expect(await waiting('prod-eu')).toBe(1);
    const runId = /run `(r-[a-z0-9-]+)`/.exec(blocksText(message))?.[1] as string;
    const record = await new RunRecords({ connection, prefix: config.redis.prefix }).get(runId);
    expect(record).toMatchObject({
      playbook: 'etcd-db-growth',
      cluster: 'prod-eu',
      trigger: { kind: 'alert', by: 'etcdDatabaseQuotaLowSpace', alertCount: 1 },
      slack: { channel: CHANNEL, messageTs: message.ts },
    });

    // Repeats and more alerts of the same (cluster, playbook): notes in the thread, no second run.
    // One notification at a time: the processor merges what it reads in one batch into one note.
    for (const [index, fingerprints] of [['00000000000000a1'], ['00000000000000a1', '00000000000000a2']].entries()) {
      const again = await postAlerts(
        url,
        payload(
          'firing',
          fingerprints.map((fingerprint) => ({ name: 'etcdExcessiveDatabaseGrowth', fingerprint })),
        ),
        { authorization: AUTH },
      );
      expect(again.status).toBe(200);
      await waitUntil(() => slack.state.thread(CHANNEL, message.ts).length > index, {
        what: `note ${index + 1}`,
        timeoutMs: 10_000,
      });
    }
    expect(slack.state.thread(CHANNEL, message.ts).map((note) => note.text)).toEqual([
      expect.stringMatching(/^Still firing \(1 alert\)/),
      expect.stringMatching(/^Still firing \(2 alerts\)/),
    ]);
    expect(messages().length).toBe(before + 1);
    expect(await waiting('prod-eu')).toBe(1);
  });

  it('takes real payloads: a Kubernetes alert starts its playbook, the others are counted as unrouted', async () => {
    const before = messages().length;
    for (const name of [
      'viento-k8s-telegram-bot_KubeSchedulerDown_v4.json',
      'zulip_alertmanager_fixture_alert.json',
      'prometheus-msteams_prom_post_request.json',
      'kubesphere-notification-manager_alert1.json',
      'kubesphere-notification-manager_alerts-without-namespace.json',
    ]) {
      const answer = await postAlerts(url, realPayload(name), { authorization: AUTH });
      expect({ name, status: answer.status }).toEqual({ name, status: 200 });
    }
    await waitUntil(async () => (await backlog()) === 0, { what: 'the inbox to drain', timeoutMs: 5_000 });
    const started = messages().slice(before);
    expect(started).toHaveLength(1);
    expect(blocksText(started[0])).toContain('KubeSchedulerDown');
    expect(await waiting('prod-eu')).toBe(2);
    const metrics = await (await fetch(`${bot.url}/metrics`)).text();
    expect(metrics).toMatch(/quorum_alerts_unrouted_total\{reason="no_playbook",alertname="High CPU Temperature"\} 2/);
    expect(metrics).toMatch(/quorum_alerts_unrouted_total\{reason="no_playbook",alertname="KubePodCrashLooping"\} 1/);
    expect(metrics).toMatch(/quorum_alert_webhooks_total\{outcome="unauthorized"\} 3/);
  });

  it('answers 503 while Redis is away (Alertmanager retries), and takes the retry once it is back', async () => {
    const body = payload('firing', [
      { name: 'KubeAPIDown', fingerprint: '00000000000000c1', labels: { cluster: 'prod-us' } },
    ]);
    const port = redis.port;
    await redis.stop();
    const refused = await postAlerts(url, body, { authorization: AUTH });
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body).error).toMatch(/could not keep the notification .*Alertmanager will retry/);
    redis = await startRedis({ port });
    const before = messages().length;
    // As Alertmanager does: retry with backoff until accepted.
    await waitUntil(async () => (await postAlerts(url, body, { authorization: AUTH })).status === 200, {
      what: 'the webhook to accept again',
      timeoutMs: 15_000,
      intervalMs: 200,
    });
    await waitUntil(() => messages().length > before, { what: 'the run of the retried alert', timeoutMs: 15_000 });
    expect(blocksText(messages().at(-1))).toContain('KubeAPIDown');
    await waitUntil(async () => (await backlog()) === 0, { what: 'the inbox to drain', timeoutMs: 5_000 });
    expect(await waiting('prod-us')).toBe(1);
  });
});
