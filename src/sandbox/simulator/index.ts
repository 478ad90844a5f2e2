/**
 * The cluster simulator: an HTTPS server that answers as a Kubernetes API server from scenario files, for tests and
 * `quorum demo`. Everything else under this folder is internal.
 */
export { startSimulator, type RunningSimulator } from './start-simulator.js';
export type { SimulatorOptions } from './simulator-options.js';
export type { Fault, InjectedFault } from './server/faults.js';
export type { RequestLog, RequestRecord } from './server/request-log.js';
export { defaultScenariosDir, listScenarios, loadScenario, parseScenario } from './scenario/load-scenario.js';
export { buildScenario, type ScenarioFileInput } from './scenario/build-scenario.js';
export type { ClusterInfo, HealthCheck, HealthEndpoint, PodLog, Scenario } from './scenario/scenario.js';
export {
  arraySource,
  lowerBoundBy,
  storageKey,
  type FieldIndex,
  type ObjectSource,
  type SimObject,
  type SimObjectMeta,
} from './scenario/object-source.js';
export {
  concatSources,
  emptySource,
  generatedSource,
  mergeSources,
  subsequenceSource,
  withIndex,
  type GeneratedSourceOptions,
} from './scenario/source-combinators.js';
export { resolveTimestamp, relativeOffsetMs } from './scenario/relative-time.js';
export { renderKubeconfig } from './server/kubeconfig.js';
export { generateScaleScenario, type ScaleScenario, type ScaleScenarioOptions } from './generators/scale-scenario.js';
export type { BuildCounts } from './generators/scale-objects.js';
export { GENERATED_SCENARIOS, type GeneratedScenario } from './generators/generated-scenarios.js';
export { failedSchedulingMessage, type NodeGroup } from './generators/failed-scheduling-message.js';
