/**
 * The whole alert path with the real thing at every hop: a real etcd pushed into NOSPACE, a real Prometheus scraping
 * its /metrics with the etcd mixin's quota rule, a real Alertmanager sending to Quorum's webhook with a bearer token
 * from a file, Quorum's bot and worker, and the Slack double as the channel.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { noop } from 'cockatiel';
import { Etcd3 } from 'etcd3';
import { ConfigSchema, type Config } from '../../src/config/config-schema.js';
import { loadSecrets } from '../../src/config/secrets.js';
import { fillToNospace } from '../../src/sandbox/etcd-seed.js';
import type { SlackMessage } from '../../src/sandbox/slack-double/slack-state.js';
import { startSlackDouble, type SlackDouble } from '../../src/sandbox/slack-double/start-slack-double.js';
import { waitUntil } from '../../src/sandbox/services/wait-until.js';
import { startSimulator, type RunningSimulator } from '../../src/sandbox/simulator/index.js';
import { startBot, type StartedBot } from '../../src/slack/start-bot.js';
import { startWorker, type RunningWorker } from '../../src/worker/start-worker.js';
import {
  etcdTarget,
  startAlertmanager,
  startEtcd,
  startPrometheus,
  startRedis,
  type AlertmanagerService,
  type EtcdService,
  type PrometheusService,
  type RedisService,
} from '../helpers/services.js';

const QUOTA = 16 * 1024 * 1024;
const BOT_TOKEN = 'xoxb-test-token';
const CHANNEL = 'C0ETCDPAGE';

/**
 * The etcd mixin's rule (etcd-io/etcd contrib/mixin, `etcdDatabaseQuotaLowSpace`), with `for: 0s` instead of 10m so
 * that the test does not wait ten minutes.
 */
const QUOTA_RULE = `
groups:
  - name: etcd
    rules:
      - alert: etcdDatabaseQuotaLowSpace
        expr: (last_over_time(etcd_mvcc_db_total_size_in_bytes{job=~".*etcd.*"}[5m]) / last_over_time(etcd_server_quota_backend_bytes{job=~".*etcd.*"}[5m]))*100 > 95
        for: 0s
        labels:
          severity: critical
        annotations:
          description: 'etcd cluster "{{ $labels.job }}": database size exceeds the defined quota on etcd instance {{ $labels.instance }}, please defrag or increase the quota as the writes to etcd will be disabled when it is full.'
          summary: etcd cluster database is running full.
`;

const blocksText = (message: SlackMessage | undefined) => JSON.stringify(message?.blocks ?? []);

