import { execFile } from 'node:child_process';

/**
 * What importing one module costs a process in RSS, in bytes: a fresh `node` that imports it, against one that
 * imports nothing. For the bench notes: how much of the diagnosing process's RSS is loading a dependency.
 */
export async function importRssBytes(specifier: string, cwd: string): Promise<number> {
  const rssAfter = (code: string) =>
    new Promise<number>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--input-type=module', '-e', `${code}\nprocess.stdout.write(String(process.memoryUsage().rss));`],
        { cwd },
        (error, stdout) => (error ? reject(error) : resolve(Number(stdout))),
      );
    });
  const bare = await rssAfter('');
  const loaded = await rssAfter(`await import(${JSON.stringify(specifier)});`);
  return loaded - bare;
}
