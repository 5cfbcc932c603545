/**
 * The layers of Threatcode and the one direction their imports may run (docs/architecture.md). Checked by
 * `npm run lint:layers` and by test/unit/layers.test.ts, which also proves that each rule catches a wrong arrow.
 *
 *   shared ← model ← analysis ← features ← lsp
 *                  ↖ edits   ↙          ← cli
 *                    report, files      ← (lsp, cli)
 *                    interop (other tools' formats, pure) ← (lsp, cli)
 *                    workspace (the model store, files through a port) ← (lsp, cli)
 *   client → shared (and the webview's HTML shell);  webview → shared/view, shared/vocabulary
 */
const SRC = '^server/src/';
const layer = (name) => `${SRC}${name}/`;
/** The core: pure functions over text and models. It reads no files and starts no processes. */
const CORE = ['shared', 'model', 'analysis', 'edits', 'features', 'report', 'interop', 'workspace'];

/** What each layer may import besides itself: the layers below it. */
const BELOW = {
  shared: [],
  model: ['shared'],
  analysis: ['shared', 'model'],
  edits: ['shared', 'model'],
  features: ['shared', 'model', 'analysis', 'edits'],
  report: ['shared', 'model', 'analysis'],
  interop: ['shared', 'model', 'analysis'],
  files: ['shared', 'model', 'analysis'],
  workspace: ['shared', 'model', 'analysis'],
  cli: ['shared', 'model', 'analysis', 'edits', 'features', 'report', 'interop', 'files', 'workspace'],
  lsp: ['shared', 'model', 'analysis', 'edits', 'features', 'report', 'interop', 'files', 'workspace'],
};

const layerRules = Object.entries(BELOW).map(([name, below]) => ({
  name: `${name}-imports-only-below`,
  comment: `server/src/${name}/ may import ${below.length ? below.map((b) => `${b}/`).join(', ') : 'nothing else of ours'} (and itself); arrows point one way.`,
  severity: 'error',
  from: { path: layer(name) },
  to: { path: SRC, pathNot: [layer(name), ...below.map(layer)] },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'core-reads-no-files',
      comment: 'The core is pure: files, processes and the network belong to the edges (files/, lsp/, cli/).',
      severity: 'error',
      from: { path: `${SRC}(${CORE.join('|')})/` },
      to: { dependencyTypes: ['core'], path: '^(node:)?(fs|fs/promises|child_process|net|http|https|worker_threads|os)$' },
    },
    {
      name: 'only-the-server-entry-imports-lsp',
      comment: 'lsp/ is the language server: only server.ts wires it.',
      severity: 'error',
      from: { path: SRC, pathNot: [layer('lsp'), `${SRC}server\\.ts$`] },
      to: { path: layer('lsp') },
    },
    {
      name: 'entries-are-not-imported',
      comment:
        'server.ts, cli/main.ts, import-worker.ts and build-artifacts.ts are run (a process, a thread, the build); nothing imports them.',
      severity: 'error',
      from: {},
      to: { path: `${SRC}(server\\.ts|cli/main\\.ts|import-worker\\.ts|build-artifacts\\.ts)$` },
    },
    {
      name: 'client-imports-only-shared',
      comment: 'The extension host talks to the server over the protocol: it may use shared/ and the webview shell, no server internals.',
      severity: 'error',
      from: { path: '^client/src/' },
      to: { path: '^(server|webview)/', pathNot: [layer('shared'), '^webview/src/html\\.ts$'] },
    },
    {
      name: 'webview-imports-only-view-types',
      comment: 'The webview bundle carries no LSP library and no server code: only the view contract and the vocabulary.',
      severity: 'error',
      from: { path: '^webview/src/' },
      to: { path: '^(server|client)/', pathNot: [`${SRC}shared/(view|vocabulary)\\.ts$`] },
    },
    {
      name: 'sources-do-not-import-tests',
      severity: 'error',
      from: { path: '^(server|client|webview)/' },
      to: { path: '^test/' },
    },
    {
      name: 'no-cycles',
      comment: 'Modules that import each other, directly or through others, cannot be understood or moved one at a time.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(out|dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
