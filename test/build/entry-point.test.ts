import { describe, expect, it } from '@jest/globals';
import { chooseEntryPoint } from '../../bin/entry-point.js';

describe('bin/quorum.js entry point', () => {
  it.each([
    // A source checkout with a build: the build, except for the sandbox's commands.
    { args: ['--version'], env: false, sources: true, compiled: true, runs: 'compiled' },
    { args: ['playbooks', '--format', 'json'], env: false, sources: true, compiled: true, runs: 'compiled' },
    { args: ['demo'], env: false, sources: true, compiled: true, runs: 'sources' },
    { args: ['demo', '--no-color'], env: false, sources: true, compiled: true, runs: 'sources' },
    { args: ['bench'], env: false, sources: true, compiled: true, runs: 'sources' },
    { args: ['diagnose', 'demo'], env: false, sources: true, compiled: true, runs: 'compiled' },
    { args: ['playbooks'], env: true, sources: true, compiled: true, runs: 'sources' },
    // A fresh clone: the sources.
    { args: ['playbooks'], env: false, sources: true, compiled: false, runs: 'sources' },
    // An image: the build, whose loader says that demo and bench run from a source checkout.
    { args: ['demo'], env: false, sources: false, compiled: true, runs: 'compiled' },
    { args: ['playbooks'], env: true, sources: false, compiled: true, runs: 'compiled' },
    { args: ['playbooks'], env: false, sources: false, compiled: false, runs: 'none' },
  ])('quorum $args (QUORUM_FROM_SOURCE $env, sources $sources, dist $compiled) runs $runs', (row) => {
    expect(
      chooseEntryPoint({ args: row.args, fromSourceEnv: row.env, hasSources: row.sources, hasCompiled: row.compiled }),
    ).toBe(row.runs);
  });
});
