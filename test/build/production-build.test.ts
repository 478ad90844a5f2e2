import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

const ROOT = process.cwd();

function run(
  file: string,
  args: readonly string[],
  options: { cwd?: string; timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      file,
      args,
      {
        cwd: options.cwd ?? ROOT,
        timeout: options.timeoutMs ?? 60_000,
        env: { ...process.env, NODE_OPTIONS: '', NO_COLOR: '1', QUORUM_FROM_SOURCE: '', ...options.env },
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(new Error(`${file} ${args.join(' ')}: ${error.message}`));
        else resolvePromise({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
  });
}

async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/** Every module specifier of a compiled ES module: `from '…'`, `import '…'` and `import('…')` with a literal. */
function importSpecifiers(code: string): string[] {
  const patterns = [
    /\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  return patterns.flatMap((pattern) => [...code.matchAll(pattern)].map((match) => match[1]!));
}

/**
 * The real `npm run build`, into a temporary outDir laid out as an image would ship it: dist/, playbooks/,
 * package.json and bin/ beside node_modules, and no sources.
 */
describe('the production build', () => {
  let app: string;
  let dist: string;
  let files: string[];

  beforeAll(async () => {
    app = await mkdtemp(join(tmpdir(), 'quorum-build-'));
    dist = join(app, 'dist');
    const build = await run('npm', ['run', '--silent', 'build', '--', '--outDir', dist], { timeoutMs: 240_000 });
    if (build.code !== 0) throw new Error(`npm run build failed:\n${build.stdout}\n${build.stderr}`);
    await cp(join(ROOT, 'playbooks'), join(app, 'playbooks'), { recursive: true });
    await cp(join(ROOT, 'package.json'), join(app, 'package.json'));
    await mkdir(join(app, 'bin'));
    for (const file of ['quorum.js', 'entry-point.js']) await cp(join(ROOT, 'bin', file), join(app, 'bin', file));
    await symlink(join(ROOT, 'node_modules'), join(app, 'node_modules'), 'dir');
    files = await filesUnder(dist);
    // A module hook that writes down every module the CLI resolves (hooks run on their own thread: a file, not stderr).
    await writeFile(
      join(app, 'module-hooks.mjs'),
      [
        "import { appendFileSync } from 'node:fs';",
        'export async function resolve(specifier, context, next) {',
        '  const result = await next(specifier, context);',
        '  appendFileSync(process.env.QUORUM_MODULE_LOG, `${result.url}\\n`);',
        '  return result;',
        '}',
      ].join('\n'),
    );
    await writeFile(
      join(app, 'log-modules.mjs'),
      "import { register } from 'node:module';\nregister('./module-hooks.mjs', import.meta.url);\n",
    );
  }, 300_000);
  afterAll(async () => {
    await rm(app, { recursive: true, force: true });
  });

  it('has the CLI and no file from src/sandbox or its CLI entry points', () => {
    const paths = files.map((file) => relative(dist, file));
    expect(paths).toContain(join('cli', 'main.js'));
    expect(paths.filter((path) => path.split('/').includes('sandbox'))).toEqual([]);
    expect(paths.filter((path) => /(^|\/)(demo|bench)-command\./.test(path))).toEqual([]);
  });

  it('has no scenario or other YAML: playbooks ship beside it, not in it', () => {
    expect(files.filter((file) => /\.ya?ml$/.test(file))).toEqual([]);
  });

  it('imports no sandbox module, and every relative import is in the build', async () => {
    const problems: string[] = [];
    for (const file of files.filter((name) => name.endsWith('.js'))) {
      for (const specifier of importSpecifiers(await readFile(file, 'utf8'))) {
        if (specifier.includes('sandbox/')) problems.push(`${relative(dist, file)} imports ${specifier}`);
        if (specifier.startsWith('.') && !existsSync(resolve(dirname(file), specifier)))
          problems.push(`${relative(dist, file)} imports ${specifier}, which is not in the build`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('answers --version with the version from package.json', async () => {
    const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const result = await run(process.execPath, [join(dist, 'cli', 'main.js'), '--version']);
    expect(result).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('lists the shipped playbooks', async () => {
    const result = await run(process.execPath, [join(dist, 'cli', 'main.js'), 'playbooks', '--format', 'json']);
    expect(result.code).toBe(0);
    const ids = (JSON.parse(result.stdout) as Array<{ id: string }>).map((playbook) => playbook.id);
    expect(ids).toEqual(
      expect.arrayContaining(['apiserver-latency', 'control-plane-health', 'etcd-db-growth', 'scheduler-pending']),
    );
  });

  it.each([
    { args: ['--version'], sdk: false },
    { args: ['--help'], sdk: false },
    { args: ['playbooks'], sdk: false },
    // The control: diagnose does load them, so the hook would see them on the other paths.
    { args: ['diagnose', 'no-such-playbook', '--kubeconfig', '/nonexistent'], sdk: true },
  ])('quorum $args loads the cluster SDKs: $sdk', async ({ args, sdk }) => {
    const log = join(app, `modules-${args[0]!.replace(/^-+/, '')}.log`);
    const result = await run(
      process.execPath,
      ['--import', join(app, 'log-modules.mjs'), join(dist, 'cli', 'main.js'), ...args],
      { env: { QUORUM_MODULE_LOG: log } },
    );
    expect(result.code).toBe(sdk ? 3 : 0);
    const loaded = (await readFile(log, 'utf8')).split('\n');
    expect(loaded.some((url) => url.endsWith('/cli/main.js'))).toBe(true);
    const sdks = loaded.filter((url) => /node_modules\/(@kubernetes\/client-node|etcd3)\//.test(url));
    expect(sdks.length > 0).toBe(sdk);
  });

  it('lists the playbooks from the build-time catalog without loading zod or the YAML parser, and reads the files once they change', async () => {
    expect(existsSync(join(dist, 'playbooks', 'catalog.json'))).toBe(true);
    const modules = async (name: string): Promise<string[]> => {
      const log = join(app, `modules-${name}.log`);
      const result = await run(
        process.execPath,
        ['--import', join(app, 'log-modules.mjs'), join(dist, 'cli', 'main.js'), 'playbooks'],
        { env: { QUORUM_MODULE_LOG: log } },
      );
      expect(result.code).toBe(0);
      return (await readFile(log, 'utf8')).split('\n');
    };
    const heavy = (loaded: readonly string[]) => loaded.filter((url) => /node_modules\/(zod|yaml)\//.test(url));
    expect(heavy(await modules('catalog'))).toEqual([]);
    // An edited playbook is read and validated as usual: the catalog never hides a change.
    const playbook = join(app, 'playbooks', 'etcd-db-growth.yaml');
    const original = await readFile(playbook, 'utf8');
    await writeFile(playbook, `${original}\n# edited after the build\n`);
    try {
      expect(heavy(await modules('edited')).length).toBeGreaterThan(0);
    } finally {
      await writeFile(playbook, original);
    }
  });

  it.each(['demo', 'bench'])('says that %s runs from a source checkout, with exit code 3', async (command) => {
    const result = await run(process.execPath, [join(app, 'bin', 'quorum.js'), command]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`quorum ${command} runs from a source checkout (npm run ${command})`);
  });
});
