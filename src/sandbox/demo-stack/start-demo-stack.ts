import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { fillToNospace, seedRegistry } from '../etcd-seed.js';
import {
  apiserverTarget,
  etcdTarget,
  findFreePort,
  startAlertmanager,
  startEtcdCluster,
  startPrometheus,
  startRedis,
  type AlertmanagerService,
  type EtcdCluster,
  type PrometheusService,
  type RedisService,
} from '../services/index.js';
import { httpGetText } from '../services/http-get.js';
import { spawnServersInOwnProcessGroups } from '../services/spawn-server.js';
import { createTempDir } from '../services/temp-dir.js';
import type { ConsoleUser, Switchboard } from '../slack-double/console-routes.js';
import { startSlackDouble, type SlackDouble } from '../slack-double/start-slack-double.js';
import { startSimulator, type RunningSimulator } from '../simulator/index.js';
import { demoAlertRules } from './demo-alert-rules.js';
import { startPodPhaseExporter } from './pod-phase-exporter.js';
import { startRoleProcess, type RoleProcess } from './role-process.js';

/** Small enough that the switchboard fills etcd into NOSPACE in a few seconds. */
export const DEMO_QUOTA_BYTES = 16 * 1024 * 1024;
export const DEMO_CLUSTER = 'sandbox';
export const DEMO_CHANNEL = 'C0INCIDENT';
export const ONCALL_USER: ConsoleUser = { id: 'U0ONCALL01', name: 'Dana', role: 'on-call engineer' };
export const APPROVER_USER: ConsoleUser = { id: 'U0APPROVER', name: 'Sam', role: 'SRE lead, approver' };
const BOT_TOKEN = 'xoxb-quorum-sandbox';
/** The member the degraded scenario stops: a member, not necessarily a follower, as in a real outage. */
const DEGRADED_MEMBER = 'etcd-3';

export interface DemoStackOptions {
  /** Receives every log line of the stack, prefixed with its source. */
  print: (line: string) => void;
  /** The console's port. @defaultValue 0 (a free port) */
  consolePort?: number;
}

