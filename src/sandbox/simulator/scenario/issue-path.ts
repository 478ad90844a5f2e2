import type { z } from 'zod';

/** `pods[2].status.containerStatuses[0].restartCount`: the path style of kubectl's and the client's messages. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text ? `${text}.${String(key)}` : String(key);
  }, '');
}

/** One line per zod issue, each prefixed by where it is in the file. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], prefix: string): string[] {
  return issues.map((issue) => {
    const inner = formatPath(issue.path);
    const where = prefix && inner ? `${prefix}.${inner}`.replace('.[', '[') : prefix || inner;
    return where ? `${where}: ${issue.message}` : issue.message;
  });
}
