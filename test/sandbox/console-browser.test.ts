/**
 * The chat console in a real browser (Debian's Chromium through playwright-core): the incident as a newcomer plays
 * it by clicking. Screenshots of each stage go to .quorum/artifacts/console/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  APPROVER_USER,
  ONCALL_USER,
  startDemoStack,
  type DemoStack,
} from '../../src/sandbox/demo-stack/start-demo-stack.js';
import { launchChromium, type BrowserHandle, type BrowserPage } from '../helpers/chromium.js';

const ARTIFACTS = join(process.cwd(), '.quorum', 'artifacts', 'console');

/**
 * Waits for a message in a pane (`#messages`, `#thread`) whose text matches every pattern (regular expression
 * sources). The check runs in the page; it is passed as source text since the tests compile without the DOM types.
 */
function waitForMessage(page: BrowserPage, pane: string, patterns: string[], timeout = 60_000): Promise<unknown> {
  const check = `[...document.querySelectorAll(${JSON.stringify(`${pane} .message`)})].some((node) =>
    ${JSON.stringify(patterns)}.every((source) => new RegExp(source).test(node.textContent ?? '')))`;
  return page.waitForFunction(check, undefined, { timeout, polling: 250 });
}

describe('chat console in Chromium', () => {
  let stack: DemoStack;
  let browser: BrowserHandle;
  let page: BrowserPage;
  const pageErrors: Error[] = [];
  /** The stack's last log lines, shown when a wait fails (the full run is too busy to re-run it by hand). */
  const stackLog: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    [stack, browser] = await Promise.all([
      startDemoStack({
        print: (line) => {
          stackLog.push(line);
          if (stackLog.length > 200) stackLog.shift();
        },
      }),
      launchChromium(),
    ]);
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.on('pageerror', (error) => pageErrors.push(error));
    await page.goto(`${stack.consoleUrl}?user=${ONCALL_USER.id}`);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  }, 90_000);

  it('shows the findings of /quorum diagnose health', async () => {
    await page.fill('[data-testid=composer]', '/quorum diagnose health');
    await page.press('[data-testid=composer]', 'Enter');
    await waitForMessage(page, '#messages', ['Control-plane health', 'ok']);
    await page.waitForFunction(
      `![...document.querySelectorAll('#messages .message')].some((node) => /Diagnosing/.test(node.textContent ?? ''))`,
      undefined,
      { timeout: 60_000, polling: 250 },
    );
    await shot('01-diagnose-health');
  }, 90_000);

  it('shows the full report the bot uploaded in the thread', async () => {
    await page.click('#messages .message:has-text("Control-plane health") .replies');
    await page.click('#thread .file');
    await page.waitForSelector('#file-viewer', { state: 'visible', timeout: 10_000 });
    expect(await page.textContent('#file-content')).toMatch(/Control-plane health/);
    await shot('01b-report-file');
    await page.click('#file-close');
    await page.click('#thread-close');
  }, 30_000);

  // Jest's timeouts here sit above the sum of each test's own waits: a slow stage fails with its own message.
  it('fires the NOSPACE alert through Prometheus and Alertmanager and shows the auto-diagnosis', async () => {
    await page.click('[data-scenario=nospace]');
    await page.waitForFunction(
      `/filled into NOSPACE|failed/.test(document.getElementById('switch-said')?.textContent ?? '')`,
      undefined,
      { timeout: 60_000, polling: 250 },
    );
    expect(await page.textContent('#switch-said')).toMatch(/^etcd filled into NOSPACE/);
    // Filling etcd, a scrape, a rule evaluation and Alertmanager's group wait: seconds alone, but once in a full CI
    // run on two busy cores it took over a minute.
    await page
      .waitForSelector('#alerts li[data-alert=etcdDatabaseQuotaLowSpace][data-state=firing]', { timeout: 150_000 })
      .catch(async (error: unknown) => {
        const [rules, routed] = await Promise.all([
          fetch(`${stack.prometheusUrl}/api/v1/alerts`).then((answer) => answer.text(), String),
          fetch(`${stack.alertmanagerUrl}/api/v2/alerts`).then((answer) => answer.text(), String),
        ]);
        throw new Error(
          `${String(error)}\nconsole alerts: ${await page.textContent('#alerts')}\nPrometheus: ${rules}\n` +
            `Alertmanager: ${routed}\nstack log:\n${stackLog.slice(-80).join('\n')}`,
        );
      });
    await waitForMessage(page, '#messages', ['etcdDatabaseQuotaLowSpace', 'NOSPACE alarm']);
    await shot('02-alert-auto-diagnosis');
  }, 330_000);

  it('lets the on-call engineer request maintenance with a reason and the approver approve it, with live steps', async () => {
    await page.click('#messages .message:has-text("etcdDatabaseQuotaLowSpace") .replies');
    await page.click('#thread button[data-action-id="quorum.proposal.etcd.compact"]');
    await page.waitForSelector('.modal textarea', { timeout: 10_000 });
    // Too short for the input's min_length: the console refuses it before sending, as Slack's client does.
    await page.fill('.modal textarea', 'no');
    await page.click('.modal [data-modal=submit]');
    await page.waitForSelector('.modal textarea:invalid', { timeout: 5_000 });
    await page.fill('.modal textarea', 'NOSPACE since the switchboard filled etcd; writes refused');
    await shot('03-request-modal');
    await page.click('.modal [data-modal=submit]');
    await page.waitForSelector('#modal-backdrop', { state: 'hidden', timeout: 10_000 });
    await waitForMessage(page, '#thread', ['approval requested']);

    await page.selectOption('[data-testid=user-switcher]', APPROVER_USER.id);
    await page.waitForSelector('#thread button[data-action-id="quorum.approval.approve"]', { timeout: 10_000 });
    await shot('04-approval-request');
    await page.click('#thread button[data-action-id="quorum.approval.approve"]');
    // Slack's confirm dialog, as the bot defined it, before anything is sent.
    await page.waitForSelector('#confirm .modal', { state: 'visible', timeout: 5_000 });
    expect(await page.textContent('#confirm')).toMatch(/Approve etcd maintenance\?.*writes to etcd/s);
    await shot('04b-confirm-dialog');
    await page.click('#confirm [data-confirm-choice=yes]');
    await waitForMessage(page, '#thread', ['Defragmenting']);
    await waitForMessage(page, '#thread', ['Maintenance done'], 120_000);
    const thread = (await page.textContent('#thread')) ?? '';
    // The alert may fire while the switchboard's filler is still at work: then the diagnosis planned compaction at a
    // revision the filler's own compaction passed since, and the executor says so instead of compacting again.
    expect(thread).toMatch(/Compacted to revision|History before \d+ was already compacted/);
    expect(thread.match(/defragmented in [^:]*: [\d.]+ MiB → [\d.]+ KiB on disk/g)).toHaveLength(3);
    expect(thread).toMatch(/A test write succeeded/);
    await shot('05-maintenance-done');
  }, 330_000);

  it('resolves the alert on the same message', async () => {
    await waitForMessage(page, '#messages', ['etcdDatabaseQuotaLowSpace', 'Alert resolved']);
    await page.waitForSelector('#alerts li[data-alert=etcdDatabaseQuotaLowSpace][data-state=resolved]', {
      timeout: 60_000,
    });
    const channel = (await page.textContent('#messages')) ?? '';
    // One message for the whole episode: the diagnosis, its alert and its resolution.
    expect(channel.match(/etcd database growth and quota/g)).toHaveLength(1);
    expect(channel).not.toMatch(/unsupported (block|element)/);
    await shot('06-alert-resolved');
    expect(pageErrors).toEqual([]);
  }, 150_000);
});
