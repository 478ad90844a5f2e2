import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ConfigSchema, type ConfigInput } from '../../config/config-schema.js';
import { newRunId } from '../../diagnosis/run-request.js';
import { closeRedis, createRedis } from '../../queue/redis-connection.js';
import { RunOutcomeListener, type RunOutcome } from '../../queue/run-outcomes.js';
import { RunQueues } from '../../queue/run-queues.js';
import { findFreePort, startEtcd, startRedis, type EtcdService, type RedisService } from '../services/index.js';
import { waitUntil } from '../services/wait-until.js';
import { startSimulator, type RunningSimulator } from '../simulator/index.js';
import { startSlackDouble, type SlackDouble } from '../slack-double/start-slack-double.js';
import { sendSlashCommand } from '../slack-double/signed-requests.js';
import { median, quantile, runAckLoad } from './ack-load.js';
import { startBenchProcess, type BenchProcess } from './bench-process.js';
import { clusterSchedules, idealScheduleMs, type RunInterval } from './cap-schedule.js';

/** One row of the bench's results table. */
export type BenchRow = Record<string, string | number>;

export interface SlackBenchOptions {
  /** The compiled build (production code plus the bench children). */
  buildDir: string;
  /** The checkout, for its playbooks. */
  root: string;
  write: (text: string) => void;
}

const SIGNING_SECRET = 'bench-signing-secret';
const BOT_TOKEN = 'xoxb-bench-token';
const CHANNEL = 'C0INCIDENT';
const ONCALL = 'U0ONCALL1';
const MiB = 1024 * 1024;

/** Targets, from the issue: Quorum's acknowledgement p99 within 1.2× a bare Bolt app's. */
const ACK_FACTOR = 1.2;
const ACK_CONCURRENCY = 50;
const ACK_REQUESTS = 1_000;
const ACK_WARMUP = 300;
const ACK_ROUNDS = 5;
/** End to end within 1.2× the CLI plus 300 ms. */
const E2E_FACTOR = 1.2;
const E2E_SLACK_MS = 300;
const E2E_ROUNDS = 5;
/** 200 runs over 4 clusters, at most 2 at once per cluster, total within 1.2× the ideal schedule. */
const CAP_RUNS = 200;
const CAP_CLUSTERS = 4;
const CAP_PER_CLUSTER = 2;
const CAP_FACTOR = 1.2;

const seconds = (ms: number, digits = 2) => (ms / 1000).toFixed(digits);
const ms = (value: number) => value.toFixed(1);

interface Shared {
  redis: RedisService;
  slack: SlackDouble;
  etcd: EtcdService;
  directory: string;
}

/** Writes a config file every process of one section reads, as an operator would. */
async function writeConfig(shared: Shared, name: string, input: ConfigInput): Promise<string> {
  // Parsed here too: a mistake in the bench's own config fails before any process starts.
  ConfigSchema.parse(input);
  const path = join(shared.directory, `${name}.yaml`);
  await writeFile(path, stringify(input));
  return path;
}

const secretsEnv = { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET };

async function startBot(options: SlackBenchOptions, configPath: string): Promise<{ bot: BenchProcess; url: string }> {
  const port = await findFreePort();
  const bot = startBenchProcess(
    'quorum bot',
    [join(options.buildDir, 'cli', 'main.js'), 'bot', '--config', configPath],
    {
      ...secretsEnv,
      PORT: String(port),
    },
  );
  await bot.waitFor('bot listening');
  return { bot, url: `http://127.0.0.1:${port}` };
}

async function startWorker(options: SlackBenchOptions, configPath: string): Promise<BenchProcess> {
  const worker = startBenchProcess(
    'quorum worker',
    [join(options.buildDir, 'cli', 'main.js'), 'worker', '--config', configPath],
    secretsEnv,
  );
  await worker.waitFor('worker waiting for runs');
  return worker;
}

/**
 * (a) Acknowledgement latency of signed `/quorum diagnose health cluster=…` at 50 in flight, against the compiled
 * bot (real Bolt app over HTTP, real Redis, the Slack double) and the bare Bolt app that only acknowledges, each in a
 * process of its own, in alternating rounds so that other load on the machine falls on both alike.
 */
