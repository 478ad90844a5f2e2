import { closestMatches } from '../core/closest-match.js';

/** What `/quorum …` asks for. */
export type QuorumCommand =
  | { kind: 'diagnose'; playbook: string; cluster?: string; params: Record<string, string> }
  | { kind: 'playbooks' }
  | { kind: 'clusters' }
  | { kind: 'status'; runId?: string }
  | { kind: 'history'; cluster?: string }
  | { kind: 'cancel'; runId: string }
  | { kind: 'audit'; cluster?: string; since: string }
  | { kind: 'help' };

export type ParsedCommand = { ok: true; command: QuorumCommand } | { ok: false; message: string };

const SUBCOMMANDS = ['diagnose', 'playbooks', 'clusters', 'status', 'history', 'cancel', 'audit', 'help'] as const;

/** Names people type for playbooks, as the chapter's problems are called. */
export const PLAYBOOK_ALIASES: Readonly<Record<string, string>> = {
  etcd: 'etcd-db-growth',
  latency: 'apiserver-latency',
  slow: 'apiserver-latency',
  pending: 'scheduler-pending',
  scheduler: 'scheduler-pending',
  health: 'control-plane-health',
  checklist: 'control-plane-health',
};

const RUN_ID = /^(?!\d+$)[A-Za-z0-9_-]{1,64}$/;

function assignment(token: string): [string, string] | undefined {
  const separator = token.indexOf('=');
  if (separator <= 0) return undefined;
  return [token.slice(0, separator), token.slice(separator + 1)];
}

/** Slack sends the text after the command as typed; quotes and smart quotes around values are dropped. */
function tokens(text: string): string[] {
  return text
    .replace(/[“”„]/g, '"')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((token) => token.replace(/^(\w+)="(.*)"$/, '$1=$2'));
}

/**
 * Parses the text of `/quorum …`. Only the form is checked here (which subcommand, which arguments); whether the
 * playbook, cluster and parameters exist is the run's preparation's business. Messages say what to type instead.
 */
