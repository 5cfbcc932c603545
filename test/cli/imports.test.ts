/**
 * Models across files from the command line: check resolves imports (from the current folder as the workspace),
 * reports a broken import on its line, and measures completeness with the imports when asked; report and diagram
 * take a set of models as one system.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { CheckJson } from '../../server/src/cli/json-output';
import { REPO_ROOT } from '../support/paths';

const CLI = path.join(REPO_ROOT, 'dist/cli.js');

function run(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('models across files from the command line', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'threatcode-cli-imports-'));
    cpSync(path.join(REPO_ROOT, 'test/fixtures/multi-file'), dir, { recursive: true });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('checks the three files with their imports resolved: no errors, each finding once, in the file that defines its element', () => {
    const r = run(['check', '.', '--format', 'json', '--no-gates'], dir);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const json = JSON.parse(r.stdout) as CheckJson;
    assert.equal(json.files.length, 3);
    for (const f of json.files)
      assert.deepEqual(
        f.diagnostics.filter((d) => d.severity === 'error'),
        [],
        f.file,
      );
    const payments = json.files.find((f) => f.file.endsWith('payments.tm.yaml'))!;
    assert.ok(
      !payments.diagnostics.some((d) => /API gateway/.test(d.message) && d.code === 'EXP-02'),
      'the gateway’s own findings are the platform’s',
    );
  });

  it('reports a missing import on its line and fails', () => {
    const file = path.join(dir, 'payments/payments.tm.yaml');
    const original = readFileSync(file, 'utf8');
    try {
      writeFileSync(file, original.replace('../platform/platform.tm.yaml', '../platform/plattform.tm.yaml'));
      const r = run(['check', 'payments/payments.tm.yaml'], dir);
      assert.equal(r.code, 1);
      assert.match(
        r.stdout,
        /payments\.tm\.yaml:6:5 error import-not-found Cannot import '\.\.\/platform\/plattform\.tm\.yaml': no such file\./,
      );
      // What the import would have defined is dangling now: the user sees why.
      assert.match(r.stdout, /dangling-reference 'gateway' in 'from' is not defined/);
    } finally {
      writeFileSync(file, original);
    }
  });

  it('refuses an import that leaves the current folder (the workspace)', () => {
    const r = run(['check', 'payments.tm.yaml'], path.join(dir, 'payments'));
    assert.equal(r.code, 1);
    assert.match(r.stdout, /import-refused '\.\.\/platform\/platform\.tm\.yaml' is outside the workspace/);
  });

  it('measures completeness with the imports when asked', () => {
    const own = JSON.parse(run(['check', 'payments/payments.tm.yaml', '--format', 'json'], dir).stdout) as CheckJson;
    const all = JSON.parse(run(['check', 'payments/payments.tm.yaml', '--format', 'json', '--include-imports'], dir).stdout) as CheckJson;
    const total = (j: CheckJson) => j.files[0].metrics!.gauges.find((g) => g.id === 'elementCoverage')!.total;
    assert.equal(total(own), 2);
    assert.equal(total(all), 5);
  });

  it('reports and draws a set of models as one system', () => {
    const md = run(['report', '--system'], dir);
    assert.equal(md.code, 0, md.stderr);
    assert.match(md.stdout, /^# System of 3 threat models/);
    assert.match(md.stdout, /\| Payments service \| `payments\/payments\.tm\.yaml` \| 2 \|/);
    assert.match(md.stdout, /- Acme platform → Payments service: Gateway forwards payment calls \(in `payments\/payments\.tm\.yaml`\)/);
    const html = run(['report', '--system', '--format', 'html', 'payments', 'platform', 'shared'], dir);
    assert.equal(html.code, 0, html.stderr);
    assert.match(html.stdout, /<h1>System of 3 threat models<\/h1>/);
    assert.match(html.stdout, /script-src 'nonce-/);
    const diagram = run(['diagram', '--system', '.'], dir);
    assert.equal(diagram.code, 0, diagram.stderr);
    assert.match(diagram.stdout, /m1 x0@-->\|"Gateway forwards payment calls"\| m0/);
    assert.match(diagram.stdout, /-\.->\|"imports"\|/);
    assert.ok(!/this model/.test(diagram.stdout), 'the command line has no current model');
  });
});
