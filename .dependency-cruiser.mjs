/**
 * Import boundaries from DESIGN.md, checked transitively by dependency-cruiser (`npm run depcheck`, run in CI).
 * ESLint's no-restricted-imports (eslint.config.js) sees one import at a time; these rules follow the whole graph,
 * so a check that imports a helper that imports bullmq is caught too.
 *
 * Type-only imports count everywhere (`tsPreCompilationDeps: true`):
 * - for cycles, because a type-only cycle still ties two modules together and usually hides a missing port;
 * - for the SDK rules too, on purpose: the boundary is about which file *knows* an SDK (swapping it must touch one
 *   adapter), not only which file loads it, and ESLint's no-restricted-imports flags `import type` as well;
 * - for the sandbox rule, because tsc puts a type-imported file into the build's program and emits it: a type-only
 *   import of the sandbox from production code would put the simulator back into dist/.
 *
 * SDK paths match both an installed package (`node_modules/bullmq/…`) and one that is not installed yet (the
 * unresolved name `bullmq`): the Slack, queue and maintenance modules arrive in later milestones.
 */

/** Regular expressions over module paths as dependency-cruiser prints them (relative to the cruise's base dir). */
const sdk = {
  kube: '(^|node_modules/)@kubernetes/client-node($|/)',
  etcd: '(^|node_modules/)etcd3($|/)',
  grpc: '(^|node_modules/)@grpc/',
  slack: '(^|node_modules/)@slack/',
  queue: '(^|node_modules/)(bullmq|ioredis)($|/)',
};
const code = {
  slack: '^src/slack/',
  queue: '^src/queue/',
  maintenance: '^src/maintenance/',
  approvals: '^src/approvals/',
  sandbox: '^src/sandbox/',
  clusterSide: '^src/(cluster|etcd|prometheus)/',
};
/** The sandbox and its two CLI entry points: never in the production build (tsconfig.build.json excludes them). */
const sandboxSide = ['^src/sandbox/', '^src/cli/(demo|bench)-command\\.ts$'];

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No cycles anywhere in src (STYLE.md principle 1), type-only imports included.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'diagnostics-not-to-services',
      severity: 'error',
      comment:
        'Checks, playbooks, findings and renderers take read-only ports and return findings: they never reach Slack, ' +
        'the queue, maintenance or the sandbox, nor those SDKs or the cluster SDKs, even through another module.',
      from: { path: '^src/(checks|playbooks|findings|render)/' },
      to: {
        reachable: true,
        path: [
          code.slack,
          code.queue,
          code.maintenance,
          code.sandbox,
          sdk.slack,
          sdk.queue,
          sdk.etcd,
          sdk.kube,
          sdk.grpc,
        ],
      },
    },
    {
      name: 'production-not-to-sandbox',
      severity: 'error',
      comment:
        'The simulator, scenario generator, etcd seeder and bench are development code: production code never ' +
        'reaches them, so the build can leave them out.',
      from: { path: '^src/', pathNot: sandboxSide },
      to: { reachable: true, path: code.sandbox },
    },
    {
      name: 'bot-not-to-cluster',
      severity: 'error',
      comment: 'The bot (Slack handlers, alert receiver) only enqueues: it never reaches the cluster adapters or SDKs.',
      from: { path: '^src/(slack|alerts)/' },
      to: { reachable: true, path: [code.clusterSide, sdk.kube, sdk.etcd, sdk.grpc] },
    },
    {
      name: 'maintenance-only-from-executor',
      severity: 'error',
      comment: 'The write-capable etcd client is imported by the executor command alone.',
      from: { path: '^src/', pathNot: ['^src/maintenance/', '^src/cli/executor-command\\.ts$'] },
      to: { path: code.maintenance },
    },
    {
      name: 'no-writer-outside-executor',
      severity: 'error',
      comment:
        'The diagnostics workers, the bot and everything they load never reach the write-capable maintenance code, ' +
        'however indirectly: only the executor command (and main.ts, which loads it on demand) does.',
      from: {
        path: [
          '^src/(worker|diagnosis|checks|playbooks|findings|render|etcd|cluster|prometheus|slack|queue|alerts|approvals|config|core|ports)/',
          '^src/cli/(worker|bot|diagnose|playbooks)-command\\.ts$',
        ],
      },
      to: { reachable: true, path: code.maintenance },
    },
    {
      name: 'approvals-not-to-cluster',
      severity: 'error',
      comment:
        'Approval records and the audit trail are shared by the bot and the executor: they hold plans and decisions ' +
        'in Redis and never reach a cluster, the write-capable maintenance code, Slack or the queue.',
      from: { path: code.approvals },
      to: {
        reachable: true,
        path: [
          code.clusterSide,
          code.maintenance,
          code.slack,
          code.queue,
          code.sandbox,
          sdk.kube,
          sdk.etcd,
          sdk.grpc,
          sdk.slack,
          '(^|node_modules/)bullmq($|/)',
        ],
      },
    },
    {
      name: 'kube-sdk-only-in-adapter',
      severity: 'error',
      comment: 'Only src/cluster/kube-adapter.ts imports @kubernetes/client-node; everything else uses KubeReader.',
      from: { path: '^src/', pathNot: '^src/cluster/kube-adapter\\.ts$' },
      to: { path: sdk.kube },
    },
    {
      name: 'etcd-sdk-only-in-etcd-adapters',
      severity: 'error',
      comment:
        'Only the etcd adapters (src/etcd/, src/maintenance/) import etcd3. One exception: the sandbox seeder, which ' +
        'writes a demo etcd into NOSPACE and so cannot use the read-only facade; it never reaches production ' +
        '(production-not-to-sandbox) nor the build.',
      from: { path: '^src/', pathNot: ['^src/(etcd|maintenance)/', '^src/sandbox/etcd-seed\\.ts$'] },
      to: { path: sdk.etcd },
    },
    {
      name: 'slack-sdk-only-in-slack',
      severity: 'error',
      comment: 'Only src/slack/ imports the Slack SDKs (@slack/bolt, @slack/web-api).',
      from: { path: '^src/', pathNot: code.slack },
      to: { path: sdk.slack },
    },
    {
      name: 'bullmq-only-in-queue',
      severity: 'error',
      comment: 'Only src/queue/ imports bullmq.',
      from: { path: '^src/', pathNot: code.queue },
      to: { path: '(^|node_modules/)bullmq($|/)' },
    },
  ],
  options: {
    // SDKs are leaves: what they import themselves is none of our business.
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Resolve packages through their `exports` maps, as Node does for our ES modules.
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
