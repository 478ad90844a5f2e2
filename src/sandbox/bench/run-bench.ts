import { execFile } from 'node:child_process';
import https from 'node:https';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem, tmpdir, type as osType, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { createCheckRegistry } from '../../checks/all-checks.js';
import { defaultPlaybooksDir } from '../../playbooks/default-dir.js';
import { loadPlaybooks } from '../../playbooks/load-playbooks.js';
import { startSimulator, type RunningSimulator } from '../simulator/index.js';
import { measureStartup, runsCleanly, type StartupResult } from './startup-bench.js';
import { importRssBytes } from './import-cost.js';
import { compareWithRawList, RAW_LIST_NOTE } from './raw-list-baseline.js';
import { SLACK_BENCH_NOTE, slackBenchRows, type BenchRow } from './slack-bench.js';
import { alertStormRow, runAlertStorm } from './alert-storm-bench.js';
import { benchNospaceRecovery } from './maintenance-bench.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/**
 * The production build plus the compiled bench child (tsconfig.bench.json): measuring through the TypeScript loader
 * would add ~80 MiB that production never has. Compiled into a private directory, so that a bench run never leaves a
 * dist/ behind.
 */
const BUILD_DIR = join(ROOT, '.quorum', 'bench-dist');
const CHILD = join(BUILD_DIR, 'sandbox', 'bench', 'bench-child.js');
const CLI = join(BUILD_DIR, 'cli', 'main.js');
/** Start-up target: commands that touch no cluster start within this factor of `kubectl version --client`. */
const STARTUP_FACTOR = 3;
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
      [join(ROOT, 'scripts', 'build.mjs'), '-p', join(ROOT, 'tsconfig.bench.json'), '--outDir', BUILD_DIR],
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

/**
 * Start-up of the compiled CLI's commands that touch no cluster, against `kubectl version --client` and Node's own
 * floor (`node -e 0`) in the same run. The build lives outside the repository layout: `playbooks` is told where the
 * playbooks are.
 */
