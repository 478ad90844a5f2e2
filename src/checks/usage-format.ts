/**
 * Figures as Kubernetes writes them, so that a finding reads like `kubectl top` and a manifest: CPU in cores or
 * millicores (`3.7`, `850m`), memory with binary suffixes (`15.1Gi`, `907Mi`), a share as `93 %`.
 */

const KI = 1024;
const MI = KI ** 2;
const GI = KI ** 3;

/** One decimal at most, without a trailing `.0`: `16`, `15.1`. */
function short(value: number): string {
  return String(Number(value.toFixed(1)));
}

/** `3.7` cores, `4`, or `850m` under one core. */
export function formatCores(cores: number): string {
  if (cores >= 1) return short(cores);
  return `${Math.round(cores * 1000)}m`;
}

/** `15.1Gi`, `907Mi`, `512Ki`: the largest binary suffix that keeps the number at 1 or more. */
export function formatMemory(bytes: number): string {
  if (bytes >= GI) return `${short(bytes / GI)}Gi`;
  if (bytes >= MI) return `${Math.round(bytes / MI)}Mi`;
  return `${Math.round(bytes / KI)}Ki`;
}

/** `93 %`, rounded down so that 89.6 % is not shown as reaching a 90 % threshold. */
export function formatShare(ratio: number): string {
  // The epsilon keeps 0.95 (94.999… in binary) at 95.
  return `${Math.floor(ratio * 100 + 1e-9)} %`;
}
