import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { noop } from 'cockatiel';
import { Etcd3 } from 'etcd3';
import type { RedisClient } from '../../src/core/redis-client.js';
import type { ApprovalRecord } from '../../src/approvals/approval-record.js';
import { ApprovalStore } from '../../src/approvals/approval-store.js';
import { AuditLog } from '../../src/approvals/audit-log.js';
import type { MaintenanceReporter } from '../../src/approvals/maintenance-reporter.js';
import { newApproval, planLine } from '../../src/approvals/new-approval.js';
import { ConfigSchema, type Config } from '../../src/config/config-schema.js';
import { loadSecrets } from '../../src/config/secrets.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import type { Proposal } from '../../src/findings/finding.js';
import { reportProposals } from '../../src/findings/report-proposals.js';
import { SILENT_REPORTER } from '../../src/approvals/maintenance-reporter.js';
import { ClusterLock } from '../../src/maintenance/cluster-lock.js';
import { executeApproval } from '../../src/maintenance/execute-approval.js';
import { observeCluster } from '../../src/maintenance/cluster-observation.js';
import { EtcdMaintenanceClient } from '../../src/maintenance/etcd-maintenance-client.js';
import { replan } from '../../src/maintenance/replan.js';
import { startExecutor, type RunningExecutor } from '../../src/maintenance/start-executor.js';
import { MaintenanceQueue } from '../../src/queue/maintenance-queue.js';
import { closeRedis, createRedis } from '../../src/queue/redis-connection.js';
import { RunRecords } from '../../src/queue/run-records.js';
import { APPROVE_ACTION_ID } from '../../src/render/approval-blocks.js';
import { encodeProposalRef, proposalActionId } from '../../src/render/proposal-ref.js';
import { fillToNospace, seedRegistry } from '../../src/sandbox/etcd-seed.js';
import { blockActionsPayload, viewSubmissionPayload } from '../../src/sandbox/slack-double/interaction-payloads.js';
import { sendInteraction } from '../../src/sandbox/slack-double/signed-requests.js';
import { startSlackDouble, type SlackDouble } from '../../src/sandbox/slack-double/start-slack-double.js';
import { waitUntil } from '../../src/sandbox/services/wait-until.js';
import { startSimulator, type RunningSimulator } from '../../src/sandbox/simulator/index.js';
import type { RunningBot } from '../../src/slack/bot-app.js';
import { SlackMaintenanceReporter } from '../../src/slack/slack-maintenance-reporter.js';
import { createSlackClient } from '../../src/slack/slack-client.js';
import { startBot } from '../../src/slack/start-bot.js';
import { startEtcdCluster, startRedis, type EtcdCluster, type RedisService } from '../helpers/services.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startService } from '../cli/service-process.js';

const MiB = 1024 * 1024;
const QUOTA = 16 * MiB;
const SIGNING_SECRET = 'test-signing-secret';
const BOT_TOKEN = 'xoxb-test-token';
const CHANNEL = 'C0INCIDENT';
const ONCALL = 'U0ONCALL1';
const APPROVER = 'U0APPROVER1';
const CLUSTER = 'lab-1';
const FINAL = ['done', 'failed', 'aborted', 'denied', 'expired'];

