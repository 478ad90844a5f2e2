/**
 * `quorum demo` as a newcomer plays it, through the chat console's own HTTP API (what the page calls): the whole
 * stack with real etcd, Prometheus and Alertmanager, Quorum's roles as processes, and every request to the bot signed
 * as Slack signs it. Then: everything the bot posted renders in the console without a fallback, and stopping leaves
 * no process, port or temporary directory.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { renderBlocks } from '../../src/sandbox/slack-double/console/block-kit.js';
import {
  APPROVER_USER,
  DEMO_CHANNEL,
  ONCALL_USER,
  startDemoStack,
  type DemoStack,
} from '../../src/sandbox/demo-stack/start-demo-stack.js';
import { waitUntil } from '../../src/sandbox/services/wait-until.js';
import { isProcessAlive } from '../helpers/services.js';
import { buttonsOf, ConsoleClient, everything, type ConsoleMessage } from './console-client.js';

const ONCALL = ONCALL_USER.id;
const APPROVER = APPROVER_USER.id;

function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** True when nothing accepts connections on the loopback port any more. */
function portClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('quorum demo: the whole system behind the chat console', () => {
  let stack: DemoStack;
  let client: ConsoleClient;
  const lines: string[] = [];

  beforeAll(async () => {
    stack = await startDemoStack({ print: (line) => lines.push(line) });
    client = new ConsoleClient(stack.consoleUrl, () => `stack log, last 120 lines:\n${lines.slice(-120).join('\n')}`);
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
    if (process.env.QUORUM_DEMO_STACK_LOG) writeFileSync(process.env.QUORUM_DEMO_STACK_LOG, lines.join('\n'));
  }, 90_000);

  it('serves the console page and its scripts', async () => {
    const page = await fetch(stack.consoleUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/console/console.js');
    for (const asset of ['console.js', 'block-kit.js', 'console.css']) {
      expect((await fetch(`${stack.consoleUrl}/${asset}`)).status).toBe(200);
    }
    // Roles log readably, prefixed with their name.
    expect(lines.some((line) => /^bot +info +bot listening/.test(line))).toBe(true);
    expect(lines.some((line) => /^executor +info +executor waiting/.test(line))).toBe(true);
  });

  it('answers /quorum diagnose health with the findings in the channel', async () => {
    await client.post('command', { user: ONCALL, text: '/quorum diagnose health' });
    const message = await client.waitFor(ONCALL, 'the health findings', (state) =>
      state.messages.find(
        (each) => !each.threadTs && /Control-plane health/.test(each.text) && !/Diagnosing|queued/i.test(each.text),
      ),
    );
    expect(everything(message)).toMatch(/ok/);
  }, 90_000);

  // Jest's timeouts here sit above the sum of each test's own waits: a slow stage fails with its own message.
  it('pages through Prometheus and Alertmanager on NOSPACE, recovers through an approval, and resolves the alert', async () => {
    const switched = await client.post('scenario', { id: 'nospace' });
    expect(String(switched.said)).toMatch(/NOSPACE/);
    await waitUntil(
      async () =>
        (await client.alerts()).some(
          (alert) => alert.labels.alertname === 'etcdDatabaseQuotaLowSpace' && alert.status.state === 'active',
        ),
      { what: 'Alertmanager to hold etcdDatabaseQuotaLowSpace', timeoutMs: 150_000, intervalMs: 500 },
    );
    const alertRun = await client.waitFor(ONCALL, 'the auto-diagnosis with the NOSPACE finding', (state) =>
      state.messages.find(
        (each) =>
          !each.threadTs &&
          /etcdDatabaseQuotaLowSpace/.test(everything(each)) &&
          /NOSPACE alarm/.test(everything(each)),
      ),
    );
    const proposal = await client.waitFor(ONCALL, 'the Request maintenance button in the thread', (state) =>
      state.messages
        .filter((each) => each.threadTs === alertRun.ts)
        .flatMap(buttonsOf)
        .find((button) => button.actionId === 'quorum.proposal.etcd.compact'),
    );

    await client.post('action', { user: ONCALL, ...proposal });
    const view = await client.waitFor(ONCALL, 'the request modal', (state) => state.views.at(-1));
    expect(JSON.stringify(view.view)).toContain('Why now?');
    const submitted = await client.post('submit', {
      user: ONCALL,
      viewId: view.id,
      values: { reason: { reason: 'NOSPACE since the demo filled etcd; writes refused' } },
    });
    expect(submitted.errors).toBeNull();

    // Sam sees the request and its Approve button (the on-call engineer may not approve their own request).
    const approve = await client.waitFor(APPROVER, 'the approval request', (state) =>
      state.messages
        .filter((each) => each.threadTs === alertRun.ts)
        .flatMap(buttonsOf)
        .find((button) => button.actionId === 'quorum.approval.approve'),
    );
    await client.post('action', { user: APPROVER, ...approve });
    const thread = (messages: ConsoleMessage[]) => messages.filter((each) => each.threadTs === alertRun.ts);
    const done = await client.waitFor(
      APPROVER,
      'the maintenance to finish in the thread',
      (state) => (thread(state.messages).some((each) => /^Maintenance done/.test(each.text)) ? state : undefined),
      120_000,
    );
    const steps = thread(done.messages).map((each) => each.text);
    // Compacted, or already compacted past the planned revision when the alert fired while the filler was still at
    // work (its own compaction came after the diagnosis read etcd).
    expect(
      steps.some((text) =>
        /^(:white_check_mark: Compacted|:fast_forward: History before \d+ was already compacted)/.test(text),
      ),
    ).toBe(true);
    expect(steps.filter((text) => /defragmented in .*MiB → .*KiB on disk/.test(text))).toHaveLength(3);
    expect(steps.some((text) => /Disarmed NOSPACE/.test(text))).toBe(true);
    expect(steps.some((text) => /A test write succeeded/.test(text))).toBe(true);

    await client.waitFor(ONCALL, 'the alert to resolve on the same message', (state) =>
      state.messages.find((each) => each.ts === alertRun.ts && /Alert resolved/.test(everything(each))),
    );
    const channel = (await client.state(ONCALL)).messages.filter((each) => !each.threadTs && !each.ephemeral);
    expect(channel.filter((each) => /etcdDatabaseQuotaLowSpace/.test(everything(each)))).toHaveLength(1);
  }, 600_000);

  it.each([
    ['degraded', 'etcdMembersDown', /Control-plane health/],
    ['slow-apiserver', 'KubeAPIErrorBudgetBurn', /API server high latency/],
    ['pending-pods', 'KubePodNotReady', /Pods stuck Pending/],
  ])(
    'switchboard %s: %s fires through Prometheus and Alertmanager, the bot diagnoses, and healthy again resolves it',
    async (scenario, alertname, title) => {
      const before = new Set((await client.state(ONCALL)).messages.map((each) => each.ts));
      await client.post('scenario', { id: scenario });
      await waitUntil(
        async () =>
          (await client.alerts()).some(
            (alert) => alert.labels.alertname === alertname && alert.status.state === 'active',
          ),
        { what: `Alertmanager to hold ${alertname}`, timeoutMs: 90_000, intervalMs: 500 },
      );
      const named = new RegExp(alertname);
      // A new run, or, when an earlier scenario fired the same alert within the episode's window (degraded also
      // leaves pods not ready), a "Firing again" note in that run's thread. Alertmanager's notification, the bot's
      // inbox and its processor take seconds alone, but on two cores busy with the rest of the suite over a minute.
      const run = await client.waitFor(
        ONCALL,
        `the ${alertname} run, or a "Firing again" note on an earlier one`,
        (state) => {
          const fresh = state.messages.filter((each) => !before.has(each.ts));
          const started = fresh.find(
            (each) => !each.threadTs && named.test(everything(each)) && title.test(everything(each)),
          );
          if (started) return started;
          const note = fresh.find((each) => /^Firing again/.test(each.text) && named.test(each.text));
          const parent = note && state.messages.find((each) => each.ts === note.threadTs);
          return parent && title.test(everything(parent)) ? parent : undefined;
        },
        150_000,
      );
      const healthyAt = Date.now();
      await client.post('scenario', { id: 'healthy' });
      await client.waitFor(
        ONCALL,
        `${alertname} to resolve on its message`,
        (state) => {
          const shown = everything(state.messages.find((each) => each.ts === run.ts));
          const at = /Alert resolved\* at (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC/.exec(shown)?.[1];
          // Seconds only on the message: a resolution from before the switch is older than this second.
          return at && Date.parse(`${at.replace(' ', 'T')}Z`) >= Math.floor(healthyAt / 1000) * 1000 ? at : undefined;
        },
        90_000,
      );
      expect(stack.etcd.members.every((member) => member.running)).toBe(true);
    },
    400_000,
  );

  it('answers /quorum help to the asker alone', async () => {
    await client.post('command', { user: ONCALL, text: '/quorum help' });
    await client.waitFor(ONCALL, 'the help, visible to the on-call engineer', (state) =>
      state.messages.find((each) => each.ephemeral && /diagnose/.test(each.text)),
    );
    const seenByApprover = (await client.state(APPROVER)).messages.filter((each) => each.ephemeral);
    expect(seenByApprover.filter((each) => /diagnose <playbook>/.test(each.text))).toEqual([]);
  });

  it('renders every message and modal the bot produced, every version of it, without an unsupported-block fallback', () => {
    const rendered = stack.slack.state.messages.flatMap((message) =>
      message.history.map((version) => ({ ts: message.ts, blocks: version.blocks ?? [] })),
    );
    const views = stack.slack.state.views.map((view) => ({ ts: view.id, blocks: view.view.blocks }));
    const all = [...rendered, ...views];
    expect(all.length).toBeGreaterThan(10);
    const types = new Set(all.flatMap((each) => (each.blocks as Array<{ type: string }>).map((block) => block.type)));
    // The block types the bot sends, all met in these flows.
    expect([...types].sort()).toEqual(
      expect.arrayContaining(['actions', 'context', 'divider', 'header', 'input', 'section']),
    );
    for (const each of all)
      expect({ ts: each.ts, unsupported: renderBlocks(each.blocks).unsupported }).toEqual({
        ts: each.ts,
        unsupported: [],
      });
    expect(stack.slack.state.channels.get(DEMO_CHANNEL)).toBeDefined();
  });

  it('stops with no process, port or temporary directory left', async () => {
    const pids = stack.pids();
    const ports = [
      stack.consoleUrl,
      stack.botUrl,
      stack.prometheusUrl,
      stack.alertmanagerUrl,
      stack.kubeStateMetricsUrl,
      stack.simulator.url,
      ...stack.etcd.endpoints,
      ...stack.etcd.members.map((member) => member.metricsUrl),
    ].map(portOf);
    const dirs = [...stack.tempDirs, stack.simulator.kubeconfigPath];
    expect(pids.length).toBeGreaterThanOrEqual(8);
    expect(dirs.every((dir) => existsSync(dir))).toBe(true);
    await stack.stop();
    await waitUntil(() => pids.every((pid) => !isProcessAlive(pid)), {
      what: 'every process of the demo to exit',
      timeoutMs: 10_000,
    });
    expect(await Promise.all(ports.map(portClosed))).toEqual(ports.map(() => true));
    expect(dirs.filter((dir) => existsSync(dir))).toEqual([]);
  }, 90_000);
});
