import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runCli } from '../cli/run-cli.js';
import type { RedisClient } from '../../src/core/redis-client.js';
import { ApprovalStore } from '../../src/approvals/approval-store.js';
import { AuditLog } from '../../src/approvals/audit-log.js';
import { newApproval, planLine } from '../../src/approvals/new-approval.js';
import { ConfigSchema, type Config } from '../../src/config/config-schema.js';
import { loadSecrets } from '../../src/config/secrets.js';
import { reportProposals } from '../../src/findings/report-proposals.js';
import { MaintenanceQueue } from '../../src/queue/maintenance-queue.js';
import { closeRedis, createRedis } from '../../src/queue/redis-connection.js';
import { RunRecords } from '../../src/queue/run-records.js';
import { APPROVE_ACTION_ID, DENY_ACTION_ID } from '../../src/render/approval-blocks.js';
import { encodeProposalRef, proposalActionId } from '../../src/render/proposal-ref.js';
import { blockActionsPayload, viewSubmissionPayload } from '../../src/sandbox/slack-double/interaction-payloads.js';
import { sendInteraction, sendSlashCommand } from '../../src/sandbox/slack-double/signed-requests.js';
import type { SlackMessage } from '../../src/sandbox/slack-double/slack-state.js';
import { startSlackDouble, type SlackDouble } from '../../src/sandbox/slack-double/start-slack-double.js';
import { waitUntil } from '../../src/sandbox/services/wait-until.js';
import type { RunningBot } from '../../src/slack/bot-app.js';
import { startBot } from '../../src/slack/start-bot.js';
import { degradedReport, nospace } from '../render/fixtures.js';
import { startRedis, type RedisService } from '../helpers/services.js';

const SIGNING_SECRET = 'test-signing-secret';
const BOT_TOKEN = 'xoxb-test-token';
const CHANNEL = 'C0INCIDENT';
const ONCALL = 'U0ONCALL1';
const APPROVER = 'U0APPROVER1';
const GROUP_LEAD = 'U0GROUPLEAD';
const BYSTANDER = 'U0BYSTANDER';
const CLUSTER = 'prod-eu-1';

const text = (message: SlackMessage | undefined): string =>
  `${message?.text ?? ''} ${JSON.stringify(message?.blocks ?? [])}`;

