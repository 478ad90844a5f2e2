import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config/load-config.js';
import { loadSecrets } from '../../src/config/secrets.js';
import type { RedisClient } from '../../src/core/redis-client.js';
import { closeRedis, createRedis } from '../../src/queue/redis-connection.js';
import type { RunRecord } from '../../src/queue/run-record.js';
import { RunRecords } from '../../src/queue/run-records.js';
import { waitUntil } from '../../src/sandbox/services/wait-until.js';
import { sendSlashCommand } from '../../src/sandbox/slack-double/signed-requests.js';
import { startSlackDouble, type SlackDouble } from '../../src/sandbox/slack-double/start-slack-double.js';
import { startSimulator, type RunningSimulator } from '../../src/sandbox/simulator/index.js';
import type { RunningBot } from '../../src/slack/bot-app.js';
import { startBot } from '../../src/slack/start-bot.js';
import { startService, type ServiceProcess } from '../cli/service-process.js';
import {
  startRedisCluster,
  startRedisSentinel,
  type RedisClusterService,
  type RedisSentinelService,
} from '../helpers/redis-topologies.js';

const SIGNING_SECRET = 'scale-out-signing-secret';
const BOT_TOKEN = 'xoxb-scale-out';
const CHANNEL = 'C0SCALEOUT';
const ENV = { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET };
const CLUSTERS = ['east', 'west', 'north', 'south'];
/** Two runs per cluster: a quick one and one that waits 5 s between two scrapes (long enough to fail over under). */
const COMMANDS = CLUSTERS.flatMap((cluster) => [
  `diagnose health cluster=${cluster}`,
  `diagnose latency cluster=${cluster} windowSeconds=5`,
]);

/**
 * The M4 flow on real Redis topologies, as operators scale it: two bot replicas taking the commands in turn and
 * two `quorum worker` processes, all through one config file whose `redis` section names the topology.
 */
