import type { Config } from '../config/config-schema.js';
import type { Playbook } from '../playbooks/playbook-schema.js';
import type { RunRecord } from '../queue/run-record.js';
import { escapeMrkdwn } from '../render/mrkdwn.js';
import { SEVERITY_STYLE } from '../render/severity-style.js';
import { PLAYBOOK_ALIASES } from './quorum-command.js';

/** An ephemeral answer to a slash command: only the person who typed it sees it. */
export interface Ephemeral {
  response_type: 'ephemeral';
  text: string;
}

export const ephemeral = (text: string): Ephemeral => ({ response_type: 'ephemeral', text });

export function playbooksReply(playbooks: ReadonlyMap<string, Playbook>): Ephemeral {
  const aliases = (id: string) =>
    Object.entries(PLAYBOOK_ALIASES)
      .filter(([, target]) => target === id)
      .map(([alias]) => `\`${alias}\``);
  const lines = [...playbooks.values()].map((playbook) => {
    const params = playbook.parameters.map((parameter) => `\`${parameter.name}=${String(parameter.default ?? '')}\``);
    const names = [`\`${playbook.id}\``, ...aliases(playbook.id)].join(', ');
    return `• *${escapeMrkdwn(playbook.title)}*: ${names}${params.length > 0 ? `\n    parameters: ${params.join(' ')}` : ''}`;
  });
  return ephemeral(`What I can diagnose (\`/quorum diagnose <name> cluster=NAME\`):\n${lines.join('\n')}`);
}

export function clustersReply(config: Config): Ephemeral {
  const names = Object.keys(config.clusters);
  if (names.length === 0) return ephemeral('No cluster is configured: add one under `clusters:` in quorum.yaml.');
  const lines = names.map((name) => `• \`${name}\`${name === config.defaultCluster ? ' (default)' : ''}`);
  return ephemeral(`Clusters (\`cluster=NAME\`):\n${lines.join('\n')}`);
}

function recordLine(record: RunRecord, permalink?: string): string {
  const outcome = record.summary
    ? `${SEVERITY_STYLE[record.summary.worst].slackEmoji} ${escapeMrkdwn(record.summary.rootCause)}`
    : record.error
      ? `${record.state}: ${escapeMrkdwn(record.error)}`
      : record.state;
  const when = `<!date^${Math.floor(Date.parse(record.requestedAt) / 1000)}^{date_short_pretty} {time}|${record.requestedAt}>`;
  const by = record.trigger.by
    ? record.trigger.kind === 'slack'
      ? ` by <@${record.trigger.by}>`
      : ` by ${escapeMrkdwn(record.trigger.by)}`
    : '';
  const took = record.durationMs !== undefined ? ` · ${Math.round(record.durationMs / 1000)} s` : '';
  const link = permalink ? ` · <${permalink}|message>` : '';
  return `• \`${record.runId}\` \`${record.playbook}\` on \`${record.cluster}\` · ${when}${by} (${record.trigger.kind})${took}${link}\n    ${outcome}`;
}

export function statusReply(
  records: ReadonlyArray<{ record: RunRecord; permalink?: string }>,
  what: string,
): Ephemeral {
  if (records.length === 0) return ephemeral(`No runs ${what}.`);
  return ephemeral(
    `Runs ${what}:\n${records.map(({ record, permalink }) => recordLine(record, permalink)).join('\n')}`,
  );
}
