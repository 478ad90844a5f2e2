import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config/load-config.js';
import { sendSlashCommand } from '../../src/sandbox/slack-double/signed-requests.js';
import type { SlackMessage } from '../../src/sandbox/slack-double/slack-state.js';
import { startSlackDouble, type SlackDouble } from '../../src/sandbox/slack-double/start-slack-double.js';
import { waitUntil } from '../../src/sandbox/services/wait-until.js';
import { startSimulator, type RunningSimulator } from '../../src/sandbox/simulator/index.js';
import { startService, type ServiceProcess } from '../cli/service-process.js';
import { startEtcd, startRedis, type EtcdService, type RedisService } from '../helpers/services.js';

const SIGNING_SECRET = 'takeover-signing-secret';
const BOT_TOKEN = 'xoxb-takeover';
const CHANNEL = 'C0INCIDENT';
const ENV = { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET };

const text = (message: SlackMessage | undefined) => JSON.stringify(message?.blocks ?? []);

/**
 * The processes an operator starts, as the README says: `quorum bot` and `quorum worker` with one config file, against
 * the Slack double, the simulator and Redis. A worker killed mid-run leaves its run to another.
 */
describe('quorum bot and quorum worker as processes', () => {
  let redis: RedisService;
  let slack: SlackDouble;
  let simulator: RunningSimulator;
  let etcd: EtcdService;
  let directory: string;
  let configFile: string;
  const services: ServiceProcess[] = [];

  beforeAll(async () => {
    [redis, slack, simulator, etcd] = await Promise.all([
      startRedis(),
      startSlackDouble({ botToken: BOT_TOKEN, channels: [{ id: CHANNEL }] }),
      startSimulator({ scenario: 'apiserver-latency' }),
      startEtcd(),
    ]);
    directory = mkdtempSync(join(tmpdir(), 'quorum-services-'));
    configFile = join(directory, 'quorum.yaml');
    writeFileSync(
      configFile,
      stringify({
        server: { port: 0, host: '127.0.0.1' },
        redis: { url: redis.url, prefix: '{quorum}' },
        slack: { apiUrl: slack.apiUrl },
        clusters: {
          'prod-eu': {
            kube: { kubeconfig: simulator.kubeconfigPath },
            etcd: { endpoints: etcd.endpoints },
            slack: { channel: CHANNEL },
          },
        },
        defaultCluster: 'prod-eu',
        worker: { concurrency: 2, perClusterConcurrency: 1, runTimeoutSeconds: 120, lockSeconds: 2 },
      }),
    );
    // The documented config is valid as written.
    expect(loadConfig({ env: {}, file: configFile }).clusters['prod-eu']?.slack.channel).toBe(CHANNEL);
  }, 60_000);
  afterAll(async () => {
    await Promise.allSettled(services.map((service) => service.stop()));
    await Promise.allSettled([redis?.stop(), slack?.stop(), simulator?.stop(), etcd?.stop()]);
    rmSync(directory, { recursive: true, force: true });
  });

  it('answers a signed command with the right findings, and a run whose worker is killed finishes on another with one result', async () => {
    const bot = startService(['bot', '--config', configFile], ENV);
    services.push(bot);
    await bot.waitFor('bot listening');
    const url = /"url":"(http:\/\/[^"]+)"/.exec(bot.output())?.[1] as string;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const doomed = startService(['worker', '--config', configFile], ENV);
    services.push(doomed);
    await doomed.waitFor('worker waiting for runs');

    const answer = await sendSlashCommand(`${url}/slack/events`, SIGNING_SECRET, {
      text: 'diagnose latency windowSeconds=15',
      user_id: 'U0ONCALL1',
      channel_id: CHANNEL,
      response_url: slack.responseUrl(CHANNEL, 'U0ONCALL1'),
    });
    expect(answer.status).toBe(200);
    await waitUntil(() => slack.state.channelMessages(CHANNEL).length === 1, {
      what: 'the run message',
      timeoutMs: 10_000,
    });
    const message = slack.state.channelMessages(CHANNEL)[0] as SlackMessage;
    // The worker has the run (its progress shows) when it dies.
    await waitUntil(() => /checks done/.test(text(slack.state.find(CHANNEL, message.ts))), {
      what: 'progress from the first worker',
      timeoutMs: 30_000,
    });
    await doomed.kill();

    const rescuer = startService(['worker', '--config', configFile], ENV);
    services.push(rescuer);
    await waitUntil(
      () => /Most likely cause|Several independent problems/.test(text(slack.state.find(CHANNEL, message.ts))),
      {
        what: 'the findings from the second worker',
        timeoutMs: 90_000,
      },
    );
    await waitUntil(() => slack.state.thread(CHANNEL, message.ts).some((reply) => reply.files?.length), {
      what: 'the full report',
      timeoutMs: 20_000,
    });
    const final = text(slack.state.find(CHANNEL, message.ts));
    expect(final).toContain('workload-low');
    // The real etcd was read too: its member status is in the full report.
    const report =
      slack.state.thread(CHANNEL, message.ts).find((reply) => reply.files?.length)?.files?.[0]?.content ?? '';
    expect(report).toMatch(/etcd: 1 of 1 member healthy/);
    // Exactly one message for the run, one summary, one full report: nothing posted twice.
    expect(slack.state.channelMessages(CHANNEL)).toHaveLength(1);
    const thread = slack.state.thread(CHANNEL, message.ts);
    expect(thread.filter((reply) => reply.files?.length)).toHaveLength(1);
    const firstPage = thread.filter((reply) => !reply.files?.length && /^\(continued/.test(reply.text) === false);
    expect(new Set(firstPage.map((reply) => reply.text)).size).toBe(firstPage.length);
    expect(await rescuer.stop()).toBe(0);
    expect(await bot.stop()).toBe(0);
  }, 180_000);
});
