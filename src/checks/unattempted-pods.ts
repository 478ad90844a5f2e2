import type { KubeReader } from '../ports/kube-reader.js';
import { eventLastSeen, type Event, type Lease } from '../ports/kube-types.js';
import type { Evidence, Finding } from '../findings/finding.js';
import { formatDuration, pluralize } from '../findings/format.js';
import { holderHost, leaseState } from './leader-leases.js';
import { pendingAge, pendingPodData, type PendingPod } from './pending-pods.js';

export const DEFAULT_SCHEDULER = 'default-scheduler';
/**
 * kube-scheduler holds ONE lease, named after the component (`--leader-elect-resource-name`, default
 * `kube-scheduler`), however many profiles (schedulerNames) it serves.
 */
const KUBE_SCHEDULER_LEASE = 'kube-scheduler';

/** What the check looks at to decide whether anything serves a schedulerName. */
export interface UnattemptedOptions {
  /** Namespace of the scheduler leases. */
  schedulerNamespace: string;
  /** A pod no scheduler has tried is critical only after waiting this long since its creation (ms). */
  graceMs: number;
  /** How far back events show a scheduler at work (ms). */
  activityLookbackMs: number;
  /** Pods named per finding. */
  examples: number;
}

/** Signs that a scheduler by this name works: its events, and other Pending pods it has tried. */
interface Activity {
  scheduled: number;
  failed: number;
  /** Newest such event (ms since epoch). */
  newest?: number;
  /** `reportingInstance` (`<profile>-<host>`) or `source.host` of the newest event. */
  instance?: string;
  /** Pending pods of this schedulerName with a FailedScheduling event (or condition) seen within the lookback. */
  attemptedPending: number;
  /** When the newest of those was seen (ms since epoch). */
  newestTry?: number;
  /** True when counting stopped at {@link MAX_ACTIVITY_EVENTS}. */
  capped?: boolean;
  /** Why events could not be read, when they could not. */
  unreadable?: string;
}

/** Events counted per schedulerName at most (the list stops there). */
const MAX_ACTIVITY_EVENTS = 1000;

/** Events as the API serves them carry these too (core/v1 `reportingInstance`; events.k8s.io `reportingController`). */
type ReportedEvent = Event & { reportingController?: string; reportingInstance?: string };

/** The component that wrote an event: a scheduler writes its profile's schedulerName here. */
function reporter(event: ReportedEvent): string | undefined {
  return event.reportingComponent || event.reportingController || event.source?.component || undefined;
}

/**
 * What a scheduler named `scheduler` did lately: Scheduled and FailedScheduling events it wrote (events name the
 * profile's schedulerName in `reportingController`/`source.component`, and `<profile>-<host>` in
 * `reportingInstance`), and Pending pods of that schedulerName it has already tried.
 */
async function schedulerActivity(
  kube: KubeReader,
  scheduler: string,
  allPending: readonly PendingPod[],
  since: number,
  /** Work after this time (ms) is what decides; counting may stop once some is found. */
  after: number,
): Promise<Activity> {
  const tried = allPending.filter(
    (pod) =>
      pod.schedulerName === scheduler && pod.source !== 'none' && !pod.gated && Date.parse(pod.lastSeen ?? '') >= since,
  );
  const activity: Activity = { scheduled: 0, failed: 0, attemptedPending: tried.length };
  const newestTry = Math.max(...tried.map((pod) => Date.parse(pod.lastSeen ?? '')));
  if (tried.length > 0) activity.newestTry = newestTry;
  try {
    // `source` selects on source.component, falling back to reportingController (the events registry's rule).
    for await (const event of kube.events({ fieldSelector: `source=${scheduler}` })) {
      const reported = event as ReportedEvent;
      if (reporter(reported) !== scheduler) continue;
      if (event.reason !== 'Scheduled' && event.reason !== 'FailedScheduling') continue;
      const seen = Date.parse(eventLastSeen(event) ?? '');
      if (!Number.isFinite(seen) || seen < since) continue;
      if (event.reason === 'Scheduled') activity.scheduled += 1;
      else activity.failed += 1;
      // Enough to show the scheduler works; a busy cluster has a Scheduled event per pod created in the last hour.
      if (activity.scheduled + activity.failed >= MAX_ACTIVITY_EVENTS) activity.capped = true;
      if (activity.newest === undefined || seen > activity.newest) {
        activity.newest = seen;
        const instance = reported.reportingInstance || event.source?.host;
        if (instance) activity.instance = instance;
        else delete activity.instance;
      }
      if (activity.capped && activity.newest > after) break;
    }
  } catch (error) {
    activity.unreadable = error instanceof Error ? error.message : String(error);
  }
  return activity;
}

