import type { SettingName } from '../core/setting-name.js';

/** How the diagnostics reach etcd. Paths are the same files `etcdctl --cacert/--cert/--key` takes. */
export interface EtcdReaderOptions {
  /** Client URLs, e.g. `https://10.0.0.1:2379`. A bare `host:port` gets `https://` when TLS files are given. */
  endpoints: readonly string[];
  /** CA bundle that signed the members' serving certificates (kubeadm: `/etc/kubernetes/pki/etcd/ca.crt`). */
  caFile?: string;
  /** Client certificate (kubeadm: `/etc/kubernetes/pki/apiserver-etcd-client.crt`). */
  certFile?: string;
  /** Client certificate's private key (kubeadm: `/etc/kubernetes/pki/apiserver-etcd-client.key`). */
  keyFile?: string;
  /** Deadline for each request to etcd, in ms; nothing is retried. @defaultValue 5000 */
  requestTimeoutMs?: number;
  /** How messages name these settings (`clusters.prod-eu.etcd.caFile`). @defaultValue the bare path (`etcd.caFile`) */
  settingName?: SettingName;
}
