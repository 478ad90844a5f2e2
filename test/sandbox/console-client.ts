/** The chat console's HTTP API as the page uses it, for tests that play the page without a browser. */
import { waitUntil } from '../../src/sandbox/services/wait-until.js';

export interface ConsoleMessage {
  ts: string;
  threadTs?: string;
  user: string;
  text: string;
  blocks?: Array<Record<string, unknown>>;
  ephemeral: boolean;
  edited: boolean;
  files: Array<{ id: string; title: string; name: string }>;
}

export interface ConsoleState {
  messages: ConsoleMessage[];
  views: Array<{ id: string; view: Record<string, unknown> }>;
}

export interface ConsoleButton {
  messageTs: string;
  actionId: string;
  value: string;
}

export const everything = (message: ConsoleMessage | undefined): string =>
  `${message?.text ?? ''} ${JSON.stringify(message?.blocks ?? [])}`;

/** The buttons of a message, as block-kit.js draws them. */
export function buttonsOf(message: ConsoleMessage): ConsoleButton[] {
  return (message.blocks ?? []).flatMap((block) => {
    const elements = [
      ...((block.elements as Array<Record<string, unknown>> | undefined) ?? []),
      ...(block.accessory ? [block.accessory as Record<string, unknown>] : []),
    ];
    return elements
      .filter((element) => element.type === 'button')
      .map((element) => ({
        messageTs: message.ts,
        actionId: String(element.action_id),
        value: String(element.value ?? ''),
      }));
  });
}

export class ConsoleClient {
  /** @param explain what to add to a failed wait (the stack's last log lines, say): full runs are hard to replay */
  constructor(
    private readonly consoleUrl: string,
    private readonly explain?: () => string,
  ) {}

  private url(path: string): string {
    return new URL(path, this.consoleUrl).href;
  }

  async state(user: string): Promise<ConsoleState> {
    const response = await fetch(this.url(`/console/api/state?user=${user}`));
    return (await response.json()) as ConsoleState;
  }

  async post(path: string, body: unknown): Promise<Record<string, unknown>> {
    const response = await fetch(this.url(`/console/api/${path}`), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as Record<string, unknown>;
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${JSON.stringify(answer)}`);
    return answer;
  }

  async alerts(): Promise<Array<{ labels: Record<string, string>; status: { state: string } }>> {
    const response = await fetch(this.url('/console/api/alerts'));
    return ((await response.json()) as { alerts: Array<{ labels: Record<string, string>; status: { state: string } }> })
      .alerts;
  }

  /** Polls the state until `find` returns something, or fails after `timeoutMs` naming `what`. */
  async waitFor<T>(
    user: string,
    what: string,
    find: (state: ConsoleState) => T | undefined,
    timeoutMs = 60_000,
  ): Promise<T> {
    let found: T | undefined;
    await waitUntil(
      async () => {
        found = find(await this.state(user));
        return found !== undefined;
      },
      { what, timeoutMs, intervalMs: 250 },
    ).catch((error: unknown) => {
      throw this.explain ? new Error(`${String(error)}\n${this.explain()}`, { cause: error }) : error;
    });
    return found as T;
  }
}
