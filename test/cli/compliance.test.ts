/**
 * `threatcode compliance` as CI runs it: per control of a framework, evidenced, planned, a gap or not applicable, with
 * file and line; the frameworks a model names in system.compliance by default.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ComplianceReport } from '../../server/src/analysis/compliance';
import { REPO_ROOT } from '../support/paths';

const CLI = path.join(REPO_ROOT, 'dist/cli.js');
const WEBSHOP = 'examples/webshop/webshop.tm.yaml';

function run(args: string[], cwd = REPO_ROOT) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface ComplianceJson {
  models: { file: string; system: string; reports: (ComplianceReport & { selector: string })[] }[];
}

describe('threatcode compliance', () => {
  it('lists gaps first, each with the open finding behind it at its line, then what is planned and evidenced', () => {
    const r = run(['compliance', WEBSHOP, '--framework', 'nist-800-53-r5-moderate']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], `${WEBSHOP}: Acme Shop against NIST SP 800-53 Rev. 5 (5.1.1), level moderate (287 controls)`);
    assert.match(lines[1], /^ {2}\d+ evidenced · \d+ planned · \d+ gaps · \d+ not applicable · \d+ not described by the model$/);
    const cacheLine = readFileSync(path.join(REPO_ROOT, WEBSHOP), 'utf8').split('\n').indexOf('  - id: session-cache') + 1;
    const sc28 = lines.indexOf('    SC-28  Protection of Information at Rest');
    assert.ok(sc28 > lines.indexOf('  Gaps') && lines.indexOf('  Gaps') > 0, r.stdout);
    assert.ok(lines.indexOf('  Evidenced') > sc28);
    assert.match(lines[sc28 + 1], new RegExp(`^ {6}${WEBSHOP}:${cacheLine} missing: Session cache \\(Redis\\): .*\\(CRY-03, open\\)$`));
  });

  it('writes JSON with the ids as the framework writes them and a line for every item', () => {
    const r = run(['compliance', WEBSHOP, '--framework', 'asvs-5.0-L2', '--framework', 'nist-800-53-r5', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as ComplianceJson;
    const [asvs, nist] = json.models[0].reports;
    assert.equal(asvs.selector, 'asvs-5.0-L2');
    assert.equal(asvs.level, 'L2');
    assert.equal(nist.level, undefined);
    assert.ok(asvs.controls.every((c) => /^V\d+\.\d+\.\d+$/.test(c.id)));
    assert.ok(nist.controls.some((c) => c.id === 'IA-2(1)'));
    for (const c of [...asvs.controls, ...nist.controls])
      for (const item of [...c.evidence, ...c.planned, ...c.gaps, ...c.notApplicable]) {
        const line = (item as { line?: number }).line;
        assert.ok(line !== undefined && Number.isInteger(line) && line > 0, JSON.stringify(item));
      }
    assert.equal(
      asvs.counts.evidenced + asvs.counts.planned + asvs.counts.gap + asvs.counts['not-applicable'] + asvs.untouched,
      asvs.inScope,
    );
  });

  it('writes Markdown for a job summary: the counts, the gaps open, the rest folded, every model string escaped', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'threatcode-compliance-'));
    const hostile = 'Cache | <img src=x onerror=alert(1)> **bold**';
    writeFileSync(
      path.join(dir, 'shop.tm.yaml'),
      readFileSync(path.join(REPO_ROOT, WEBSHOP), 'utf8').replace('name: Session cache (Redis)', `name: "${hostile}"`),
    );
    const r = run(['compliance', 'shop.tm.yaml', '--framework', 'nist-800-53-r5-moderate', '--format', 'markdown'], dir);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    // Escaped as any text from a pack or a model (a leading "5." would start a list); rendered, it reads 5.1.1.
    assert.equal(lines[0], '## Compliance of Acme Shop with NIST SP 800-53 Rev. 5 (5\\.1.1), level moderate');
    assert.match(
      lines[2],
      /^`shop\.tm\.yaml` · 287 controls: \*\*\d+ evidenced · \d+ planned · \d+ gaps\*\* · \d+ not applicable · \d+ not described by the model$/,
    );
    assert.match(r.stdout, /<details open><summary>Gaps \(\d+\)<\/summary>/);
    assert.match(r.stdout, /<details><summary>Evidenced \(\d+\)<\/summary>/);
    const sc28 = lines.find((l) => l.startsWith('| SC-28 | Protection of Information at Rest | '));
    assert.ok(sc28, r.stdout);
    // The component's name is text: no raw HTML, no extra cell, no emphasis.
    assert.ok(sc28.includes('missing: Cache \\| &lt;img src=x onerror=alert(1)&gt; \\*\\*bold\\*\\*'), sc28);
    assert.equal(sc28.split(/(?<!\\)\|/).length, 5, 'three cells');
    assert.ok(!r.stdout.includes('<img'));
  });

  it('reports the frameworks the model names in system.compliance, and says how to name one when it names none', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'threatcode-compliance-'));
    const text = readFileSync(path.join(REPO_ROOT, WEBSHOP), 'utf8').replace(/^threatcode: [\d.]+\n/m, 'threatcode: 1.4\n');
    assert.match(text, /^threatcode: 1\.4$/m);
    writeFileSync(path.join(dir, 'named.tm.yaml'), text.replace('system:\n', 'system:\n  compliance: [asvs-5.0-L1]\n'));
    const named = run(['compliance', 'named.tm.yaml'], dir);
    assert.equal(named.code, 0, named.stderr);
    assert.match(named.stdout, /^named\.tm\.yaml: Acme Shop against OWASP ASVS 5\.0 \(5\.0\.0\), level L1 \(70 controls\)\n/);
    // The model's own check agrees that the new format is valid.
    assert.equal(run(['check', 'named.tm.yaml'], dir).code, 0);

    writeFileSync(path.join(dir, 'named.tm.yaml'), text);
    const none = run(['compliance', 'named.tm.yaml'], dir);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /names no framework in system\.compliance; say which with --framework \(.*\basvs-5\.0-L1\b.*\)/);
    assert.match(none.stderr, /\bnist-800-53-r5-moderate\b/);
  });

  it('refuses an unknown framework or level with the ones it knows', () => {
    const level = run(['compliance', WEBSHOP, '--framework', 'asvs-5.0-L4']);
    assert.equal(level.code, 2);
    assert.match(level.stderr, /OWASP ASVS 5\.0 has no level 'L4': its levels are L1, L2, L3\./);
    const unknown = run(['compliance', WEBSHOP, '--framework', 'nist']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown compliance framework 'nist'\. Known: .*nist-800-53-r5-moderate/);
    assert.match(run(['compliance', '--help']).stdout, /^Usage: threatcode compliance/);
  });
});
