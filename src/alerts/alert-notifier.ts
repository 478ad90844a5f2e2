import type { RunRequest } from '../diagnosis/run-request.js';

/**
 * What alert processing needs of Slack, implemented in src/slack (the only importer of the Slack SDKs). Every method
 * is safe to call twice for the same run: a notification may be processed again after a crash.
 */
export interface AlertNotifier {
  /** Posts the run's first ("running") message in `channel`; its ts, or undefined when Slack refused it. */
  postRunMessage(run: RunRequest, channel: string): Promise<string | undefined>;
  /** Adds a "still firing" note to the run's thread. */
  noteStillFiring(
    target: { channel: string; messageTs: string },
    note: { count: number; names: readonly string[]; firingAgain: boolean; followedBy?: string },
  ): Promise<void>;
  /**
   * Shows the (already recorded) resolution on the run's message if the run has ended; a running run shows it when
   * its worker finishes it.
   */
  showResolution(runId: string): Promise<void>;
}