describe('real chain: etcd NOSPACE → Prometheus → Alertmanager → Quorum → Slack', () => {
  let etcd: EtcdService;
  let simulator: RunningSimulator;
  let redis: RedisService;
  let slack: SlackDouble;
  let bot: StartedBot;
  let worker: RunningWorker;
  let alertmanager: AlertmanagerService;
  let prometheus: PrometheusService;
  let config: Config;
  const secretsDir = mkdtempSync(join(tmpdir(), 'quorum-alerts-'));
  const token = randomBytes(24).toString('hex');

  beforeAll(async () => {
    [etcd, simulator, redis, slack] = await Promise.all([
      startEtcd({ quotaBytes: QUOTA }),
      // The cluster's API server: the worker connects to a cluster as a whole, even for a playbook of etcd checks.
      startSimulator({ scenario: 'healthy' }),
      startRedis(),
      startSlackDouble({ botToken: BOT_TOKEN, channels: [{ id: CHANNEL }] }),
    ]);
    const tokenFile = join(secretsDir, 'alerts-token');
    writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
    config = ConfigSchema.parse({
      clusters: {
        'prod-eu': {
          kube: { kubeconfig: simulator.kubeconfigPath },
          etcd: { endpoints: etcd.endpoints, quotaBytes: QUOTA },
          slack: { channel: CHANNEL },
        },
      },
      server: { port: 0, host: '127.0.0.1' },
      redis: { url: redis.url },
      slack: { apiUrl: slack.apiUrl },
      worker: { runTimeoutSeconds: 60 },
      // Notes as often as Alertmanager repeats (every 4 s here), so that repeats show within the test.
      alerts: { tokenFile, noteIntervalSeconds: 0 },
    });
    const secrets = loadSecrets({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: 'x' });
    bot = await startBot({ config, secrets });
    worker = await startWorker({ config, secrets, progressIntervalMs: 500 });
    alertmanager = await startAlertmanager({ webhookUrl: `${bot.url}/alerts/alertmanager`, bearerToken: token });
    prometheus = await startPrometheus({
      targets: [etcdTarget(etcd.metricsUrl, { cluster: 'prod-eu' })],
      rules: [QUOTA_RULE],
      alertmanagers: [alertmanager.address],
    });
  }, 90_000);
  afterAll(async () => {
    await Promise.allSettled([prometheus?.stop(), alertmanager?.stop()]);
    await bot?.stop();
    await worker?.stop(1_000);
    await Promise.allSettled([etcd?.stop(), simulator?.stop(), redis?.stop(), slack?.stop()]);
    rmSync(secretsDir, { recursive: true, force: true });
  });

  it('posts one etcd-db-growth run naming the NOSPACE alarm, notes repeats, and marks it resolved after recovery', async () => {
    expect(bot.alertsEnabled).toBe(true);
    await prometheus.waitForScrapes('cluster="prod-eu"', 2, { timeoutMs: 30_000 });
    await fillToNospace(etcd.endpoints, { quotaBytes: QUOTA });

    await waitUntil(() => slack.state.channelMessages(CHANNEL).length > 0, {
      what: 'the alert run message (Prometheus rule → Alertmanager → webhook)',
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    const [message] = slack.state.channelMessages(CHANNEL) as [SlackMessage];
    expect(blocksText(message)).toContain('etcdDatabaseQuotaLowSpace');
    expect(blocksText(message)).toContain('etcd cluster database is running full.');
    const current = () => slack.state.find(CHANNEL, message.ts) as SlackMessage;
    await waitUntil(
      () => {
        const shown = blocksText(current());
        if (/NOSPACE/.test(shown) && !/Diagnosing/.test(shown)) return true;
        throw new Error(`the message shows ${current().text}`);
      },
      {
        what: 'the findings naming the NOSPACE alarm',
        timeoutMs: 60_000,
        intervalMs: 250,
      },
    );
    const final = blocksText(current());
    expect(final).toContain('etcd database growth');
    expect(final.indexOf('etcdDatabaseQuotaLowSpace')).toBeLessThan(final.indexOf('NOSPACE'));

    // Alertmanager repeats the group every few seconds while Prometheus keeps it firing: notes, not runs.
    await waitUntil(
      () => slack.state.thread(CHANNEL, message.ts).filter((reply) => /^Still firing/.test(reply.text)).length >= 2,
      { what: 'two still-firing notes in the thread', timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(slack.state.channelMessages(CHANNEL)).toHaveLength(1);

    // The operator's recovery, in the maintenance guide's order: compacted already by the filler, then defragment
    // and disarm. The file shrinks, the rule stops matching, and Alertmanager sends the resolve.
    const client = new Etcd3({ hosts: etcd.endpoints, faultHandling: { host: () => noop, global: noop } });
    try {
      await client.maintenance.defragment();
      const { alarms } = await client.maintenance.alarm({ action: 'Get', memberID: 0, alarm: 'None' });
      for (const alarm of alarms) {
        await client.maintenance.alarm({ action: 'Deactivate', memberID: alarm.memberID, alarm: alarm.alarm });
      }
      await client.put('/quorum-test/after-recovery').value('ok');
    } finally {
      client.close();
    }
    await waitUntil(() => blocksText(current()).includes('Alert resolved'), {
      what: 'the original message to say resolved',
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    expect(blocksText(current())).toMatch(/after firing for \d+/);
    expect(blocksText(current())).toContain('NOSPACE');
    expect(slack.state.channelMessages(CHANNEL)).toHaveLength(1);
  }, 240_000);
});
