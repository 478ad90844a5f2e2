import { writeFileSync } from 'node:fs';
import { createCheckRegistry } from '../checks/all-checks.js';
import { defaultPlaybooksDir } from './default-dir.js';
import { loadPlaybooks } from './load-playbooks.js';
import { catalogPath, playbooksFingerprint, type PlaybookCatalog } from './playbook-catalog.js';

/**
 * Validates the shipped playbooks and writes the catalog listing commands read (run by the build, so an invalid
 * playbook fails the build). Returns the file written.
 */
export async function writePlaybookCatalog(directory = defaultPlaybooksDir(), file = catalogPath()): Promise<string> {
  const fingerprint = playbooksFingerprint(directory);
  const playbooks = [...(await loadPlaybooks(directory, createCheckRegistry())).values()];
  const catalog: PlaybookCatalog = { fingerprint, playbooks };
  writeFileSync(file, `${JSON.stringify(catalog)}\n`);
  return file;
}