async function ackLatency(options: SlackBenchOptions, shared: Shared, simulator: RunningSimulator): Promise<BenchRow> {
  const { write } = options;
  const configPath = await writeConfig(shared, 'ack', {
    clusters: { ack: { kube: { kubeconfig: simulator.kubeconfigPath }, slack: { channel: CHANNEL } } },
    server: { port: 0, host: '127.0.0.1' },
    redis: { url: shared.redis.url, prefix: '{bench-ack}' },
    slack: { apiUrl: shared.slack.apiUrl },
    playbooksDir: join(options.root, 'playbooks'),
  });
  const { bot, url: botUrl } = await startBot(options, configPath);
  const bare = startBenchProcess('bare Bolt app', [
    join(options.buildDir, 'sandbox', 'bench', 'bare-bolt-child.js'),
    JSON.stringify({ token: BOT_TOKEN, signingSecret: SIGNING_SECRET, apiUrl: shared.slack.apiUrl }),
  ]);
  try {
    await bare.waitFor('"url"');
    const bareUrl = (JSON.parse(bare.output().trim().split('\n')[0] ?? '{}') as { url: string }).url;
    // One response_url for all: the bot only uses it for answers after the acknowledgement (none here).
    const responseUrl = shared.slack.responseUrl(CHANNEL, ONCALL);
    const load = (url: string, requests: number) =>
      runAckLoad({
        url: `${url}/slack/events`,
        signingSecret: SIGNING_SECRET,
        // The product's main path: the first claims the diagnosis and queues it, the rest join it (each checks the
        // request, asks Redis and answers with a pointer to the running one).
        fields: () => ({
          text: 'diagnose health cluster=ack',
          user_id: ONCALL,
          channel_id: CHANNEL,
          response_url: responseUrl,
        }),
        requests,
        concurrency: ACK_CONCURRENCY,
      });
    // JIT, connection pools and Bolt's lazy paths warm up first, on both.
    await load(botUrl, ACK_WARMUP);
    await load(bareUrl, ACK_WARMUP);
    const rounds: Array<{ quorum: number[]; bare: number[] }> = [];
    let failures = 0;
    for (let round = 0; round < ACK_ROUNDS; round += 1) {
      const order = round % 2 === 0 ? (['quorum', 'bare'] as const) : (['bare', 'quorum'] as const);
      const result = { quorum: [] as number[], bare: [] as number[] };
      for (const which of order) {
        const answer = await load(which === 'quorum' ? botUrl : bareUrl, ACK_REQUESTS);
        failures += answer.failures;
        result[which] = answer.latenciesMs;
      }
      rounds.push(result);
      const line = (values: number[]) => `p50 ${ms(quantile(values, 0.5))} ms, p99 ${ms(quantile(values, 0.99))} ms`;
      write(`  round ${round + 1}: Quorum ${line(result.quorum)}; bare Bolt ${line(result.bare)}\n`);
    }
    const p = (which: 'quorum' | 'bare', q: number) => median(rounds.map((round) => quantile(round[which], q)));
    const quorumP99 = p('quorum', 0.99);
    const bareP99 = p('bare', 0.99);
    const ratio = quorumP99 / bareP99;
    const rss = await bot.peakRssBytes();
    write(
      `  ack latency (medians of ${ACK_ROUNDS} rounds): Quorum p50 ${ms(p('quorum', 0.5))} ms p99 ${ms(quorumP99)} ms; bare Bolt p50 ${ms(p('bare', 0.5))} ms p99 ${ms(bareP99)} ms → ${ratio.toFixed(2)}× (target ≤ ${ACK_FACTOR}×) ${ratio <= ACK_FACTOR && failures === 0 ? 'PASS' : 'FAIL'}\n`,
    );
    return {
      benchmark: `Slack ack latency, ${ACK_CONCURRENCY} concurrent signed /quorum diagnose`,
      wallSeconds: Number(seconds(quorumP99, 4)),
      peakRssMiB: rss === undefined ? 'n/a' : Math.round(rss / MiB),
      target: `Quorum p99 ≤ ${ACK_FACTOR}× bare Bolt p99`,
      met: ratio <= ACK_FACTOR && failures === 0 ? 'yes' : 'no',
      notes: `wall = Quorum's p99; medians of ${ACK_ROUNDS} alternating rounds of ${ACK_REQUESTS} after ${ACK_WARMUP} warm-up: Quorum p50 ${ms(p('quorum', 0.5))} ms, p99 ${ms(quorumP99)} ms; bare Bolt p50 ${ms(p('bare', 0.5))} ms, p99 ${ms(bareP99)} ms; ${ratio.toFixed(2)}×; ${failures} non-200 answers; \`diagnose health\`: the first claims and queues a run (no worker in this section), the rest join it, each after checking the request and asking Redis; compiled bot and bare Bolt app each in its own process, keep-alive connections, real Redis; RSS is the bot's`,
    };
  } finally {
    await Promise.allSettled([bot.stop(), bare.stop()]);
  }
}

