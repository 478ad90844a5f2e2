import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AlertInbox } from '../../alerts/alert-inbox.js';
import { ConfigSchema } from '../../config/config-schema.js';
import { closeRedis, createRedis } from '../../queue/redis-connection.js';
import { loadSecrets } from '../../config/secrets.js';
import { startBot, type StartedBot } from '../../slack/start-bot.js';
import { startRedis } from '../services/redis-server.js';
import { waitUntil } from '../services/wait-until.js';
import { startSlackDouble } from '../slack-double/start-slack-double.js';

export interface AlertStormOptions {
  /** Webhook posts in the measured storm. @defaultValue 10000 */
  posts?: number;
  /** Distinct alerts (fingerprints) the posts carry. @defaultValue 200 */
  fingerprints?: number;
  /** Requests in flight at once. @defaultValue 64 */
  concurrency?: number;
  /**
   * The storm is sent in this many slices, taking turns with the bare server's, so that other load on a shared
   * machine falls on both alike. @defaultValue 5
   */
  rounds?: number;
  /** Posts sent to a second bot after the first is stopped mid-storm. @defaultValue posts / 10 */
  afterRestartPosts?: number;
  write?: (text: string) => void;
}

export interface ServerLoad {
  requests: number;
  /** Answers with a 2xx status. */
  ok: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export interface AlertStormResult {
  posts: number;
  fingerprints: number;
  pairs: number;
  quorum: ServerLoad;
  bare: ServerLoad;
  /** Quorum's requests/s ÷ the bare server's. */
  throughputRatio: number;
  /** Run messages per (cluster, playbook): exactly 1 each when it holds. */
  runsPerPair: Record<string, number>;
  /** Distinct alerts per pair against the largest count its thread's notes show. */
  counts: Record<string, { sent: number; shown: number }>;
  /** From the end of the measured storm until every notification was processed (ms). */
  drainMs: number;
  checks: { allOk: boolean; oneRunPerPair: boolean; countsComplete: boolean; ratioMet: boolean };
}

const TOKEN = 'bench-alerts-token';
const BOT_TOKEN = 'xoxb-bench';
const CLUSTERS = ['storm-a', 'storm-b', 'storm-c'] as const;
/** One alert per playbook, as Alertmanager would group them (alertname, cluster). */
const ALERTS = [
  { name: 'etcdDatabaseQuotaLowSpace', playbook: 'etcd-db-growth' },
  { name: 'KubeAPITerminatedRequests', playbook: 'apiserver-latency' },
  { name: 'KubePodNotReady', playbook: 'scheduler-pending' },
  { name: 'KubeAPIDown', playbook: 'control-plane-health' },
] as const;
const channelOf = (cluster: string) => `C0${cluster.replace(/[^a-z]/g, '').toUpperCase()}`;

interface StormAlert {
  fingerprint: string;
  cluster: string;
  alert: (typeof ALERTS)[number];
  pair: string;
}

function stormAlerts(count: number): StormAlert[] {
  return Array.from({ length: count }, (_, index) => {
    const cluster = CLUSTERS[index % CLUSTERS.length] as string;
    const alert = ALERTS[Math.floor(index / CLUSTERS.length) % ALERTS.length] as (typeof ALERTS)[number];
    return { fingerprint: index.toString(16).padStart(16, '0'), cluster, alert, pair: `${cluster}/${alert.playbook}` };
  });
}

/** Post `index`: alert `index mod N` and up to two more of its group (cluster, alertname), as one notification. */
function stormBody(alerts: readonly StormAlert[], index: number): string {
  const first = alerts[index % alerts.length] as StormAlert;
  const group = alerts.filter((each) => each.pair === first.pair);
  const at = group.indexOf(first);
  const carried = [first, ...group.slice(at + 1, at + 1 + (index % 3))];
  return JSON.stringify({
    version: '4',
    groupKey: `{}:{alertname="${first.alert.name}",cluster="${first.cluster}"}`,
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'quorum',
    groupLabels: { alertname: first.alert.name, cluster: first.cluster },
    commonLabels: { alertname: first.alert.name, cluster: first.cluster },
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts: carried.map((each) => ({
      status: 'firing',
      labels: {
        alertname: each.alert.name,
        cluster: each.cluster,
        severity: 'critical',
        namespace: 'default',
        i: each.fingerprint,
      },
      annotations: { summary: `${each.alert.name} on ${each.cluster}` },
      startsAt: '2026-12-02T06:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus:9090/graph?g0.expr=up',
      fingerprint: each.fingerprint,
    })),
  });
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

interface Sample {
  latencies: number[];
  ok: number;
  requests: number;
  ms: number;
}

/** Sends `bodies` with `concurrency` requests in flight over keep-alive connections; latency of each. */
async function send(url: string, bodies: readonly string[], concurrency: number): Promise<Sample> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let ok = 0;
  let next = 0;
  const post = (body: string) =>
    new Promise<number>((resolve) => {
      const request = http.request(
        url,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: `Bearer ${TOKEN}`,
          },
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        },
      );
      request.on('error', () => resolve(0));
      request.end(body);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++] as string;
        const begin = performance.now();
        const status = await post(body);
        latencies.push(performance.now() - begin);
        if (status >= 200 && status < 300) ok += 1;
      }
    }),
  );
  const ms = performance.now() - started;
  agent.destroy();
  return { latencies, ok, requests: bodies.length, ms };
}

