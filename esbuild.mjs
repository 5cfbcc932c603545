// Bundles each entry point into dist/. `--watch` rebuilds on change; `--production` minifies.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  define: { SERVER_VERSION: JSON.stringify(version) },
};

// ESM dependencies (tinyglobby) read import.meta.url, which CommonJS bundles do not have: provide it.
const nodeCommon = {
  ...common,
  define: { ...common.define, 'import.meta.url': '__threatcode_import_meta_url' },
  banner: { js: "'use strict'; const __threatcode_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
};

/**
 * The built-in rule catalog and the schema validators, compiled now so that no process pays for it at start
 * (server/src/build-artifacts.ts): that module is bundled and run first, and its output replaces two modules of the
 * sources in the Node bundles. In watch mode they are made once, at start: a change of rules/ needs a rebuild.
 */
async function precompiled() {
  const dir = mkdtempSync(path.join(tmpdir(), 'threatcode-build-'));
  try {
    const outfile = path.join(dir, 'build-artifacts.cjs');
    await esbuild.build({ ...nodeCommon, entryPoints: ['server/src/build-artifacts.ts'], outfile, platform: 'node', format: 'cjs' });
    return createRequire(import.meta.url)(outfile).buildArtifacts(process.cwd());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const artifacts = await precompiled();
const REPLACED = {
  'compiled-catalog.ts': artifacts.catalogModule,
  'precompiled-validators.ts': artifacts.validatorsModule,
};
/** @type {import('esbuild').Plugin} */
const precompiledModules = {
  name: 'threatcode-precompiled',
  setup(build) {
    build.onLoad({ filter: /[\\/](compiled-catalog|precompiled-validators)\.ts$/ }, (args) => ({
      contents: REPLACED[path.basename(args.path)],
      loader: 'js',
      resolveDir: process.cwd(),
    }));
  },
};

const targets = [
  {
    ...nodeCommon,
    entryPoints: ['client/src/extension.ts'],
    outfile: 'dist/client.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  // Also the standalone `threatcode-language-server` (package.json bin): hence the shebang.
  {
    ...nodeCommon,
    entryPoints: ['server/src/server.ts'],
    outfile: 'dist/server.js',
    plugins: [precompiledModules],
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: `#!/usr/bin/env node\n${nodeCommon.banner.js}` },
  },
  // The worker thread that converts files for `threatcode/import`, beside the server that starts it.
  {
    ...nodeCommon,
    entryPoints: ['server/src/import-worker.ts'],
    outfile: 'dist/import-worker.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    ...nodeCommon,
    entryPoints: ['server/src/cli/main.ts'],
    outfile: 'dist/cli.js',
    plugins: [precompiledModules],
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: `#!/usr/bin/env node\n${nodeCommon.banner.js}` },
  },
  { ...common, entryPoints: ['webview/src/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'es2022' },
  // The ELK layout for the webview's Mermaid: large (it carries its own copy of Mermaid's internals), so always
  // minified, without a source map, and with the licence comments of what it bundles at the end.
  {
    ...common,
    entryPoints: ['webview/src/elk.ts'],
    outfile: 'dist/mermaid-elk.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    legalComments: 'eof',
  },
];

// The HTML report (and later the webview) render with the bundled Mermaid; nothing is fetched at run time.
mkdirSync('dist', { recursive: true });
copyFileSync('node_modules/mermaid/dist/mermaid.min.js', 'dist/mermaid.min.js');
// elkjs is EPL-2.0: its licence travels with the bundle that contains it (source: https://github.com/kieler/elkjs).
copyFileSync('node_modules/elkjs/LICENSE.md', 'dist/elkjs-LICENSE.md');

if (watch) {
  for (const t of targets) await (await esbuild.context(t)).watch();
} else {
  await Promise.all(targets.map((t) => esbuild.build(t)));
}