export interface DemoStack {
  readonly consoleUrl: string;
  readonly botUrl: string;
  readonly prometheusUrl: string;
  readonly alertmanagerUrl: string;
  /** The kube-state-metrics stand-in (pod phases of the simulated cluster). */
  readonly kubeStateMetricsUrl: string;
  readonly etcd: EtcdCluster;
  readonly simulator: RunningSimulator;
  readonly slack: SlackDouble;
  readonly switchboard: Switchboard;
  /** Pids of every process the demo started (servers and Quorum roles), for the leak test. */
  pids(): number[];
  /** Temporary directories the demo created, for the leak test. */
  readonly tempDirs: readonly string[];
  /** Stops everything in reverse order and removes every temporary directory. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Brings up the whole system on loopback: Redis, a 3-member etcd, the cluster simulator, the Slack double serving
 * the chat console, Quorum's bot, worker and executor as processes of their own, Alertmanager routing to the bot,
 * and Prometheus scraping etcd and the simulated API server with Quorum's alert rules. Whatever started is stopped
 * if a later part fails.
 */
export async function startDemoStack(options: DemoStackOptions): Promise<DemoStack> {
  const { print } = options;
  const say = (line: string): void => print(`${'demo'.padEnd(9)} ${line}`);
  // Stopped tier by tier, last started first; within a tier in parallel (the three roles take a few seconds each).
  const tiers: Array<Array<() => Promise<void>>> = [];
  const tier = (): Array<() => Promise<void>> => {
    const added: Array<() => Promise<void>> = [];
    tiers.push(added);
    return added;
  };
  const roles: RoleProcess[] = [];
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      // Reverse order: alerting first (no more webhooks), then Quorum's roles, then the servers they use.
      for (const stops of tiers.reverse()) {
        const results = await Promise.allSettled(stops.map((each) => each()));
        for (const result of results) if (result.status === 'rejected') say(`while stopping: ${String(result.reason)}`);
      }
    })());

  spawnServersInOwnProcessGroups();
  try {
    const dir = createTempDir('demo');
    tier().push(() => dir.remove());
    say('starting Redis, a 3-member etcd (16 MiB quota) and the cluster simulator…');
    const [redisStart, etcdStart, simulatorStart] = await Promise.allSettled([
      startRedis(),
      startEtcdCluster({ members: 3, quotaBytes: DEMO_QUOTA_BYTES }),
      startSimulator({ scenario: 'healthy' }),
    ]);
    const servers = tier();
    for (const start of [redisStart, etcdStart, simulatorStart]) {
      if (start.status === 'fulfilled') servers.push(() => start.value.stop());
    }
    for (const start of [redisStart, etcdStart, simulatorStart]) if (start.status === 'rejected') throw start.reason;
    const redis = (redisStart as PromiseFulfilledResult<RedisService>).value;
    const etcd = (etcdStart as PromiseFulfilledResult<EtcdCluster>).value;
    const simulator = (simulatorStart as PromiseFulfilledResult<RunningSimulator>).value;
    say(`redis ${redis.url}; etcd ${etcd.endpoints.join(' ')}; API server (simulated) ${simulator.url}`);
    await seedRegistry(etcd.endpoints);

    const signingSecret = randomBytes(16).toString('hex');
    const alertsToken = randomBytes(24).toString('hex');
    const botPort = await findFreePort();
    const botUrl = `http://127.0.0.1:${botPort}`;
    // Alertmanager starts last (it needs the bot); the switchboard's alert panel asks for it when it exists.
    const later: { alertmanager?: AlertmanagerService } = {};
    const switchboard = demoSwitchboard({ etcd, simulator, say, alertmanager: () => later.alertmanager });
    const slack = await startSlackDouble({
      botToken: BOT_TOKEN,
      channels: [{ id: DEMO_CHANNEL, name: 'incident' }],
      ...(options.consolePort !== undefined ? { port: options.consolePort } : {}),
      console: {
        eventsUrl: `${botUrl}/slack/events`,
        signingSecret,
        channel: DEMO_CHANNEL,
        users: [ONCALL_USER, APPROVER_USER],
        switchboard,
      },
    });
    tier().push(() => slack.stop());

    const tokenFile = join(dir.path, 'alerts-token');
    await writeFile(tokenFile, `${alertsToken}\n`, { mode: 0o600 });
    const configPath = join(dir.path, 'quorum.yaml');
    await writeFile(
      configPath,
      stringify({
        clusters: {
          [DEMO_CLUSTER]: {
            kube: { kubeconfig: simulator.kubeconfigPath },
            etcd: { endpoints: etcd.endpoints, quotaBytes: DEMO_QUOTA_BYTES },
            slack: { channel: DEMO_CHANNEL },
            // The console's approver: the on-call engineer may ask, Sam may approve.
            approvers: { users: [APPROVER_USER.id], required: 1, expiresMinutes: 15 },
          },
        },
        defaultCluster: DEMO_CLUSTER,
        server: { host: '127.0.0.1', port: botPort },
        redis: { url: redis.url },
        slack: { apiUrl: slack.apiUrl },
        worker: { runTimeoutSeconds: 60 },
        alerts: { tokenFile },
        // Short pauses between members so that the recovery plays out in seconds, not minutes.
        executor: { clusters: { [DEMO_CLUSTER]: { etcd: {} } }, pauseBetweenMembersSeconds: 1, lockSeconds: 10 },
        logLevel: 'info',
      }),
    );
    say('starting quorum bot, worker and executor (each its own process)…');
    const env = { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: signingSecret };
    const started = await Promise.allSettled(
      (['bot', 'worker', 'executor'] as const).map((role) => startRoleProcess({ role, configPath, env, print })),
    );
    const roleStops = tier();
    for (const start of started) {
      if (start.status === 'fulfilled') {
        roles.push(start.value);
        roleStops.push(() => start.value.stop());
      }
    }
    for (const start of started) if (start.status === 'rejected') throw start.reason;

    say('starting Alertmanager and Prometheus…');
    const am = await startAlertmanager({
      webhookUrl: `${botUrl}/alerts/alertmanager`,
      bearerToken: alertsToken,
      // A new alert within a second; no repeats while it fires (the thread stays readable); resolves within 2 s.
      groupWait: '1s',
      groupInterval: '2s',
      repeatInterval: '1h',
    });
    later.alertmanager = am;
    const alerting = tier();
    alerting.push(() => am.stop());
    const exporter = await startPodPhaseExporter(() => simulator.scenario);
    alerting.push(() => exporter.stop());
    const labels = { cluster: DEMO_CLUSTER };
    const prometheus: PrometheusService = await startPrometheus({
      targets: [
        ...etcd.members.map((member) => etcdTarget(member.metricsUrl, labels)),
        apiserverTarget(simulator, labels),
        { job: 'kube-state-metrics', url: `${exporter.url}/metrics`, labels },
      ],
      rules: [await demoAlertRules()],
      alertmanagers: [am.address],
      intervalSeconds: 1,
    });
    alerting.push(() => prometheus.stop());

    return {
      consoleUrl: slack.consoleUrl as string,
      botUrl,
      prometheusUrl: prometheus.url,
      alertmanagerUrl: am.url,
      kubeStateMetricsUrl: exporter.url,
      etcd,
      simulator,
      slack,
      switchboard,
      pids: () =>
        [
          redis.pid,
          prometheus.pid,
          am.pid,
          ...etcd.members.map((member) => member.pid),
          ...roles.map((role) => role.pid),
        ].filter((pid): pid is number => typeof pid === 'number'),
      tempDirs: [dir.path, redis.dataDir, prometheus.dataDir, am.dataDir, ...etcd.members.map((m) => m.dataDir)],
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

interface SwitchboardParts {
  etcd: EtcdCluster;
  simulator: RunningSimulator;
  say: (line: string) => void;
  alertmanager: () => AlertmanagerService | undefined;
}

/** The console's incident buttons: each puts the real etcd and the simulated API server into one scenario. */
function demoSwitchboard({ etcd, simulator, say, alertmanager }: SwitchboardParts): Switchboard {
  const restartStopped = async (): Promise<string[]> => {
    const stopped = etcd.members.filter((member) => !member.running).map((member) => member.name);
    for (const name of stopped) await etcd.startMember(name);
    return stopped;
  };
  const scenarios = {
    nospace: {
      label: 'etcd NOSPACE',
      description: 'Fills the real etcd past its 16 MiB quota: the NOSPACE alarm fires, writes fail.',
      async apply() {
        const report = await fillToNospace(etcd.endpoints, { quotaBytes: DEMO_QUOTA_BYTES });
        return `etcd filled into NOSPACE (${report.puts} writes, ${(report.bytesWritten / 1024 / 1024).toFixed(0)} MiB); expect etcdDatabaseQuotaLowSpace within seconds`;
      },
    },
    'slow-apiserver': {
      label: 'Slow API server',
      description: 'The simulated API server answers slowly (latency histograms, APF queueing).',
      async apply() {
        await simulator.switchScenario('apiserver-latency');
        return 'API server switched to the apiserver-latency scenario; expect KubeAPIErrorBudgetBurn';
      },
    },
    'pending-pods': {
      label: 'Pending pods',
      description: 'Pods stay Pending (insufficient resources, taints, a missing scheduler).',
      async apply() {
        await simulator.switchScenario('scheduler-pending');
        return 'API server switched to the scheduler-pending scenario; expect KubePodNotReady';
      },
    },
    degraded: {
      label: 'Degraded control plane',
      description: `Control-plane pods crash-looping, and etcd member ${DEGRADED_MEMBER} stopped.`,
      async apply() {
        await simulator.switchScenario('control-plane-degraded');
        if (etcd.member(DEGRADED_MEMBER).running) await etcd.stopMember(DEGRADED_MEMBER);
        return `API server switched to control-plane-degraded and ${DEGRADED_MEMBER} stopped; expect etcdMembersDown`;
      },
    },
    healthy: {
      label: 'Healthy again',
      description:
        'The simulated API server healthy, stopped etcd members restarted. NOSPACE is cured by the approved maintenance.',
      async apply() {
        await simulator.switchScenario('healthy');
        const restarted = await restartStopped();
        return `API server healthy${restarted.length > 0 ? `, restarted ${restarted.join(', ')}` : ''}`;
      },
    },
  } as const;
  return {
    scenarios: Object.entries(scenarios).map(([id, each]) => ({
      id,
      label: each.label,
      description: each.description,
    })),
    async apply(id) {
      const scenario = (scenarios as Record<string, { apply(): Promise<string> }>)[id];
      if (!scenario) throw new Error(`no scenario ${id}; known: ${Object.keys(scenarios).join(', ')}`);
      say(`switchboard: ${id}…`);
      const said = await scenario.apply();
      say(`switchboard: ${said}`);
      return said;
    },
    async alerts() {
      const am = alertmanager();
      if (!am) return [];
      const answer = await httpGetText(`${am.url}/api/v2/alerts`, 2_000);
      if (answer.status !== 200) throw new Error(`HTTP ${answer.status}`);
      return JSON.parse(answer.body) as unknown[];
    },
  };
}
