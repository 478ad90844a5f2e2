#!/usr/bin/env node
// Makes a fresh clone runnable: npm dependencies, then redis-server, etcd, Prometheus, Alertmanager and Chromium (for
// the console's browser test) from Debian's packages when missing.
// Run by `npm test`, `npm run demo` and `npm run bench` before anything else, so nobody installs by hand.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const say = (message) => process.stderr.write(`[bootstrap] ${message}\n`);

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function npmDependencies() {
  const installed = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) return;
  // Not `npm ci`: registries that carry only this platform's optional binaries (jest's unrs-resolver has one per
  // OS) leave the others out of the lock file, and `npm ci` then calls the lock "out of sync". `npm install` keeps
  // the locked versions and leaves the lock file as it is.
  say('installing npm dependencies (npm install from package-lock.json)');
  execFileSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
}

function debianPackages() {
  const missing = [];
  if (!onPath('redis-server')) missing.push('redis-server');
  if (!onPath('etcd') && !existsSync('/usr/bin/etcd')) missing.push('etcd-server');
  // The maintenance bench's floor is the same NOSPACE recovery done by hand with etcdctl.
  if (!onPath('etcdctl') && !existsSync('/usr/bin/etcdctl')) missing.push('etcd-client');
  // The simulator and TLS etcd make their certificates with the openssl command; slim images lack it.
  if (!onPath('openssl')) missing.push('openssl');
  // Tests that use PromQL query a real Prometheus scraping the simulator (a fake never answered like the real one);
  // alert tests let a real Alertmanager deliver. Debian puts both in /usr/bin.
  if (!onPath('prometheus') && !existsSync('/usr/bin/prometheus')) missing.push('prometheus');
  if (!onPath('prometheus-alertmanager') && !existsSync('/usr/bin/prometheus-alertmanager'))
    missing.push('prometheus-alertmanager');
  // The chat console's browser test drives Debian's Chromium with playwright-core (no browser download).
  if (!existsSync('/usr/bin/chromium')) missing.push('chromium');
  // Slack's emoji shortcodes render as emoji in the console's screenshots only with a colour emoji font.
  if (!existsSync('/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf')) missing.push('fonts-noto-color-emoji');
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    say(
      `missing ${missing.join(', ')}: install them with "sudo apt-get install -y ${missing.join(' ')}" and run again`,
    );
    process.exit(1);
  }
  say(`installing ${missing.join(', ')} from Debian's packages`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const opts = { stdio: ['ignore', 'inherit', 'inherit'], env };
  execFileSync('apt-get', ['update', '-qq'], opts);
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], opts);
}

npmDependencies();
debianPackages();
