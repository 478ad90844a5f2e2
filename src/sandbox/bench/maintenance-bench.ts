import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import type { ApprovalRecord } from '../../approvals/approval-record.js';
import { ApprovalStore } from '../../approvals/approval-store.js';
import { AuditLog } from '../../approvals/audit-log.js';
import { newApproval, planLine } from '../../approvals/new-approval.js';
import { readClusterView } from '../../checks/etcd-cluster-view.js';
import { observedBasis, planSpaceMaintenance } from '../../checks/etcd-maintenance-plan.js';
import { createEtcdReader } from '../../etcd/etcd3-reader.js';
import { MaintenanceQueue } from '../../queue/maintenance-queue.js';
import { closeRedis, createRedis } from '../../queue/redis-connection.js';
import { fillToNospace, seedRegistry } from '../etcd-seed.js';
import { startEtcdCluster, type EtcdCluster } from '../services/etcd-cluster.js';
import { startRedis } from '../services/redis-server.js';
import { waitUntil } from '../services/wait-until.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const MiB = 1024 * 1024;
/** Small enough to fill in seconds, large enough that defragmentation is measurable. */
const QUOTA = 32 * MiB;
/** The pause the executor makes between members: the target allows for it on top of the floor. */
const PAUSE_SECONDS = 1;
/** Target: Quorum's time from approval to writable within this factor of the etcdctl floor, plus the pauses. */
const FACTOR = 1.2;
/** Rounds, alternating Quorum and the floor on refilled clusters: the medians are compared. */
const ROUNDS = 3;

/** The plan exactly as the etcd-db-growth diagnosis makes it. */
async function planned(endpoints: readonly string[]): Promise<ApprovalRecord> {
  const reader = createEtcdReader({ endpoints: [...endpoints] });
  try {
    const view = await readClusterView(reader);
    const alarms = await reader.alarms();
    const basis = observedBasis({ runId: 'r-bench-00000000', cluster: 'lab' }, view, alarms, QUOTA, new Date());
    const proposals = planSpaceMaintenance(view, alarms, basis, {
      defragQuotaRatio: 0.8,
      minReclaimBytes: 200 * MiB,
      disarmBelowRatio: 0.9,
    });
    return newApproval({
      cluster: 'lab',
      runId: 'r-bench-00000000',
      findingTitle: 'etcd out of space',
      proposals,
      reason: 'bench',
      requestedBy: 'U0BENCHONCALL',
      approvers: { users: ['U0BENCHAPPROVER'], groups: [], required: 1, allowSelfApproval: false, expiresMinutes: 15 },
    });
  } finally {
    await reader.close();
  }
}

export type BenchRow = Record<string, string | number> & {
  benchmark: string;
  wallSeconds: number;
  peakRssMiB: number | string;
  target: string;
  met: string;
  notes: string;
};

function etcdctl(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'etcdctl',
      [...args],
      { timeout: 120_000, env: { ...process.env, ETCDCTL_API: '3' } },
      (error, stdout, stderr) =>
        error ? reject(new Error(`etcdctl ${args.join(' ')}: ${stderr || error.message}`)) : resolve(stdout),
    );
  });
}

/** A cluster in the state of a real NOSPACE incident: at the quota, the alarm raised, history compacted away. */
async function nospaceCluster(): Promise<EtcdCluster> {
  const cluster = await startEtcdCluster({ members: 3, quotaBytes: QUOTA });
  await seedRegistry(cluster.endpoints);
  await fillToNospace(cluster.endpoints, { timeoutMs: 60_000 });
  return cluster;
}

interface MemberStatusJson {
  Endpoint: string;
  Status: { header: { revision: number; member_id: number }; leader: number; dbSize: number };
}

/**
 * The floor: the etcd maintenance guide's NOSPACE recovery typed by hand with etcdctl, one command after another —
 * read the revision, compact to it (physical), defragment each member (followers first, the leader last), disarm,
 * verify a write. Process start-up of each etcdctl counts: that is what doing it by hand costs.
 */
