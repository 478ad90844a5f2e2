import https from 'node:https';
import { text } from 'node:stream/consumers';

/**
 * The baseline a large-cluster diagnosis is measured against, in a process of its own like the diagnosis: a plain
 * sequential paged GET of one list over HTTPS with the simulator's token and CA, each page read whole and
 * `JSON.parse`d, its continue token taken, nothing else (no validation, no aggregation, no rate limit). Input: a JSON
 * job on stdin (it carries the token, which argv would show to anyone running `ps`); output: one JSON line on stdout.
 */
interface Job {
  /** The API server's base URL. */
  url: string;
  token: string;
  caPem: string;
  /** The list to read, e.g. `/api/v1/pods`. */
  path: string;
  /** Objects per page (`limit`), in objects. */
  pageSize: number;
}

/** What the parent reads back. */
export interface RawListResult {
  wallMs: number;
  /** CPU time of the listing (user and system), in ms. */
  cpuMs: number;
  peakRssBytes: number;
  pages: number;
  items: number;
  /** Body bytes read, in bytes. */
  bytes: number;
}

const job = JSON.parse(await text(process.stdin)) as Job;
// One socket, kept alive: requests strictly one after another, as a simple client pages through a list.
const agent = new https.Agent({ ca: job.caPem, keepAlive: true, maxSockets: 1 });

function get(path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    https
      .get(
        `${job.url}${path}`,
        { agent, headers: { Authorization: `Bearer ${job.token}`, Accept: 'application/json' } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () =>
            response.statusCode === 200
              ? resolve(Buffer.concat(chunks))
              : reject(new Error(`GET ${path} answered ${response.statusCode}`)),
          );
        },
      )
      .on('error', reject);
  });
}

const result: RawListResult = { wallMs: 0, cpuMs: 0, peakRssBytes: 0, pages: 0, items: 0, bytes: 0 };
const began = performance.now();
const cpuBefore = process.cpuUsage();
let token: string | undefined;
do {
  const query = new URLSearchParams({ limit: String(job.pageSize) });
  if (token) query.set('continue', token);
  const body = await get(`${job.path}?${query}`);
  const page = JSON.parse(body.toString('utf8')) as { items?: unknown[]; metadata?: { continue?: string } };
  result.pages += 1;
  result.items += page.items?.length ?? 0;
  result.bytes += body.length;
  token = page.metadata?.continue || undefined;
} while (token);
result.wallMs = performance.now() - began;
const cpu = process.cpuUsage(cpuBefore);
result.cpuMs = (cpu.user + cpu.system) / 1000;
agent.destroy();
result.peakRssBytes = process.resourceUsage().maxRSS * 1024;
process.stdout.write(`${JSON.stringify(result)}\n`);
