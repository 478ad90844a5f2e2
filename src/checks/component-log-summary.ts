import { CAUSE_MIN_LEVEL, causeKey, classifyLogMessage, levelAtLeast, type LogCause } from './log-causes.js';
import type { LogLevel, LogLine } from './log-line-parser.js';
import { messagePattern } from './log-patterns.js';

/** Which pod logged a line, and where it runs. */
export interface LogSource {
  component: string;
  pod: string;
  node?: string;
  /** The node's address as the pod reports it (`status.hostIP`). */
  hostIP?: string;
}

/** One message pattern within a group: how often, when, and the newest line as an example. */
export interface PatternCount {
  pattern: string;
  level: LogLevel;
  count: number;
  first?: number;
  last?: number;
  /** The newest message of this pattern, as logged. */
  example: string;
  /** Seen only in a previous (terminated) container's log. */
  previous: boolean;
}

/**
 * The lines of one problem: a known cause (`cause` set) across every pod that logs it, or a component's other errors.
 */
export interface LogGroup {
  /** `rbac-forbidden:system:kube-scheduler`, `other:kube-apiserver`, …: what makes lines one problem. */
  key: string;
  /** The cause of the newest line; `undefined` for a component's other errors. */
  cause?: LogCause;
  /** Every distinct cause seen (RBAC: each user, verb and resource), newest last. */
  causes: LogCause[];
  sources: LogSource[];
  count: number;
  first?: number;
  last?: number;
  patterns: PatternCount[];
}

interface Counted {
  line: LogLine;
  cause?: LogCause;
}

/** The group a line belongs to, or `undefined` when it is not a problem (info lines, unknown warnings). */
function groupKeyOf(line: LogLine, source: LogSource): { key: string; cause?: LogCause } | undefined {
  if (line.level === undefined) return undefined;
  const cause = classifyLogMessage(line.message, line.raw);
  if (cause && levelAtLeast(line.level, CAUSE_MIN_LEVEL[cause.kind])) {
    const key = causeKey(cause);
    // Kinds without a server or a user to share are one problem per pod (etcd slow) or per component.
    if (cause.kind === 'etcd-slow-apply' || cause.kind === 'leader-election-lost')
      return { key: `${key}:${source.pod}`, cause };
    if (cause.kind === 'resource-not-found') return { key: `${key}:${source.component}`, cause };
    return { key, cause };
  }
  if (levelAtLeast(line.level, 'error')) return { key: `other:${source.component}` };
  return undefined;
}

const sameCause = (a: LogCause, b: LogCause): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Folds the lines of many container logs into problem groups. Within one container log, a problem logged at error
 * level counts only its error lines: client-go logs each failed list twice (`W … failed to list` then `E … Failed to
 * watch`), a lost lease once as `failed to renew lease` (info) and once as `leaderelection lost` (error).
 */
export class LogSummary {
  private readonly groups = new Map<string, LogGroup>();
  /** Pods with at least one counted line. */
  private readonly noisy = new Set<string>();

  add(source: LogSource, lines: readonly LogLine[], previous: boolean): void {
    const byGroup = new Map<string, Counted[]>();
    for (const line of lines) {
      const group = groupKeyOf(line, source);
      if (!group) continue;
      const list = byGroup.get(group.key) ?? [];
      list.push({ line, ...(group.cause ? { cause: group.cause } : {}) });
      byGroup.set(group.key, list);
    }
    for (const [key, lines] of byGroup) {
      const errors = lines.filter(({ line }) => levelAtLeast(line.level, 'error'));
      this.merge(key, source, errors.length > 0 ? errors : lines, lines, previous);
    }
  }

  /** Counts `counted`; takes the causes of `all` (a warning may name a resource its error line does not repeat). */
  private merge(
    key: string,
    source: LogSource,
    counted: readonly Counted[],
    all: readonly Counted[],
    previous: boolean,
  ): void {
    if (counted.length === 0) return;
    this.noisy.add(source.pod);
    const group: LogGroup = this.groups.get(key) ?? { key, causes: [], sources: [], count: 0, patterns: [] };
    this.groups.set(key, group);
    if (!group.sources.some((known) => known.pod === source.pod)) group.sources.push(source);
    for (const { cause } of all) {
      if (cause && !group.causes.some((known) => sameCause(known, cause))) group.causes.push(cause);
    }
    for (const { line, cause } of counted) {
      group.count += 1;
      if (line.time !== undefined) {
        group.first = Math.min(group.first ?? line.time, line.time);
        if (group.last === undefined || line.time >= group.last) {
          group.last = line.time;
          if (cause) group.cause = cause;
        }
      } else if (cause && !group.cause) group.cause = cause;
      const pattern = messagePattern(line.message);
      let entry = group.patterns.find((known) => known.pattern === pattern);
      if (!entry) {
        entry = { pattern, level: line.level ?? 'error', count: 0, example: line.message, previous };
        group.patterns.push(entry);
      }
      entry.count += 1;
      entry.previous &&= previous;
      if (line.time !== undefined) {
        entry.first = Math.min(entry.first ?? line.time, line.time);
        if (entry.last === undefined || line.time >= entry.last) {
          entry.last = line.time;
          entry.example = line.message;
        }
      }
    }
  }

  /** Groups of known causes first, then by count; their patterns by count. */
  all(): LogGroup[] {
    const groups = [...this.groups.values()];
    for (const group of groups) group.patterns.sort((a, b) => b.count - a.count || (b.last ?? 0) - (a.last ?? 0));
    return groups.sort((a, b) => Number(!a.cause) - Number(!b.cause) || b.count - a.count);
  }

  /** True when a pod's logs held nothing counted. */
  isClean(pod: string): boolean {
    return !this.noisy.has(pod);
  }
}
