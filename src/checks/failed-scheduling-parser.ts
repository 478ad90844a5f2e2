import {
  classifySchedulingReason,
  type NamedTaint,
  type ReasonClassification,
  type SchedulingCategory,
} from './scheduling-reasons.js';

/** One reason the scheduler gave, with the number of nodes that gave it when the message counts them. */
export interface SchedulingReason {
  category: SchedulingCategory;
  /** How many nodes failed for this reason; absent for PreFilter messages and reasons printed without a count. */
  nodes?: number;
  /** The reason as printed, without its count: `Insufficient cpu`, `node(s) had untolerated taint {gpu: }`. */
  message: string;
  /** The resource of an `Insufficient <resource>` reason: `cpu`, `nvidia.com/gpu`, `hugepages-2Mi`, … */
  resource?: string;
  /** The taint the reason names, when it names one (1.18+; 1.35+ prints `untolerated taint(s)` without it). */
  taint?: NamedTaint;
}

/** A FailedScheduling message (or PodScheduled condition message) taken apart. */
export interface ParsedSchedulingMessage {
  /** N of `0/N nodes are available`; absent in ≤ 1.8 messages, which do not print it. */
  totalNodes?: number;
  /** Why nodes were ruled out. Never includes the preemption tail's reasons. */
  reasons: SchedulingReason[];
  /** What the preemption attempt found (the text after `preemption: `), when the message has one. */
  preemption?: string;
  /** The message as given. */
  raw: string;
}

/**
 * `0/N nodes are available:` — searched anywhere, since tools prefix it (`Unschedulable: `, `[Unschedulable] `);
 * Volcano prints `nodes are unavailable`.
 */
const NODES_AVAILABLE = /(\d+)\/(\d+) nodes are (?:un)?available\b:?/i;
/** ≤ 1.10: `No nodes are available that match all of the following predicates:: Insufficient cpu (3), …`. */
const PREDICATES =
  /(?:no nodes are available that match all of the (?:following )?predicates|fit failure summary on nodes)\s*:+/i;
