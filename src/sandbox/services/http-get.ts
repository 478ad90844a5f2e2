import { request } from 'node:http';

export interface HttpText {
  status: number;
  body: string;
}

/**
 * A plain-HTTP GET with a deadline, for probing the servers we start (the sandbox has no TLS).
 *
 * @param timeoutMs - give up after this long without an answer, in ms.
 */
export function httpGetText(url: string | URL, timeoutMs: number): Promise<HttpText> {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.once('timeout', () => req.destroy(new Error(`no answer from ${String(url)} within ${timeoutMs} ms`)));
    req.once('error', reject);
    req.end();
  });
}
