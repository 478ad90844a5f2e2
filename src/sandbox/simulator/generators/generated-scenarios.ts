import type { Scenario } from '../scenario/scenario.js';
import { generateScaleScenario } from './scale-scenario.js';

/** A scenario made in code, loadable by name like a scenario file. */
export interface GeneratedScenario {
  description: string;
  generate(): Scenario;
}

/**
 * Scenarios built by generators rather than read from a file, by name: `loadScenario('scale')` and
 * `startSimulator({ scenario: 'scale' })` find them when no file of that name exists. Other sizes:
 * `startSimulator({ scenario: generateScaleScenario({ nodes, pods, pending }) })`.
 */
export const GENERATED_SCENARIOS: Readonly<Record<string, GeneratedScenario>> = {
  scale: {
    description: '5000 nodes and 100,000 pods built on demand; 2000 Pending with FailedScheduling events.',
    generate: () => generateScaleScenario(),
  },
};