const PREDICATE_ITEM = /([^,()]+?)\s*\((\d+)\)/g;
/** ≤ 1.4: `pod (x) failed to fit in any node` then one `fit failure on node (name): <reasons>` line per node. */
const PER_NODE = /fit failure on node \(([^)]*)\):\s*(.*?)(?=\s*fit failure on node \(|$)/gi;
/** The PostFilter tail DefaultPreemption adds since 1.24, always lower-case with a colon. */
const PREEMPTION = /\bpreemption:\s*/;
/** Added by the event recorder when it folds similar events together. */
const COMBINED = /^\(combined from similar events\):\s*/i;
/** The error form of a plugin failure: `running "VolumeBinding" filter plugin for pod "x": <reason>`. */
const PLUGIN_ERROR =
  /^(?:error while )?running (?:"[\w-]+" )?(?:pre-?)?filter plugin(?: "[\w-]+")?(?: for pod "[^"]*")?:\s*/i;
/** FailedScheduling events that are not about fitting the pod on a node. */
const NOT_ABOUT_NODES = /^(?:binding rejected|skip schedule deleting pod)\b/i;
/** PostFilter output of the DynamicResources plugin, printed before `preemption:` (since 1.26, on by default 1.32+). */
const DRA_POST_FILTER =
  /^(?:no new claims to deallocate|deallocation of ResourceClaim completed|still not schedulable)$/i;
const REPEATED = /\s*\(repeated \d+ times?\)$/i;
const COUNTED = /^(\d+)\s+(.+)$/;

/**
 * Takes a kube-scheduler FailedScheduling message apart into the reasons nodes were ruled out, with the number of
 * nodes per reason. Reads every era's format: `0/N nodes are available: <count> <reason>, …` with or without a
 * `preemption: …` tail (split off, its reasons not counted), a PreFilter message without a count, DRA's
 * `no new claims to deallocate, `, the ≤ 1.10 predicate lists (`Insufficient cpu (3), MatchNodeSelector (2)`), the
 * plugin error form and bare reasons. Reasons that fit no category are kept as `other` with their text. Pure; never
 * throws.
 */
export function parseSchedulingMessage(message: string): ParsedSchedulingMessage {
  const raw = message;
  let text = message.replace(/\s+/g, ' ').trim().replace(COMBINED, '');
  if (NOT_ABOUT_NODES.test(text)) return { reasons: [{ category: 'other', message: trimReason(text) }], raw };

  let preemption: string | undefined;
  const tail = PREEMPTION.exec(text);
  if (tail) {
    preemption = trimReason(text.slice(tail.index + tail[0].length));
    text = text.slice(0, tail.index);
  }

  let totalNodes: number | undefined;
  let reasons: ClassifiedReason[];
  const available = NODES_AVAILABLE.exec(text);
  const predicates = available ? null : PREDICATES.exec(text);
  if (available) {
    totalNodes = Number(available[2]);
    reasons = parseReasonList(text.slice(available.index + available[0].length));
  } else if (predicates) {
    reasons = parsePredicateList(text.slice(predicates.index + predicates[0].length));
  } else if (/fit failure on node \(/i.test(text)) {
    reasons = parsePerNodeLines(text);
  } else {
    const bare = text.replace(PLUGIN_ERROR, '');
    reasons = COUNTED.test(bare) ? parseReasonList(bare) : [classified(trimReason(bare))].filter((r) => r.message);
  }

  if (totalNodes === undefined && preemption) {
    const fromTail = NODES_AVAILABLE.exec(preemption);
    if (fromTail) totalNodes = Number(fromTail[2]);
  }
  if (totalNodes === 0 && reasons.length === 0) {
    reasons.push({ category: 'no-nodes', message: trimReason(available?.[0] ?? text) });
  }
  const parsed: ParsedSchedulingMessage = { reasons: resolveInterPodAffinity(reasons), raw };
  if (totalNodes !== undefined) parsed.totalNodes = totalNodes;
  if (preemption) parsed.preemption = preemption;
  return parsed;
}

/**
 * Reads a pod's PodScheduled condition: reason `SchedulingGated` means the pod waits on scheduling gates (its
 * message is `Scheduling is blocked due to non-empty scheduling gates`); otherwise the message is the
 * scheduler's FailedScheduling message.
 */
export function parseSchedulingCondition(
  reason: string | undefined,
  message: string | undefined,
): ParsedSchedulingMessage {
  if (reason === 'SchedulingGated') {
    return {
      reasons: [{ category: 'scheduling-gated', message: trimReason(message ?? '') || reason }],
      raw: message ?? '',
    };
  }
  return parseSchedulingMessage(message ?? '');
}

/** The distinct categories of a parsed message, in the order they first appear. */
export function categoriesOf(parsed: ParsedSchedulingMessage): SchedulingCategory[] {
  return [...new Set(parsed.reasons.map((reason) => reason.category))];
}

/** The distinct categories a PodScheduled condition (reason and message) reports. */
export function categoriesFromCondition(reason: string | undefined, message: string | undefined): SchedulingCategory[] {
  return categoriesOf(parseSchedulingCondition(reason, message));
}

interface ClassifiedReason extends SchedulingReason {
  unspecified?: boolean;
}

/**
 * `<count> <reason>, <count> <reason>. <sentence>.` — reasons are split at `, ` followed by a count only, since
 * reason texts hold commas themselves (`had taint {k: v}, that the pod didn't tolerate`).
 */
function parseReasonList(body: string): ClassifiedReason[] {
  const reasons: ClassifiedReason[] = [];
  for (const sentence of body.split(/\.\s+/)) {
    for (const item of sentence.split(/,\s*(?=\d+\s)/)) {
      const text = trimReason(item);
      if (!text || DRA_POST_FILTER.test(text)) continue;
      const counted = COUNTED.exec(text);
      reasons.push(counted?.[2] ? classified(counted[2], Number(counted[1])) : classified(text));
    }
  }
  return reasons;
}

/** `Insufficient cpu (9), Insufficient memory (15), MatchNodeSelector (18).` */
function parsePredicateList(body: string): ClassifiedReason[] {
  const reasons = [...body.matchAll(PREDICATE_ITEM)].map((match) =>
    classified(trimReason(match[1] ?? ''), Number(match[2])),
  );
  return reasons.length > 0 ? reasons : parseReasonList(body);
}

/** Counts the nodes per reason over the ≤ 1.4 `fit failure on node (name): A, B` lines. */
function parsePerNodeLines(text: string): ClassifiedReason[] {
  const counts = new Map<string, number>();
  for (const match of text.matchAll(PER_NODE)) {
    for (const item of (match[2] ?? '').split(/,\s*/)) {
      const reason = trimReason(item);
      if (reason) counts.set(reason, (counts.get(reason) ?? 0) + 1);
    }
  }
  return [...counts].map(([reason, nodes]) => classified(reason, nodes));
}

function classified(message: string, nodes?: number): ClassifiedReason {
  const classification: ReasonClassification = classifySchedulingReason(message);
  const reason: ClassifiedReason = { category: classification.category, message };
  if (nodes !== undefined) reason.nodes = nodes;
  if (classification.resource) reason.resource = classification.resource;
  if (classification.taint) reason.taint = classification.taint;
  if (classification.interPodAffinityUnspecified) reason.unspecified = true;
  return reason;
}

/**
 * Until 1.21 the InterPodAffinity filter (and the MatchInterPodAffinity predicate before it) failed a node with two
 * reasons at once (kubernetes/kubernetes#102518 dropped the first in 1.22): the catch-all `node(s) didn't match pod affinity/anti-affinity` (`MatchInterPodAffinity` in
 * ≤ 1.10 names) and exactly one specific reason (`didn't match pod affinity rules`, `didn't match pod anti-affinity
 * rules`, `didn't satisfy existing pods anti-affinity rules`). The message counts every reason over the nodes, so the
 * catch-all's count is the sum of the specific counts: the same nodes, counted twice. When a specific reason is
 * printed, the catch-all is dropped; printed alone (the specific reason was not printed), it stays, as pod affinity.
 */
function resolveInterPodAffinity(reasons: ClassifiedReason[]): SchedulingReason[] {
  const specific = reasons.some(
    (r) => !r.unspecified && (r.category === 'pod-affinity' || r.category === 'pod-anti-affinity'),
  );
  return reasons.filter((reason) => !(specific && reason.unspecified)).map(({ unspecified: _, ...reason }) => reason);
}

/**
 * How many nodes a message says failed for `category`, or undefined when no reason of that category carries a
 * count. Reasons of one category (two taints, two anti-affinity reasons) fail different nodes, so their counts add
 * up; the sum never exceeds the message's node total, whatever the message says.
 */
export function nodesFor(parsed: ParsedSchedulingMessage, category: SchedulingCategory): number | undefined {
  let sum: number | undefined;
  for (const reason of parsed.reasons) {
    if (reason.category === category && reason.nodes !== undefined) sum = (sum ?? 0) + reason.nodes;
  }
  return sum === undefined || parsed.totalNodes === undefined ? sum : Math.min(sum, parsed.totalNodes);
}

/** Drops the trailing `.`/`..`, commas and the event recorder's `(repeated N times)`. */
function trimReason(text: string): string {
  return text
    .trim()
    .replace(/[\s.,;]+$/, '')
    .replace(REPEATED, '')
    .replace(/[\s.,;]+$/, '')
    .trim();
}
