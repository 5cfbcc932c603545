/**
 * The npm package as a user gets it: packed from a clean copy of the sources (its `prepack` builds the bundles),
 * installed into an empty folder with no network, and run: `threatcode --version/--help/check/init` and the
 * standalone language server answering over stdio. The package holds exactly the files it needs, within a size budget.
 */
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { TestLspClient } from '../support/lsp-client';
import { REPO_ROOT } from '../support/paths';

/** What the package may hold, besides package.json, README.md and LICENSE (npm adds those). */
const ALLOWED = [
  /^CHANGELOG\.md$/,
  /^dist\/(cli|server|import-worker|client|webview|mermaid\.min|mermaid-elk)\.js$/,
  /^dist\/elkjs-LICENSE\.md$/,
  /^media\/(icon\.png|activity-bar\.svg)$/,
  /^media\/walkthrough\/[a-z-]+\.md$/,
  /^rules\/(builtin|catalogs)\/[\w-]+\.yaml$/,
  /^rules\/rulepack\.schema\.json$/,
  /^schemas\/threatmodel\.schema\.json$/,
  /^server\/templates\/starter\.tm\.yaml$/,
  /^syntaxes\/[\w.-]+\.json$/,
];
/**
 * The budget: the extension's bundles (Mermaid and its ELK layout are most of it), the CLI and the import worker,
 * nothing else. 12 MB until 2026-12-07; the worker that converts imports off the server's thread added 0.3 MB, the
 * precompiled rules and validators about 0.3 MB per Node bundle (they save every process 0.7 s at start).
 */
const MAX_PACKED_BYTES = 3.5 * 1024 * 1024;
const MAX_UNPACKED_BYTES = 12.5 * 1024 * 1024;

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string; size: number }[];
}

const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' },
  });

describe('the npm package', function () {
  this.timeout(180_000);
  let pack: PackResult;
  let installed: string;
  let bin: (name: string) => string;

  before(() => {
    // A clean copy of the sources (what git would hand a new clone, plus uncommitted work), with the dependencies.
    const source = mkdtempSync(path.join(tmpdir(), 'threatcode-pack-'));
    const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    })
      .split('\0')
      .filter((f) => f !== '');
    for (const f of files) {
      mkdirSync(path.dirname(path.join(source, f)), { recursive: true });
      try {
        cpSync(path.join(REPO_ROOT, f), path.join(source, f));
      } catch {
        // Listed but deleted in the working tree.
      }
    }
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(source, 'node_modules'), 'dir');
    [pack] = JSON.parse(npm(['pack', '--json', '--pack-destination', source], source)) as PackResult[];

    installed = mkdtempSync(path.join(tmpdir(), 'threatcode-installed-'));
    writeFileSync(path.join(installed, 'package.json'), '{ "private": true }\n');
    npm(['install', '--offline', '--no-save', path.join(source, pack.filename)], installed);
    bin = (name) => path.join(installed, 'node_modules', '.bin', name);
  });

  it('holds exactly the files the extension and the CLI need, within its size budget', () => {
    const unexpected = pack.files
      .map((f) => f.path)
      .filter((p) => !['package.json', 'README.md', 'LICENSE'].includes(p) && !ALLOWED.some((a) => a.test(p)));
    assert.deepEqual(unexpected, []);
    for (const needed of [
      'dist/cli.js',
      'dist/server.js',
      'dist/mermaid.min.js',
      'schemas/threatmodel.schema.json',
      'server/templates/starter.tm.yaml',
    ])
      assert.ok(
        pack.files.some((f) => f.path === needed),
        needed,
      );
    assert.ok(pack.size <= MAX_PACKED_BYTES, `packed ${(pack.size / 1048576).toFixed(2)} MB`);
    assert.ok(pack.unpackedSize <= MAX_UNPACKED_BYTES, `unpacked ${(pack.unpackedSize / 1048576).toFixed(2)} MB`);
  });

  it('runs threatcode --version, --help, init and check from the installed package', () => {
    const version = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const run = (args: string[], cwd = installed) =>
      spawnSync(bin('threatcode'), args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    assert.equal(run(['--version']).stdout.trim(), version);
    assert.match(run(['--help']).stdout, /Usage: threatcode <command>/);
    const project = path.join(installed, 'project');
    mkdirSync(project);
    assert.equal(run(['init'], project).status, 0);
    assert.match(readFileSync(path.join(project, 'threatmodel.tm.yaml'), 'utf8'), /^# yaml-language-server: \$schema=https:/);
    cpSync(path.join(REPO_ROOT, 'examples/webshop/webshop.tm.yaml'), path.join(project, 'webshop.tm.yaml'));
    const checked = run(['check'], project);
    assert.equal(checked.status, 0, checked.stdout + checked.stderr);
    assert.match(checked.stderr, /2 models checked: 0 errors/);
    // The rules and the HTML report's Mermaid come from the package.
    assert.ok(run(['rules']).stdout.trim().split('\n').length > 100);
    const html = run(['report', 'webshop.tm.yaml', '--format', 'html'], project);
    assert.equal(html.status, 0, html.stderr);
    assert.ok(html.stdout.length > 1_000_000);
  });

  it('starts threatcode-language-server on stdio without arguments, as other editors start it', async () => {
    const client = new TestLspClient({}, {}, { args: [path.join(installed, 'node_modules', 'threatcode', 'dist', 'server.js')] });
    try {
      const init = await client.initialize();
      assert.equal(init.serverInfo?.name, 'threatcode');
      const published = await client.open('file:///ws/a.tm.yaml', 'threatcode: 1\nsystem:\n  name: A\nbogus: 1\n');
      assert.deepEqual(
        published.diagnostics.map((d) => d.code),
        ['unknown-key'],
      );
    } finally {
      await client.stop();
    }
  });
});
