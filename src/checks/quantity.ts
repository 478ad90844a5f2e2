import type { PodFootprint } from '../ports/kube-types.js';

/** Kubernetes resource quantities (`3920m`, `15Gi`, `1e3`, `110`) as plain numbers: cores, bytes, counts. */

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};
const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/;

/**
 * Quantities already read. A cluster repeats a few dozen request values across 100,000 pods: a lookup is cheaper
 * than the regular expression. Bounded, and only ever added to: a pure function's cache.
 */
const parsed = new Map<string, number | undefined>();
const PARSED_LIMIT = 4096;

/** `undefined` for text that is not a quantity, so one bad object cannot sink a check. */
export function parseQuantity(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const known = parsed.get(text);
  if (known !== undefined || parsed.has(text)) return known;
  const value = readQuantity(text);
  if (parsed.size < PARSED_LIMIT) parsed.set(text, value);
  return value;
}

function readQuantity(text: string): number | undefined {
  const match = QUANTITY.exec(text.trim());
  if (!match) return undefined;
  const base = Number(match[1]);
  if (match[2]) return base * 10 ** Number(match[2].slice(1));
  const suffix = match[3] ?? '';
  return base * (BINARY[suffix] ?? DECIMAL[suffix] ?? 1);
}

/** Sums two resource maps. */
export function addResources(
  into: Record<string, number>,
  add: Readonly<Record<string, number>>,
): Record<string, number> {
  for (const [name, value] of Object.entries(add)) into[name] = (into[name] ?? 0) + value;
  return into;
}

/** Parses a node's allocatable or a container's requests; entries that are not quantities are left out. */
export function parseResources(map: Readonly<Record<string, string>> | null | undefined): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [name, text] of Object.entries(map ?? {})) {
    const value = parseQuantity(text);
    if (value !== undefined) result[name] = value;
  }
  return result;
}

/**
 * What the scheduler counts for a pod (its resource-fit rule): the larger of (app containers + sidecars) and, for each
 * plain init container, itself plus the sidecars started before it; then the RuntimeClass overhead on top. Takes a
 * full pod's spec or a lean {@link PodFootprint}'s.
 */
export function podRequests(spec: NonNullable<PodFootprint['spec']>): Record<string, number> {
  const total: Record<string, number> = {};
  for (const container of spec.containers ?? []) addResources(total, parseResources(container.resources?.requests));
  const sidecars: Record<string, number> = {};
  const initPeak: Record<string, number> = {};
  for (const init of spec.initContainers ?? []) {
    const requests = parseResources(init.resources?.requests);
    if (init.restartPolicy === 'Always') {
      addResources(sidecars, requests);
      continue;
    }
    for (const [name, value] of Object.entries(addResources({ ...sidecars }, requests))) {
      initPeak[name] = Math.max(initPeak[name] ?? 0, value);
    }
  }
  addResources(total, sidecars);
  for (const [name, value] of Object.entries(initPeak)) total[name] = Math.max(total[name] ?? 0, value);
  return addResources(total, parseResources(spec.overhead));
}

/**
 * Adds what the scheduler counts for a pod to `into` (see {@link podRequests}). The common pod (app containers only)
 * is summed straight in: summing every pod of a large cluster, the maps built per container were most of the cost.
 */
export function addPodRequests(
  into: Record<string, number>,
  spec: NonNullable<PodFootprint['spec']>,
): Record<string, number> {
  if ((spec.initContainers?.length ?? 0) > 0 || spec.overhead) return addResources(into, podRequests(spec));
  for (const container of spec.containers ?? []) {
    const requests = container.resources?.requests;
    if (!requests) continue;
    for (const name in requests) {
      const value = parseQuantity(requests[name]);
      if (value !== undefined) into[name] = (into[name] ?? 0) + value;
    }
  }
  return into;
}