/** Wall time of one `quorum diagnose` process, spawn to exit (its exit code says how bad the findings are). */
function timeCli(options: SlackBenchOptions, configPath: string, cluster: string): Promise<number> {
  const began = performance.now();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [
        join(options.buildDir, 'cli', 'main.js'),
        'diagnose',
        'control-plane-health',
        '--config',
        configPath,
        '--cluster',
        cluster,
        '--quiet',
        '--format',
        'json',
      ],
      { env: { ...process.env, NODE_OPTIONS: '' }, maxBuffer: 16 * MiB },
      (error, stdout, stderr) => {
        // 1 and 2 are a warning and a critical finding: a report all the same.
        const code = (error as { code?: number } | null)?.code ?? 0;
        if (code !== 0 && code !== 1 && code !== 2) reject(new Error(`quorum diagnose failed (${code}):\n${stderr}`));
        else if (!stdout.includes('"findings"')) reject(new Error(`quorum diagnose printed no report:\n${stderr}`));
        else resolve(performance.now() - began);
      },
    );
  });
}

/**
 * (b) End to end: a signed `/quorum diagnose health` until the Slack double receives the final `chat.update` (the
 * summary), against `quorum diagnose control-plane-health` from the shell, both compiled, both against the same
 * simulator and real etcd. The CLI is timed as its user waits for it: a process, spawn to exit. The bot and the
 * worker are running already, as they are in production.
 */
