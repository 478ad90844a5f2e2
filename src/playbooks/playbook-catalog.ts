import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Playbook } from './playbook-schema.js';

/**
 * The shipped playbooks, validated when Quorum is built, for commands that only list them (`quorum playbooks`):
 * reading them this way loads neither zod nor the YAML parser nor the checks, which is most of a cold start. The
 * catalog is used only while the playbook files are exactly those it was built from; anything else reads and
 * validates the files as every run does.
 *
 * Deliberately free of zod and yaml imports (type imports are erased): that is its point.
 */
export interface PlaybookCatalog {
  /** `name:sha256` of every YAML file in the directory, sorted: what the catalog was built from. */
  fingerprint: string[];
  playbooks: Playbook[];
}

/** Where the built catalog lives: beside this module in `dist/playbooks/`. */
export function catalogPath(): string {
  return fileURLToPath(new URL('./catalog.json', import.meta.url));
}

/**
 * What identifies the playbook files of a directory: their names and contents (a few KiB, hashed in well under a
 * millisecond). Not modification times: package tarballs and image layers do not keep them.
 */
export function playbooksFingerprint(directory: string): string[] {
  return readdirSync(directory)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map(
      (name) =>
        `${name}:${createHash('sha256')
          .update(readFileSync(join(directory, name)))
          .digest('hex')}`,
    );
}

/** The catalog's playbooks when it exists and still matches the directory's files; `undefined` otherwise. */
export function readPlaybookCatalog(directory: string, file: string = catalogPath()): Playbook[] | undefined {
  let catalog: PlaybookCatalog;
  try {
    catalog = JSON.parse(readFileSync(file, 'utf8')) as PlaybookCatalog;
  } catch {
    return undefined;
  }
  if (!Array.isArray(catalog.fingerprint) || !Array.isArray(catalog.playbooks)) return undefined;
  let current: string[];
  try {
    current = playbooksFingerprint(directory);
  } catch {
    return undefined;
  }
  const same =
    current.length === catalog.fingerprint.length &&
    current.every((entry, index) => entry === catalog.fingerprint[index]);
  return same ? catalog.playbooks : undefined;
}
