import type { Config } from '../config/config-schema.js';
import type { DiagnosisReport } from './diagnosis-report.js';
import { DiagnosisService, type RunOptions } from './diagnosis-service.js';
import type { RunRequestInput } from './run-request.js';

export type { RunOptions as DiagnoseOptions };

/**
 * One diagnosis from start to end, for a one-shot caller (the CLI): load the playbooks, connect read-only to the
 * cluster (failing fast with an actionable error when etcd or the kubeconfig is unusable), run, close everything.
 * Long-lived callers keep a {@link DiagnosisService} instead.
 */
export async function diagnose(
  config: Config,
  request: RunRequestInput,
  options: RunOptions = {},
): Promise<DiagnosisReport> {
  const service = await DiagnosisService.create(config);
  try {
    return await service.run(request, options);
  } finally {
    await service.close();
  }
}
