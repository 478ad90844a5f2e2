import type { CheckRegistry } from '../checks/registry.js';
import type { Config } from '../config/config-schema.js';
import { resolveCluster } from '../config/resolve-cluster.js';
import { UsageError } from '../core/errors.js';
import { formatIssuePath } from '../core/issue-path.js';
import { findPlaybook, validateRunArgs } from '../playbooks/load-playbooks.js';
import { coerceParams } from '../playbooks/parse-params.js';
import type { Playbook } from '../playbooks/playbook-schema.js';
import { RunRequestSchema, newRunId, type RunRequest, type RunRequestInput } from './run-request.js';

/**
 * The full envelope for what a caller asked: a fresh run id, the default cluster, now and an `api` trigger where it
 * said nothing. Checks the playbook, the cluster and the parameters, so a bad request fails before anything is
 * queued or connected. Connects to nothing: the bot uses it as the worker does.
 *
 * @throws UsageError, UnknownPlaybookError or UnknownClusterError with what to ask instead.
 */
export function prepareRun(
  config: Config,
  playbooks: ReadonlyMap<string, Playbook>,
  registry: CheckRegistry,
  input: RunRequestInput,
): RunRequest {
  const playbook = findPlaybook(playbooks, input.playbook);
  const parsed = RunRequestSchema.safeParse({
    runId: input.runId ?? newRunId(),
    cluster: resolveCluster(config, input.cluster).name,
    playbook: playbook.id,
    params: input.params ?? {},
    trigger: input.trigger ?? { kind: 'api' },
    requestedAt: input.requestedAt ?? new Date().toISOString(),
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`);
    throw new UsageError(`Invalid run request: ${problems.join('; ')}`);
  }
  validateRunArgs(playbook, registry, coerceParams(playbook, parsed.data.params));
  return parsed.data;
}
