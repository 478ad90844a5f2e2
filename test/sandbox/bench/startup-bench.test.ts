import { describe, expect, it } from '@jest/globals';
import { measureStartup, median, runsCleanly } from '../../../src/sandbox/bench/startup-bench.js';

describe('start-up benchmark', () => {
  it.each([
    { values: [3], median: 3 },
    { values: [5, 1, 3], median: 3 },
    { values: [4, 1, 3, 2], median: 2.5 },
  ])('takes the median of $values', ({ values, median: expected }) => {
    expect(median(values)).toBe(expected);
  });

  it('reports the median wall time of each command, and peak RSS where GNU time is installed', async () => {
    const [result] = await measureStartup({
      runs: 3,
      commands: [{ label: 'node -e 0', command: process.execPath, args: ['-e', '0'] }],
    });
    expect(result).toMatchObject({ label: 'node -e 0', runs: 3 });
    expect(result!.wallMs).toBeGreaterThan(0);
    if (result!.peakRssBytes !== undefined) expect(result!.peakRssBytes).toBeGreaterThan(10 * 1024 * 1024);
  });

  it('never times a command that fails: a broken build is not a fast one', async () => {
    await expect(
      measureStartup({
        runs: 1,
        gnuTime: undefined,
        commands: [{ label: 'broken', command: process.execPath, args: ['-e', 'process.exit(3)'] }],
      }),
    ).rejects.toThrow('broken exited with 3');
  });

  it('tells whether a baseline command is there', async () => {
    expect(await runsCleanly(process.execPath, ['-e', '0'])).toBe(true);
    expect(await runsCleanly('quorum-no-such-command', ['version'])).toBe(false);
  });
});