/** Several samples as one load: requests per second over their summed time, percentiles over every request. */
function summarize(samples: readonly Sample[]): ServerLoad {
  const latencies = samples.flatMap((sample) => sample.latencies).sort((a, b) => a - b);
  const requests = samples.reduce((sum, sample) => sum + sample.requests, 0);
  const seconds = samples.reduce((sum, sample) => sum + sample.ms, 0) / 1000;
  return {
    requests,
    ok: samples.reduce((sum, sample) => sum + sample.ok, 0),
    seconds: Number(seconds.toFixed(2)),
    requestsPerSecond: Math.round(requests / seconds),
    p50Ms: Number(percentile(latencies, 50).toFixed(1)),
    p99Ms: Number(percentile(latencies, 99).toFixed(1)),
  };
}

async function load(url: string, bodies: readonly string[], concurrency: number): Promise<ServerLoad> {
  return summarize([await send(url, bodies, concurrency)]);
}

/** The yardstick: a Node HTTP server that reads the body and answers 200, nothing else. */
async function startBareServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"ok"}\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/alerts/alertmanager`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The alert storm (issue 8, item 7): `posts` webhook posts carrying `fingerprints` distinct alerts over 4 playbooks
 * and 3 clusters, from a concurrent client on loopback, against Quorum's receiver (a real bot on a real Redis with
 * the Slack double) and, in the same run, a bare Node HTTP server that only answers 200. Then the bot is stopped
 * while it is still working through the storm and a second bot takes over with more posts, as a restart would. Checks:
 * every request 2xx, exactly one run per (cluster, playbook), every alert in its thread's count, and Quorum's
 * throughput at least half the bare server's.
 */
export async function runAlertStorm(options: AlertStormOptions = {}): Promise<AlertStormResult> {
  const posts = options.posts ?? 10_000;
  const concurrency = options.concurrency ?? 64;
  const write = options.write ?? (() => undefined);
  const alerts = stormAlerts(options.fingerprints ?? 200);
  const bodies = Array.from({ length: posts }, (_, index) => stormBody(alerts, index));
  const afterRestart = Array.from({ length: options.afterRestartPosts ?? Math.ceil(posts / 10) }, (_, index) =>
    stormBody(alerts, posts + index),
  );
  const pairs = [...new Set(alerts.map((each) => each.pair))];

  const [redis, slack, bare] = await Promise.all([
    startRedis(),
    startSlackDouble({ botToken: BOT_TOKEN, channels: CLUSTERS.map((cluster) => ({ id: channelOf(cluster) })) }),
    startBareServer(),
  ]);
  const config = ConfigSchema.parse({
    clusters: Object.fromEntries(CLUSTERS.map((cluster) => [cluster, { slack: { channel: channelOf(cluster) } }])),
    server: { port: 0, host: '127.0.0.1' },
    redis: { url: redis.url },
    slack: { apiUrl: slack.apiUrl },
    alerts: { noteIntervalSeconds: 1, maxBodyBytes: 1024 * 1024 },
  });
  const secrets = loadSecrets({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: 'x', QUORUM_ALERTS_TOKEN: TOKEN });
  const bots: StartedBot[] = [];
  const probe = createRedis(config.redis, 'worker');
  const inbox = new AlertInbox({ prefix: config.redis.prefix });
  const drained = () =>
    waitUntil(async () => (await inbox.backlog(probe)) === 0, {
      what: 'the alert inbox to drain',
      timeoutMs: 120_000,
      intervalMs: 50,
    });
  const startReadyBot = async () => {
    const bot = await startBot({ config, secrets, alertReclaimIdleMs: 1_000 });
    bots.push(bot);
    await waitUntil(async () => (await fetch(`${bot.url}/readyz`)).status === 200, {
      what: 'the bot to reach Redis',
      timeoutMs: 10_000,
    });
    return bot;
  };
  try {
    const first = await startReadyBot();
    const rounds = options.rounds ?? 5;
    write(`  ${posts} posts, ${concurrency} in flight, in ${rounds} rounds taking turns with a bare server…\n`);
    const bareSamples: Sample[] = [];
    const quorumSamples: Sample[] = [];
    const slice = Math.ceil(posts / rounds);
    for (let offset = 0; offset < posts; offset += slice) {
      const part = bodies.slice(offset, offset + slice);
      bareSamples.push(await send(bare.url, part, concurrency));
      quorumSamples.push(await send(`${first.url}/alerts/alertmanager`, part, concurrency));
      // Quorum's processing of its round runs in this process: let it finish before the bare server's next round,
      // which it would otherwise slow down (the last round's is left running into the restart on purpose).
      if (offset + slice < posts) await drained();
    }
    const bareLoad = summarize(bareSamples);
    const quorumLoad = summarize(quorumSamples);
    const stormEnded = performance.now();
    // A restart in the middle of the storm: the first bot stops with notifications still unprocessed; a second one
    // (another consumer) takes the rest over and the storm goes on against it.
    await first.stop();
    const second = await startReadyBot();
    const secondLoad = await load(`${second.url}/alerts/alertmanager`, afterRestart, concurrency);
    const messages = () =>
      CLUSTERS.flatMap((cluster) =>
        slack.state.channelMessages(channelOf(cluster)).map((message) => ({ cluster, message })),
      );
    const shownCount = (cluster: string, ts: string) =>
      Math.max(
        0,
        ...slack.state
          .thread(channelOf(cluster), ts)
          .map((note) => Number(/\((\d+) alerts?\)/.exec(note.text)?.[1] ?? 0)),
      );
    const sent = Object.fromEntries(pairs.map((pair) => [pair, alerts.filter((each) => each.pair === pair).length]));
    const pairOf = (cluster: string, text: string) =>
      `${cluster}/${ALERTS.find((alert) => text.includes(alert.name))?.playbook ?? '?'}`;
    const counted = () => {
      const counts: Record<string, { sent: number; shown: number }> = {};
      for (const { cluster, message } of messages()) {
        const pair = pairOf(cluster, JSON.stringify(message.blocks));
        counts[pair] = {
          sent: sent[pair] ?? 0,
          shown: Math.max(counts[pair]?.shown ?? 0, shownCount(cluster, message.ts)),
        };
      }
      return counts;
    };
    // Alertmanager repeats firing groups: one more post per pair every note interval until every thread's count is
    // complete (or the deadline passes and the check fails with what it saw).
    let drainMs = 0;
    await waitUntil(
      async () => {
        const counts = counted();
        if (pairs.every((pair) => counts[pair] && counts[pair].shown >= counts[pair].sent)) return true;
        drainMs = performance.now() - stormEnded;
        const repeats = pairs.map((pair) =>
          stormBody(
            alerts,
            alerts.findIndex((each) => each.pair === pair),
          ),
        );
        await load(`${second.url}/alerts/alertmanager`, repeats, concurrency);
        return false;
      },
      { what: 'every alert in its thread count', timeoutMs: 120_000, intervalMs: 1_100 },
    ).catch(() => undefined);
    drainMs = Math.max(drainMs, performance.now() - stormEnded);
    const runsPerPair: Record<string, number> = Object.fromEntries(pairs.map((pair) => [pair, 0]));
    for (const { cluster, message } of messages()) {
      const pair = pairOf(cluster, JSON.stringify(message.blocks));
      runsPerPair[pair] = (runsPerPair[pair] ?? 0) + 1;
    }
    const counts = counted();
    const quorum: ServerLoad = quorumLoad;
    const ratio = quorum.requestsPerSecond / bareLoad.requestsPerSecond;
    return {
      posts,
      fingerprints: alerts.length,
      pairs: pairs.length,
      quorum,
      bare: bareLoad,
      throughputRatio: Number(ratio.toFixed(2)),
      runsPerPair,
      counts,
      drainMs: Math.round(drainMs),
      checks: {
        allOk:
          quorum.ok === quorum.requests && secondLoad.ok === secondLoad.requests && bareLoad.ok === bareLoad.requests,
        oneRunPerPair:
          Object.values(runsPerPair).every((runs) => runs === 1) && Object.keys(runsPerPair).length === pairs.length,
        countsComplete: pairs.every((pair) => counts[pair]?.shown === counts[pair]?.sent),
        ratioMet: ratio >= 0.5,
      },
    };
  } finally {
    for (const bot of bots) await bot.stop().catch(() => undefined);
    await closeRedis(probe);
    await Promise.allSettled([bare.stop(), slack.stop(), redis.stop()]);
  }
}

/** The storm as a row of the bench table. */
export function alertStormRow(result: AlertStormResult): Record<string, string | number> {
  const met = Object.values(result.checks).every(Boolean);
  return {
    benchmark: `alert storm: ${result.posts} webhook posts, ${result.fingerprints} alerts, ${result.pairs} (cluster, playbook) pairs`,
    wallSeconds: result.quorum.seconds,
    peakRssMiB: '—',
    target: 'all 2xx, one run per (cluster, playbook), every alert counted, ≥ 0.5× a bare server',
    met: met ? 'yes' : 'no',
    notes:
      `Quorum ${result.quorum.requestsPerSecond} req/s, p99 ${result.quorum.p99Ms} ms; bare server ${result.bare.requestsPerSecond} req/s, p99 ${result.bare.p99Ms} ms (${result.throughputRatio}×); ` +
      `${result.quorum.ok}/${result.quorum.requests} 2xx; runs per pair ${[...new Set(Object.values(result.runsPerPair))].join('/')}; ` +
      `counts ${result.checks.countsComplete ? 'complete' : 'INCOMPLETE'}; bot restarted mid-storm, no duplicate run; every thread count complete ${(result.drainMs / 1000).toFixed(1)} s after the storm`,
  };
}