export function parseQuorumCommand(text: string): ParsedCommand {
  const [first, ...rest] = tokens(text);
  const verb = first?.toLowerCase();
  if (!first || !verb || verb === 'help' || verb === '-h' || verb === '--help')
    return { ok: true, command: { kind: 'help' } };
  // Words after a complete command are refused rather than dropped: `status r-1 r-2` must not answer for r-1 only.
  const extra = (allowed: number, usage: string): ParsedCommand | undefined =>
    rest.length > allowed
      ? { ok: false, message: `\`${rest.slice(allowed).join(' ')}\` is one word too many: type ${usage}.` }
      : undefined;
  switch (verb) {
    case 'diagnose':
    case 'run': {
      const [playbook, ...args] = rest;
      if (!playbook || assignment(playbook)) {
        return {
          ok: false,
          message: 'Which playbook? Type `/quorum diagnose etcd cluster=prod-eu`; `/quorum playbooks` lists them.',
        };
      }
      const params: Record<string, string> = {};
      let cluster: string | undefined;
      for (const token of args) {
        const pair = assignment(token);
        if (!pair)
          return {
            ok: false,
            message: `\`${token}\` is not name=value: parameters look like \`cluster=prod-eu\` or \`windowSeconds=30\`.`,
          };
        const [name, value] = pair;
        // An empty or repeated value would otherwise run against the default cluster, or the last one typed.
        if (value === '')
          return {
            ok: false,
            message: `\`${name}=\` needs a value, e.g. \`${name === 'cluster' ? 'cluster=prod-eu' : `${name}=30`}\`.`,
          };
        if ((name === 'cluster' && cluster !== undefined) || (name !== 'cluster' && name in params))
          return { ok: false, message: `\`${name}\` is given twice: give it once.` };
        if (name === 'cluster') cluster = value;
        else params[name] = value;
      }
      return {
        ok: true,
        command: { kind: 'diagnose', playbook: playbook.toLowerCase(), ...(cluster ? { cluster } : {}), params },
      };
    }
    case 'playbooks':
    case 'clusters':
      return extra(0, `\`/quorum ${verb}\``) ?? { ok: true, command: { kind: verb } };
    case 'status': {
      const tooMany = extra(1, '`/quorum status` or `/quorum status r-lz2k9x1c-3f9a1b7e`');
      if (tooMany) return tooMany;
      const [runId] = rest;
      if (runId && !RUN_ID.test(runId))
        return { ok: false, message: `\`${runId}\` is not a run id: they look like \`r-lz2k9x1c-3f9a1b7e\`.` };
      return { ok: true, command: { kind: 'status', ...(runId ? { runId } : {}) } };
    }
    case 'history': {
      const tooMany = extra(1, '`/quorum history` or `/quorum history cluster=prod-eu`');
      if (tooMany) return tooMany;
      const pair = rest[0] ? assignment(rest[0]) : undefined;
      if (rest[0] && (!pair || pair[0] !== 'cluster' || pair[1] === ''))
        return { ok: false, message: 'Type `/quorum history` or `/quorum history cluster=prod-eu`.' };
      return { ok: true, command: { kind: 'history', ...(pair ? { cluster: pair[1] } : {}) } };
    }
    case 'cancel': {
      const tooMany = extra(1, 'one run: `/quorum cancel r-lz2k9x1c-3f9a1b7e`');
      if (tooMany) return tooMany;
      const [runId] = rest;
      if (!runId || !RUN_ID.test(runId))
        return {
          ok: false,
          message:
            "Which run? Type `/quorum cancel r-lz2k9x1c-3f9a1b7e` (its id is under the run's message; `/quorum status` lists them).",
        };
      return { ok: true, command: { kind: 'cancel', runId } };
    }
    case 'audit': {
      let cluster: string | undefined;
      let since = '24h';
      for (const token of rest) {
        const pair = assignment(token);
        if (pair?.[0] === 'cluster') cluster = pair[1];
        else if (pair?.[0] === 'since' && /^\d+[smhdw]$/.test(pair[1])) since = pair[1];
        else return { ok: false, message: 'Type `/quorum audit [cluster=NAME] [since=24h]` (since: 30m, 24h, 7d…).' };
      }
      return { ok: true, command: { kind: 'audit', ...(cluster ? { cluster } : {}), since } };
    }
    default: {
      // `/quorum etcd cluster=x` is what people type first: take a playbook name or alias as "diagnose".
      const asPlaybook = parseQuorumCommand(`diagnose ${text}`);
      if (PLAYBOOK_ALIASES[verb] || /^[a-z]+(-[a-z]+)+$/.test(verb)) return asPlaybook;
      const near = closestMatches(verb, [...SUBCOMMANDS]);
      return {
        ok: false,
        message: `I do not know \`${first}\`.${near.length > 0 ? ` Did you mean \`${near[0]}\`?` : ''} Type \`/quorum help\` for what I can do.`,
      };
    }
  }
}

/** The playbook id an alias or id stands for (unknown names come back as typed). */
export function playbookFor(name: string): string {
  return PLAYBOOK_ALIASES[name] ?? name;
}

/** `/quorum help`: everything in a few lines. */
export const HELP_TEXT = [
  '*Quorum* diagnoses the Kubernetes control plane.',
  '• `/quorum diagnose <playbook> [cluster=NAME] [param=value…]`: run a playbook (`etcd`, `latency`, `pending`, `health`, or a full id)',
  '• `/quorum playbooks`: what can be diagnosed, and their parameters',
  '• `/quorum clusters`: the clusters I know',
  '• `/quorum status [RUN]`: a run, or the latest ones',
  '• `/quorum history [cluster=NAME]`: recent runs',
  '• `/quorum cancel RUN`: stop a run',
  '• `/quorum audit [cluster=NAME] [since=24h]`: the latest maintenance requests, decisions and steps (approvers only)',
].join('\n');