function leaseEvidence(lease: Lease | undefined, now: Date): string {
  if (!lease) return 'not found';
  const { renewed, ageMs, held } = leaseState(lease, now);
  const holder = holderHost(lease.spec?.holderIdentity);
  if (held) return `held by ${holder}, renewed ${formatDuration(ageMs)} ago`;
  return renewed ? `stale: last renewed ${formatDuration(ageMs)} ago by ${holder}` : 'never renewed';
}

function activityEvidence(activity: Activity, lookbackMs: number, now: Date): string {
  if (activity.unreadable) return `could not read events: ${activity.unreadable}`;
  if (activity.newest === undefined) return 'none';
  const by = activity.instance ? ` by ${activity.instance}` : '';
  const counts = `${activity.scheduled} Scheduled, ${activity.failed} FailedScheduling${activity.capped ? ' (counting stopped there)' : ''}`;
  return `${counts} in ${formatDuration(lookbackMs)}; newest ${formatDuration(now.getTime() - activity.newest)} ago${by}`;
}

/** Oldest first; a pod without a creation time counts as old, since nothing shows it is new. */
function oldestWaitMs(pods: readonly PendingPod[], now: Date): number {
  return Math.max(
    ...pods.map((pod) => (pod.createdAt ? now.getTime() - Date.parse(pod.createdAt) : Number.POSITIVE_INFINITY)),
  );
}

/**
 * Findings for Pending pods that no scheduler has tried yet (no FailedScheduling event, no PodScheduled condition),
 * one per schedulerName. A schedulerName counts as served when a lease by its name is held, or when a scheduler by
 * that name has been at work lately (its events, or other Pending pods it tried): kube-scheduler serves every
 * profile under its one `kube-scheduler` lease. An unserved name is critical only once its oldest pod has waited
 * longer than the grace period; a stale lease with no sign of work is critical at once.
 */
