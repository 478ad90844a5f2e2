import { createCheckRegistry } from '../checks/all-checks.js';
import type { Config } from '../config/config-schema.js';
import type { DiagnosisReport } from '../findings/finding.js';
import { defaultPlaybooksDir } from '../playbooks/default-dir.js';
import { findPlaybook, loadPlaybooks, validateRunArgs } from '../playbooks/load-playbooks.js';
import { parseParams } from '../playbooks/parse-params.js';
import { runPlaybook, type RunProgress } from '../playbooks/run-playbook.js';
import { connectReaders } from './connect-readers.js';

export interface DiagnoseOptions {
  /** `name=value` assignments for the playbook's parameters. */
  params?: readonly string[];
  onProgress?: (progress: RunProgress) => void;
}

/**
 * One diagnosis from start to end: load and validate the playbook, connect read-only to the cluster (failing fast
 * with an actionable error when etcd or the kubeconfig is unusable), run it, and close every connection.
 */
export async function diagnose(
  config: Config,
  playbookId: string,
  options: DiagnoseOptions = {},
): Promise<DiagnosisReport> {
  const registry = createCheckRegistry();
  const playbooks = await loadPlaybooks(config.playbooksDir ?? defaultPlaybooksDir(), registry);
  const playbook = findPlaybook(playbooks, playbookId);
  const params = parseParams(playbook, options.params ?? []);
  validateRunArgs(playbook, registry, params);
  const readers = await connectReaders(config);
  try {
    return await runPlaybook(playbook, registry, readers.clients, {
      params,
      checkTimeoutMs: config.diagnose.checkTimeoutMs,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
  } finally {
    await readers.close();
  }
}
