/**
 * Incremental analysis (one item reparsed, only dependent rule subjects evaluated again) must equal a full analysis
 * of the same text, on every edit. Random edit chains on the examples and a generated model compare both, step by
 * step; a second group pins which edits take the incremental path at all, so the comparison cannot pass by always
 * falling back.
 */
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { generateModel } from '../support/generate-model';
import { builtinRuleSet } from '../../server/src/files/package-files';
import { type Analysis, analyzeChange, analyzeText } from '../../server/src/analysis/analyze';
import { changedRegion } from '../../server/src/model/incremental';
import { REPO_ROOT } from '../support/paths';

const EXAMPLES = readdirSync(path.join(REPO_ROOT, 'examples'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.tm.yaml'))
  .map((f) => readFileSync(path.join(REPO_ROOT, 'examples', f), 'utf8'));
const GENERATED = generateModel(40);
const { ruleSet } = builtinRuleSet();
const OPTIONS = { today: '2026-11-26', rules: ruleSet };

/** Everything a user or a client sees of an analysis, as plain data. */
function observable(a: Analysis): unknown {
  return {
    diagnostics: a.diagnostics.map((d) => ({
      code: d.code,
      severity: d.severity,
      message: d.message,
      span: [d.span.start, d.span.end],
      related: d.related?.map((r) => [r.span.start, r.span.end, r.message]),
      data: d.data,
    })),
    findings: a.findings.map((f) => ({
      id: f.id,
      status: f.status,
      title: f.title,
      because: f.because.map((r) => [r.element?.id, r.property, r.text, r.rank]),
      threat: f.threat?.id,
      span: f.element && [f.element.span.start, f.element.span.end],
    })),
    elements:
      a.parsed.model &&
      Object.fromEntries(
        (['boundaries', 'components', 'data', 'flows', 'threats', 'mitigations', 'assumptions'] as const).map((s) => [
          s,
          a.parsed.model![s].map((e) => [e.id, e.index, e.span.start, e.span.end, e.idSpan?.start, JSON.stringify(e.data)]),
        ]),
      ),
    references: a.parsed.model?.references.map((r) => [r.from.id, r.path.join('.'), r.targetId, r.span.start, r.span.end]),
    byId: a.parsed.model && [...a.parsed.model.byId].map(([id, e]) => [id, e.section, e.index]),
    systemSpan: a.parsed.model?.systemSpan,
  };
}

/** Edits a typing user makes: values swapped for other ids and enum values, characters typed and deleted. */
const WORDS = [
  'https',
  'http',
  'none',
  'token',
  'mtls',
  'internal',
  'untrusted',
  'restricted',
  'true',
  'false',
  'process',
  'datastore',
  'external',
  'open',
  'mitigated',
  'critical',
  'low',
];
const edit = fc.oneof(
  fc.record({ kind: fc.constant('word' as const), at: fc.nat(), word: fc.constantFrom(...WORDS) }),
  fc.record({ kind: fc.constant('id' as const), at: fc.nat(), pick: fc.nat() }),
  fc.record({
    kind: fc.constant('type' as const),
    at: fc.nat(),
    text: fc.oneof(
      fc.constantFrom('a', ' ', ':', '-', '#', '"', "'", '[', ']', ',', '\n', '\n    ', '\n  - ', 'x: 1', '&a', '*a', '|', '\t', '🔥'),
      fc.string({ maxLength: 4 }),
    ),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('append' as const), at: fc.nat(), pick: fc.nat() }),
);

function applyEdit(text: string, e: { kind: string; at: number; [k: string]: unknown }): string {
  const at = e.at % (text.length + 1);
  switch (e.kind) {
    case 'word':
    case 'id': {
      // Replace the value at the end of the line holding `at` (`key: value`).
      const lineStart = text.lastIndexOf('\n', at - 1) + 1;
      const lineEnd = text.indexOf('\n', at) < 0 ? text.length : text.indexOf('\n', at);
      const colon = text.indexOf(': ', lineStart);
      if (colon < 0 || colon >= lineEnd) return text;
      const ids = [...text.matchAll(/\bid: ([\w-]+)/g)].map((m) => m[1]);
      const value = e.kind === 'word' ? (e.word as string) : (ids[(e.pick as number) % Math.max(1, ids.length)] ?? 'x');
      return text.slice(0, colon + 2) + value + text.slice(lineEnd);
    }
    case 'type':
      return text.slice(0, at) + (e.text as string) + text.slice(at);
    case 'append': {
      // A new item at the end of a section, as typed or as a quick fix appends it.
      const sections = [...text.matchAll(/^(components|flows|threats|mitigations|data|boundaries):\r?\n/gm)];
      if (sections.length === 0) return text;
      const next = sections[(e.pick as number) % sections.length];
      const after = text.slice(next.index + next[0].length).search(/^\S/m);
      const end = after < 0 ? text.length : next.index + next[0].length + after;
      const ids = [...text.matchAll(/\bid: ([\w-]+)/g)].map((m) => m[1]);
      const target = ids[e.at % Math.max(1, ids.length)] ?? 'x';
      return `${text.slice(0, end)}  - id: added-${e.at}\n    name: Added\n    targets: [${target}]\n${text.slice(end)}`;
    }
    default:
      return text.slice(0, at) + text.slice(at + (e.length as number));
  }
}

describe('incremental analysis', function () {
  this.timeout(120_000);

  it('equals a full analysis after every edit of random edit chains (examples and a generated model, LF and CRLF)', () => {
    const steps = { lf: 0, crlf: 0 };
    const incremental = { lf: 0, crlf: 0 };
    fc.assert(
      fc.property(
        fc.constantFrom(...EXAMPLES, GENERATED),
        fc.boolean(),
        fc.array(edit, { minLength: 1, maxLength: 8 }),
        (base, crlf, edits) => {
          let text = crlf ? base.replace(/\n/g, '\r\n') : base;
          let previous = analyzeText(text, OPTIONS);
          for (const e of edits) {
            text = applyEdit(text, e);
            const next = analyzeChange(previous, text, OPTIONS);
            const full = analyzeText(text, OPTIONS);
            assert.deepEqual(observable(next), observable(full), `after ${JSON.stringify(e)}`);
            steps[crlf ? 'crlf' : 'lf']++;
            if (next.incremental) incremental[crlf ? 'crlf' : 'lf']++;
            previous = next;
          }
        },
      ),
      { numRuns: 60, seed: 20261127 },
    );
    // Most typing stays inside one item: if few steps took the incremental path the comparison above proved little.
    for (const mode of ['lf', 'crlf'] as const) {
      assert.ok(incremental[mode] / steps[mode] > 0.3, `${mode}: only ${incremental[mode]} of ${steps[mode]} edits were incremental`);
    }
  });

  it('takes the incremental path for edits inside one item, and only those', () => {
    const base = analyzeText(GENERATED, OPTIONS);
    const cases: { name: string; change: (t: string) => string; incremental: boolean }[] = [
      { name: 'a value inside a component', change: (t) => t.replace('authentication: none', 'authentication: mtls'), incremental: true },
      { name: 'a flow endpoint', change: (t) => t.replace('    to: comp-8\n', '    to: comp-9\n'), incremental: true },
      {
        name: 'a new property in a threat',
        change: (t) =>
          t.replace('    title: Threat 0 against component 3\n', '    title: Threat 0 against component 3\n    rule: AUTH-01\n'),
        incremental: true,
      },
      {
        name: 'a comment after an item',
        change: (t) => t.replace('  - id: flow-3-1\n', '  # about flow 3\n  - id: flow-3-1\n'),
        incremental: true,
      },
      {
        name: 'a broken value (YAML error inside the item)',
        change: (t) => t.replace('    name: Component 5\n', '    name: "Component 5\n'),
        incremental: false,
      },
      {
        name: 'a new item before others',
        change: (t) => t.replace('  - id: comp-3\n', '  - id: comp-new\n    name: New\n    type: process\n  - id: comp-3\n'),
        incremental: false,
      },
      {
        name: 'new items at the end of a section (typed, or appended by a quick fix)',
        change: (t) =>
          t.replace(
            'flows:\n',
            '  - id: comp-new\n    name: New\n    type: process\n    boundary: zone-1\n  - id: comp-newer\n    type: external\nflows:\n',
          ),
        incremental: true,
      },
      {
        name: 'a half-typed item at the end of a section',
        change: (t) => t.replace('flows:\n', '  - id: comp-new\n    na\nflows:\n'),
        incremental: false,
      },
      { name: 'the system section', change: (t) => t.replace('  release: "1.0"', '  release: "2.0"'), incremental: false },
      {
        name: 'a line that ends the section',
        change: (t) => t.replace('    name: Component 5\n', '    name: Component 5\nextra: 1\n'),
        incremental: false,
      },
      { name: 'an alias', change: (t) => t.replace('    name: Component 5\n', '    name: &n Component 5\n'), incremental: false },
    ];
    for (const c of cases) {
      const text = c.change(GENERATED);
      assert.notEqual(text, GENERATED, c.name);
      const fresh = analyzeText(GENERATED, OPTIONS);
      const next = analyzeChange(fresh, text, OPTIONS);
      assert.equal(next.incremental, c.incremental, c.name);
      assert.deepEqual(observable(next), observable(analyzeText(text, OPTIONS)), c.name);
    }
    assert.equal(base.incremental, false);
  });

  it('falls back to a full analysis when the previous analysis was already consumed', () => {
    const first = analyzeText(GENERATED, OPTIONS);
    const a = GENERATED.replace('authentication: none', 'authentication: token');
    const second = analyzeChange(first, a, OPTIONS);
    assert.equal(second.incremental, true);
    const b = GENERATED.replace('authentication: none', 'authentication: oidc');
    const third = analyzeChange(first, b, OPTIONS);
    assert.equal(third.incremental, false);
    assert.deepEqual(observable(third), observable(analyzeText(b, OPTIONS)));
  });

  it('re-evaluates the rules of the subjects that depend on the edited element', () => {
    // Making a flow cleartext changes findings on the flow itself; moving a component across boundaries changes
    // the findings of flows that touch it (crossesBoundary reads both ends).
    const first = analyzeText(GENERATED, OPTIONS);
    const moved = GENERATED.replace(/( {2}- id: comp-2\n(?: {4}.*\n)*? {4}boundary: )zone-\d+/, '$1zone-1');
    assert.notEqual(moved, GENERATED);
    const next = analyzeChange(first, moved, OPTIONS);
    assert.equal(next.incremental, true);
    const ids = (a: Analysis) => a.findings.map((f) => `${f.id}:${f.status}`).sort();
    assert.notDeepEqual(ids(next), ids(analyzeText(GENERATED, OPTIONS)), 'the edit must change some finding');
    assert.deepEqual(ids(next), ids(analyzeText(moved, OPTIONS)));
  });

  it('finds the changed region of two texts', () => {
    assert.equal(changedRegion('abc', 'abc'), undefined);
    assert.deepEqual(changedRegion('abcd', 'abXcd'), { start: 2, oldEnd: 2, newEnd: 3 });
    assert.deepEqual(changedRegion('aaa', 'aa'), { start: 2, oldEnd: 3, newEnd: 2 });
    assert.deepEqual(changedRegion('abc', 'xyz'), { start: 0, oldEnd: 3, newEnd: 3 });
  });
});