async function endToEnd(options: SlackBenchOptions, shared: Shared, simulator: RunningSimulator): Promise<BenchRow> {
  const { write, slack } = { write: options.write, slack: shared.slack };
  const prefix = '{bench-e2e}';
  const configPath = await writeConfig(shared, 'e2e', {
    clusters: {
      e2e: {
        // A long-lived worker's limiter carries the last run's debt where a fresh CLI process starts full: both
        // sides get a rate that never binds, so the comparison is of the paths, not of the limiter.
        kube: { kubeconfig: simulator.kubeconfigPath, rateLimit: { requestsPerSecond: 1_000, burst: 1_000 } },
        etcd: { endpoints: shared.etcd.endpoints },
        slack: { channel: CHANNEL },
      },
    },
    server: { port: 0, host: '127.0.0.1' },
    redis: { url: shared.redis.url, prefix },
    slack: { apiUrl: slack.apiUrl },
    worker: { concurrency: 4, perClusterConcurrency: 2, runTimeoutSeconds: 120 },
    playbooksDir: join(options.root, 'playbooks'),
  });
  const outcomes: RunOutcome[] = [];
  const listener = new RunOutcomeListener({ url: shared.redis.url, prefix }, (outcome) => outcomes.push(outcome));
  await listener.start();
  const { bot, url } = await startBot(options, configPath);
  const worker = await startWorker(options, configPath);
  try {
    const viaSlack = async (): Promise<{ ms: number; runMs: number }> => {
      const before = slack.state.channelMessages(CHANNEL).length;
      const sentAt = Date.now();
      const answer = await sendSlashCommand(`${url}/slack/events`, SIGNING_SECRET, {
        text: 'diagnose health cluster=e2e',
        user_id: ONCALL,
        channel_id: CHANNEL,
        response_url: slack.responseUrl(CHANNEL, ONCALL),
      });
      if (answer.status !== 200 || answer.body !== '') throw new Error(`the bot did not start a run: ${answer.body}`);
      await waitUntil(() => slack.state.channelMessages(CHANNEL).length > before, {
        what: 'the run message',
        timeoutMs: 10_000,
        intervalMs: 5,
      });
      const ts = slack.state.channelMessages(CHANNEL).at(-1)?.ts;
      const final = await slack.waitForCall(
        (call) =>
          call.method === 'chat.update' &&
          call.args.ts === ts &&
          call.error === undefined &&
          !String(call.args.text).startsWith('Diagnosing'),
        120_000,
      );
      const runId = /run `(r-[a-z0-9-]+)`/.exec(JSON.stringify(final.args.blocks))?.[1];
      // The next round must start a run of its own, not join this one: wait until this one released its claim.
      await waitUntil(() => outcomes.some((outcome) => outcome.runId === runId), {
        what: `run ${runId ?? '?'} to end`,
        timeoutMs: 60_000,
        intervalMs: 10,
      });
      const runMs = outcomes.find((outcome) => outcome.runId === runId)?.durationMs ?? Number.NaN;
      return { ms: final.at - sentAt, runMs };
    };
    // The first of each pays for connecting (the worker keeps its cluster connections) and cold caches.
    await viaSlack();
    await timeCli(options, configPath, 'e2e');
    const slackMs: number[] = [];
    const runMs: number[] = [];
    const cliMs: number[] = [];
    for (let round = 0; round < E2E_ROUNDS; round += 1) {
      const doSlack = async () => {
        const result = await viaSlack();
        slackMs.push(result.ms);
        runMs.push(result.runMs);
      };
      const doCli = async () => {
        cliMs.push(await timeCli(options, configPath, 'e2e'));
      };
      if (round % 2 === 0) {
        await doSlack();
        await doCli();
      } else {
        await doCli();
        await doSlack();
      }
      write(`  round ${round + 1}: Slack ${seconds(slackMs.at(-1) ?? 0)} s, CLI ${seconds(cliMs.at(-1) ?? 0)} s\n`);
    }
    const slackMedian = median(slackMs);
    const cliMedian = median(cliMs);
    const limit = E2E_FACTOR * cliMedian + E2E_SLACK_MS;
    const met = slackMedian <= limit;
    const rss = await worker.peakRssBytes();
    write(
      `  end to end (medians of ${E2E_ROUNDS}): Slack ${seconds(slackMedian)} s, CLI ${seconds(cliMedian)} s, limit ${seconds(limit)} s ${met ? 'PASS' : 'FAIL'}\n`,
    );
    return {
      benchmark: 'Slack end to end: /quorum diagnose health → final chat.update, against quorum diagnose (CLI)',
      wallSeconds: Number(seconds(slackMedian)),
      peakRssMiB: rss === undefined ? 'n/a' : Math.round(rss / MiB),
      target: `≤ ${E2E_FACTOR}× the CLI + ${E2E_SLACK_MS} ms`,
      met: met ? 'yes' : 'no',
      notes: `medians of ${E2E_ROUNDS} alternating rounds after one warm-up each: Slack ${seconds(slackMedian)} s (${slackMs.map((value) => seconds(value)).join(', ')}), of which the run on the worker ${seconds(median(runMs))} s; CLI ${seconds(cliMedian)} s (${cliMs.map((value) => seconds(value)).join(', ')}) as a process, spawn to exit, start-up included; limit ${seconds(limit)} s; control-plane-health on the simulator (control-plane-degraded) and a real etcd 3.4; compiled bot and worker already running; both sides with a kube rate limit that never binds (a long-lived worker's limiter would carry the last run's debt); RSS is the worker's`,
    };
  } finally {
    await Promise.allSettled([bot.stop(), worker.stop()]);
    await listener.close();
  }
}

/**
 * (c) 200 runs of control-plane-health over 4 simulated clusters with a per-cluster cap of 2, worked by two worker
 * processes of 4 each (enough for every cluster's cap at once). The runs go in through the queue as alert runs do
 * (each posts its own message): 200 slash commands for the same diagnosis would join the one running, by design.
 * Concurrency per cluster comes from BullMQ's own job times (taken → finished), and is also sampled live.
 */
