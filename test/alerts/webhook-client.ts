/** Posts to the alert webhook as Alertmanager does, or as it must not (no auth, chunked bodies, garbage). */
import http from 'node:http';

export interface PostOptions {
  /** The Authorization header; `undefined` sends none. */
  authorization?: string;
  /** Send the body in chunks without a Content-Length (the size is only known while reading). */
  chunked?: boolean;
}

export function postAlerts(
  url: string,
  body: unknown,
  options: PostOptions,
): Promise<{ status: number; body: string }> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.authorization ? { authorization: options.authorization } : {}),
          ...(options.chunked ? {} : { 'content-length': Buffer.byteLength(text) }),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        response.on('error', reject);
      },
    );
    // The server may close after answering 413 while the body is still being sent.
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    if (options.chunked) {
      for (let offset = 0; offset < text.length; offset += 1024) request.write(text.slice(offset, offset + 1024));
      request.end();
    } else request.end(text);
  });
}
