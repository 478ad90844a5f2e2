/**
 * Every method the read-only etcd facade exposes, sorted: a new one is added here on purpose, after asking whether it
 * can change anything on the cluster (it must not).
 */
export const ETCD_READER_METHODS = [
  'alarms',
  'clientCertificate',
  'close',
  'endpoints',
  'health',
  'members',
  'metricsText',
  'ping',
  'prefixCounts',
  'quotaBytes',
  'servingCertificates',
  'status',
] as const;
