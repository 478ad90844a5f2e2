import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ServiceStartError } from '../../core/errors.js';

/** The servers Quorum's sandbox starts, and the Debian package that ships each. */
const PACKAGES = {
  etcd: 'etcd-server',
  'redis-server': 'redis-server',
  prometheus: 'prometheus',
  'prometheus-alertmanager': 'prometheus-alertmanager',
} as const;
export type ServiceBinary = keyof typeof PACKAGES;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `PATH` (inherited by every server we spawn anyway), then where Debian and `make install` put servers. */
function defaultDirectories(): string[] {
  return [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin', '/usr/local/bin'];
}

/**
 * The absolute path of a server binary, looked up on `PATH` and then in `/usr/bin` and `/usr/local/bin` (Debian's
 * `etcd-server` puts etcd in `/usr/bin`, which some minimal `PATH`s lack).
 *
 * @throws ServiceStartError naming the command that installs it.
 */
export function requireBinary(binary: ServiceBinary, directories: readonly string[] = defaultDirectories()): string {
  for (const directory of directories) {
    const candidate = join(directory, binary);
    if (isExecutable(candidate)) return candidate;
  }
  throw new ServiceStartError(
    `${binary} is not installed (looked in ${directories.join(', ')}). ` +
      `Run "npm run bootstrap", or install it with "apt-get install -y ${PACKAGES[binary]}".`,
  );
}
