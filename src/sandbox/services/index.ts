/** Real servers for tests, the demo and benchmarks: started on free loopback ports, stopped with everything removed. */
export { startRedis, type RedisService, type StartRedisOptions } from './redis-server.js';
export { startEtcd, type EtcdService, type StartEtcdOptions } from './etcd-server.js';
export {
  startEtcdCluster,
  type EtcdCluster,
  type EtcdClusterMember,
  type StartEtcdClusterOptions,
} from './etcd-cluster.js';
export type { EtcdTiming } from './etcd-member-process.js';
export type { EtcdTlsFiles, EtcdTlsOptions } from './etcd-tls-files.js';
export { findFreePort, findFreePorts } from './free-port.js';
export { startLatencyProxy, type LatencyProxy, type StartLatencyProxyOptions } from './latency-proxy.js';
export { requireBinary, type ServiceBinary } from './require-binary.js';
export { pingRedis } from './redis-ping.js';
export { etcdAnswersHealthy, etcdServesPeers } from './etcd-health-probe.js';
export { readEtcdGauge } from './etcd-gauge.js';
export { sweepStaleTempDirs } from './temp-dir.js';
export {
  startPrometheus,
  type PrometheusService,
  type PrometheusVectorElement,
  type StartPrometheusOptions,
  type WaitOptions,
} from './prometheus-server.js';
export { apiserverTarget, etcdTarget, type ScrapeTarget } from './scrape-target.js';
export { startAlertmanager, type AlertmanagerService, type StartAlertmanagerOptions } from './alertmanager-server.js';
