import type { ApprovalRecord } from './approval-record.js';

/**
 * Where the executor tells people what it does: live steps in the request's thread, the request's message kept up to
 * date, a summary at the end, and a re-planned request to approve again. The Slack implementation lives in
 * src/slack; the executor only knows this port.
 */
export interface MaintenanceReporter {
  /** One live line in the thread ("Defragmenting etcd-2 (follower)…"). */
  step(record: ApprovalRecord, text: string): Promise<void>;
  /** The request's own message, shown in its current state. */
  updated(record: ApprovalRecord): Promise<void>;
  /** How it ended, where it stopped, each member's sizes before and after. */
  finished(record: ApprovalRecord): Promise<void>;
  /** The cluster moved: `next` is the new plan, posted for approval like any request. */
  replanned(previous: ApprovalRecord, next: ApprovalRecord): Promise<void>;
}

/** Reports nowhere (a request made outside Slack, or tests that read the records). */
export const SILENT_REPORTER: MaintenanceReporter = {
  step: async () => undefined,
  updated: async () => undefined,
  finished: async () => undefined,
  replanned: async () => undefined,
};
