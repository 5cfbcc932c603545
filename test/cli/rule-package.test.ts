/**
 * Rule packs shared as npm packages (part of the multi-file issue): a package made with `npm pack` and installed from
 * its tarball into a workspace's node_modules (offline) is named `npm:<package>`; its packs load as data, and what is
 * not a package, not installed, or points outside the package is refused with a message (exit 2).
 */
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/paths';

const CLI = path.join(REPO_ROOT, 'dist/cli.js');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const PACK = `pack: acme
rules:
  - id: ACME-01
    target: process
    title: "{name} is a worker outside the platform's job runner"
    rationale: Workers run on the platform's job runner, which isolates tenants.
    severity: medium
    when: { prop: kind, eq: worker }
`;

describe('rule packs as npm packages', function () {
  this.timeout(120_000);
  let root: string;
  let ws: string;

  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'threatcode-rulepkg-'));
    const pkg = path.join(root, 'acme-threat-rules');
    mkdirSync(path.join(pkg, 'rules'), { recursive: true });
    writeFileSync(path.join(pkg, 'rules', 'acme.yaml'), PACK);
    // A script that must never run: packages are data to Threatcode.
    writeFileSync(path.join(pkg, 'index.js'), "require('fs').writeFileSync(require('path').join(__dirname, 'RAN'), 'x');\n");
    writeFileSync(
      path.join(pkg, 'package.json'),
      JSON.stringify({
        name: '@acme/threat-rules',
        version: '1.4.0',
        main: 'index.js',
        files: ['rules', 'index.js'],
        threatcode: { rulePacks: ['rules/acme.yaml'] },
      }),
    );
    const tarball = execFileSync(NPM, ['pack', '--silent'], { cwd: pkg, encoding: 'utf8' }).trim().split('\n').pop()!;
    ws = path.join(root, 'ws');
    mkdirSync(ws);
    writeFileSync(path.join(ws, 'package.json'), JSON.stringify({ name: 'ws', version: '1.0.0', private: true }));
    execFileSync(NPM, ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', path.join(pkg, tarball)], {
      cwd: ws,
      stdio: 'ignore',
    });
    writeFileSync(
      path.join(ws, 'm.tm.yaml'),
      'threatcode: 1\nsystem: { name: S }\ncomponents:\n  - { id: w, name: Billing worker, type: process, kind: worker }\n',
    );
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const check = (...args: string[]) =>
    spawnSync(process.execPath, [CLI, 'check', 'm.tm.yaml', '--no-gates', ...args], { cwd: ws, encoding: 'utf8' });

  it("loads the packs an installed package lists, and runs nothing of the package's", () => {
    const r = check('--rules', 'npm:@acme/threat-rules');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /m\.tm\.yaml:\d+:\d+ warning ACME-01 Billing worker is a worker outside the platform's job runner\.$/m);
    assert.equal(spawnSync('test', ['-e', path.join(ws, 'node_modules/@acme/threat-rules/RAN')]).status, 1);
  });

  it('refuses a name that is not a package, a package not installed, and a pack outside its package (exit 2)', () => {
    for (const [name, message] of [
      ['npm:../../etc', /Rule pack package '\.\.\/\.\.\/etc' is not an npm package name/],
      [
        'npm:@acme/missing',
        /Rule pack package @acme\/missing is not installed \(no node_modules\/@acme\/missing in the workspace folder\)/,
      ],
    ] as const) {
      const r = check('--rules', name);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, message);
    }
    // A package whose listed pack leaves the package through a link.
    const evil = path.join(ws, 'node_modules', 'evil-rules');
    mkdirSync(evil);
    writeFileSync(path.join(ws, 'secret.yaml'), PACK.replace('ACME-01', 'EVIL-01'));
    symlinkSync(path.join(ws, 'secret.yaml'), path.join(evil, 'pack.yaml'));
    writeFileSync(
      path.join(evil, 'package.json'),
      JSON.stringify({ name: 'evil-rules', version: '1.0.0', threatcode: { rulePacks: ['pack.yaml', '../../secret.yaml'] } }),
    );
    const r = check('--rules', 'npm:evil-rules');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /Rule pack evil-rules\/pack\.yaml is outside its package and was not loaded/);
    assert.match(r.stderr, /Rule pack evil-rules\/\.\.\/\.\.\/secret\.yaml is outside its package and was not loaded/);
    assert.doesNotMatch(r.stdout, /EVIL-01/);
  });
});
