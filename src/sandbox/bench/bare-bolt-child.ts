import { startBareBoltApp } from '../../slack/bare-bolt-app.js';

/**
 * The bare Bolt app in a process of its own, compiled like the bot, so the acknowledgement benchmark compares two
 * processes on the same footing. Input: a JSON job in argv[2]; output: one JSON line with its URL; SIGTERM stops it.
 */
interface Job {
  token: string;
  signingSecret: string;
  /** The Slack double, as the bot has it: Bolt calls auth.test there once before it handles anything. */
  apiUrl: string;
}

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
const app = await startBareBoltApp({ token: job.token, signingSecret: job.signingSecret, apiUrl: job.apiUrl });
process.stdout.write(`${JSON.stringify({ url: app.url })}\n`);
process.once('SIGTERM', () => {
  void app.stop().then(() => process.exit(0));
});
