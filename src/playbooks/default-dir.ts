import { fileURLToPath } from 'node:url';

/** The `playbooks/` folder shipped with Quorum, found from this module both in `src/` and in `dist/`. */
export function defaultPlaybooksDir(): string {
  return fileURLToPath(new URL('../../playbooks', import.meta.url));
}