async function byHand(cluster: EtcdCluster): Promise<{ ms: number; defragMs: Record<string, number> }> {
  const started = performance.now();
  const all = cluster.endpoints.join(',');
  const statuses = JSON.parse(
    await etcdctl(['--endpoints', all, 'endpoint', 'status', '-w', 'json']),
  ) as MemberStatusJson[];
  const leader = statuses.find((status) => status.Status.leader === status.Status.header.member_id);
  const revision = Math.max(...statuses.map((status) => status.Status.header.revision));
  await etcdctl(['--endpoints', all, 'compact', String(revision), '--physical']);
  const order = [...statuses.filter((status) => status !== leader), ...(leader ? [leader] : [])];
  const defragMs: Record<string, number> = {};
  for (const member of order) {
    const began = performance.now();
    await etcdctl(['--endpoints', member.Endpoint, '--command-timeout', '120s', 'defrag']);
    defragMs[member.Endpoint] = performance.now() - began;
  }
  await etcdctl(['--endpoints', all, 'alarm', 'disarm']);
  await etcdctl(['--endpoints', all, 'put', '/quorum/bench/write-check', 'ok']);
  return { ms: performance.now() - started, defragMs };
}

/** Waits for a child's stderr to say `pattern`, or fails with what it said. */
function waitForLine(child: ReturnType<typeof spawn>, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let said = '';
    const timer = setTimeout(
      () => reject(new Error(`the executor did not start in ${timeoutMs} ms:\n${said}`)),
      timeoutMs,
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      if (pattern.test(said)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the executor exited with ${code}:\n${said}`));
    });
  });
}

/**
 * NOSPACE recovery through Quorum: the plan the etcd-db-growth diagnosis makes, approved, run by a real `quorum
 * executor` process (as deployed: its own process, its own queue), timed from the approval to the verified write.
 * In the same run, the same sequence by hand with etcdctl on an identically filled cluster is the floor.
 */
export async function benchNospaceRecovery(write: (text: string) => void): Promise<BenchRow[]> {
  const redis = await startRedis();
  const directory = await mkdtemp(join(tmpdir(), 'quorum-bench-maintenance-'));
  let ours: EtcdCluster | undefined;
  let floor: EtcdCluster | undefined;
  let executor: ReturnType<typeof spawn> | undefined;
  const connection = createRedis({ url: redis.url, prefix: '{quorum}' }, 'worker');
  try {
    write('Maintenance: two 3-member etcd clusters filled into NOSPACE (32 MiB quota)…\n');
    ours = await nospaceCluster();
    floor = await nospaceCluster();
    const config = {
      clusters: { lab: { etcd: { endpoints: ours.endpoints, quotaBytes: QUOTA } } },
      redis: { url: redis.url },
      executor: { clusters: { lab: { etcd: {} } }, pauseBetweenMembersSeconds: PAUSE_SECONDS, lockSeconds: 10 },
      logLevel: 'info',
    };
    const file = join(directory, 'quorum.yaml');
    await writeFile(file, stringify(config));
    executor = spawn(process.execPath, [join(ROOT, 'bin', 'quorum.js'), 'executor', '--config', file], {
      env: { ...process.env, QUORUM_FROM_SOURCE: '1', SLACK_BOT_TOKEN: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    await waitForLine(executor, /executor waiting for approved maintenance/, 60_000);

    const audit = new AuditLog({ connection, prefix: '{quorum}' });
    const store = new ApprovalStore({ connection, prefix: '{quorum}', audit });
    const queue = new MaintenanceQueue({ connection, prefix: '{quorum}' });
    const rounds: Array<{
      quorumMs: number;
      pausesMs: number;
      handMs: number;
      done: ApprovalRecord;
      hand: Record<string, number>;
    }> = [];
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        if (round > 1) {
          write(`  round ${round}: filling both clusters into NOSPACE again…\n`);
          await fillToNospace(ours.endpoints, { timeoutMs: 60_000 });
          await fillToNospace(floor.endpoints, { timeoutMs: 60_000 });
        }
        const record = await planned(ours.endpoints);
        await store.create(record, planLine(record.plan));
        const approvedAt = Date.now();
        await store.applyOrThrow(record.id, { kind: 'approve', by: 'U0BENCHAPPROVER' });
        await queue.enqueue({ approvalId: record.id, cluster: 'lab' });
        await waitUntil(async () => ['done', 'failed', 'aborted'].includes((await store.get(record.id))?.state ?? ''), {
          what: 'the maintenance to end',
          timeoutMs: 300_000,
          intervalMs: 20,
        });
        const done = (await store.get(record.id)) as ApprovalRecord;
        if (done.state !== 'done')
          throw new Error(`the maintenance ended ${done.state}: ${done.execution?.outcome ?? ''}`);
        const writable = done.execution?.steps.find((step) => step.step === 'write-check' && step.outcome === 'ok');
        const quorumMs = Date.parse(writable?.at ?? done.execution?.finishedAt ?? '') - approvedAt;
        const defrags = done.execution?.steps.filter((step) => step.step === 'defrag' && step.outcome === 'ok') ?? [];
        const pausesMs = Math.max(0, defrags.length - 1) * PAUSE_SECONDS * 1000;
        const hand = await byHand(floor);
        write(
          `  round ${round}: Quorum ${(quorumMs / 1000).toFixed(2)} s (${(pausesMs / 1000).toFixed(0)} s of pauses), etcdctl by hand ${(hand.ms / 1000).toFixed(2)} s\n`,
        );
        rounds.push({ quorumMs, pausesMs, handMs: hand.ms, done, hand: hand.defragMs });
      }
    } finally {
      await queue.close();
    }
    const median = (values: number[]): number =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
    const quorumMs = median(rounds.map((round) => round.quorumMs));
    const handMs = median(rounds.map((round) => round.handMs));
    const pausesMs = rounds[0]?.pausesMs ?? 0;
    const typical = rounds.find((round) => round.quorumMs === quorumMs) ?? rounds[0];
    const done = typical?.done;
    const defrags = done?.execution?.steps.filter((step) => step.step === 'defrag' && step.outcome === 'ok') ?? [];
    const sizes = (done?.execution?.before ?? []).map((member) => {
      const after = done?.execution?.after.find((each) => each.id === member.id);
      return `${member.name} ${(member.dbSizeBytes / MiB).toFixed(1)}→${((after?.dbSizeBytes ?? 0) / MiB).toFixed(1)} MiB`;
    });
    const limit = FACTOR * handMs + pausesMs;
    return [
      {
        benchmark: 'NOSPACE recovery, approval → writable (3 members, 32 MiB quota)',
        wallSeconds: Number((quorumMs / 1000).toFixed(2)),
        peakRssMiB: '—',
        target: `≤ ${FACTOR}× the etcdctl floor + the pauses`,
        met: quorumMs <= limit ? 'yes' : 'no',
        notes:
          `medians of ${ROUNDS} rounds; etcdctl by hand ${(handMs / 1000).toFixed(2)} s (${rounds.map((round) => (round.handMs / 1000).toFixed(2)).join(', ')}); ` +
          `Quorum ${rounds.map((round) => (round.quorumMs / 1000).toFixed(2)).join(', ')} s, minus ${(pausesMs / 1000).toFixed(0)} s of pauses (${PAUSE_SECONDS} s between members) ${((quorumMs - pausesMs) / 1000).toFixed(2)} s = ${((quorumMs - pausesMs) / handMs).toFixed(2)}× the floor; ` +
          `defrag per member ${defrags.map((step) => `${step.member} ${((step.tookMs ?? 0) / 1000).toFixed(2)} s`).join(', ')} (leader last; by hand ${Object.values(
            typical?.hand ?? {},
          )
            .map((ms) => (ms / 1000).toFixed(2))
            .join(', ')} s); ` +
          `db size before→after: ${sizes.join(', ')}; Quorum's time includes the queue, the lock, a pre-flight of every member before each step and the records`,
      },
    ];
  } finally {
    if (executor && executor.exitCode === null) {
      const exited = new Promise((resolve) => executor?.once('exit', resolve));
      executor.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000).unref())]);
    }
    await closeRedis(connection);
    await Promise.allSettled([ours?.stop(), floor?.stop()]);
    await redis.stop();
    await rm(directory, { recursive: true, force: true });
  }
}
