import { ErrorCode, QuorumError } from '../core/errors.js';

/** The executor stopped a maintenance on purpose (a failed pre-flight, a lost lock, a failed step). */
export class MaintenanceStoppedError extends QuorumError {
  constructor(message: string, cause?: unknown) {
    super(ErrorCode.MaintenanceStopped, message, { cause });
  }
}
