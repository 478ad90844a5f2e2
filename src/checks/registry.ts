import type { CheckDefinition } from './check.js';

/** The checks implemented in code, by id. Playbooks name them; the loader validates args against them. */
export class CheckRegistry {
  private readonly checks = new Map<string, CheckDefinition>();

  constructor(definitions: Iterable<CheckDefinition> = []) {
    for (const definition of definitions) this.register(definition);
  }

  register(definition: CheckDefinition): void {
    if (this.checks.has(definition.id)) throw new Error(`check "${definition.id}" is registered twice`);
    this.checks.set(definition.id, definition);
  }

  get(id: string): CheckDefinition | undefined {
    return this.checks.get(id);
  }

  ids(): string[] {
    return [...this.checks.keys()].sort();
  }
}
