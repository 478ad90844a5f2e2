import { defaultPlaybooksDir } from '../playbooks/default-dir.js';
import { readPlaybookCatalog } from '../playbooks/playbook-catalog.js';
import type { Playbook } from '../playbooks/playbook-schema.js';
import { ExitCode } from './exit-codes.js';

/** The playbooks to list: the build's catalog while the files are unchanged, else read and validated now. */
async function listPlaybooks(directory: string): Promise<Playbook[]> {
  const cataloged = readPlaybookCatalog(directory);
  if (cataloged) return cataloged;
  // Loaded only here: the checks' schemas, zod and the YAML parser are most of a cold start.
  const [{ createCheckRegistry }, { loadPlaybooks }] = await Promise.all([
    import('../checks/all-checks.js'),
    import('../playbooks/load-playbooks.js'),
  ]);
  return [...(await loadPlaybooks(directory, createCheckRegistry())).values()];
}

/** `quorum playbooks`: what can be diagnosed, and which alerts start each playbook. */
export async function playbooksCommand(options: { format: 'text' | 'json'; playbooksDir?: string }): Promise<ExitCode> {
  const playbooks = await listPlaybooks(options.playbooksDir ?? defaultPlaybooksDir());
  if (options.format === 'json') {
    const summary = playbooks.map((playbook) => ({
      id: playbook.id,
      title: playbook.title,
      description: playbook.description,
      alerts: playbook.alerts,
      parameters: playbook.parameters,
      checks: playbook.checks.map((entry) => entry.check),
      remediations: playbook.remediations,
    }));
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return ExitCode.Ok;
  }
  const width = Math.max(...playbooks.map((playbook) => playbook.id.length));
  for (const playbook of playbooks) {
    process.stdout.write(`${playbook.id.padEnd(width)}  ${playbook.title}\n`);
    if (playbook.alerts.length > 0)
      process.stdout.write(`${' '.repeat(width)}  alerts: ${playbook.alerts.join(', ')}\n`);
    if (playbook.parameters.length > 0) {
      const parameters = playbook.parameters.map((parameter) => `${parameter.name}=${String(parameter.default ?? '')}`);
      process.stdout.write(`${' '.repeat(width)}  --param ${parameters.join(' --param ')}\n`);
    }
  }
  return ExitCode.Ok;
}