describe('scale-out on Redis Cluster and Redis Sentinel', () => {
  let slack: SlackDouble;
  let simulator: RunningSimulator;
  let directory: string;
  const secrets = loadSecrets(ENV);

  beforeAll(async () => {
    [slack, simulator] = await Promise.all([
      startSlackDouble({ botToken: BOT_TOKEN, channels: [{ id: CHANNEL }] }),
      startSimulator({ scenario: 'healthy' }),
    ]);
    directory = mkdtempSync(join(tmpdir(), 'quorum-scale-out-'));
  }, 60_000);
  afterAll(async () => {
    await Promise.allSettled([slack?.stop(), simulator?.stop()]);
    rmSync(directory, { recursive: true, force: true });
  });

  /** Everything one flow started, stopped in reverse order whatever happened. */
  async function withFlow(
    name: string,
    redis: Record<string, unknown>,
    body: (flow: {
      send: (index: number, text: string) => Promise<void>;
      records: () => Promise<RunRecord[]>;
    }) => Promise<void>,
  ): Promise<void> {
    const file = join(directory, `${name}.yaml`);
    writeFileSync(
      file,
      stringify({
        server: { port: 0, host: '127.0.0.1' },
        redis,
        slack: { apiUrl: slack.apiUrl },
        clusters: Object.fromEntries(
          CLUSTERS.map((cluster) => [
            cluster,
            { kube: { kubeconfig: simulator.kubeconfigPath }, slack: { channel: CHANNEL } },
          ]),
        ),
        defaultCluster: CLUSTERS[0],
        worker: { concurrency: 2, perClusterConcurrency: 2, runTimeoutSeconds: 60, lockSeconds: 2 },
      }),
    );
    const config = loadConfig({ env: {}, file });
    const bots: RunningBot[] = [];
    const workers: ServiceProcess[] = [];
    let connection: RedisClient | undefined;
    try {
      bots.push(await startBot({ config, secrets }), await startBot({ config, secrets }));
      workers.push(startService(['worker', '--config', file], ENV), startService(['worker', '--config', file], ENV));
      await Promise.all(workers.map((worker) => worker.waitFor('worker waiting for runs')));
      connection = createRedis(config.redis, 'worker');
      const records = new RunRecords({ connection, prefix: config.redis.prefix });
      await body({
        // Replicas take turns, as a load balancer in front of them would hand out Slack's requests.
        send: async (index, text) => {
          const bot = bots[index % bots.length] as RunningBot;
          const answer = await sendSlashCommand(`${bot.url}/slack/events`, SIGNING_SECRET, {
            text,
            user_id: 'U0ONCALL1',
            channel_id: CHANNEL,
            response_url: slack.responseUrl(CHANNEL, 'U0ONCALL1'),
          });
          expect({ text, status: answer.status, body: answer.body }).toEqual({ text, status: 200, body: '' });
        },
        records: () => records.history({ limit: 100 }),
      });
    } finally {
      if (connection) await closeRedis(connection);
      await Promise.allSettled(workers.map((worker) => worker.stop()));
      await Promise.allSettled(bots.map((bot) => bot.stop()));
    }
  }

  /** Every command became one run, one message, one full report, and every run succeeded. */
  async function expectEveryRunOnce(records: () => Promise<RunRecord[]>, before: number): Promise<RunRecord[]> {
    let runs: RunRecord[] = [];
    await waitUntil(
      async () => {
        runs = await records();
        return runs.length === COMMANDS.length && runs.every((run) => ['succeeded', 'failed'].includes(run.state));
      },
      { what: `${COMMANDS.length} finished runs`, timeoutMs: 120_000, intervalMs: 200 },
    );
    expect(runs.map((run) => [run.cluster, run.playbook, run.state]).sort()).toEqual(
      CLUSTERS.flatMap((cluster) => [
        [cluster, 'apiserver-latency', 'succeeded'],
        [cluster, 'control-plane-health', 'succeeded'],
      ]).sort(),
    );
    const messages = slack.state.channelMessages(CHANNEL).slice(before);
    // No duplicate message: one top-level post per run, each the one its record names.
    expect(messages).toHaveLength(COMMANDS.length);
    expect(new Set(runs.map((run) => run.slack?.messageTs)).size).toBe(COMMANDS.length);
    for (const run of runs) {
      expect(messages.map((message) => message.ts)).toContain(run.slack?.messageTs);
      await waitUntil(() => slack.state.thread(CHANNEL, run.slack!.messageTs!).some((reply) => reply.files?.length), {
        what: `the full report of ${run.runId}`,
        timeoutMs: 20_000,
      });
      const reports = slack.state.thread(CHANNEL, run.slack!.messageTs!).filter((reply) => reply.files?.length);
      expect({ run: run.runId, reports: reports.length }).toEqual({ run: run.runId, reports: 1 });
    }
    return runs;
  }

  describe('a 3-master Redis Cluster', () => {
    let cluster: RedisClusterService;
    beforeAll(async () => {
      cluster = await startRedisCluster();
    }, 60_000);
    afterAll(async () => {
      await cluster?.stop();
    });

    it('refuses a prefix without a hash tag, which would scatter a queue over slots', () => {
      const file = join(directory, 'no-tag.yaml');
      writeFileSync(file, stringify({ redis: { cluster: { nodes: cluster.nodes }, prefix: 'quorum' } }));
      expect(() => loadConfig({ env: {}, file })).toThrow(
        /redis\.prefix: on Redis Cluster the prefix must start with a hash tag/,
      );
    });

    it('runs every command once: two bots in turn, two worker processes, no duplicate message, no lost run', async () => {
      const before = slack.state.channelMessages(CHANNEL).length;
      await withFlow('cluster', { cluster: { nodes: cluster.nodes }, prefix: '{quorum}' }, async (flow) => {
        for (const [index, text] of COMMANDS.entries()) await flow.send(index, text);
        await expectEveryRunOnce(flow.records, before);
      });
    }, 180_000);
  });

  describe('Redis Sentinel: one primary, one replica, three Sentinels', () => {
    let sentinel: RedisSentinelService;
    beforeAll(async () => {
      sentinel = await startRedisSentinel();
    }, 60_000);
    afterAll(async () => {
      await sentinel?.stop();
    });

    it('loses no run and posts nothing twice when the primary fails over mid-run', async () => {
      const before = slack.state.channelMessages(CHANNEL).length;
      await withFlow(
        'sentinel',
        { sentinel: { name: sentinel.name, sentinels: sentinel.sentinels }, prefix: '{quorum}' },
        async (flow) => {
          for (const [index, text] of COMMANDS.entries()) await flow.send(index, text);
          await waitUntil(async () => (await flow.records()).some((run) => run.state === 'running'), {
            what: 'a run in progress',
            timeoutMs: 30_000,
          });
          const failingOver = Date.now();
          const { from, to } = await sentinel.failover();
          expect(to).not.toBe(from);
          const runs = await expectEveryRunOnce(flow.records, before);
          // The failover happened mid-run: some runs finished only after it began.
          expect(runs.some((run) => Date.parse(run.finishedAt ?? '') > failingOver)).toBe(true);
        },
      );
    }, 240_000);
  });
});
