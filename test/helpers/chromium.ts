/**
 * The browser for the console's test: Debian's Chromium driven by playwright-core (no browser download), installed
 * with apt-get when missing, as scripts/bootstrap.mjs does for the servers.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

/** The few playwright-core calls the test makes (typed here so the repository type-checks before it is installed). */
export interface BrowserPage {
  goto(url: string): Promise<unknown>;
  fill(selector: string, value: string): Promise<void>;
  press(selector: string, key: string): Promise<void>;
  click(selector: string): Promise<void>;
  selectOption(selector: string, value: string): Promise<unknown>;
  waitForSelector(selector: string, options?: { timeout?: number; state?: string }): Promise<unknown>;
  waitForFunction(script: string, arg?: unknown, options?: { timeout?: number; polling?: number }): Promise<unknown>;
  textContent(selector: string): Promise<string | null>;
  screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown>;
  on(event: 'pageerror', listener: (error: Error) => void): unknown;
}
export interface BrowserHandle {
  newPage(options?: { viewport?: { width: number; height: number } }): Promise<BrowserPage>;
  close(): Promise<void>;
}

/** Installs Debian's chromium when it is missing (root only, as in CI); says what to run otherwise. */
export function ensureChromium(): string {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  if (process.getuid?.() !== 0) {
    throw new Error(`${CHROMIUM} is missing: install it with "sudo apt-get install -y chromium" and run again`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium', 'fonts-noto-color-emoji'], {
    stdio: 'inherit',
    env,
  });
  return CHROMIUM;
}

/** Launches Chromium headless through playwright-core (`--no-sandbox`: containers and CI run as root). */
export async function launchChromium(): Promise<BrowserHandle> {
  const executablePath = ensureChromium();
  // A specifier in a variable: tsc does not resolve it, so the repository type-checks before `npm install` brings
  // playwright-core (a development dependency of the browser test only).
  const name = 'playwright-core';
  const { chromium } = (await import(name)) as {
    chromium: { launch(options: Record<string, unknown>): Promise<BrowserHandle> };
  };
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}
