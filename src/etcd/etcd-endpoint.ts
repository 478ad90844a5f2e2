import { ConfigError } from '../core/errors.js';

/**
 * The canonical form of an endpoint: with a scheme (`https://` when TLS is configured, else `http://`, as etcdctl
 * assumes) and without a trailing slash, so `http://a:2379/` and `http://a:2379` share one client.
 *
 * @throws ConfigError for anything that is not a URL with a host.
 */
export function normalizeEndpoint(endpoint: string, tls: boolean): string {
  const trimmed = endpoint.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `${tls ? 'https' : 'http'}://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new ConfigError(`etcd endpoint "${endpoint}" is not a URL: expected e.g. https://10.0.0.1:2379.`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '' || url.pathname !== '/') {
    throw new ConfigError(
      `etcd endpoint "${endpoint}" must be http:// or https:// with a host and no path, e.g. https://10.0.0.1:2379.`,
    );
  }
  return `${url.protocol}//${url.host}`;
}
