/**
 * Compliance of a model with a framework: each relevant control evidenced, planned, a gap or not applicable, from
 * what the findings of the rules that suggest its mitigations say. Measured on the webshop example, changed one fact
 * at a time: its session cache keeps sensitive data unencrypted at rest (CRY-03, open), its orders database does not.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { assessCompliance, type ComplianceReport } from '../../server/src/analysis/compliance';
import { resolveFramework } from '../../server/src/analysis/compliance-frameworks';
import { builtinRuleSet } from '../../server/src/files/package-files';
import { analyze } from '../support/analyze';
import { assertLinear } from '../support/cost';
import { generateModel } from '../support/generate-model';
import { EXAMPLES } from '../support/paths';

const TODAY = '2026-12-07';
const webshop = readFileSync(path.join(EXAMPLES, 'webshop/webshop.tm.yaml'), 'utf8');
const { ruleSet } = builtinRuleSet();

function assess(text: string, selector: string): ComplianceReport {
  const report = assessCompliance(analyze(text, { today: TODAY }), ruleSet, selector);
  assert.ok(!('error' in report), 'error' in report ? report.error : '');
  return report;
}

/** The webshop with text added to the session cache's entry (after `encryptionAtRest: none`). */
const withCache = (lines: string) => webshop.replace('    encryptionAtRest: none\n', `    encryptionAtRest: none\n${lines}`);
/** The webshop with threats and mitigations appended to its lists. */
const withThreat = (threat: string, mitigation: string) =>
  webshop
    .replace('threats:\n', `threats:\n${threat}`)
    .replace('mitigations:\n  - id: M-cookie-flags', `mitigations:\n${mitigation}  - id: M-cookie-flags`);