export async function unattemptedFindings(
  kube: KubeReader,
  waiting: readonly PendingPod[],
  allPending: readonly PendingPod[],
  options: UnattemptedOptions,
  clock: () => Date,
): Promise<Finding[]> {
  const bySchedulers = new Map<string, PendingPod[]>();
  for (const pod of waiting) {
    const list = bySchedulers.get(pod.schedulerName) ?? [];
    list.push(pod);
    bySchedulers.set(pod.schedulerName, list);
  }
  const since = clock().getTime() - options.activityLookbackMs;
  return Promise.all(
    [...bySchedulers].map(async ([scheduler, pods]): Promise<Finding> => {
      const isDefault = scheduler === DEFAULT_SCHEDULER;
      const leaseName = isDefault ? KUBE_SCHEDULER_LEASE : scheduler;
      const [lease, kubeSchedulerLease] = await Promise.all([
        kube.lease(options.schedulerNamespace, leaseName),
        isDefault ? Promise.resolve(undefined) : kube.lease(options.schedulerNamespace, KUBE_SCHEDULER_LEASE),
      ]);
      // Dated once the leases arrived, one reading for every lease judgement: a slow answer must not make a renewal
      // look more recent than it is, nor two readings judge the same lease twice.
      const leasesAt = clock();
      const own = leaseState(lease, leasesAt);
      // Without a lease, any work within the lookback counts; with a stale one, only work after its last renewal
      // (something schedules without it, e.g. --leader-elect=false), not the work of the leader that died.
      const renewedAt = Date.parse(lease?.spec?.renewTime ?? lease?.spec?.acquireTime ?? '');
      const after = lease && Number.isFinite(renewedAt) ? renewedAt : since;
      const activity = own.held ? undefined : await schedulerActivity(kube, scheduler, allPending, since, after);
      const now = clock();
      const waitedMs = oldestWaitMs(pods, now);
      const pastGrace = waitedMs > options.graceMs;
      const grace = formatDuration(options.graceMs);
      const oldest = Number.isFinite(waitedMs) ? formatDuration(waitedMs) : 'an unknown time (no creationTimestamp)';

      const evidence: Evidence[] = pods
        .slice(0, options.examples)
        .map((pod) => ({ label: `${pod.namespace}/${pod.name}`, value: pendingAge(pod, now) }));
      if (pods.length > options.examples) {
        evidence.push({ label: 'more', value: `${pods.length - options.examples} more pods` });
      }
      evidence.push({
        label: `lease ${options.schedulerNamespace}/${leaseName}`,
        value: leaseEvidence(lease, leasesAt),
      });
      if (!isDefault) {
        evidence.push({
          label: `lease ${options.schedulerNamespace}/${KUBE_SCHEDULER_LEASE}`,
          value: leaseEvidence(kubeSchedulerLease, leasesAt),
        });
      }
      if (activity) {
        evidence.push({
          label: `events from "${scheduler}"`,
          value: activityEvidence(activity, options.activityLookbackMs, now),
        });
        evidence.push({
          label: `other Pending pods "${scheduler}" tried`,
          value: String(activity.attemptedPending),
        });
      }
      evidence.push({ label: 'oldest waits', value: `${oldest} (grace ${grace})` });

      const worksWithoutLease =
        activity !== undefined &&
        [activity.newest, activity.newestTry].some((time) => time !== undefined && time > after);
      const served = own.held || worksWithoutLease;
      const data = {
        schedulerName: scheduler,
        served,
        servedBy: own.held ? holderHost(lease?.spec?.holderIdentity) : served ? (activity?.instance ?? null) : null,
        oldestWaitSeconds: Number.isFinite(waitedMs) ? Math.round(waitedMs / 1000) : null,
        pods: pods.map(pendingPodData),
      };
      const count = pluralize(pods.length, 'pod');
      const verb = pods.length === 1 ? 'waits' : 'wait';

      if (served) {
        const kubeSchedulerHeld = leaseState(kubeSchedulerLease, leasesAt).held;
        const how = own.held
          ? `Scheduler "${scheduler}" is running (leader ${holderHost(lease?.spec?.holderIdentity)}).`
          : !isDefault && !lease && kubeSchedulerHeld
            ? `No lease is named "${scheduler}", but kube-scheduler (leader ${holderHost(kubeSchedulerLease?.spec?.holderIdentity)}) holds one lease for all its profiles, and "${scheduler}" has been at work: most likely a profile of kube-scheduler.`
            : `Scheduler "${scheduler}" holds no ${lease ? 'fresh ' : ''}lease here but has been at work lately (its events or the pods it tried).`;
        return {
          check: 'scheduler.pending-pods',
          severity: pastGrace ? 'warning' : 'info',
          title: pastGrace
            ? `${count} Pending for up to ${oldest} with no scheduling attempt, though "${scheduler}" is served`
            : `${count} not yet scheduled by "${scheduler}" (waiting up to ${oldest})`,
          summary: pastGrace
            ? `${how} It has not tried these pods in ${oldest}: its queue is long or it skips them.`
            : `${how} These pods are new and may simply be queued.`,
          evidence,
          recommendation: pastGrace
            ? `Check the scheduler's queue (scheduler_pending_pods by queue) and its logs for these pods; with profiles, check the profile "${scheduler}" in the KubeSchedulerConfiguration.`
            : `Nothing to do yet; if they are still Pending after ${grace}, run this playbook again.`,
          data,
        };
      }
      if (lease && !own.held) {
        return {
          check: 'scheduler.pending-pods',
          severity: 'critical',
          title: `${count} never attempted: scheduler "${scheduler}" has no active leader`,
          summary: `Its lease ${own.renewed ? `was last renewed ${formatDuration(own.ageMs)} ago` : 'has never been renewed'} and no events show it at work since: no instance is scheduling.`,
          evidence,
          recommendation: isDefault
            ? 'Check the kube-scheduler static pods on the control-plane nodes and their logs (failed to renew lease, cannot reach the API server).'
            : `Check the "${scheduler}" scheduler's pods and their logs (failed to renew lease, cannot reach the API server).`,
          data,
        };
      }
      const lookback = formatDuration(options.activityLookbackMs);
      const checked = isDefault
        ? `No kube-scheduler lease in ${options.schedulerNamespace} and no events from default-scheduler in ${lookback}`
        : `No lease "${scheduler}" in ${options.schedulerNamespace}, no events from "${scheduler}" in ${lookback}, no other pod of it tried${
            leaseState(kubeSchedulerLease, leasesAt).held
              ? '; kube-scheduler is healthy but shows no profile by that name'
              : ''
          }`;
      if (!pastGrace) {
        return {
          check: 'scheduler.pending-pods',
          severity: 'warning',
          title: `${count} not yet scheduled: no sign of scheduler "${scheduler}" yet (waiting up to ${oldest})`,
          summary: `${checked}. The pods are younger than the ${grace} grace period: this may still resolve.`,
          evidence,
          recommendation: `If they are still Pending after ${grace}, check that a scheduler (or a kube-scheduler profile) named "${scheduler}" is deployed.`,
          data,
        };
      }
      return {
        check: 'scheduler.pending-pods',
        severity: 'critical',
        title: isDefault
          ? `${count} ${verb} up to ${oldest} and no scheduler is placing pods`
          : `${count} ${verb} for scheduler "${scheduler}", which nothing runs`,
        summary: `${checked}. The oldest pod has waited ${oldest}, past the ${grace} grace period.`,
        evidence,
        recommendation: isDefault
          ? 'Check the kube-scheduler pods on the control-plane nodes (or the provider, on a managed control plane) and their logs.'
          : `Deploy or fix the "${scheduler}" scheduler (or add a profile of that name to kube-scheduler's configuration), or remove spec.schedulerName from the workload so the default scheduler places it.`,
        data,
      };
    }),
  );
}
