import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/load-config.js';
import { ROOT, envFileNames, envVariablesReadByCode } from './code-facts.js';

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  user?: string;
  read_only?: boolean;
  cap_drop?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
}

const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
};
const services = compose.services;
const envExample = readFileSync(join(ROOT, '.env.example'), 'utf8');
const documented = new Set(envFileNames(envExample));
const readByCode = envVariablesReadByCode();
/** Variables read by the code that are not for operators to set, and why. */
const NOT_FOR_OPERATORS: Record<string, string> = {
  SUDO_USER: 'set by sudo: names who ran `quorum diagnose`',
  USER: 'set by the login shell: names who ran `quorum diagnose`',
  LOGNAME: 'set by the login shell: names who ran `quorum diagnose`',
};
/** Variables Node itself reads, set in the compose file on purpose. */
const READ_BY_NODE = new Set(['NODE_OPTIONS']);
const QUORUM_ROLES = ['bot', 'worker', 'executor'] as const;

/** `${NAME}`, `${NAME:-default}`, `${NAME:?message}` references of a value. */
function interpolated(value: string): string[] {
  return [...value.matchAll(/\$\{([A-Z][A-Z0-9_]*)(?::?[-?][^}]*)?\}/g)].map((match) => match[1]!);
}

describe('docker-compose.yml', () => {
  it('runs Redis, the bot, two workers and the executor from the image built here', () => {
    expect(Object.keys(services).sort()).toEqual(['bot', 'executor', 'redis', 'worker']);
    for (const role of QUORUM_ROLES) {
      expect(services[role]).toMatchObject({ build: '.', command: [role] });
      expect(services[role]!.depends_on).toEqual({ redis: { condition: 'service_healthy' } });
    }
    expect(services.worker!.deploy?.replicas).toBe(2);
    expect(services.executor!.deploy?.replicas ?? 1).toBe(1);
  });

  it('runs Redis with persistence and the noeviction policy BullMQ requires, on a named volume', () => {
    const command = services.redis!.command!.join(' ');
    expect(command).toMatch(/--appendonly yes/);
    expect(command).toMatch(/--maxmemory-policy noeviction/);
    const [volume, target] = services.redis!.volumes![0]!.split(':');
    expect(target).toBe('/data');
    expect(compose.volumes).toHaveProperty(volume!);
    expect(services.redis!.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
  });

  it('runs every Quorum container as a non-root user with a read-only root filesystem and no capabilities', () => {
    for (const role of QUORUM_ROLES) {
      expect(services[role]!.user).toBe('1000:1000');
      expect(services[role]!.read_only).toBe(true);
      expect(services[role]!.cap_drop).toEqual(['ALL']);
    }
  });

  it("checks the bot's /healthz and /readyz on the port it serves", () => {
    const test = services.bot!.healthcheck!.test.join(' ');
    expect(test).toContain("'/healthz'");
    expect(test).toContain("'/readyz'");
    expect(test).toContain('http://127.0.0.1:3000');
    const config = loadConfig({ env: {}, file: join(ROOT, 'quorum.example.yaml') });
    expect(config.server.port).toBe(3000);
  });

  it('sets only variables the code (or Node) reads, and every interpolated one is documented in .env.example', () => {
    for (const role of QUORUM_ROLES) {
      for (const [name, value] of Object.entries(services[role]!.environment ?? {})) {
        expect({ role, name, read: readByCode.has(name) || READ_BY_NODE.has(name) }).toEqual({
          role,
          name,
          read: true,
        });
        for (const reference of interpolated(String(value))) {
          expect({ role, reference, documented: documented.has(reference) }).toEqual({
            role,
            reference,
            documented: true,
          });
        }
      }
    }
  });

  it('gives the workers the measured heap limit and the Slack signing secret to the bot alone', () => {
    expect(services.worker!.environment!.NODE_OPTIONS).toBe('--max-old-space-size=256');
    for (const role of ['worker', 'executor'] as const) {
      const names = Object.keys(services[role]!.environment!);
      expect(names).not.toContain('SLACK_SIGNING_SECRET');
      expect(names).not.toContain('SLACK_APP_TOKEN');
      expect(names).not.toContain('QUORUM_ALERTS_TOKEN');
    }
  });

  it('mounts the config read-only at QUORUM_CONFIG, and the etcd write credentials in the executor alone', () => {
    const config = loadConfig({ env: {}, file: join(ROOT, 'quorum.example.yaml') });
    const mounts = (role: string) =>
      (services[role]!.volumes ?? []).map((volume) => {
        const [source, target, mode] = volume.split(':');
        return { source: source!, target: target!, mode };
      });
    for (const role of QUORUM_ROLES) {
      const path = services[role]!.environment!.QUORUM_CONFIG!;
      expect(mounts(role)).toContainEqual({ source: './quorum.yaml', target: path, mode: 'ro' });
      for (const mount of mounts(role)) expect(mount.mode).toBe('ro');
    }
    const under = (role: string, file: string) =>
      mounts(role).some((mount) => file.startsWith(`${posix.normalize(mount.target)}/`));
    // Every file the example config names is inside a mount of the role that reads it.
    for (const cluster of Object.values(config.clusters)) {
      for (const file of [cluster.kube.kubeconfig, cluster.etcd.caFile, cluster.etcd.certFile, cluster.etcd.keyFile]) {
        if (file) expect({ file, mounted: under('worker', file) }).toEqual({ file, mounted: true });
      }
    }
    const adminFiles = Object.values(config.executor.clusters).flatMap((cluster) =>
      [cluster.etcd.certFile, cluster.etcd.keyFile].filter((file): file is string => file !== undefined),
    );
    expect(adminFiles.length).toBeGreaterThan(0);
    for (const file of adminFiles) {
      expect(under('executor', file)).toBe(true);
      expect(under('worker', file) || under('bot', file)).toBe(false);
    }
    expect(config.redis.url).toBe('redis://redis:6379');
    expect(config.redis.prefix).toBe('{quorum}');
  });
});

describe('.env.example', () => {
  it('documents every variable the code reads, and nothing else', () => {
    const operators = [...readByCode].filter((name) => !(name in NOT_FOR_OPERATORS)).sort();
    expect([...documented].sort()).toEqual(operators);
    expect(envExample).not.toMatch(/xoxb-[0-9]/);
  });
});

describe('Dockerfile and .dockerignore', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));

  it('copies only files that exist and that .dockerignore lets through', () => {
    const copies = [...dockerfile.matchAll(/^COPY (?!--from)(.+)$/gm)].map((match) => match[1]!.trim().split(/\s+/));
    expect(copies.length).toBeGreaterThan(3);
    for (const parts of copies) {
      for (const source of parts.slice(0, -1)) {
        expect({ source, exists: existsSync(join(ROOT, source)) }).toEqual({ source, exists: true });
        const excluded = ignored.some((pattern) => source === pattern || source.startsWith(`${pattern}/`));
        expect({ source, excluded }).toEqual({ source, excluded: false });
      }
    }
  });

  it('builds on node:20-slim in stages, keeps the sandbox out, and runs `quorum <role>` as a non-root user', () => {
    const stages = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((match) => match[1]);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const image of stages) expect(image).toBe('node:20-slim');
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(ignored).toContain('src/sandbox');
    const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as { exclude: string[] };
    expect(build.exclude).toContain('src/sandbox/**');
    expect(dockerfile).toMatch(/^USER 1000:1000$/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["quorum"\]$/m);
    expect(dockerfile).toMatch(/ln -s \/app\/bin\/quorum\.js \/usr\/local\/bin\/quorum/);
    expect(dockerfile).toMatch(/^EXPOSE 3000$/m);
  });
});
