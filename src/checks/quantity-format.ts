/**
 * Resource amounts written back the way Kubernetes users write them (`4Gi`, `500m`, `2`, `110`), so a finding can be
 * compared at a glance with the pod spec and `kubectl describe node`. Every string here parses back with
 * `parseQuantity` to the amount it shows.
 */

/** Binary units, largest first: memory is requested and reported in them (`kubectl describe node` shows `Ki`). */
const BINARY_UNITS: ReadonlyArray<readonly [string, number]> = [
  ['Ei', 2 ** 60],
  ['Pi', 2 ** 50],
  ['Ti', 2 ** 40],
  ['Gi', 2 ** 30],
  ['Mi', 2 ** 20],
  ['Ki', 2 ** 10],
];

/** Significant digits shown by default: enough to tell 15.1Gi from 15Gi, few enough to read at a glance. */
const DEFAULT_DIGITS = 3;

/**
 * CPU in the canonical Kubernetes form: whole cores as a plain number (`4`), anything else in millicores (`500m`,
 * `3920m`, `1500m`). The scheduler counts CPU in millicores, so nothing finer is shown.
 */
export function formatCpu(cores: number): string {
  if (!Number.isFinite(cores)) return String(cores);
  const millicores = Math.round(cores * 1000);
  return millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`;
}

/**
 * Bytes in the largest binary unit that keeps the number at least 1 (`4Gi`, `1.2Gi`, `37.1Gi`, `512Mi`), with
 * `digits` significant digits (never fewer than the whole part: `153Gi`, `1023Mi`). Below 1Ki, plain bytes.
 */
export function formatBinary(bytes: number, digits = DEFAULT_DIGITS): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  const sign = bytes < 0 ? '-' : '';
  const size = Math.abs(bytes);
  for (const [unit, scale] of BINARY_UNITS) {
    if (size >= scale) return `${sign}${significant(size / scale, digits)}${unit}`;
  }
  return `${sign}${Math.round(size)}`;
}

/** Resources counted in bytes: memory, storage and huge pages (`hugepages-2Mi`). */
export function isByteResource(resource: string): boolean {
  return (
    resource === 'memory' ||
    resource === 'ephemeral-storage' ||
    resource === 'storage' ||
    resource.startsWith('hugepages-')
  );
}

/**
 * An amount of `resource` as Kubernetes writes it: CPU in cores or millicores, byte resources in binary units,
 * counts (`pods`, `nvidia.com/gpu`) as numbers. `digits` applies to byte resources (see {@link formatBinary}).
 */
export function formatQuantity(resource: string, value: number, digits = DEFAULT_DIGITS): string {
  if (resource === 'cpu') return formatCpu(value);
  if (isByteResource(resource)) return formatBinary(value, digits);
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(3)));
}

/**
 * Two amounts shown side by side ("free" against "requested"): when the default precision would print them the same
 * though they differ (3.999Gi free against 4Gi requested both read "4Gi"), more digits are shown until they differ,
 * so a comparison never reads as equal when the scheduler saw a shortfall.
 */
export function formatQuantityPair(resource: string, a: number, b: number): [string, string] {
  let digits = DEFAULT_DIGITS;
  let pair: [string, string] = [formatQuantity(resource, a, digits), formatQuantity(resource, b, digits)];
  while (a !== b && pair[0] === pair[1] && digits < 9) {
    digits += 1;
    pair = [formatQuantity(resource, a, digits), formatQuantity(resource, b, digits)];
  }
  return pair;
}

/** `cpu 500m, memory 4Gi, nvidia.com/gpu 1`: a pod's requests as one line of evidence. */
export function formatResources(resources: Readonly<Record<string, number>>): string {
  return Object.entries(resources)
    .map(([name, value]) => `${name} ${formatQuantity(name, value)}`)
    .join(', ');
}

function significant(value: number, digits: number): string {
  // Whole parts are never rounded away: 1023Mi stays 1023Mi rather than turning into 1.02e+3.
  if (value >= 10 ** digits) return String(Math.round(value));
  return String(Number(value.toPrecision(digits)));
}