async function startupRows(write: (text: string) => void): Promise<BenchRow[]> {
  const quorum = [['--version'], ['--help'], ['playbooks', '--playbooks-dir', join(ROOT, 'playbooks')]].map((args) => ({
    label: `quorum ${args[0]}`,
    command: process.execPath,
    args: [CLI, ...args],
  }));
  const floor = { label: 'node -e 0', command: process.execPath, args: ['-e', '0'] };
  const kubectl = { label: 'kubectl version --client', command: 'kubectl', args: ['version', '--client'] };
  const haveKubectl = await runsCleanly(kubectl.command, kubectl.args);
  if (!haveKubectl) write('  kubectl is not on PATH: start-up is reported without its baseline\n');
  const results = await measureStartup({ commands: [...quorum, floor, ...(haveKubectl ? [kubectl] : [])] });
  const byLabel = new Map(results.map((result) => [result.label, result]));
  const baseline = byLabel.get(kubectl.label);
  const node = byLabel.get(floor.label)!;
  const seconds = (result: StartupResult) => (result.wallMs / 1000).toFixed(3);
  const mib = (result: StartupResult) =>
    result.peakRssBytes === undefined ? 'n/a' : Math.round(result.peakRssBytes / MiB);
  const reference = `${baseline ? `kubectl ${seconds(baseline)} s, ${mib(baseline)} MiB` : 'kubectl not on PATH'}; node -e 0 ${seconds(node)} s, ${mib(node)} MiB`;
  return quorum.map(({ label }) => {
    const result = byLabel.get(label)!;
    const ratio = baseline ? result.wallMs / baseline.wallMs : undefined;
    const times = ratio === undefined ? '' : `${ratio.toFixed(2)}× kubectl`;
    write(`  ${label}: ${seconds(result)} s, peak RSS ${mib(result)} MiB${times ? ` (${times})` : ''}\n`);
    return {
      benchmark: `start-up: ${label}`,
      wallSeconds: Number(seconds(result)),
      peakRssMiB: mib(result),
      target: `≤ ${STARTUP_FACTOR}× kubectl version --client`,
      met: ratio === undefined ? 'n/a' : ratio <= STARTUP_FACTOR ? 'yes' : 'no',
      notes: `median of ${result.runs}; ${times ? `${times}; ` : ''}${reference}`,
    };
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
  /**
   * Run only these sections; the table keeps the other sections' latest results (from `latest.json`).
   * @defaultValue every section
   */
  only?: readonly BenchSection[];
}

/** The bench's sections, in the order they run (`quorum bench --only slack,latency`). */
export const BENCH_SECTIONS = ['startup', 'scale', 'latency', 'slack', 'alerts', 'maintenance'] as const;
export type BenchSection = (typeof BENCH_SECTIONS)[number];

/** A results row, tagged with the section that produced it. */
type SectionRow = BenchRow & { section: BenchSection };

/** When and where a section last ran, and what its table note says. */
interface SectionRun {
  date: string;
  machine: string;
  note?: string;
}

interface ResultsFile {
  sections: Partial<Record<BenchSection, SectionRun>>;
  results: SectionRow[];
}

/** The previous results, for the sections this run leaves out; none when absent or from an older layout. */
async function previousResults(outDir: string): Promise<ResultsFile> {
  try {
    const parsed = JSON.parse(await readFile(join(outDir, 'latest.json'), 'utf8')) as Partial<ResultsFile>;
    if (!parsed.sections || !Array.isArray(parsed.results)) return { sections: {}, results: [] };
    return { sections: parsed.sections, results: parsed.results.filter((row) => typeof row.section === 'string') };
  } catch {
    return { sections: {}, results: [] };
  }
}

/** The Markdown table of every section's latest rows, with when and where each section ran, and the notes. */
function resultsTable(results: ResultsFile): string {
  const present = BENCH_SECTIONS.filter((section) => results.sections[section]);
  const runs = new Map<string, BenchSection[]>();
  for (const section of present) {
    const run = results.sections[section] as SectionRun;
    const key = `${run.date.slice(0, 10)}; ${run.machine}`;
    runs.set(key, [...(runs.get(key) ?? []), section]);
  }
  const header =
    runs.size === 1
      ? `Latest \`npm run bench\` (${[...runs.keys()][0]}):`
      : `Latest \`npm run bench\`, by section (${[...runs].map(([key, sections]) => `${sections.join(', ')}: ${key}`).join(' — ')}):`;
  const rows = BENCH_SECTIONS.flatMap((section) => results.results.filter((row) => row.section === section));
  const notes = present.flatMap((section) => results.sections[section]?.note ?? []);
  return [
    header,
    '',
    '| benchmark | wall (s) | peak RSS (MiB) | target | met | notes |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.benchmark} | ${row.wallSeconds} | ${row.peakRssMiB} | ${row.target} | ${row.met} | ${row.notes} |`,
    ),
    ...notes.flatMap((note) => ['', note]),
  ].join('\n');
}

/**
 * `npm run bench`: (1) start-up of `quorum --version`, `--help` and `playbooks` from the build against `kubectl
 * version --client`; (2) scheduler-pending and control-plane-health against a generated 5,000-node, 100,000-pod
 * cluster, wall time and peak RSS of the diagnosing process; (3) control-plane-health with 50 ms injected per
 * request, against the same requests made one after another and against its critical path; (4) from Slack:
 * acknowledgement latency, end to end against the CLI, the per-cluster cap (see slack-bench.ts); (5) an alert storm of
 * 10,000 webhook posts against the bot's receiver and a bare HTTP server (see alert-storm-bench.ts); (6) NOSPACE recovery
 * on a real 3-member etcd through an approval and `quorum executor`, against the same recovery by hand with etcdctl.
 */
export async function runBench(options: BenchOptions): Promise<void> {
  const { write } = options;
  const only = new Set<BenchSection>(options.only ?? BENCH_SECTIONS);
  const rows: SectionRow[] = [];
  const sections: Partial<Record<BenchSection, SectionRun>> = {};
  // Other work on a shared machine slows every benchmark: say how busy it was when each section began.
  const machine = () =>
    `${osType()} ${release()}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 1024 ** 3)} GiB, Node ${process.version}, load average ${loadavg()[0]!.toFixed(1)} at start`;
  const begin = (section: BenchSection) => {
    sections[section] = { date: new Date().toISOString(), machine: machine() };
  };
  const add = (section: BenchSection, ...added: BenchRow[]) => rows.push(...added.map((row) => ({ ...row, section })));
  write('Building dist/ (the benchmark measures compiled code)…\n');
  await build();
  if (only.has('startup')) {
    // First, while nothing else of the bench runs: start-up is a matter of tens of milliseconds.
    begin('startup');
    write('Start-up: the compiled CLI without a cluster, against kubectl version --client…\n');
    add('startup', ...(await startupRows(write)));
    (sections.startup as SectionRun).note = STARTUP_NOTE;
  }
  if (only.has('scale')) await scaleSection(write, begin, add, sections);
  if (only.has('latency')) {
    begin('latency');
    add('latency', await latencyRow(write));
  }
  if (only.has('slack')) {
    begin('slack');
    add('slack', ...(await slackBenchRows({ buildDir: BUILD_DIR, root: ROOT, write })));
    (sections.slack as SectionRun).note = SLACK_BENCH_NOTE;
  }
  if (only.has('alerts')) {
    begin('alerts');
    write('Alert storm: 10,000 Alertmanager webhook posts against the bot, taking turns with a bare HTTP server…\n');
    add('alerts', alertStormRow(await runAlertStorm({ write })));
  }
  if (only.has('maintenance')) {
    begin('maintenance');
    // Approved maintenance: NOSPACE recovery through the executor against the same recovery by hand with etcdctl.
    add('maintenance', ...(await benchNospaceRecovery(write)));
  }

  const previous = await previousResults(options.outDir);
  const results: ResultsFile = {
    sections: {
      ...Object.fromEntries(
        Object.entries(previous.sections).filter(([section]) => !only.has(section as BenchSection)),
      ),
      ...sections,
    },
    results: [...previous.results.filter((row) => !only.has(row.section)), ...rows],
  };
  const table = resultsTable(results);
  await mkdir(options.outDir, { recursive: true });
  await writeFile(join(options.outDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
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

const STARTUP_NOTE =
  'Start-up is the median of several runs of the compiled CLI (`node dist/cli/main.js …`), taking turns with kubectl in the same run; peak RSS from GNU time.';

/** (2) The generated large cluster: both playbooks with either heap setting, and scheduler-pending against a raw list. */
async function scaleSection(
  write: (text: string) => void,
  begin: (section: BenchSection) => void,
  add: (section: BenchSection, ...rows: BenchRow[]) => void,
  sections: Partial<Record<BenchSection, SectionRun>>,
): Promise<void> {
  begin('scale');
  const startRss: number[] = [];
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
      add('scale', {
        benchmark: `${playbook} @ 5k nodes / 100k pods`,
        wallSeconds: Number((result.wallMs / 1000).toFixed(2)),
        peakRssMiB: Math.round(result.peakRssBytes / MiB),
        target: 'RSS < 300 MiB with either heap setting, wall < 30 s',
        met: fits && result.wallMs < 30_000 ? 'yes' : 'no',
        notes: `${result.couldNotCheck.length > 0 ? `could not check: ${result.couldNotCheck.join('; ')}; ` : `${result.findings} findings; `}${WORKER_HEAP_FLAG}; ${Math.round(uncapped.peakRssBytes / MiB)} MiB and ${(uncapped.wallMs / 1000).toFixed(1)} s with the default heap limit; ${Math.round(result.startRssBytes / MiB)} MiB before the first request`,
      });
    }
    write('Baseline: a plain paged list of every pod, alternating with scheduler-pending…\n');
    add(
      'scale',
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
  (sections.scale as SectionRun).note = [
    `Peak RSS is the compiled diagnosing process alone (the simulator runs in another process), run with ${WORKER_HEAP_FLAG} (the NODE_OPTIONS a worker should have) and again with V8's default heap limit, where garbage is collected later and RSS is higher although the live set is the same. Before its first request the process already holds ${Math.round(Math.min(...startRss) / MiB)}–${Math.round(Math.max(...startRss) / MiB)} MiB; importing \`@kubernetes/client-node\` alone (used only for KubeConfig) costs ${Math.round(sdkRss / MiB)} MiB of it, and its tens of MB of heap are what every mark-compact during a big list has to walk (etcd3 and gRPC load only for playbooks that read etcd).`,
    '',
    RAW_LIST_NOTE,
  ].join('\n');
}

/** (3) control-plane-health with 50 ms per request, against one-after-another and its critical path. */
async function latencyRow(write: (text: string) => void): Promise<BenchRow> {
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
    return {
      benchmark: 'control-plane-health, 50 ms per request',
      wallSeconds: Number((full.wallMs / 1000).toFixed(2)),
      peakRssMiB: Math.round(full.peakRssBytes / MiB),
      target: 'within 1.5× of the critical path',
      met: ratio <= 1.5 ? 'yes' : 'no',
      notes: `${paths.length} requests; one after another ${(sequentialMs / 1000).toFixed(2)} s; critical path ${(criticalMs / 1000).toFixed(2)} s (slowest check alone); ${ratio.toFixed(2)}×`,
    };
  } finally {
    await slow.stop();
    await rm(directory, { recursive: true, force: true });
  }
}
