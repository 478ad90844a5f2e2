import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';

/**
 * A Bolt app that only acknowledges `/quorum`: the floor the bot's acknowledgement latency is measured against
 * (`npm run bench`). Same receiver, same signature checks, nothing else.
 */
export async function startBareBoltApp(options: { token: string; signingSecret: string; apiUrl?: string }): Promise<{
  url: string;
  stop(): Promise<void>;
}> {
  const receiver = new HTTPReceiver({
    signingSecret: options.signingSecret,
    endpoints: '/slack/events',
    logLevel: LogLevel.ERROR,
  });
  const app = new App({
    token: options.token,
    receiver,
    logLevel: LogLevel.ERROR,
    ...(options.apiUrl ? { clientOptions: { slackApiUrl: options.apiUrl } } : {}),
  });
  app.command('/quorum', async ({ ack }) => ack());
  const server = await receiver.start({ port: 0, host: '127.0.0.1' });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      server.closeAllConnections();
      await receiver.stop();
    },
  };
}
