import { createCheckRegistry } from '../checks/all-checks.js';
import { defaultPlaybooksDir } from '../playbooks/default-dir.js';
import { loadPlaybooks } from '../playbooks/load-playbooks.js';
import { ExitCode } from './exit-codes.js';

/** `quorum playbooks`: what can be diagnosed, and which alerts start each playbook. */
export async function playbooksCommand(options: { format: 'text' | 'json'; playbooksDir?: string }): Promise<ExitCode> {
  const playbooks = [
    ...(await loadPlaybooks(options.playbooksDir ?? defaultPlaybooksDir(), createCheckRegistry())).values(),
  ];
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
