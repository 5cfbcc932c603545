/**
 * Compliance frameworks as rule-pack data: the built-in ones (OWASP ASVS 5.0, NIST SP 800-53 Rev. 5) with ids exactly
 * as their publishers write them, and a team's own framework in its pack; every control a mitigation cites must exist.
 */
import * as assert from 'node:assert/strict';
import { loadRuleSet } from '../../server/src/analysis/rules/ruleset';
import { builtinPacks, builtinRuleSet } from '../../server/src/files/package-files';

const pack = (text: string) => loadRuleSet([{ uri: 'file:///team/controls.yaml', text, builtin: false }], builtinPacks());
const messages = (loaded: ReturnType<typeof pack>) => [...loaded.diagnostics.values()].flat().map((d) => d.message);

describe('compliance frameworks', () => {
  const { ruleSet, diagnostics } = builtinRuleSet();

  it('ships NIST SP 800-53 Rev. 5 with its baselines and OWASP ASVS 5.0 with its levels, ids as published', () => {
    assert.deepEqual([...diagnostics.values()].flat(), []);
    const nist = ruleSet.frameworks.get('nist-800-53-r5');
    assert.ok(nist);
    // SP 800-53B: 149 controls and enhancements in the low baseline, 287 in moderate, 370 in high, 102 in privacy.
    assert.deepEqual(Object.fromEntries(Object.entries(nist.levels).map(([level, ids]) => [level, ids.length])), {
      low: 149,
      moderate: 287,
      high: 370,
      privacy: 102,
    });
    const ids = new Set(nist.controls.map((c) => c.id));
    for (const id of ['AC-2', 'IA-2(1)', 'IA-9', 'SC-8', 'SC-8(1)', 'SC-28(1)', 'SA-11', 'SA-11(2)', 'SR-11(2)'])
      assert.ok(ids.has(id), id);
    // As NIST writes them, not as OSCAL pads them for sorting (AC-02, IA-02(01)).
    assert.ok(![...ids].some((id) => /-0\d|\(0\d/.test(id)));
    assert.equal(nist.controls.find((c) => c.id === 'SC-8')?.title, 'Transmission Confidentiality and Integrity');

    const asvs = ruleSet.frameworks.get('asvs-5.0');
    assert.ok(asvs);
    assert.equal(asvs.controls.length, 345);
    assert.deepEqual(Object.fromEntries(Object.entries(asvs.levels).map(([level, list]) => [level, list.length])), {
      L1: 70,
      L2: 253,
      L3: 345,
    });
    // Each level holds the one below it.
    const l2 = new Set(asvs.levels.L2);
    assert.ok(asvs.levels.L1.every((id) => l2.has(id)));
    assert.ok(asvs.controls.every((c) => /^V\d+\.\d+\.\d+$/.test(c.id)));
  });

  it('maps every built-in mitigation to the NIST SP 800-53 controls it implements, and most to OWASP ASVS', () => {
    const mitigations = [...ruleSet.mitigations.values()];
    assert.ok(mitigations.length > 150);
    const unmapped = mitigations.filter((m) => !m.compliance?.['nist-800-53-r5']?.length).map((m) => m.id);
    assert.deepEqual(unmapped, []);
    // Application-level ones only: a boot chain or a radio link has no ASVS requirement.
    const asvs = mitigations.filter((m) => m.compliance?.['asvs-5.0']?.length).length;
    assert.ok(asvs >= 120, `${asvs} mapped to ASVS`);
    assert.deepEqual(ruleSet.mitigations.get('mfa')?.compliance, {
      'nist-800-53-r5': ['IA-2(1)', 'IA-2(2)', 'IA-2(8)'],
      'asvs-5.0': ['V6.3.3', 'V6.5.1', 'V6.5.6'],
    });
  });

  it("loads a team's own framework and mitigations mapped to it and to a built-in one", () => {
    const loaded = pack(
      [
        'pack: acme.controls',
        'rules: []',
        'frameworks:',
        '  - id: acme-controls-2026',
        '    title: ACME engineering controls',
        '    levels: { baseline: [ACME-1] }',
        '    controls:',
        '      - { id: ACME-1, title: Services authenticate each other }',
        '      - { id: ACME-2, title: Secrets live in the vault }',
        'mitigations:',
        '  - id: acme-mesh',
        '    title: Join the service mesh',
        '    description: Mutual TLS between every pair of services.',
        '    compliance: { acme-controls-2026: [ACME-1], nist-800-53-r5: [SC-8, "SC-8(1)"] }',
      ].join('\n'),
    );
    assert.deepEqual(messages(loaded), []);
    assert.equal(loaded.ruleSet.frameworks.get('acme-controls-2026')?.pack, 'acme.controls');
    assert.deepEqual(loaded.ruleSet.mitigations.get('acme-mesh')?.compliance, {
      'acme-controls-2026': ['ACME-1'],
      'nist-800-53-r5': ['SC-8', 'SC-8(1)'],
    });
  });

  it('says which framework or control a mapping names that does not exist, and keeps what does', () => {
    const loaded = pack(
      [
        'pack: acme.controls',
        'rules: []',
        'frameworks:',
        '  - id: nist-800-53-r5',
        '    title: A second NIST',
        '    controls: [{ id: X-1, title: x }]',
        '  - id: acme',
        '    title: ACME',
        '    levels: { strict: [ACME-9] }',
        '    controls: [{ id: ACME-1, title: one }]',
        'mitigations:',
        '  - id: acme-mesh',
        '    title: Join the service mesh',
        '    description: Mutual TLS between every pair of services.',
        '    compliance: { nist-800-53: [SC-8], nist-800-53-r5: [SC-08, SC-8], asvs-5.0: [V12.1.1] }',
      ].join('\n'),
    );
    const said = messages(loaded);
    assert.ok(said.some((m) => /Framework 'nist-800-53-r5' is already defined by pack 'threatcode\.framework\.nist-800-53-r5'/.test(m)));
    assert.ok(said.some((m) => /Level 'strict' lists 'ACME-9', which is not among the framework's controls/.test(m)));
    assert.ok(
      said.some((m) => /Unknown framework 'nist-800-53'.*nist-800-53-r5/.test(m)),
      said.join('\n'),
    );
    assert.ok(
      said.some((m) => /'SC-08' is not a control of nist-800-53-r5\..*SC-8/.test(m)),
      said.join('\n'),
    );
    // The framework with a problem is left out; the mapping keeps its valid ids.
    assert.equal(loaded.ruleSet.frameworks.get('acme'), undefined);
    assert.equal(loaded.ruleSet.frameworks.get('nist-800-53-r5')?.pack, 'threatcode.framework.nist-800-53-r5');
    assert.deepEqual(loaded.ruleSet.mitigations.get('acme-mesh')?.compliance, { 'nist-800-53-r5': ['SC-8'], 'asvs-5.0': ['V12.1.1'] });
  });
});
