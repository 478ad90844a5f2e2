/**
 * What to do about a certificate, in kubeadm's terms (kubeadm issues a cluster's certificates for a year and renews
 * them on `kubeadm upgrade`; a cluster nobody upgraded for a year is the classic outage), with a note for managed
 * control planes, where the provider owns the serving certificates.
 */

/** Static pods read their certificates only at start: renewing a file changes nothing until they restart. */
const RESTART_STATIC_PODS =
  'then restart the static pods that read it, since they load certificates only at start: move their manifests out of /etc/kubernetes/manifests and back after about 20 s (the kubelet stops and recreates the pods), or crictl stop their containers';

const CHECK_EXPIRATION =
  '`kubeadm certs check-expiration` on a control-plane node lists every certificate kubeadm manages with its expiry';

const MANAGED_SERVING =
  'Managed control plane (EKS, GKE, AKS, …): the provider rotates the serving certificates itself; there is nothing to renew on your side but your own client credentials.';

const CLOCKS =
  'A certificate that is not yet valid usually means a clock is wrong: compare `timedatectl` (or `chronyc tracking`) here and on the node that issued it.';

/** Which certificate of the API server's chain, for the advice. */
export type ChainRole = 'serving' | 'intermediate' | 'ca';

/** For the API server's serving chain. */
export function apiserverAdvice(role: ChainRole, expired: boolean, notYetValid: boolean): string {
  const now = expired
    ? 'Every client that verifies it (kubelets, controllers, kubectl, this check’s reads) is refusing the API server right now. '
    : '';
  if (role === 'ca') {
    return `${now}This is the cluster CA: \`kubeadm certs renew\` does not renew CAs. Plan a CA rotation (kubeadm's "Manual rotation of CA certificates": trust the new CA everywhere first, then re-issue every certificate) well before it expires; ${CHECK_EXPIRATION} (CERTIFICATE AUTHORITY section). ${MANAGED_SERVING}`;
  }
  const which = role === 'serving' ? '`kubeadm certs renew apiserver`' : '`kubeadm certs renew all`';
  return `${now}${notYetValid ? `${CLOCKS} ` : ''}${CHECK_EXPIRATION}. Renew on each control-plane node with ${which} (or \`kubeadm certs renew all\`; \`kubeadm upgrade apply\` renews them too), ${RESTART_STATIC_PODS} — kube-apiserver first, then kube-controller-manager and kube-scheduler. Verify with \`openssl s_client -connect <host>:6443 </dev/null | openssl x509 -noout -dates\`. ${MANAGED_SERVING}`;
}

/** For an etcd member's serving certificate. */
export function etcdServingAdvice(member: string, expired: boolean, notYetValid: boolean): string {
  const now = expired
    ? `The API server and etcdctl refuse member ${member} while it serves this certificate: it counts as down although etcd runs. `
    : '';
  return `${now}${notYetValid ? `${CLOCKS} ` : ''}On ${member}'s node, \`kubeadm certs check-expiration\` lists etcd's certificates (etcd-server, etcd-peer, etcd-healthcheck-client, under /etc/kubernetes/pki/etcd) with their expiry. Renew with \`kubeadm certs renew etcd-server\` — and \`kubeadm certs renew etcd-peer\`, since an expired peer certificate (/etc/kubernetes/pki/etcd/peer.crt) breaks raft between members — ${RESTART_STATIC_PODS} (etcd.yaml), one member at a time, checking \`etcdctl endpoint health\` before the next. Managed etcd (a managed control plane): the provider's.`;
}

/** For the kubeconfig's client certificate. */
export function kubeconfigClientAdvice(user: string, expired: boolean): string {
  const now = expired
    ? 'The API server answers 401 Unauthorized to this kubeconfig: its reads fail until it is renewed. '
    : '';
  return `${now}If it is kubeadm's admin.conf (user ${user}): \`kubeadm certs renew admin.conf\` (or \`super-admin.conf\`) on a control-plane node and copy the new /etc/kubernetes/admin.conf into this kubeconfig — the client-certificate-data changes. Otherwise issue a new certificate from the same CA (a CertificateSigningRequest an administrator approves, or your PKI). Managed clusters: use the provider's credential plugin (aws eks get-token, gke-gcloud-auth-plugin, kubelogin) rather than long-lived client certificates.`;
}

/** For the etcd client certificate of the config. */
export function etcdClientAdvice(setting: string, commonName: string | undefined, expired: boolean): string {
  const now = expired ? 'etcd refuses it: every etcd check of this run fails until it is renewed. ' : '';
  const apiserver =
    commonName === 'kube-apiserver-etcd-client'
      ? 'This is the API server’s own etcd client certificate (/etc/kubernetes/pki/apiserver-etcd-client.crt): when it expires, the API server loses etcd too. Renew it with `kubeadm certs renew apiserver-etcd-client` and restart kube-apiserver (move its manifest out of /etc/kubernetes/manifests and back). '
      : 'kubeadm: `kubeadm certs renew etcd-healthcheck-client` for /etc/kubernetes/pki/etcd/healthcheck-client.crt, `kubeadm certs renew apiserver-etcd-client` for /etc/kubernetes/pki/apiserver-etcd-client.crt (then restart kube-apiserver). ';
  return `${now}${apiserver}Then point ${setting} and its key at the renewed files.`;
}

/** For clients the API server saw presenting certificates that expire soon (the histogram). */
export const CLIENT_HISTOGRAM_ADVICE =
  'The metric counts requests, not clients, and does not name them: find the client. On kubeadm clusters the usual ones are the kubelets (/var/lib/kubelet/pki/kubelet-client-current.pem; they rotate it themselves when rotateCertificates is on and their CSRs are approved — look for Pending requests in `kubectl get csr`), the controller manager and the scheduler (controller-manager.conf, scheduler.conf: `kubeadm certs renew controller-manager.conf` / `scheduler.conf`, then restart their static pods), admin.conf, and anything with certificates from your own CA. `kubeadm certs check-expiration` lists the kubeadm-managed ones; the API server’s audit log names the user of each request, and its log says "certificate has expired" for refused ones.';
