import { execFile } from 'node:child_process';
import https from 'node:https';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, totalmem, tmpdir, type as osType, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { createCheckRegistry } from '../../checks/all-checks.js';
import { defaultPlaybooksDir } from '../../playbooks/default-dir.js';
import { loadPlaybooks } from '../../playbooks/load-playbooks.js';
import { startSimulator, type RunningSimulator } from '../simulator/index.js';
import { importRssBytes } from './import-cost.js';
import { compareWithRawList, RAW_LIST_NOTE } from './raw-list-baseline.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The compiled child: measuring through the TypeScript loader would add ~80 MiB that production never has. */
/** Compiled into a private directory, so that a bench run never leaves a dist/ behind for bin/quorum.js to prefer. */
const BUILD_DIR = join(ROOT, '.quorum', 'bench-dist');
const CHILD = join(BUILD_DIR, 'sandbox', 'bench', 'bench-child.js');
const RAW_LIST_CHILD = join(BUILD_DIR, 'sandbox', 'bench', 'raw-list-child.js');
/** The heap cap a diagnosing worker should run with (NODE_OPTIONS); without it V8 lets garbage pile up to GiBs. */
export const WORKER_HEAP_FLAG = '--max-old-space-size=256';
const MiB = 1024 * 1024;

interface ChildResult {
  playbook: string;
  wallMs: number;
  peakRssBytes: number;
  /** RSS once the modules are loaded, before the first request. */
  startRssBytes: number;
  /** CPU time of the diagnosis, in ms. */
  cpuMs: number;
  findings: number;
  worst: string;
  couldNotCheck: string[];
}

function build(): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [
        join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
        '-p',
        join(ROOT, 'tsconfig.build.json'),
        '--outDir',
        BUILD_DIR,
      ],
      (error, stdout) => (error ? reject(new Error(`npm run build failed:\n${stdout}`)) : resolve()),
    );
  });
}

