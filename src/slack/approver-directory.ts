import type { WebClient } from '@slack/web-api';
import type { ApprovalPolicy } from '../approvals/approval-record.js';
import { describeError } from '../core/errors.js';

export type ApproverCheck = { ok: true; via: string } | { ok: false; why: string };

export interface ApproverDirectoryOptions {
  client: WebClient;
  /** How long a group's members are trusted before Slack is asked again (ms). @defaultValue 60000 */
  cacheMs?: number;
}

/**
 * Decides whether a Slack user may approve under a policy: listed by id, or a member of a listed user group
 * (usergroups.users.list, cached briefly so a burst of clicks costs one call per group, and a removal from the
 * group takes effect within a minute). Fails closed: a group that cannot be read grants nothing.
 */
export class ApproverDirectory {
  private readonly cache = new Map<string, { users: ReadonlySet<string>; at: number }>();
  private readonly cacheMs: number;

  constructor(private readonly options: ApproverDirectoryOptions) {
    this.cacheMs = options.cacheMs ?? 60_000;
  }

  private async members(group: string): Promise<ReadonlySet<string>> {
    const cached = this.cache.get(group);
    if (cached && Date.now() - cached.at < this.cacheMs) return cached.users;
    const answer = await this.options.client.usergroups.users.list({ usergroup: group });
    const users = new Set(answer.users ?? []);
    this.cache.set(group, { users, at: Date.now() });
    return users;
  }

  async check(user: string, policy: Pick<ApprovalPolicy, 'users' | 'groups'>): Promise<ApproverCheck> {
    if (policy.users.includes(user)) return { ok: true, via: 'listed in approvers.users' };
    const unreadable: string[] = [];
    for (const group of policy.groups) {
      try {
        if ((await this.members(group)).has(user)) return { ok: true, via: `member of <!subteam^${group}>` };
      } catch (error) {
        unreadable.push(`${group} (${describeError(error)})`);
      }
    }
    const who = [...policy.users.map((id) => `<@${id}>`), ...policy.groups.map((id) => `<!subteam^${id}>`)];
    const why =
      who.length === 0
        ? 'no approvers are configured for this cluster'
        : `you are not one of the approvers (${who.join(', ')})`;
    return {
      ok: false,
      why: unreadable.length > 0 ? `${why}; Slack would not list user group ${unreadable.join(', ')}` : why,
    };
  }
}