describe('the maintenance executor on a real 3-member etcd', () => {
  let redis: RedisService;
  let slack: SlackDouble;
  let etcd: EtcdCluster;
  let simulator: RunningSimulator;
  let config: Config;
  let bot: RunningBot;
  let executor: RunningExecutor;
  let connection: RedisClient;
  let store: ApprovalStore;
  let audit: AuditLog;
  let queue: MaintenanceQueue;
  let records: RunRecords;
  let admin: EtcdMaintenanceClient;
  let runTs: string;
  /** Called after every live step line of the executor: tests use it to break the cluster mid-sequence. */
  let onStep: (text: string) => Promise<void> = async () => undefined;
  const secrets = loadSecrets({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET });

  beforeAll(async () => {
    [redis, slack, etcd, simulator] = await Promise.all([
      startRedis(),
      startSlackDouble({ botToken: BOT_TOKEN }),
      startEtcdCluster({ members: 3, quotaBytes: QUOTA }),
      startSimulator({ scenario: 'etcd-db-growth' }),
    ]);
    config = ConfigSchema.parse({
      clusters: {
        [CLUSTER]: {
          kube: { kubeconfig: simulator.kubeconfigPath },
          etcd: { endpoints: etcd.endpoints, quotaBytes: QUOTA },
          slack: { channel: CHANNEL },
          approvers: { users: [APPROVER], required: 1, expiresMinutes: 15 },
        },
      },
      server: { port: 0, host: '127.0.0.1' },
      redis: { url: redis.url },
      slack: { apiUrl: slack.apiUrl },
      executor: {
        clusters: { [CLUSTER]: { etcd: {} } },
        pauseBetweenMembersSeconds: 0.2,
        lockSeconds: 2,
        lockWaitSeconds: 120,
        requestTimeoutSeconds: 5,
      },
    });
    connection = createRedis(config.redis, 'worker');
    audit = new AuditLog({ connection, prefix: config.redis.prefix });
    store = new ApprovalStore({ connection, prefix: config.redis.prefix, audit });
    queue = new MaintenanceQueue({ connection, prefix: config.redis.prefix });
    records = new RunRecords({ connection, prefix: config.redis.prefix });
    admin = new EtcdMaintenanceClient(
      { endpoints: etcd.endpoints },
      { requestMs: 5_000, compactMs: 30_000, defragMs: 60_000 },
    );
    bot = await startBot({ config, secrets });
    executor = await startHookedExecutor();
    const posted = (await (
      await fetch(`${slack.apiUrl}chat.postMessage`, {
        method: 'POST',
        headers: { authorization: `Bearer ${BOT_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          channel: CHANNEL,
          text: 'etcd on lab-1',
          blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'etcd on lab-1' } }],
        }),
      })
    ).json()) as { ts: string };
    runTs = posted.ts;
  }, 120_000);
  afterAll(async () => {
    admin?.close();
    await executor?.stop(1_000);
    await bot?.stop();
    await queue?.close();
    if (connection) await closeRedis(connection);
    await Promise.allSettled([redis?.stop(), slack?.stop(), etcd?.stop(), simulator?.stop()]);
  });

  /** The suite's own executor: it reports to the Slack double through the `onStep` hook. */
  function startHookedExecutor(): Promise<RunningExecutor> {
    const client = createSlackClient({ token: BOT_TOKEN, apiUrl: slack.apiUrl, retries: 0 });
    return startExecutor({
      config,
      name: 'executor-a',
      stalledIntervalMs: 1_000,
      reporter: (executorStore) => hooked(new SlackMaintenanceReporter({ client, store: executorStore })),
    });
  }

  function hooked(reporter: MaintenanceReporter): MaintenanceReporter {
    return {
      step: async (record, text) => {
        await reporter.step(record, text);
        await onStep(text);
      },
      updated: (record) => reporter.updated(record),
      finished: (record) => reporter.finished(record),
      replanned: (previous, next) => reporter.replanned(previous, next),
    };
  }

  const until = (what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 60_000) =>
    waitUntil(probe, { what, timeoutMs, intervalMs: 100 });
  const ended = async (id: string): Promise<ApprovalRecord> => {
    await until(`approval ${id} to end`, async () => FINAL.includes((await store.get(id))?.state ?? ''));
    return (await store.get(id)) as ApprovalRecord;
  };
  const events = () => `${bot.url}/slack/events`;
  const click = (user: string, actionId: string, value: string) =>
    sendInteraction(
      events(),
      SIGNING_SECRET,
      blockActionsPayload({
        user,
        channel: CHANNEL,
        messageTs: runTs,
        threadTs: runTs,
        actionId,
        value,
        triggerId: slack.triggerId(),
        responseUrl: slack.responseUrl(CHANNEL, user),
      }),
    );
  const writer = () => new Etcd3({ hosts: etcd.endpoints, faultHandling: { host: () => noop, global: noop } });
  const nameOf = (id: string, record: ApprovalRecord) => record.basis.members.find((member) => member.id === id)?.name;

  /** An approved request for the cluster as it is now (compaction and a defragmentation of every member). */
  async function approvedNow(
    reason: string,
    actions: Array<Proposal['action'] | Proposal> = ['etcd.compact', 'etcd.defrag'],
    dryRun = false,
  ): Promise<ApprovalRecord> {
    const observation = await observeCluster(admin, 5_000);
    const template = actions.map((action) => (typeof action === 'string' ? { action } : action) as Proposal);
    const basis = { runId: 'r-test-00000000', cluster: CLUSTER, quotaBytes: QUOTA } as Proposal['basis'];
    const record = newApproval({
      cluster: CLUSTER,
      runId: 'r-test-00000000',
      findingTitle: 'test maintenance',
      proposals: replan(template, basis, observation),
      reason,
      requestedBy: ONCALL,
      approvers: config.clusters[CLUSTER]!.approvers!,
      slack: { channel: CHANNEL, threadTs: runTs },
      dryRun,
    });
    await store.create(record, planLine(record.plan));
    return store.applyOrThrow(record.id, { kind: 'approve', by: APPROVER });
  }

  it('recovers from NOSPACE: diagnosis proposes, a second person approves, the executor runs, writes succeed', async () => {
    await seedRegistry(etcd.endpoints);
    await fillToNospace(etcd.endpoints);
    const report = await diagnose(config, {
      cluster: CLUSTER,
      playbook: 'etcd-db-growth',
      params: { windowSeconds: 1 },
      trigger: { kind: 'slack', by: ONCALL },
    });
    const numbered = reportProposals(report.findings);
    const first = numbered[0];
    expect(numbered.map((entry) => entry.proposal.action)).toEqual(['etcd.compact', 'etcd.defrag', 'etcd.disarm']);
    await records.save({
      runId: report.runId,
      cluster: CLUSTER,
      playbook: report.playbook,
      trigger: report.trigger,
      requestedAt: report.requestedAt,
      state: 'succeeded',
      attempts: 1,
      slack: { channel: CHANNEL, messageTs: runTs, threadParts: 1 },
    });
    await records.saveReport(report);

    // Request maintenance with a reason, through the modal.
    await click(
      ONCALL,
      proposalActionId('etcd.compact'),
      encodeProposalRef({ runId: report.runId, proposal: first!.index, action: 'etcd.compact' }),
    );
    await until('the modal', () => slack.state.views.length > 0, 5_000);
    const view = slack.state.views.at(-1)!;
    await sendInteraction(
      events(),
      SIGNING_SECRET,
      viewSubmissionPayload({
        user: ONCALL,
        view: view.view,
        viewId: view.id,
        values: { reason: { reason: 'NOSPACE: writes refused' } },
      }),
    );
    let id = '';
    await until(
      'the approval request',
      () => {
        id =
          /"value":"(a-[a-z0-9]+-[0-9a-f]{8})"/.exec(
            JSON.stringify(slack.state.thread(CHANNEL, runTs).map((m) => m.blocks)),
          )?.[1] ?? '';
        return id !== '';
      },
      10_000,
    );
    await until('the request message remembered', async () => Boolean((await store.get(id))?.slack?.requestTs), 5_000);

    // The requester cannot approve; the configured approver can.
    await click(ONCALL, APPROVE_ACTION_ID, id);
    await until(
      'the self-approval refusal',
      () => slack.state.ephemerals(ONCALL).some((m) => /cannot approve it/.test(m.text)),
      5_000,
    );
    await click(APPROVER, APPROVE_ACTION_ID, id);
    const record = await ended(id);
    expect(record.state).toBe('done');

    // Writes succeed, the alarm is gone, every member is near its in-use size.
    const client = writer();
    try {
      await client.put('/quorum-test/after-recovery').value('ok');
    } finally {
      client.close();
    }
    expect(await admin.alarms()).toEqual([]);
    for (const endpoint of etcd.endpoints) {
      const status = await admin.status(endpoint);
      expect(status.dbSizeBytes).toBeLessThan(QUOTA / 4);
      expect(status.dbSizeBytes).toBeLessThanOrEqual((status.dbSizeInUseBytes ?? 0) * 1.5 + MiB);
    }
    // The step log: compaction first, the followers, the leader defragmented last, then disarm and the write check.
    const steps = record.execution!.steps.filter((step) => step.outcome === 'ok');
    expect(steps.map((step) => step.step)).toEqual(['compact', 'defrag', 'defrag', 'defrag', 'disarm', 'write-check']);
    const defragged = steps.filter((step) => step.step === 'defrag').map((step) => step.member);
    expect(defragged.at(-1)).toBe(nameOf(record.basis.leaderId, record));
    expect(new Set(defragged).size).toBe(3);
    // Before and after per member, in the summary at the end of the thread.
    expect(record.execution!.before).toHaveLength(3);
    expect(record.execution!.after).toHaveLength(3);
    const thread = slack.state
      .thread(CHANNEL, runTs)
      .map((message) => message.text)
      .join('\n');
    expect(thread).toMatch(/defragmented in/);
    expect(thread).toMatch(/Maintenance done on lab-1/);
    expect(JSON.stringify(slack.state.thread(CHANNEL, runTs).at(-1)?.blocks)).toMatch(/before → after/);
    // Every decision and step is on the record.
    const actions = (await audit.read({ cluster: CLUSTER }))
      .filter((entry) => entry.approvalId === id)
      .map((entry) => `${entry.action} ${entry.outcome}`)
      .reverse();
    expect(actions).toEqual(
      expect.arrayContaining([
        'approval.request pending',
        'approval.approve refused: self-approval',
        'approval.approve approved',
        'maintenance.claim executing',
        'maintenance.step.defrag ok',
        'maintenance.done done',
      ]),
    );
  }, 180_000);

  it('runs nothing for a replayed approval, nor for a missing, unapproved, expired or consumed record', async () => {
    const revision = async () => (await admin.status(etcd.endpoints[0]!)).revision;
    const before = await revision();
    // Consumed: the approval that just ran.
    const done = (await audit.read({ cluster: CLUSTER })).find((entry) => entry.action === 'maintenance.done')
      ?.approvalId as string;
    // Missing.
    // Not approved: pending.
    const pending = newApproval({
      cluster: CLUSTER,
      runId: 'r-x',
      findingTitle: 't',
      proposals: (await store.get(done))!.plan,
      reason: 'pending',
      requestedBy: ONCALL,
      approvers: config.clusters[CLUSTER]!.approvers!,
    });
    await store.create(pending, 'p');
    // Expired: approved long ago and never started.
    const old = newApproval({ ...pendingInput(), now: new Date(Date.now() - 60 * 60_000) });
    await store.create(old, 'p');
    // Approved a minute after it was asked, an hour ago: its time to start has passed too.
    const then = new ApprovalStore({
      connection,
      prefix: config.redis.prefix,
      audit,
      now: () => new Date(Date.now() - 59 * 60_000),
    });
    await then.applyOrThrow(old.id, { kind: 'approve', by: APPROVER });
    const cases: Array<[string, RegExp]> = [
      [done, /already consumed \(done\): it runs at most once/],
      ['a-zzzz-00000000', /does not exist: nothing runs without one/],
      [pending.id, /is pending, not approved: nothing runs without an approval/],
      [old.id, /expired/],
    ];
    // A replayed job for the approval that ran is not even queued again (the job id is the approval id)…
    expect(await queue.enqueue({ approvalId: done, cluster: CLUSTER })).toBe('exists');
    // …and the executor itself refuses every such record, whoever hands it over.
    const deps = {
      store,
      audit,
      lock: new ClusterLock({ connection, prefix: config.redis.prefix, ttlMs: 2_000 }),
      client: () => admin,
      reporter: SILENT_REPORTER,
      executor: 'direct',
      pauseMs: 0,
      requestMs: 5_000,
      lockWaitMs: 30_000,
      dryRun: false,
    };
    for (const [approvalId, message] of cases) {
      await expect(
        executeApproval(deps, { approvalId, cluster: CLUSTER }, new AbortController().signal),
      ).rejects.toThrow(message);
    }
    const entries = await audit.read({ cluster: CLUSTER, limit: 500 });
    for (const [approvalId] of cases) {
      expect(
        entries.some(
          (entry) =>
            entry.approvalId === approvalId &&
            entry.action === 'maintenance.claim' &&
            entry.outcome.startsWith('refused'),
        ),
      ).toBe(true);
    }
    expect(await revision()).toBe(before);
    expect((await store.get(pending.id))?.state).toBe('pending');
    expect((await store.get(old.id))?.state).toBe('expired');
    expect((await store.get(done))?.state).toBe('done');

    function pendingInput() {
      return {
        cluster: CLUSTER,
        runId: 'r-x',
        findingTitle: 't',
        proposals: pending.plan,
        reason: 'old',
        requestedBy: ONCALL,
        approvers: config.clusters[CLUSTER]!.approvers!,
      };
    }
  }, 60_000);

  it('stops before touching another member when a follower goes down mid-sequence, reports where, releases the lock', async () => {
    const record = await approvedNow('follower stop test', ['etcd.defrag']);
    const defrag = record.plan.find((step) => step.action === 'etcd.defrag') as Extract<
      Proposal,
      { action: 'etcd.defrag' }
    >;
    const [first, second] = defrag.members;
    onStep = async (text) => {
      if (text.includes(`${first!.name} defragmented`)) {
        onStep = async () => undefined;
        await etcd.stopMember(second!.name);
      }
    };
    try {
      await queue.enqueue({ approvalId: record.id, cluster: CLUSTER });
      const stopped = await ended(record.id);
      expect(stopped.state).toBe('failed');
      const touched = stopped.execution!.steps.filter((step) => step.step === 'defrag').map((step) => step.member);
      expect(touched).toEqual([first!.name]);
      expect(stopped.execution!.outcome).toMatch(
        new RegExp(
          `stopped before defragmenting ${second!.name} \\(follower\\): not every member is healthy: ${second!.name}`,
        ),
      );
      expect(stopped.execution!.outcome).toMatch(/Members: .*healthy/);
      // The lock is free again (released right after the outcome is recorded): another maintenance could take it.
      await waitUntil(
        async () => (await connection.exists(`${config.redis.prefix}:maintenance-lock:${CLUSTER}`)) === 0,
        { what: 'the maintenance lock to be released', timeoutMs: 5_000 },
      );
    } finally {
      onStep = async () => undefined;
      await etcd.startMember(second!.name);
    }
  }, 120_000);

  it('re-plans instead of running the old plan when the leader changed after approval', async () => {
    const record = await approvedNow('leader change test');
    const observation = await observeCluster(admin, 5_000);
    const leader = observation.members.find((member) => member.id === observation.leaderId)!;
    const target = observation.members.find((member) => member.id !== observation.leaderId)!;
    const client = new Etcd3({ hosts: [leader.endpoint], faultHandling: { host: () => noop, global: noop } });
    try {
      await client.maintenance.moveLeader({ targetID: BigInt(`0x${target.id}`).toString(10) });
    } finally {
      client.close();
    }
    await until('the new leader', async () => (await observeCluster(admin, 5_000)).leaderId === target.id, 20_000);
    await queue.enqueue({ approvalId: record.id, cluster: CLUSTER });
    const aborted = await ended(record.id);
    expect(aborted.state).toBe('aborted');
    expect(aborted.execution!.steps.filter((step) => step.outcome === 'ok')).toEqual([]);
    expect(aborted.execution!.outcome).toMatch(/the leader changed from .* to /);
    const next = await store.get(aborted.replannedAs as string);
    expect(next).toMatchObject({ state: 'pending', replanOf: record.id });
    expect(next!.basis.leaderId).toBe(target.id);
    const defrag = next!.plan.find((step) => step.action === 'etcd.defrag') as Extract<
      Proposal,
      { action: 'etcd.defrag' }
    >;
    expect(defrag.members.at(-1)?.id).toBe(target.id);
    await until(
      'the re-planned request in the thread',
      () =>
        slack.state.thread(CHANNEL, runTs).some((m) => m.text.startsWith('Re-planned maintenance approval requested')),
      5_000,
    );
  }, 120_000);

  it('runs two approved requests for one cluster one after the other, even with two executors', async () => {
    const second = await startExecutor({
      config,
      name: 'executor-b',
      stalledIntervalMs: 1_000,
      reporter: () =>
        hooked({
          step: async () => undefined,
          updated: async () => undefined,
          finished: async () => undefined,
          replanned: async () => undefined,
        }),
    });
    try {
      const a = await approvedNow('sequential a', ['etcd.defrag']);
      const b = await approvedNow('sequential b', ['etcd.defrag']);
      await Promise.all([
        queue.enqueue({ approvalId: a.id, cluster: CLUSTER }),
        queue.enqueue({ approvalId: b.id, cluster: CLUSTER }),
      ]);
      const [doneA, doneB] = [await ended(a.id), await ended(b.id)];
      expect([doneA.state, doneB.state]).toEqual(['done', 'done']);
      const windows = [doneA, doneB]
        .map((record) => [Date.parse(record.execution!.startedAt), Date.parse(record.execution!.finishedAt!)] as const)
        .sort((x, y) => x[0] - y[0]);
      expect(windows[0]![1]).toBeLessThanOrEqual(windows[1]![0]);
      expect(doneA.execution!.fencingToken).not.toBe(doneB.execution!.fencingToken);
    } finally {
      await second.stop(1_000);
    }
  }, 180_000);

  it('reports, and does not resume, a maintenance whose executor died mid-run', async () => {
    const record = await approvedNow('dead executor test', ['etcd.defrag']);
    // What a killed executor leaves: the lock (until its TTL passes) and a record consumed by its token.
    const token = await connection.incr(`${config.redis.prefix}:maintenance-fence:${CLUSTER}`);
    await connection.set(`${config.redis.prefix}:maintenance-lock:${CLUSTER}`, `dead-executor:${token}`, 'PX', 1_000);
    await store.applyOrThrow(record.id, { kind: 'claim', executor: 'dead-executor', fencingToken: token });
    await store.applyOrThrow(record.id, {
      kind: 'step',
      step: { step: 'defrag', member: 'etcd-1', outcome: 'ok', at: new Date().toISOString() },
    });
    await queue.enqueue({ approvalId: record.id, cluster: CLUSTER });
    const aborted = await ended(record.id);
    expect(aborted.state).toBe('aborted');
    expect(aborted.history.at(-1)?.note).toMatch(
      /executor dead-executor stopped in the middle of this maintenance after defrag etcd-1; it is not resumed blindly/,
    );
    expect(aborted.execution!.steps).toHaveLength(1);
  }, 60_000);

  it('reports, and does not resume, a maintenance whose `quorum executor` process is killed with SIGKILL mid-run', async () => {
    // The in-process executor steps aside, so that the job goes to the process about to be killed.
    await executor.stop(1_000);
    const directory = mkdtempSync(join(tmpdir(), 'quorum-executor-kill-'));
    const configFile = join(directory, 'quorum.yaml');
    // A long pause between members: the process is killed while it waits to defragment the next one.
    writeFileSync(
      configFile,
      stringify({ ...config, executor: { ...config.executor, pauseBetweenMembersSeconds: 120 }, logLevel: 'info' }),
    );
    const doomed = startService(['executor', '--config', configFile], { SLACK_BOT_TOKEN: BOT_TOKEN });
    let restarted = false;
    try {
      await doomed.waitFor('executor waiting for approved maintenance');
      const record = await approvedNow('killed executor test', ['etcd.defrag']);
      await queue.enqueue({ approvalId: record.id, cluster: CLUSTER });
      await until('the first member to be defragmented by the doomed executor', async () =>
        ((await store.get(record.id))?.execution?.steps ?? []).some(
          (step) => step.step === 'defrag' && step.outcome === 'ok',
        ),
      );
      await doomed.kill();
      // The next executor finds the job stalled and the record mid-run under the dead one's token.
      executor = await startHookedExecutor();
      restarted = true;
      const aborted = await ended(record.id);
      expect(aborted.state).toBe('aborted');
      expect(aborted.history.at(-1)?.note).toMatch(
        /stopped in the middle of this maintenance after defrag .*not resumed blindly/,
      );
      // Exactly the one member the dead executor reached was defragmented: nothing ran after it.
      expect(aborted.execution!.steps.filter((step) => step.step === 'defrag')).toHaveLength(1);
    } finally {
      await doomed.kill();
      rmSync(directory, { recursive: true, force: true });
      if (!restarted) executor = await startHookedExecutor();
    }
  }, 120_000);

  it('changes nothing on a dry run, but checks and shows every step', async () => {
    const client = writer();
    try {
      // History to compact and free pages to reclaim, so that a real run would visibly change them.
      for (let index = 0; index < 20; index++) await client.put('/quorum-test/dry').value('x'.repeat(64 * 1024));
    } finally {
      client.close();
    }
    const before = await observeCluster(admin, 5_000);
    const record = await approvedNow('dry run test', ['etcd.compact', 'etcd.defrag'], true);
    await queue.enqueue({ approvalId: record.id, cluster: CLUSTER });
    const done = await ended(record.id);
    expect(done.state).toBe('done');
    expect(done.execution!.outcome).toBe('dry run: nothing was changed');
    expect(done.execution!.steps.map((step) => `${step.step}${step.member ? ` ${step.member}` : ''}`)).toEqual([
      'compact',
      ...(
        done.plan.find((step) => step.action === 'etcd.defrag') as Extract<Proposal, { action: 'etcd.defrag' }>
      ).members.map((member) => `defrag ${member.name}`),
    ]);
    const after = await observeCluster(admin, 5_000);
    expect(after.revision).toBe(before.revision);
    // Nothing shrank (a defragmentation would have); etcd may still commit the last puts' pages meanwhile.
    for (const member of after.members) {
      expect(member.status?.dbSizeBytes).toBeGreaterThanOrEqual(
        before.members.find((m) => m.id === member.id)?.status?.dbSizeBytes ?? Infinity,
      );
    }
    // Compaction did not happen: the old revision can still be read.
    const reader = writer();
    try {
      const old = await reader
        .get('/quorum-test/dry')
        .revision(Number(before.revision) - 5)
        .string();
      expect(old).toBe('x'.repeat(64 * 1024));
    } finally {
      reader.close();
    }
    expect(
      slack.state.thread(CHANNEL, runTs).some((message) => message.text.includes('Dry run: would compact to revision')),
    ).toBe(true);
  }, 60_000);

  it('leaves NOSPACE armed and says why when a file is still over the line at the disarm step', async () => {
    // Without compaction the filler's history stays: nothing the disarm step could free, every file at the quota.
    await fillToNospace(etcd.endpoints, { compact: false });
    const belowBytes = Math.floor(QUOTA * 0.9);
    const disarm = {
      action: 'etcd.disarm',
      summary: 'Disarm NOSPACE',
      condition: { description: 'below 90% of the quota', maxDbSizeRatio: 0.9, quotaBytes: QUOTA, belowBytes },
    } as Proposal;
    const record = await approvedNow('disarm over the line test', [disarm]);
    expect(record.plan.map((step) => step.action)).toEqual(['etcd.disarm']);
    await queue.enqueue({ approvalId: record.id, cluster: CLUSTER });
    const stopped = await ended(record.id);
    expect(stopped.state).toBe('failed');
    expect(stopped.execution!.outcome).toMatch(
      /NOSPACE left armed: etcd-\d is [\d.]+ MiB.*, not below 14\.4 MiB \(90% of the quota\)/,
    );
    expect((await admin.alarms()).map((alarm) => alarm.alarm)).toContain('NOSPACE');
    const client = writer();
    try {
      await expect(client.put('/quorum-test/after-refused-disarm').value('x')).rejects.toThrow(
        /database space exceeded/,
      );
    } finally {
      client.close();
    }
    expect(
      slack.state.thread(CHANNEL, runTs).some((message) => message.text.startsWith(':warning: NOSPACE left armed')),
    ).toBe(true);
  }, 60_000);
});