async function clusterCaps(
  options: SlackBenchOptions,
  shared: Shared,
  simulators: RunningSimulator[],
): Promise<BenchRow> {
  const { write } = options;
  const prefix = '{bench-caps}';
  const clusters = simulators.map((_, index) => `caps-${index + 1}`);
  const configPath = await writeConfig(shared, 'caps', {
    clusters: Object.fromEntries(
      clusters.map((name, index) => [
        name,
        {
          // The default request rate (50/s per cluster and process) would make this a benchmark of the limiter.
          kube: {
            kubeconfig: (simulators[index] as RunningSimulator).kubeconfigPath,
            rateLimit: { requestsPerSecond: 1_000, burst: 1_000 },
          },
          etcd: { endpoints: shared.etcd.endpoints },
          slack: { channel: CHANNEL },
        },
      ]),
    ),
    redis: { url: shared.redis.url, prefix },
    slack: { apiUrl: shared.slack.apiUrl },
    worker: { concurrency: 4, perClusterConcurrency: CAP_PER_CLUSTER, runTimeoutSeconds: 300 },
    playbooksDir: join(options.root, 'playbooks'),
  });
  const outcomes: RunOutcome[] = [];
  const listener = new RunOutcomeListener({ url: shared.redis.url, prefix }, (outcome) => outcomes.push(outcome));
  await listener.start();
  const connection = createRedis({ url: shared.redis.url, prefix }, 'request');
  const queues = new RunQueues({ connection, prefix });
  const workers = await Promise.all([startWorker(options, configPath), startWorker(options, configPath)]);
  const sampledPeak = new Map<string, number>();
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const counts = await queues.counts().catch(() => ({}) as Record<string, Record<string, number>>);
      for (const [cluster, count] of Object.entries(counts))
        sampledPeak.set(cluster, Math.max(sampledPeak.get(cluster) ?? 0, count.active ?? 0));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  try {
    for (const cluster of clusters) queues.queue(cluster);
    const began = Date.now();
    await Promise.all(
      Array.from({ length: CAP_RUNS }, (_, index) => {
        const cluster = clusters[index % CAP_CLUSTERS] as string;
        return queues.enqueue({
          request: {
            runId: newRunId(),
            cluster,
            playbook: 'control-plane-health',
            params: {},
            trigger: { kind: 'api', by: 'bench' },
            requestedAt: new Date().toISOString(),
          },
          slack: { channel: CHANNEL },
        });
      }),
    );
    await waitUntil(() => outcomes.length >= CAP_RUNS, {
      what: `${CAP_RUNS} runs to end`,
      timeoutMs: 600_000,
      intervalMs: 50,
    });
    sampling = false;
    await sampler;
    const failed = outcomes.filter((outcome) => outcome.result !== 'succeeded').length;
    const intervals: RunInterval[] = (
      await Promise.all(
        clusters.map(async (cluster) =>
          (await queues.runTimes(cluster)).map((times) => ({
            cluster,
            startMs: times.processedOn,
            endMs: times.finishedOn,
          })),
        ),
      )
    ).flat();
    const schedules = clusterSchedules(intervals);
    const totalMs = Math.max(...intervals.map((interval) => interval.endMs)) - began;
    const idealMs = idealScheduleMs(schedules, CAP_PER_CLUSTER);
    const ratio = totalMs / idealMs;
    const peak = Math.max(...schedules.map((schedule) => schedule.peak));
    const livePeak = Math.max(0, ...sampledPeak.values());
    const durations = intervals.map((interval) => interval.endMs - interval.startMs);
    const met = peak <= CAP_PER_CLUSTER && livePeak <= CAP_PER_CLUSTER && ratio <= CAP_FACTOR && failed === 0;
    const rss = Math.max(...(await Promise.all(workers.map(async (worker) => (await worker.peakRssBytes()) ?? 0))));
    write(
      `  ${intervals.length} runs: peak per cluster ${schedules.map((schedule) => `${schedule.cluster} ${schedule.peak}`).join(', ')} (sampled ${livePeak}); total ${seconds(totalMs)} s, ideal ${seconds(idealMs)} s → ${ratio.toFixed(2)}× (target ≤ ${CAP_FACTOR}×, never above ${CAP_PER_CLUSTER}) ${met ? 'PASS' : 'FAIL'}\n`,
    );
    return {
      benchmark: `${CAP_RUNS} runs over ${CAP_CLUSTERS} clusters, cap ${CAP_PER_CLUSTER} per cluster, 2 worker processes`,
      wallSeconds: Number(seconds(totalMs)),
      peakRssMiB: rss > 0 ? Math.round(rss / MiB) : 'n/a',
      target: `never above ${CAP_PER_CLUSTER} per cluster; total ≤ ${CAP_FACTOR}× the ideal schedule`,
      met: met ? 'yes' : 'no',
      notes: `most at once per cluster ${peak} (from BullMQ's job times; ${livePeak} sampled live every 20 ms); total ${seconds(totalMs)} s from queueing to the last completion, ideal ${seconds(idealMs)} s (the busiest cluster's summed run times ÷ ${CAP_PER_CLUSTER}) → ${ratio.toFixed(2)}×; run times p50 ${seconds(median(durations))} s, p99 ${seconds(quantile(durations, 0.99))} s (control-plane-health on 4 simulators and a real etcd, each run posting and updating its message, thread and file); ${failed} failed; worker concurrency 4 × 2 processes; RSS is the larger worker's`,
    };
  } finally {
    sampling = false;
    await sampler.catch(() => undefined);
    await Promise.allSettled(workers.map((worker) => worker.stop()));
    await listener.close();
    await queues.close();
    await closeRedis(connection);
  }
}

