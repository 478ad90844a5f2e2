import { spawn } from 'node:child_process';
import type { RawListResult } from './raw-list-child.js';

/** A measured run of a child process: how long its work took and its peak RSS. */
export interface MeasuredRun {
  wallMs: number;
  /** CPU time of the measured work, in ms. */
  cpuMs: number;
  peakRssBytes: number;
}

/** Where the raw list goes and how it is read. */
export interface RawListTarget {
  /** The API server's base URL. */
  url: string;
  token: string;
  caPem: string;
}

export interface RawListComparisonOptions {
  target: RawListTarget;
  /** The compiled `raw-list-child.js`. */
  childPath: string;
  /** Node flags of both children (the worker's heap cap), so that both are measured alike. */
  nodeFlags: readonly string[];
  /** Runs the diagnosis once in a process of its own, with the same flags. */
  diagnose: () => Promise<MeasuredRun>;
  /** Rounds of (raw list, diagnosis), run alternately so that load from other processes hits both alike. @defaultValue 3 */
  rounds?: number;
  write: (text: string) => void;
}

/** What the baseline rows mean, for the notes under the table. */
export const RAW_LIST_NOTE =
  "The raw list is the yardstick for scheduler-pending: the least any client can do to read every pod, in a process of its own with the same flags: GET /api/v1/pods?limit=500 with continue over HTTPS with the simulator's token and CA, each page read whole and JSON.parse'd, nothing else. scheduler-pending reads as many pods (the bound ones, as lean footprints), plus the nodes, the Pending pods and their events; it keeps the next page in flight while it works through the current one, so the simulator's time and its own overlap, where the raw list pays both in turn. The two alternate, so that load from other processes on the machine falls on both alike; the ratio is of the medians. The overlap needs the simulator and the diagnosis on a core each at the same time: on a 2-core machine busy with other work it shrinks, and what the diagnosis does beyond the raw list shows (its CPU time is in the notes: the nodes, the Pending pods and their events, validation, summing, and garbage collection of a heap that @kubernetes/client-node makes several times larger; the simulator also pays for the field selector).";

/** The largest wall time a diagnosis may take, as a multiple of the raw list's. */
export const RAW_LIST_TARGET_RATIO = 1.3;
const LIST_PATH = '/api/v1/pods';
const PAGE_SIZE = 500;
const MiB = 1024 * 1024;

/** Runs the raw list once in a process of its own; the job (with the token) goes in on stdin. */
export function runRawList(
  target: RawListTarget,
  childPath: string,
  nodeFlags: readonly string[],
): Promise<RawListResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, childPath], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`raw list child exited with ${code}:\n${stderr}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as RawListResult);
    });
    child.stdin.end(JSON.stringify({ ...target, path: LIST_PATH, pageSize: PAGE_SIZE }));
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

const seconds = (ms: number): string => (ms / 1000).toFixed(2);

/**
 * Measures the diagnosis against a plain paged list of every pod of the same simulator, in the same bench run: rounds
 * of one raw list and one diagnosis, alternately, each in a process of its own with the same flags; the ratio is of
 * the medians. Returns the two table rows (the raw list, and the ratio with its target).
 */
export async function compareWithRawList(
  options: RawListComparisonOptions,
): Promise<Array<Record<string, string | number>>> {
  const { target, childPath, nodeFlags, diagnose, write, rounds = 3 } = options;
  const raw: RawListResult[] = [];
  const diagnosed: MeasuredRun[] = [];
  for (let round = 1; round <= rounds; round++) {
    raw.push(await runRawList(target, childPath, nodeFlags));
    diagnosed.push(await diagnose());
    const last = raw.length - 1;
    write(
      `  round ${round}: raw list ${seconds(raw[last]?.wallMs ?? 0)} s, scheduler-pending ${seconds(diagnosed[last]?.wallMs ?? 0)} s\n`,
    );
  }
  const rawMs = median(raw.map((run) => run.wallMs));
  const diagnosisMs = median(diagnosed.map((run) => run.wallMs));
  const ratio = diagnosisMs / rawMs;
  const rawCpu = median(raw.map((run) => run.cpuMs));
  const diagnosisCpu = median(diagnosed.map((run) => run.cpuMs));
  const first = raw[0];
  const flags = nodeFlags.length > 0 ? nodeFlags.join(' ') : "V8's default heap limit";
  return [
    {
      benchmark: `raw list: GET ${LIST_PATH}?limit=${PAGE_SIZE} @ 100k pods (baseline)`,
      wallSeconds: Number(seconds(rawMs)),
      peakRssMiB: Math.round(Math.max(...raw.map((run) => run.peakRssBytes)) / MiB),
      target: 'none (the yardstick)',
      met: '—',
      notes: `${first?.pages ?? 0} pages, ${first?.items ?? 0} pods, ${Math.round((first?.bytes ?? 0) / MiB)} MiB of JSON, read and JSON.parse'd one after another; median of ${rounds}: ${raw.map((run) => seconds(run.wallMs)).join(', ')} s; ${flags}`,
    },
    {
      benchmark: 'scheduler-pending ÷ raw list, same run',
      wallSeconds: Number(seconds(diagnosisMs)),
      peakRssMiB: Math.round(Math.max(...diagnosed.map((run) => run.peakRssBytes)) / MiB),
      target: `≤ ${RAW_LIST_TARGET_RATIO}× the raw list`,
      met: ratio <= RAW_LIST_TARGET_RATIO ? 'yes' : 'no',
      notes: `${ratio.toFixed(2)}×: medians of ${rounds} alternating rounds (scheduler-pending ${diagnosed.map((run) => seconds(run.wallMs)).join(', ')} s); CPU of the client process ${seconds(diagnosisCpu)} s against the raw list's ${seconds(rawCpu)} s; ${flags}`,
    },
  ];
}
