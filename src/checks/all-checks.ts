import { apiserverHealthCheck } from './apiserver-health.js';
import {
  admissionWebhooksCheck,
  apiserverEtcdLatencyCheck,
  apiserverRequestLatencyCheck,
} from './apiserver-latency.js';
import {
  apiserverFlowControlCheck,
  apiserverInflightCheck,
  apiserverObjectCountsCheck,
  apiserverRoundTripCheck,
} from './apiserver-load.js';
import { apiserverClientCertificatesCheck } from './apiserver-client-certificates.js';
import { apiserverServingCertificateCheck } from './apiserver-serving-certificate.js';
import type { CheckDefinition } from './check.js';
import { componentEventsCheck } from './component-events.js';
import { componentLogsCheck } from './component-logs.js';
import { controlPlanePodsCheck } from './control-plane-pods.js';
import { etcdAlarmsCheck } from './etcd-alarms.js';
import { etcdCertificatesCheck } from './etcd-certificates.js';
import { etcdKeyspaceCheck } from './etcd-keyspace.js';
import { etcdMemberHealthCheck } from './etcd-member-health.js';
import { etcdRevisionGrowthCheck } from './etcd-revision-growth.js';
import { etcdRoundTripCheck } from './etcd-round-trip.js';
import { etcdSpaceCheck } from './etcd-space.js';
import { kubeconfigClientCertificateCheck } from './kubeconfig-client-certificate.js';
import { leaderLeasesCheck } from './leader-leases.js';
import { nodeConditionsCheck } from './node-conditions.js';
import { processUsageCheck } from './process-usage.js';
import { CheckRegistry } from './registry.js';
import { resourceUsageCheck } from './resource-usage.js';
import { schedulerCapacityCheck } from './scheduler-capacity.js';
import { schedulerPendingCheck } from './scheduler-pending.js';
import { schedulerTaintsCheck } from './scheduler-taints.js';

/** Every check Quorum implements; playbooks pick from these by id. */
export function createCheckRegistry(): CheckRegistry {
  const checks: CheckDefinition[] = [
    apiserverHealthCheck,
    leaderLeasesCheck,
    controlPlanePodsCheck,
    componentEventsCheck,
    componentLogsCheck,
    nodeConditionsCheck,
    resourceUsageCheck,
    processUsageCheck,
    etcdMemberHealthCheck,
    etcdRoundTripCheck,
    etcdAlarmsCheck,
    etcdSpaceCheck,
    etcdRevisionGrowthCheck,
    etcdKeyspaceCheck,
    schedulerPendingCheck,
    schedulerCapacityCheck,
    schedulerTaintsCheck,
    apiserverRequestLatencyCheck,
    apiserverInflightCheck,
    apiserverFlowControlCheck,
    admissionWebhooksCheck,
    apiserverEtcdLatencyCheck,
    apiserverObjectCountsCheck,
    apiserverRoundTripCheck,
    apiserverServingCertificateCheck,
    kubeconfigClientCertificateCheck,
    etcdCertificatesCheck,
    apiserverClientCertificatesCheck,
  ];
  return new CheckRegistry(checks);
}