describe('compliance with a framework', () => {
  it('reads a framework and level, and says what it knows when a selector names none', () => {
    const ok = resolveFramework('nist-800-53-r5-moderate', ruleSet.frameworks);
    assert.ok(!('error' in ok) && ok.framework.id === 'nist-800-53-r5' && ok.level === 'moderate');
    const all = resolveFramework('asvs-5.0', ruleSet.frameworks);
    assert.ok(!('error' in all) && all.level === undefined);
    const level = resolveFramework('asvs-5.0-L4', ruleSet.frameworks);
    assert.ok('error' in level && /no level 'L4': its levels are L1, L2, L3/.test(level.error));
    const unknown = resolveFramework('pci-dss', ruleSet.frameworks);
    assert.ok('error' in unknown && /^Unknown compliance framework 'pci-dss'\. Known: /.test(unknown.error));
    for (const name of ['asvs-5.0-L2', 'nist-800-53-r5-moderate', 'nist-800-53-r5'])
      assert.ok(unknown.error.includes(`${name},`) || unknown.error.endsWith(`${name}.`), name);
  });

  it('warns on a system.compliance entry that names no framework, with the nearest for its quick fix', () => {
    const text = webshop.replace('system:\n', 'system:\n  compliance: [asvs-5.0-L2, nist-800-53-moderate]\n');
    const warnings = analyze(text, { today: TODAY }).diagnostics.filter((d) => d.code === 'unknown-framework');
    assert.equal(warnings.length, 1);
    assert.equal(text.slice(warnings[0].span.start, warnings[0].span.end), 'nist-800-53-moderate');
    assert.match(
      warnings[0].message,
      /^Unknown compliance framework 'nist-800-53-moderate'\. Known: .* Did you mean 'nist-800-53-r5-moderate'/,
    );
    assert.equal((warnings[0].data as { suggestions: string[] }).suggestions[0], 'nist-800-53-r5-moderate');
  });

  it('a control missing on one data store is a gap, with the open finding and the evidence elsewhere', () => {
    const report = assess(webshop, 'nist-800-53-r5-moderate');
    assert.equal(report.framework.id, 'nist-800-53-r5');
    assert.equal(report.inScope, 287);
    const sc28 = report.controls.find((c) => c.id === 'SC-28');
    assert.ok(sc28);
    assert.equal(sc28.status, 'gap');
    assert.deepEqual(
      sc28.gaps.map((g) => [g.element, g.rule]),
      [['session-cache', 'CRY-03']],
    );
    assert.match(sc28.gaps[0].text, /^Session cache \(Redis\): .*unencrypted at rest \(CRY-03, open\)$/);
    assert.ok(
      sc28.evidence.some(
        (e) => e.element === 'orders-db' && e.rule === 'CRY-03' && /covered by what it states \(encryptionAtRest/.test(e.text),
      ),
    );
    // Counted: every relevant control once, the rest of the baseline as not described.
    const total = report.counts.evidenced + report.counts.planned + report.counts.gap + report.counts['not-applicable'];
    assert.equal(total, report.controls.length);
    assert.equal(report.untouched, 287 - report.controls.length);
    // Only controls of the moderate baseline: SC-28(1) is in it, SC-7(18) (high only) is not.
    const moderate = new Set(ruleSet.frameworks.get('nist-800-53-r5')!.levels.moderate);
    assert.ok(report.controls.every((c) => moderate.has(c.id)));
    // In the framework's order.
    const order = ruleSet.frameworks.get('nist-800-53-r5')!.controls.map((c) => c.id);
    const positions = report.controls.map((c) => order.indexOf(c.id));
    assert.deepEqual(
      positions,
      [...positions].sort((a, b) => a - b),
    );
  });

  it('a threat recorded with a mitigation planned makes it planned; implemented, evidenced', () => {
    const threat = (status: string) =>
      withThreat(
        '  - id: T-cache\n    title: Session tokens readable on the cache disk\n    category: information-disclosure\n    targets: [session-cache]\n    rule: CRY-03\n    status: in-progress\n    mitigations: [M-cache-encryption]\n',
        `  - id: M-cache-encryption\n    title: Encrypt the cache volume\n    status: ${status}\n`,
      );
    const planned = assess(threat('planned'), 'nist-800-53-r5-moderate').controls.find((c) => c.id === 'SC-28')!;
    assert.equal(planned.status, 'planned');
    assert.deepEqual(planned.gaps, []);
    assert.match(planned.planned[0].text, /^Encrypt the cache volume \(planned\) — for threat T-cache on Session cache \(Redis\)$/);
    const done = assess(threat('verified'), 'nist-800-53-r5-moderate').controls.find((c) => c.id === 'SC-28')!;
    assert.equal(done.status, 'evidenced');
    assert.ok(done.evidence.some((e) => /^Encrypt the cache volume \(verified\)/.test(e.text)));
  });

  it('a risk accepted stays a gap; a rule switched off with its reason is not applicable', () => {
    const accepted = withThreat(
      '  - id: T-cache\n    title: Session tokens readable on the cache disk\n    category: information-disclosure\n    targets: [session-cache]\n    rule: CRY-03\n    status: accepted\n    acceptance: { by: alice, date: 2026-11-30, expires: 2027-05-30, reason: Tokens live 15 minutes }\n',
      '',
    );
    const gap = assess(accepted, 'nist-800-53-r5-moderate').controls.find((c) => c.id === 'SC-28')!;
    assert.equal(gap.status, 'gap');
    assert.match(gap.gaps[0].text, /risk accepted \(threat T-cache\)$/);

    const off = assess(
      withCache(
        '    disabledRules:\n      - rule: CRY-03\n        reason: Only session ids that expire in 15 minutes, on an encrypted volume of the host.\n',
      ),
      'nist-800-53-r5-moderate',
    );
    const sc28 = off.controls.find((c) => c.id === 'SC-28')!;
    assert.ok(sc28.notApplicable.some((n) => n.element === 'session-cache' && /CRY-03 switched off — Only session ids/.test(n.text)));
    // The orders database's encryption still evidences it; nothing is missing any more.
    assert.equal(sc28.status, 'evidenced');
  });

  it("a mitigation's own ASVS ids count for ASVS: implemented as evidence, proposed as planned", () => {
    const named = webshop.replace(
      'mitigations:\n  - id: M-cookie-flags',
      'mitigations:\n  - id: M-password-policy\n    title: Check new passwords against breached-password lists\n    status: proposed\n    asvs: [V6.2.12]\n  - id: M-cookie-flags',
    );
    const v6212 = assess(named, 'asvs-5.0-L2').controls.find((c) => c.id === 'V6.2.12');
    assert.ok(v6212);
    assert.equal(v6212.status, 'planned');
    assert.match(
      v6212.planned.map((p) => p.text).join('\n'),
      /Check new passwords against breached-password lists \(proposed\) — names it/,
    );
  });

  it('costs time linear in the model', () => {
    assertLinear(
      'compliance of a generated model',
      (n) => analyze(generateModel(n), { today: TODAY }),
      // Four assessments per run: one takes a few milliseconds, where one collection of the test run's heap would decide.
      (a) => {
        for (let i = 0; i < 4; i++) assessCompliance(a, ruleSet, 'nist-800-53-r5-high');
      },
      { n: 400, maxN: 400 },
    );
  });
});
