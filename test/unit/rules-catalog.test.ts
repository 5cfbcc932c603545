/**
 * The built-in catalog: it loads cleanly, covers what it promises, and every rule fires on its fixture, stays
 * silent when covered, and respects recorded threats and disabled rules.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { rulesMarkdown } from '../../server/src/analysis/rules/docs';
import { builtinPackSources, builtinRuleSet, peerCatalogs } from '../../server/src/files/package-files';
import { analyze } from '../support/analyze';
import { PEER_CATALOGS } from '../../server/src/analysis/rules/types';
import { applyEdits } from '../support/model-edits';
import { REPO_ROOT } from '../support/paths';
import { assertFindingMessage, assertPlainLanguage } from '../support/plain-language';

const FIXTURES = path.join(REPO_ROOT, 'rules/fixtures');
const BASE = readFileSync(path.join(FIXTURES, 'base.tm.yaml'), 'utf8');
type Case = { element: string; fires: Record<string, unknown>; passes: Record<string, unknown> };
const CASES = parse(readFileSync(path.join(FIXTURES, 'cases.yaml'), 'utf8')) as Record<string, Case>;
const TODAY = '2026-11-26';

function analyzeOnce(text: string) {
  return analyze(text, { today: TODAY });
}

describe('built-in rule catalog', () => {
  const { ruleSet, diagnostics } = builtinRuleSet();

  it('loads without a single problem', () => {
    const problems = [...diagnostics].flatMap(([uri, ds]) => ds.map((d) => `${path.basename(uri)}: ${d.code} ${d.message}`));
    assert.deepEqual(problems, []);
  });

  it('has at least 130 rules, each explained and with resolvable mitigations', () => {
    assert.ok(ruleSet.rules.length >= 130, `${ruleSet.rules.length} rules`);
    for (const r of ruleSet.rules) {
      assert.ok(r.rationale.length > 40, `${r.id} rationale`);
      assert.ok(r.mitigations.length > 0, `${r.id} suggests a mitigation`);
      assert.ok(r.references.length > 0 && r.references.every((ref) => ref.url.startsWith('https://')), `${r.id} has references`);
      for (const m of r.mitigations) assert.ok(ruleSet.mitigations.get(m)?.description, `${r.id}: ${m}`);
    }
  });

  it('covers every STRIDE category, the IEEE top-10 design flaws, LINDDUN and model hygiene', () => {
    const stride = new Set(ruleSet.rules.flatMap((r) => r.stride));
    assert.deepEqual([...stride].sort(), [
      'denial-of-service',
      'elevation-of-privilege',
      'information-disclosure',
      'repudiation',
      'spoofing',
      'tampering',
    ]);
    const flaws = new Set(ruleSet.rules.flatMap((r) => r.designFlaws));
    assert.deepEqual(
      [...flaws].sort((a, b) => a - b),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
    const linddun = new Set(ruleSet.rules.flatMap((r) => r.linddun));
    assert.deepEqual(
      [...linddun].sort(),
      ['data-disclosure', 'detecting', 'identifying', 'linking', 'non-compliance', 'non-repudiation', 'unawareness'],
      'every LINDDUN threat type',
    );
    assert.ok(ruleSet.rules.filter((r) => r.id.startsWith('HYG-')).length >= 5, 'hygiene rules');
    assert.ok(ruleSet.rules.filter((r) => r.stride.includes('repudiation')).length >= 3, 'repudiation rules');
  });

  it('states CWE and CAPEC for every threat rule, empty on purpose where none fits', () => {
    for (const source of builtinPackSources()) {
      const pack = parse(source.text) as { rules?: Record<string, unknown>[] };
      for (const rule of pack.rules ?? []) {
        if (String(rule.id).startsWith('HYG-')) continue;
        assert.ok(Array.isArray(rule.cwe), `${String(rule.id)}: cwe`);
        assert.ok(Array.isArray(rule.capec), `${String(rule.id)}: capec`);
      }
    }
  });

  it('is documented: docs/rules.md is generated from the packs and up to date (npm run docs)', () => {
    const committed = readFileSync(path.join(REPO_ROOT, 'docs/rules.md'), 'utf8');
    assert.ok(committed === rulesMarkdown(ruleSet, peerCatalogs()), 'docs/rules.md is stale: run `npm run docs`');
  });

  it('names only items that exist in the peer catalogs, and covers the OWASP LLM and API Top 10 fully', () => {
    const catalogs = peerCatalogs();
    assert.deepEqual(catalogs.map((c) => c.catalog).sort(), [...PEER_CATALOGS].sort());
    for (const c of catalogs) {
      const ids = new Set(c.items.map((i) => i.id));
      assert.equal(ids.size, c.items.length, `${c.catalog}: duplicate ids`);
      for (const r of ruleSet.rules) {
        for (const id of [...(r.covers[c.catalog] ?? []), ...(r.partlyCovers[c.catalog] ?? [])]) {
          assert.ok(ids.has(id), `${r.id} names ${c.catalog} item '${id}', which the catalog does not have`);
        }
      }
    }
    for (const name of ['owaspLlm', 'owaspApi'] as const) {
      const catalog = catalogs.find((c) => c.catalog === name)!;
      assert.equal(catalog.items.length, 10);
      const uncovered = catalog.items.filter((i) => !ruleSet.rules.some((r) => r.covers[name]?.includes(i.id))).map((i) => i.id);
      assert.deepEqual(uncovered, [], `${name} items no rule covers`);
    }
  });

  it('finds nothing on the base fixture', () => {
    const result = analyzeOnce(BASE);
    assert.deepEqual(
      result.diagnostics.map((d) => `${d.code}: ${d.message}`),
      [],
    );
  });

  it('has exactly one fixture case per rule', () => {
    assert.deepEqual(Object.keys(CASES).sort(), ruleSet.rules.map((r) => r.id).sort());
  });

  for (const [ruleId, c] of Object.entries(CASES)) {
    describe(ruleId, () => {
      const findingId = `${ruleId}@${c.element}`;
      const fires = applyEdits(BASE, c.fires);

      it(`fires on ${c.element}, says so in one plain sentence, and sits on its cause or the element`, () => {
        const result = analyzeOnce(fires);
        const finding = result.findings.find((f) => f.id === findingId);
        assert.equal(finding?.status, 'open', `${findingId} open; got ${result.findings.map((f) => `${f.id}:${f.status}`).join(', ')}`);
        const errors = result.diagnostics.filter((d) => d.severity === 'error');
        assert.deepEqual(
          errors.map((d) => d.message),
          [],
          'the fixture edit keeps the model valid',
        );
        const diagnostic = result.diagnostics.find((d) => d.code === ruleId && (d.data as { findingId?: string })?.findingId === findingId);
        assert.ok(diagnostic, 'diagnostic with the rule id as code');
        assertFindingMessage(diagnostic.message);
        const at = fires.slice(diagnostic.span.start, diagnostic.span.end);
        if (finding.element) {
          // On the element's id, or on one of its own properties (`protocol: http`), which the message then quotes.
          const { start, end } = finding.element.span;
          assert.ok(diagnostic.span.start >= start && diagnostic.span.end <= end, `inside ${c.element}: ${at}`);
          if (at !== c.element) {
            assert.match(at, /^[A-Za-z][\w.]*:\s/, `a property of ${c.element}: ${at}`);
            // A short scalar value is quoted in the message, as the value it is (without the file's quotes).
            const scalar = /^([\w.]+):[ \t]*([^\n[{]+)$/.exec(at);
            const value = scalar?.[2].trim().replace(/^(["'])(.*)\1$/, '$2');
            if (scalar && value && value.length <= 40) assert.ok(diagnostic.message.includes(`${scalar[1]}: ${value}`), diagnostic.message);
          }
        } else assert.equal(at, 'system');
        // Why, in words, at the places that show it.
        assert.ok(diagnostic.related && diagnostic.related.length > 0, 'related locations explain the finding');
        for (const r of diagnostic.related) {
          assertPlainLanguage(r.message, 'related information');
          assert.ok(r.span.end > r.span.start && r.span.end <= fires.length, r.message);
        }
      });

      it('is silent once covered', () => {
        const result = analyzeOnce(applyEdits(fires, c.passes));
        const finding = result.findings.find((f) => f.id === findingId);
        assert.ok(finding === undefined || finding.status === 'covered', `${findingId}: ${finding?.status}`);
        assert.equal(result.diagnostics.filter((d) => d.code === ruleId).length, 0);
      });

      if (c.element !== 'model') {
        it('is addressed by a threat that records it, whatever its status', () => {
          const recorded = applyEdits(fires, {
            'threats.+': {
              id: 'T-recorded',
              title: 'Recorded',
              category: 'tampering',
              targets: [c.element],
              rule: ruleId,
              status: 'open',
              severity: 'low',
              mitigations: ['M-validation'],
            },
          });
          const result = analyzeOnce(recorded);
          assert.equal(result.findings.find((f) => f.id === findingId)?.status, 'addressed');
          assert.equal(
            result.diagnostics.filter((d) => d.code === ruleId && (d.data as { findingId?: string })?.findingId === findingId).length,
            0,
          );
        });
      }

      it('can be disabled for the model with a reason', () => {
        const text = applyEdits(fires, {}) + `disabledRules:\n  - rule: ${ruleId}\n    reason: Not relevant for this fixture\n`;
        const result = analyzeOnce(text);
        assert.equal(result.findings.find((f) => f.id === findingId)?.status, 'disabled');
        assert.equal(result.diagnostics.filter((d) => d.code === ruleId).length, 0);
      });
    });
  }
});