describe('maintenance approvals from Slack: request, approve, deny, refuse', () => {
  let redis: RedisService;
  let slack: SlackDouble;
  let config: Config;
  let bot: RunningBot;
  let connection: RedisClient;
  let audit: AuditLog;
  let store: ApprovalStore;
  let queue: MaintenanceQueue;
  let runTs: string;
  const report = degradedReport();
  const secrets = loadSecrets({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET });

  beforeAll(async () => {
    [redis, slack] = await Promise.all([
      startRedis(),
      startSlackDouble({ botToken: BOT_TOKEN, userGroups: { S0SRELEADS: [GROUP_LEAD] } }),
    ]);
    config = ConfigSchema.parse({
      clusters: {
        [CLUSTER]: {
          slack: { channel: CHANNEL },
          approvers: { users: [APPROVER], groups: ['S0SRELEADS'], required: 1, expiresMinutes: 15 },
        },
        'prod-us': {},
      },
      server: { port: 0, host: '127.0.0.1' },
      redis: { url: redis.url },
      slack: { apiUrl: slack.apiUrl },
    });
    bot = await startBot({ config, secrets, expirySweepMs: 200 });
    connection = createRedis(config.redis, 'worker');
    audit = new AuditLog({ connection, prefix: config.redis.prefix });
    store = new ApprovalStore({ connection, prefix: config.redis.prefix, audit });
    queue = new MaintenanceQueue({ connection, prefix: config.redis.prefix });
    // The run's message, as the worker left it: the approval conversation lives in its thread.
    const posted = await fetch(`${slack.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BOT_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        channel: CHANNEL,
        text: 'Control-plane health on prod-eu-1: critical',
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Control-plane health on prod-eu-1: critical' } }],
      }),
    });
    runTs = ((await posted.json()) as { ts: string }).ts;
    const records = new RunRecords({ connection, prefix: config.redis.prefix });
    await records.save({
      runId: report.runId,
      cluster: CLUSTER,
      playbook: report.playbook,
      trigger: report.trigger,
      requestedAt: report.requestedAt,
      state: 'succeeded',
      attempts: 1,
      slack: { channel: CHANNEL, messageTs: runTs, threadParts: 2 },
    });
    await records.saveReport(report);
  }, 60_000);
  afterAll(async () => {
    await queue?.close();
    if (connection) await closeRedis(connection);
    await bot?.stop();
    await Promise.allSettled([redis?.stop(), slack?.stop()]);
  });

  const events = () => `${bot.url}/slack/events`;
  const click = (user: string, actionId: string, value: string, messageTs = runTs) =>
    sendInteraction(
      events(),
      SIGNING_SECRET,
      blockActionsPayload({
        user,
        channel: CHANNEL,
        messageTs,
        threadTs: runTs,
        actionId,
        value,
        triggerId: slack.triggerId(),
        responseUrl: slack.responseUrl(CHANNEL, user),
      }),
    );
  const ephemeralTo = (user: string, pattern: RegExp) =>
    waitUntil(() => slack.state.ephemerals(user).some((message) => pattern.test(message.text)), {
      what: `an ephemeral message to ${user} matching ${pattern}`,
      timeoutMs: 5_000,
    });

  /** Clicks "Request maintenance" on the NOSPACE finding, fills in the reason, and returns the posted request. */
  async function request(reason: string, user = ONCALL): Promise<{ id: string; message: SlackMessage }> {
    const proposal = reportProposals(report.findings).find((entry) => entry.proposal.action === 'etcd.compact');
    const ref = encodeProposalRef({ runId: report.runId, proposal: proposal?.index ?? -1, action: 'etcd.compact' });
    const views = slack.state.views.length;
    const before = slack.state.thread(CHANNEL, runTs).length;
    expect((await click(user, proposalActionId('etcd.compact'), ref)).status).toBe(200);
    await waitUntil(() => slack.state.views.length > views, { what: 'the request modal', timeoutMs: 5_000 });
    const opened = slack.state.views.at(-1);
    expect(JSON.stringify(opened?.view)).toContain('Why now?');
    const submitted = await sendInteraction(
      events(),
      SIGNING_SECRET,
      viewSubmissionPayload({
        user,
        view: opened?.view ?? {},
        viewId: opened?.id ?? 'V0',
        values: { reason: { reason } },
      }),
    );
    expect(submitted.status).toBe(200);
    await waitUntil(() => slack.state.thread(CHANNEL, runTs).length > before, {
      what: 'the approval request',
      timeoutMs: 5_000,
    });
    const message = slack.state.thread(CHANNEL, runTs).at(-1) as SlackMessage;
    const id = /"value":"(a-[a-z0-9]+-[0-9a-f]{8})"/.exec(JSON.stringify(message.blocks))?.[1] ?? '';
    expect(id).not.toBe('');
    await waitUntil(async () => (await store.get(id))?.slack?.requestTs === message.ts, {
      what: 'the request message remembered',
      timeoutMs: 5_000,
    });
    return { id, message };
  }

  it('posts the exact plan in the thread with Approve (danger, confirmed) and Deny, and audits the request', async () => {
    const { id, message } = await request('NOSPACE since 03:10, writes refused');
    const body = text(message);
    expect(body).toContain('Maintenance approval requested: etcd on prod-eu-1');
    expect(body).toContain('NOSPACE since 03:10, writes refused');
    // Actions in order: compact, the followers, the leader last, disarm; sizes per member and the space back.
    expect(body).toMatch(
      /1\. Compact the keyspace to revision \*48211237\*.*2\. Defragment \*etcd-b\* \(follower.*3\. Defragment \*etcd-c\* \(follower.*4\. Defragment \*etcd-a\* \(leader, last.*5\. Disarm NOSPACE only if every member is below/s,
    );
    expect(body).toMatch(/1\.9 GiB on disk, 590 MiB in use → ~1\.3 GiB back/);
    expect(body).toContain('Expected space back:');
    expect(body).toContain('blocks its reads and writes while it defragments');
    expect(body).toContain(`<@${APPROVER}>, <!subteam^S0SRELEADS>`);
    expect(body).toMatch(/expires \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    const actions = (message.blocks ?? []).find((block) => (block as { type: string }).type === 'actions') as {
      elements: Array<{ action_id: string; style?: string; confirm?: unknown }>;
    };
    expect(actions.elements.map((button) => [button.action_id, button.style, Boolean(button.confirm)])).toEqual([
      [APPROVE_ACTION_ID, 'danger', true],
      [DENY_ACTION_ID, undefined, false],
    ]);
    const record = await store.get(id);
    expect(record).toMatchObject({
      state: 'pending',
      requestedBy: ONCALL,
      slack: { channel: CHANNEL, threadTs: runTs },
    });
    const entries = await audit.read({ cluster: CLUSTER });
    expect(entries.find((entry) => entry.approvalId === id && entry.action === 'approval.request')).toMatchObject({
      actor: ONCALL,
      outcome: 'pending',
      detail: 'NOSPACE since 03:10, writes refused',
    });
  }, 30_000);

  it('refuses self-approval and a non-approver ephemerally, saying why, and audits both', async () => {
    const { id } = await request('refusals');
    await click(ONCALL, APPROVE_ACTION_ID, id);
    await ephemeralTo(ONCALL, /You requested this maintenance, so you cannot approve it/);
    await click(BYSTANDER, APPROVE_ACTION_ID, id);
    await ephemeralTo(BYSTANDER, /Nothing happened: you are not one of the approvers/);
    expect((await store.get(id))?.state).toBe('pending');
    const outcomes = (await audit.read())
      .filter((entry) => entry.approvalId === id)
      .map((entry) => `${entry.actor} ${entry.outcome}`);
    expect(outcomes).toEqual(
      expect.arrayContaining([`${ONCALL} refused: self-approval`, `${BYSTANDER} refused: not an approver`]),
    );
  }, 30_000);

  it('lets a user-group member approve, queues the plan once, and runs nothing more on a replayed click', async () => {
    const { id, message } = await request('approve me');
    await click(GROUP_LEAD, APPROVE_ACTION_ID, id);
    await waitUntil(async () => (await store.get(id))?.state === 'approved', { what: 'approval', timeoutMs: 5_000 });
    await waitUntil(() => /Approved by <@U0GROUPLEAD>/.test(text(slack.state.find(CHANNEL, message.ts))), {
      what: 'the request message to show the approval',
      timeoutMs: 5_000,
    });
    expect(text(slack.state.find(CHANNEL, message.ts))).not.toContain(APPROVE_ACTION_ID);
    await waitUntil(async () => (await queue.counts(CLUSTER)).waiting === 1, {
      what: 'the queued job',
      timeoutMs: 5_000,
    });
    // The same click again (a double click, a replayed request): refused, nothing queued twice.
    await click(GROUP_LEAD, APPROVE_ACTION_ID, id);
    await ephemeralTo(GROUP_LEAD, /This request is approved/);
    await click(APPROVER, APPROVE_ACTION_ID, id);
    await ephemeralTo(APPROVER, /This request is approved/);
    expect(await queue.counts(CLUSTER)).toMatchObject({ waiting: 1 });
    const replays = (await audit.read()).filter(
      (entry) => entry.approvalId === id && entry.outcome === 'refused: approved',
    );
    expect(replays).toHaveLength(2);
  }, 30_000);

  it('ends a request on Deny: the message says so and a later approval is refused', async () => {
    const { id, message } = await request('deny me');
    await click(APPROVER, DENY_ACTION_ID, id);
    await waitUntil(() => /Denied by <@U0APPROVER1>/.test(text(slack.state.find(CHANNEL, message.ts))), {
      what: 'the denial in the message',
      timeoutMs: 5_000,
    });
    await click(GROUP_LEAD, APPROVE_ACTION_ID, id);
    await ephemeralTo(GROUP_LEAD, /This request is denied \(by <@U0APPROVER1>\)/);
    expect((await store.get(id))?.state).toBe('denied');
    expect((await audit.read()).find((entry) => entry.approvalId === id && entry.outcome === 'denied')?.actor).toBe(
      APPROVER,
    );
  }, 30_000);

  it('refuses an expired request, marks it expired in its message and the audit trail', async () => {
    const past = new Date(Date.now() - 20 * 60_000);
    const record = newApproval({
      cluster: CLUSTER,
      runId: report.runId,
      findingTitle: nospace.title,
      proposals: nospace.proposals ?? [],
      reason: 'too late',
      requestedBy: ONCALL,
      approvers: config.clusters[CLUSTER]!.approvers!,
      slack: { channel: CHANNEL, threadTs: runTs },
      now: past,
    });
    await store.create(record, planLine(record.plan));
    await click(APPROVER, APPROVE_ACTION_ID, record.id);
    await ephemeralTo(APPROVER, /This request expired at/);
    expect((await store.get(record.id))?.state).toBe('expired');
    expect(
      (await audit.read()).find((entry) => entry.approvalId === record.id && entry.action === 'approval.approve'),
    ).toMatchObject({
      outcome: 'refused: expired',
    });
  }, 30_000);

  it('expires a request nobody decided: its message loses its buttons and the trail says so', async () => {
    const { id, message } = await request('nobody answers');
    // Move its deadline into the past, as time would.
    const key = `${config.redis.prefix}:approval:${id}`;
    const record = (await store.get(id))!;
    const past = new Date(Date.now() - 1_000).toISOString();
    await connection.hset(key, 'json', JSON.stringify({ ...record, expiresAt: past }));
    await connection.zadd(`${config.redis.prefix}:approval-deadlines`, Date.parse(past), id);
    await waitUntil(async () => (await store.get(id))?.state === 'expired', { what: 'the sweep', timeoutMs: 5_000 });
    await waitUntil(() => /Expired: nothing will run/.test(text(slack.state.find(CHANNEL, message.ts))), {
      what: 'the expired message',
      timeoutMs: 5_000,
    });
    expect(text(slack.state.find(CHANNEL, message.ts))).not.toContain(APPROVE_ACTION_ID);
    expect(
      (await audit.read()).find((entry) => entry.approvalId === id && entry.action === 'approval.expire'),
    ).toMatchObject({
      actor: 'quorum',
      outcome: 'expired',
    });
    // Counted for Quorum's own alerts (QuorumApprovalsExpiring in deploy/components/prometheus-operator).
    await waitUntil(
      async () => /^quorum_approvals_expired_total [1-9]/m.test(await (await fetch(`${bot.url}/metrics`)).text()),
      { what: 'the expiry counted in /metrics', timeoutMs: 5_000 },
    );
    expect(await (await fetch(`${bot.url}/metrics`)).text()).toContain('# TYPE quorum_maintenance_jobs gauge');
  }, 30_000);

  it('queues an approved request again when its job is missing (the bot stopped between approving and queueing)', async () => {
    const record = newApproval({
      cluster: CLUSTER,
      runId: report.runId,
      findingTitle: nospace.title,
      proposals: nospace.proposals ?? [],
      reason: 'queue me again',
      requestedBy: ONCALL,
      approvers: config.clusters[CLUSTER]!.approvers!,
    });
    await store.create(record, planLine(record.plan));
    await store.applyOrThrow(record.id, { kind: 'approve', by: APPROVER });
    const before = (await queue.counts(CLUSTER)).waiting ?? 0;
    await waitUntil(async () => ((await queue.counts(CLUSTER)).waiting ?? 0) === before + 1, {
      what: 'the sweep to queue it',
      timeoutMs: 5_000,
    });
  }, 30_000);

  it('tells the requester when the cluster has no approvers, and requests nothing', async () => {
    const other = { ...report, cluster: 'prod-us', runId: 'r-other-00000001' };
    const records = new RunRecords({ connection, prefix: config.redis.prefix });
    await records.saveReport(other);
    const proposal = reportProposals(other.findings).find((entry) => entry.proposal.action === 'etcd.compact');
    const ref = encodeProposalRef({ runId: other.runId, proposal: proposal?.index ?? -1, action: 'etcd.compact' });
    const views = slack.state.views.length;
    await click(ONCALL, proposalActionId('etcd.compact'), ref);
    await waitUntil(() => slack.state.views.length > views, { what: 'the modal', timeoutMs: 5_000 });
    const opened = slack.state.views.at(-1);
    await sendInteraction(
      events(),
      SIGNING_SECRET,
      viewSubmissionPayload({
        user: ONCALL,
        view: opened?.view ?? {},
        viewId: opened?.id ?? 'V0',
        values: { reason: { reason: 'x y z' } },
      }),
    );
    await ephemeralTo(ONCALL, /Nobody may approve maintenance on `prod-us`: set `clusters\.prod-us\.approvers`/);
  }, 30_000);

  it('shows the audit trail to approvers with /quorum audit, ephemerally, and refuses anyone else', async () => {
    const command = (user: string, words: string) =>
      sendSlashCommand(events(), SIGNING_SECRET, {
        text: words,
        user_id: user,
        channel_id: CHANNEL,
        response_url: slack.responseUrl(CHANNEL, user),
      });
    const refused = JSON.parse((await command(BYSTANDER, 'audit')).body) as { response_type: string; text: string };
    expect(refused).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('Only approvers may read the audit trail'),
    });
    const shown = JSON.parse((await command(GROUP_LEAD, `audit cluster=${CLUSTER} since=1h`)).body) as {
      response_type: string;
      text: string;
    };
    expect(shown.response_type).toBe('ephemeral');
    expect(shown.text).toContain('*Audit trail* (prod-eu-1, last 1h');
    expect(shown.text).toMatch(/approval\.approve {2}approved/);
    expect(shown.text).toMatch(/approval\.deny {2}denied/);
    const bad = JSON.parse((await command(APPROVER, 'audit since=yesterday')).body) as { text: string };
    expect(bad.text).toContain('Type `/quorum audit [cluster=NAME] [since=24h]`');
    const reads = (await audit.read())
      .filter((entry) => entry.action === 'command.audit')
      .map((entry) => `${entry.actor} ${entry.outcome}`);
    expect(reads).toEqual(expect.arrayContaining([`${BYSTANDER} refused: not an approver`, `${GROUP_LEAD} answered`]));
  }, 30_000);

  it('prints the trail from the command line: quorum audit --cluster --since --format json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quorum-audit-'));
    try {
      const file = join(dir, 'quorum.yaml');
      writeFileSync(file, `clusters:\n  ${CLUSTER}: {}\n  prod-us: {}\nredis: { url: '${redis.url}' }\n`);
      const json = await runCli(['audit', '--config', file, '--cluster', CLUSTER, '--since', '1h', '--format', 'json']);
      expect(json.code).toBe(0);
      const entries = JSON.parse(json.stdout) as Array<{ cluster: string; action: string; at: string }>;
      expect(entries.length).toBeGreaterThan(5);
      expect(entries.every((entry) => entry.cluster === CLUSTER)).toBe(true);
      expect(entries.map((entry) => entry.action)).toEqual(
        expect.arrayContaining(['approval.request', 'approval.approve', 'approval.deny']),
      );
      // Newest first.
      expect([...entries].sort((a, b) => b.at.localeCompare(a.at)).map((entry) => entry.at)).toEqual(
        entries.map((entry) => entry.at),
      );
      const text = await runCli(['audit', '--config', file, '--since', '1h']);
      expect(text.stdout).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ {2}prod-eu-1 {2}U0\w+ {2}\S+/m);
      const wrong = await runCli(['audit', '--config', file, '--since', 'yesterday']);
      expect(wrong.code).toBe(3);
      expect(wrong.stderr).toContain(
        '"yesterday" is not a duration: use a number and a unit, e.g. 30m, 24h, 7d or 1w.',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