function runChild(
  job: Record<string, unknown>,
  nodeFlags: readonly string[] = [WORKER_HEAP_FLAG],
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      // The compiled child lives outside the repository layout: tell it where the playbooks are.
      [...nodeFlags, CHILD, JSON.stringify({ playbooksDir: join(ROOT, 'playbooks'), ...job })],
      { timeout: 600_000, maxBuffer: 16 * MiB },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`bench child for ${String(job.playbook)} failed: ${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as ChildResult);
      },
    );
  });
}

/** Writes one single-check playbook per check of `playbookId`, to time each check alone. */
async function singleCheckPlaybooks(playbookId: string, directory: string): Promise<string[]> {
  const playbook = (await loadPlaybooks(defaultPlaybooksDir(), createCheckRegistry())).get(playbookId);
  if (!playbook) throw new Error(`no playbook ${playbookId}`);
  const ids: string[] = [];
  for (const [index, entry] of playbook.checks.entries()) {
    const id = `${playbookId}-only-${index}`;
    await writeFile(join(directory, `${id}.yaml`), stringify({ ...playbook, id, checks: [entry] }));
    ids.push(id);
  }
  return ids;
}

/** Replays the GETs a run made, one after another, as a person running the checklist by hand would. */
async function replaySequentially(simulator: RunningSimulator, paths: readonly string[]): Promise<number> {
  const agent = new https.Agent({ ca: simulator.caPem, keepAlive: true, maxSockets: 1 });
  const get = (path: string) =>
    new Promise<void>((resolve, reject) => {
      https
        .get(
          `${simulator.url}${path}`,
          { agent, headers: { Authorization: `Bearer ${simulator.token}` } },
          (response) => {
            response.resume();
            response.on('end', resolve);
          },
        )
        .on('error', reject);
    });
  const began = performance.now();
  try {
    for (const path of paths) await get(path);
  } finally {
    agent.destroy();
  }
  return performance.now() - began;
}

export interface BenchOptions {
  write: (text: string) => void;
  /** Where results go. @defaultValue bench/results */
  outDir: string;
  /** The README to update between its bench markers, if any. */
  readme?: string;
}

/**
 * `npm run bench`: (1) scheduler-pending and control-plane-health against a generated 5,000-node, 100,000-pod
 * cluster, wall time and peak RSS of the diagnosing process; (2) control-plane-health with 50 ms injected per
 * request, against the same requests made one after another and against its critical path.
 */
export async function runBench(options: BenchOptions): Promise<void> {
  const { write } = options;
  const rows: Array<Record<string, string | number>> = [];
  const startRss: number[] = [];
  write('Building dist/ (the benchmark measures compiled code)…\n');
  await build();
  write('Scale: generating a 5,000-node, 100,000-pod cluster (2,000 Pending)…\n');
  const scale = await startSimulator({ scenario: 'scale' });
  try {
    for (const playbook of ['scheduler-pending', 'control-plane-health']) {
      const result = await runChild({ kubeconfig: scale.kubeconfigPath, playbook });
      const uncapped = await runChild({ kubeconfig: scale.kubeconfigPath, playbook }, []);
      write(
        `  ${playbook}: ${(result.wallMs / 1000).toFixed(1)} s, peak RSS ${(result.peakRssBytes / MiB).toFixed(0)} MiB (${(uncapped.peakRssBytes / MiB).toFixed(0)} MiB with V8's default heap limit)\n`,
      );
      startRss.push(result.startRssBytes);
      // Both heap settings count: a worker started without the recommended NODE_OPTIONS must fit too.
      const fits = Math.max(result.peakRssBytes, uncapped.peakRssBytes) < 300 * MiB;
      rows.push({
        benchmark: `${playbook} @ 5k nodes / 100k pods`,
        wallSeconds: Number((result.wallMs / 1000).toFixed(2)),
        peakRssMiB: Math.round(result.peakRssBytes / MiB),
        target: 'RSS < 300 MiB with either heap setting, wall < 30 s',
        met: fits && result.wallMs < 30_000 ? 'yes' : 'no',
        notes: `${result.couldNotCheck.length > 0 ? `could not check: ${result.couldNotCheck.join('; ')}; ` : `${result.findings} findings; `}${WORKER_HEAP_FLAG}; ${Math.round(uncapped.peakRssBytes / MiB)} MiB and ${(uncapped.wallMs / 1000).toFixed(1)} s with the default heap limit; ${Math.round(result.startRssBytes / MiB)} MiB before the first request`,
      });
    }
    write('Baseline: a plain paged list of every pod, alternating with scheduler-pending…\n');
    rows.push(
      ...(await compareWithRawList({
        target: scale,
        childPath: RAW_LIST_CHILD,
        nodeFlags: [WORKER_HEAP_FLAG],
        diagnose: () => runChild({ kubeconfig: scale.kubeconfigPath, playbook: 'scheduler-pending' }),
        write,
      })),
    );
  } finally {
    await scale.stop();
  }
  const sdkRss = await importRssBytes('@kubernetes/client-node', ROOT);

  write('Latency: control-plane-health with 50 ms per request…\n');
  const slow = await startSimulator({ scenario: 'control-plane-degraded', latencyMs: 50 });
  const directory = await mkdtemp(join(tmpdir(), 'quorum-bench-'));
  try {
    const first = slow.requests.entries.length;
    const full = await runChild({ kubeconfig: slow.kubeconfigPath, playbook: 'control-plane-health' });
    const paths = slow.requests.entries
      .slice(first)
      .filter((entry) => entry.method === 'GET')
      .map((entry) => entry.path);
    const sequentialMs = await replaySequentially(slow, paths);
    const singles = await singleCheckPlaybooks('control-plane-health', directory);
    let criticalMs = 0;
    for (const playbook of singles) {
      const alone = await runChild({ kubeconfig: slow.kubeconfigPath, playbook, playbooksDir: directory });
      criticalMs = Math.max(criticalMs, alone.wallMs);
    }
    const ratio = full.wallMs / criticalMs;
    write(
      `  concurrent ${(full.wallMs / 1000).toFixed(2)} s, one after another ${(sequentialMs / 1000).toFixed(2)} s (${paths.length} requests), critical path ${(criticalMs / 1000).toFixed(2)} s → ${ratio.toFixed(2)}×\n`,
    );
    rows.push({
      benchmark: 'control-plane-health, 50 ms per request',
      wallSeconds: Number((full.wallMs / 1000).toFixed(2)),
      peakRssMiB: Math.round(full.peakRssBytes / MiB),
      target: 'within 1.5× of the critical path',
      met: ratio <= 1.5 ? 'yes' : 'no',
      notes: `${paths.length} requests; one after another ${(sequentialMs / 1000).toFixed(2)} s; critical path ${(criticalMs / 1000).toFixed(2)} s (slowest check alone); ${ratio.toFixed(2)}×`,
    });
  } finally {
    await slow.stop();
    await rm(directory, { recursive: true, force: true });
  }

  const machine = `${osType()} ${release()}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 1024 ** 3)} GiB, Node ${process.version}`;
  const date = new Date().toISOString();
  const table = [
    `Latest \`npm run bench\` (${date.slice(0, 10)}; ${machine}):`,
    '',
    '| benchmark | wall (s) | peak RSS (MiB) | target | met | notes |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.benchmark} | ${row.wallSeconds} | ${row.peakRssMiB} | ${row.target} | ${row.met} | ${row.notes} |`,
    ),
    '',
    `Peak RSS is the compiled diagnosing process alone (the simulator runs in another process), run with ${WORKER_HEAP_FLAG} (the NODE_OPTIONS a worker should have) and again with V8's default heap limit, where garbage is collected later and RSS is higher although the live set is the same. Before its first request the process already holds ${Math.round(Math.min(...startRss) / MiB)}–${Math.round(Math.max(...startRss) / MiB)} MiB; importing \`@kubernetes/client-node\` alone (used only for KubeConfig) costs ${Math.round(sdkRss / MiB)} MiB of it, and its tens of MB of heap are what every mark-compact during a big list has to walk (etcd3 and gRPC load only for playbooks that read etcd).`,
    '',
    RAW_LIST_NOTE,
  ].join('\n');
  await mkdir(options.outDir, { recursive: true });
  await writeFile(
    join(options.outDir, 'latest.json'),
    `${JSON.stringify({ date, machine, results: rows }, null, 2)}\n`,
  );
  await writeFile(join(options.outDir, 'latest.md'), `${table}\n`);
  if (options.readme) {
    const text = await readFile(options.readme, 'utf8');
    const updated = text.replace(
      /<!-- bench:start -->[\s\S]*<!-- bench:end -->/,
      `<!-- bench:start -->\n${table}\n<!-- bench:end -->`,
    );
    await writeFile(options.readme, updated);
  }
  write(`\n${table}\n`);
}
