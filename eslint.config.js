import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Import boundaries from DESIGN.md: each SDK has exactly one adapter, and the diagnostic side cannot reach writers. */
const sdk = {
  kube: {
    group: ['@kubernetes/client-node', '@kubernetes/client-node/*'],
    message: 'Only src/cluster/kube-adapter.ts talks to the Kubernetes SDK: use the KubeReader port.',
  },
  etcd: {
    group: ['etcd3', 'etcd3/*'],
    message: 'Only the etcd adapters (src/etcd/, src/maintenance/) import etcd3: use the EtcdReader port.',
  },
  slack: { group: ['@slack/*'], message: 'Only src/slack/ imports the Slack SDKs.' },
  queue: { group: ['bullmq', 'bullmq/*'], message: 'Only src/queue/ imports bullmq.' },
  maintenance: {
    group: ['**/maintenance/**'],
    message: 'Only the executor (src/cli/executor-command.ts) imports the write-capable maintenance code.',
  },
  slackCode: { group: ['**/slack/**'], message: 'Checks and playbooks know nothing of Slack.' },
  queueCode: { group: ['**/queue/**'], message: 'Checks and playbooks know nothing of the queue.' },
  clusterCode: {
    group: ['**/cluster/**', '**/etcd/**'],
    message: 'The bot only enqueues; it never talks to the cluster.',
  },
  sandboxCode: {
    group: ['**/sandbox/**'],
    message: 'The sandbox (simulator, seeding etcd writer) is for tests and the demo only.',
  },
};
const restrict = (...patterns) => ['error', { patterns }];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'bench/results/', '.quorum/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // The write-capable maintenance code is imported by the executor alone: a base rule for all of src, which every
  // folder's rule below repeats (a later matching block replaces the rule's options, it does not add to them).
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(sdk.kube, sdk.etcd, sdk.slack, sdk.queue, sdk.maintenance, sdk.sandboxCode),
    },
  },
  {
    files: ['src/cluster/kube-adapter.ts'],
    rules: { 'no-restricted-imports': restrict(sdk.etcd, sdk.slack, sdk.queue, sdk.maintenance, sdk.sandboxCode) },
  },
  {
    files: ['src/etcd/**/*.ts'],
    rules: { 'no-restricted-imports': restrict(sdk.kube, sdk.slack, sdk.queue, sdk.maintenance, sdk.sandboxCode) },
  },
  {
    files: ['src/sandbox/**/*.ts'],
    rules: { 'no-restricted-imports': restrict(sdk.kube, sdk.slack, sdk.queue, sdk.maintenance) },
  },
  {
    files: ['src/maintenance/**/*.ts'],
    rules: { 'no-restricted-imports': restrict(sdk.kube, sdk.slack, sdk.queue, sdk.sandboxCode) },
  },
  // The executor command is the one way into maintenance.
  {
    files: ['src/cli/executor-command.ts'],
    rules: { 'no-restricted-imports': restrict(sdk.kube, sdk.etcd, sdk.slack, sdk.queue, sdk.sandboxCode) },
  },
  {
    files: ['src/slack/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(
        sdk.kube,
        sdk.etcd,
        sdk.queue,
        sdk.maintenance,
        sdk.clusterCode,
        sdk.sandboxCode,
      ),
    },
  },
  // Approval records and audit: shared by the bot and the executor, so they reach no cluster and no writer.
  {
    files: ['src/approvals/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(
        sdk.kube,
        sdk.etcd,
        sdk.slack,
        sdk.queue,
        sdk.maintenance,
        sdk.slackCode,
        sdk.queueCode,
        sdk.clusterCode,
        sdk.sandboxCode,
      ),
    },
  },
  {
    files: ['src/queue/**/*.ts'],
    rules: { 'no-restricted-imports': restrict(sdk.kube, sdk.etcd, sdk.slack, sdk.maintenance, sdk.sandboxCode) },
  },
  {
    files: ['src/checks/**/*.ts', 'src/playbooks/**/*.ts', 'src/findings/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(
        sdk.kube,
        sdk.etcd,
        sdk.slack,
        sdk.queue,
        sdk.maintenance,
        sdk.slackCode,
        sdk.queueCode,
        sdk.sandboxCode,
      ),
    },
  },
  {
    files: ['src/alerts/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(
        sdk.kube,
        sdk.etcd,
        sdk.slack,
        sdk.clusterCode,
        sdk.maintenance,
        sdk.sandboxCode,
      ),
    },
  },
  // The CLI's demo and bench commands are the sandbox's entry points (loaded on demand by main.ts, never built).
  {
    files: ['src/cli/demo-command.ts', 'src/cli/bench-command.ts'],
    rules: { 'no-restricted-imports': restrict(sdk.kube, sdk.etcd, sdk.slack, sdk.queue, sdk.maintenance) },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**', 'bin/**', '*.js'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['scripts/**', 'bin/**', '*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  // The chat console runs in the browser as plain modules, with no build step.
  {
    files: ['src/sandbox/slack-double/console/**/*.js'],
    languageOptions: {
      globals: Object.fromEntries(
        ['document', 'window', 'location', 'localStorage', 'fetch', 'setTimeout', 'URLSearchParams'].map((name) => [
          name,
          'readonly',
        ]),
      ),
    },
  },
);