/**
 * The Slack benchmarks of `npm run bench` (issue M4, item 8): acknowledgement latency against a bare Bolt app, end to
 * end against the CLI, and the per-cluster cap with 200 runs. One Redis, one etcd and one Slack double serve all
 * three; each section has its own key prefix, so runs of one never reach the workers of another.
 */
export async function slackBenchRows(options: SlackBenchOptions): Promise<BenchRow[]> {
  const { write } = options;
  const directory = await mkdtemp(join(tmpdir(), 'quorum-slack-bench-'));
  const [redis, slack, etcd] = await Promise.all([
    startRedis(),
    startSlackDouble({ botToken: BOT_TOKEN, channels: [{ id: CHANNEL }] }),
    startEtcd({ name: 'bench-etcd' }),
  ]);
  const shared: Shared = { redis, slack, etcd, directory };
  const simulators: RunningSimulator[] = [];
  try {
    const degraded = await startSimulator({ scenario: 'control-plane-degraded' });
    simulators.push(degraded);
    const rows: BenchRow[] = [];
    write(`Slack (a): acknowledgement latency at ${ACK_CONCURRENCY} concurrent, Quorum against a bare Bolt app…\n`);
    rows.push(await ackLatency(options, shared, degraded));
    write('Slack (b): end to end, /quorum diagnose health → final chat.update, against quorum diagnose…\n');
    rows.push(await endToEnd(options, shared, degraded));
    write(`Slack (c): ${CAP_RUNS} runs over ${CAP_CLUSTERS} clusters with a cap of ${CAP_PER_CLUSTER} per cluster…\n`);
    for (let index = 1; index < CAP_CLUSTERS; index += 1)
      simulators.push(await startSimulator({ scenario: 'control-plane-degraded' }));
    rows.push(await clusterCaps(options, shared, simulators));
    return rows;
  } finally {
    await Promise.allSettled([
      ...simulators.map((simulator) => simulator.stop()),
      redis.stop(),
      slack.stop(),
      etcd.stop(),
    ]);
    await rm(directory, { recursive: true, force: true });
  }
}

/** What the Slack rows measure, under the results table. */
export const SLACK_BENCH_NOTE =
  "The Slack rows run the compiled `quorum bot` and `quorum worker` as operators start them (one config file, secrets from the environment) against a real Redis, the Slack double and the simulator with a real etcd; the bench process sends the signed requests. Acknowledgement latency is the time from sending a signed slash command to the end of the HTTP answer, at 50 in flight over keep-alive connections, Quorum and a bare Bolt app that only acknowledges taking turns; the ratio is of the medians of the rounds' p99. End to end is from sending `/quorum diagnose health` to the Slack double receiving the summary's `chat.update` (the thread and the file follow it), against `quorum diagnose control-plane-health` as a process from spawn to exit. The cap row queues 200 runs as alerts do (one message each) and reads when each run held a slot from BullMQ's job times; the ideal schedule is the busiest cluster's summed run times divided by its cap.";
