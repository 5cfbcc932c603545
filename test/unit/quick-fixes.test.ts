/**
 * Property test over every quick fix: on each example and rule fixture (LF and CRLF), every action offered for every
 * diagnostic yields a document that parses, no longer has the targeted problem, has no new error, keeps its line
 * endings, and is unchanged outside the edited regions.
 */
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { applyTextEdits } from '../../server/src/edits/text-edits';
import { codeActions, fixAll } from '../../server/src/features/code-actions';
import type { Analysis } from '../../server/src/analysis/analyze';
import { analyze } from '../support/analyze';
import type { CoreDiagnostic } from '../../server/src/model/diagnostics';
import { applyEdits } from '../support/model-edits';
import { REPO_ROOT } from '../support/paths';

const TODAY = '2026-11-26';

function documents(): { name: string; text: string }[] {
  const docs: { name: string; text: string }[] = [];
  const examples = path.join(REPO_ROOT, 'examples');
  for (const f of readdirSync(examples, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.tm.yaml'))) {
    docs.push({ name: f, text: readFileSync(path.join(examples, f), 'utf8') });
  }
  const base = readFileSync(path.join(REPO_ROOT, 'rules/fixtures/base.tm.yaml'), 'utf8');
  const cases = parse(readFileSync(path.join(REPO_ROOT, 'rules/fixtures/cases.yaml'), 'utf8')) as Record<
    string,
    { fires: Record<string, unknown> }
  >;
  for (const [rule, c] of Object.entries(cases)) docs.push({ name: `fixture ${rule}`, text: applyEdits(base, c.fires) });
  docs.push({
    name: 'schema errors',
    text: 'threatcode: 1\nsystem:\n  nmae: Shop\n  name: Shop\nboundaries:\n  - id: dmz\n    trust: dmzz\ncomponents:\n  - id: web\n    type: proces\n    boundary: dmx\n  - id: api\n    name: API\n    type: process\n    boundary: vpc\nthreats: []\n',
  });
  docs.push({
    name: 'no sections',
    text: 'threatcode: 1\nsystem: { name: S }\ncomponents:\n  - { id: a, name: A, type: process, boundary: nowhere }',
  });
  return [...docs, ...docs.map((d) => ({ name: `${d.name} (CRLF)`, text: d.text.replace(/\r?\n/g, '\r\n') }))];
}

function errors(a: Analysis): string[] {
  return a.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.message}`);
}

function stillThere(before: CoreDiagnostic, after: Analysis): boolean {
  const findingId = (before.data as { findingId?: string } | undefined)?.findingId;
  if (findingId) return after.findings.some((f) => f.id === findingId && f.status === 'open');
  return after.diagnostics.some((d) => d.code === before.code && d.message === before.message);
}

describe('quick fixes on every example and fixture', function () {
  this.timeout(120_000);
  let total = 0;

  for (const doc of documents()) {
    it(`${doc.name}: every offered fix works and is minimal`, () => {
      const analysis = analyze(doc.text, { today: TODAY });
      const errorsBefore = new Set(errors(analysis));
      const crlf = doc.text.includes('\r\n');
      for (const d of analysis.diagnostics) {
        for (const action of codeActions(analysis, [d])) {
          total++;
          const label = `${doc.name} / ${d.code} / ${action.title}`;
          // Edits do not overlap and stay inside the document.
          const spans = [...action.edits].map((e) => e.span).sort((a, b) => a.start - b.start);
          spans.forEach((s, i) => {
            assert.ok(0 <= s.start && s.start <= s.end && s.end <= doc.text.length, `${label}: span inside`);
            if (i > 0) assert.ok(spans[i - 1].end <= s.start, `${label}: edits overlap`);
          });
          const after = applyTextEdits(doc.text, action.edits);
          // Bytes outside the edited regions are unchanged.
          let cursor = 0;
          let shift = 0;
          for (const e of [...action.edits].sort((a, b) => a.span.start - b.span.start)) {
            assert.equal(
              after.slice(cursor + shift, e.span.start + shift),
              doc.text.slice(cursor, e.span.start),
              `${label}: text before edit`,
            );
            shift += e.newText.length - (e.span.end - e.span.start);
            cursor = e.span.end;
          }
          assert.equal(after.slice(cursor + shift), doc.text.slice(cursor), `${label}: text after edits`);
          if (crlf) assert.ok(!/[^\r]\n/.test(after), `${label}: keeps CRLF line endings`);
          const reanalysed = analyze(after, { today: TODAY });
          assert.ok(!reanalysed.diagnostics.some((x) => x.code === 'yaml-syntax'), `${label}: parses\n${after}`);
          const newErrors = errors(reanalysed).filter((e) => !errorsBefore.has(e));
          assert.deepEqual(newErrors, [], `${label}: no new errors\n${after}`);
          for (const target of action.diagnostics)
            assert.ok(!stillThere(target, reanalysed), `${label}: resolves ${target.code} ${target.message}\n${after}`);
        }
      }
      const all = fixAll(analysis);
      if (all) {
        const reanalysed = analyze(applyTextEdits(doc.text, all.edits), { today: TODAY });
        for (const target of all.diagnostics) assert.ok(!stillThere(target, reanalysed), `fix all resolves ${target.message}`);
      }
    });
  }

  after(() => {
    assert.ok(total > 500, `${total} quick fixes exercised`);
  });
});

describe('quick fixes on a document that does not parse', () => {
  it('offers no structural edits while the YAML is broken (found by fuzzing: a lost section was created twice)', () => {
    const text = readFileSync(path.join(REPO_ROOT, 'examples/k8s-microservices/ride-hailing.tm.yaml'), 'utf8').replace(
      '\nthreats:',
      '\n}\nthreats:',
    );
    const analysis = analyze(text, { today: TODAY });
    assert.ok(analysis.diagnostics.some((d) => d.code === 'yaml-syntax'));
    const findings = analysis.diagnostics.filter((d) => (d.data as { findingId?: string } | undefined)?.findingId);
    assert.ok(findings.length > 0, 'findings are still shown');
    assert.deepEqual(
      codeActions(analysis, findings).map((a) => a.title),
      [],
    );
  });
});
