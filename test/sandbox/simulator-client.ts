import { Agent, request } from 'node:https';
import type { RunningSimulator } from '../../src/sandbox/simulator/index.js';

/** One answer of the simulator. */
export interface SimAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- responses are checked field by field
}

/**
 * One HTTPS GET trusting the simulator's CA. Without an `agent` nothing is pooled, so nothing stays open; a walk of
 * many pages passes a keep-alive agent (and destroys it) to save a TLS handshake per page.
 */
export function get(sim: RunningSimulator, path: string, agent: Agent | false = false): Promise<SimAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${sim.url}${path}`,
      { method: 'GET', ca: sim.caPem, agent, headers: { Authorization: `Bearer ${sim.token}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(body);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * Lists a collection page by page with `limit` and `continue`, handing each page's items to `onPage` and keeping
 * nothing; returns the number of pages and items.
 */
export async function walkList(
  sim: RunningSimulator,
  path: string,
  limit: number,
  onPage: (items: any[], answer: SimAnswer) => void = () => {}, // eslint-disable-line @typescript-eslint/no-explicit-any -- untyped JSON items
): Promise<{ pages: number; items: number }> {
  let token: string | undefined;
  let pages = 0;
  let items = 0;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    do {
      const separator = path.includes('?') ? '&' : '?';
      const answer = await get(
        sim,
        `${path}${separator}limit=${limit}${token ? `&continue=${encodeURIComponent(token)}` : ''}`,
        agent,
      );
      if (answer.status !== 200) throw new Error(`${path}: HTTP ${answer.status}: ${answer.body.slice(0, 200)}`);
      pages++;
      items += answer.json.items.length;
      onPage(answer.json.items, answer);
      token = answer.json.metadata.continue;
    } while (token);
  } finally {
    agent.destroy();
  }
  return { pages, items };
}
