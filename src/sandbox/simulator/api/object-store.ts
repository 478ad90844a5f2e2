import type { ResourceName } from '../resources/registry.js';
import type { ObjectSource } from '../scenario/object-source.js';
import type { Scenario } from '../scenario/scenario.js';

/**
 * The scenario's objects with the storage revision lists report. The objects never change, but the revision can
 * be compacted like etcd's, which expires the continue tokens handed out before (410 Gone).
 */
export class ObjectStore {
  private currentRevision: number;
  private compacted = 0;

  constructor(readonly scenario: Scenario) {
    this.currentRevision = scenario.revision;
  }

  get revision(): number {
    return this.currentRevision;
  }

  /** Continue tokens from before this revision answer 410 Expired. */
  get compactedRevision(): number {
    return this.compacted;
  }

  source(resource: ResourceName): ObjectSource {
    return this.scenario.objects[resource];
  }

  /** Simulates etcd compaction (kube-apiserver does it every 5 minutes): pending continue tokens expire. */
  compact(): void {
    this.currentRevision += 1;
    this.compacted = this.currentRevision;
  }
}
