/**
 * The classes of hostile input an adversarial probe found (see docs/security.md), each with generators that vary the
 * probe's inputs: prototype names anywhere a model or pack string is used as a key, inputs whose cost grew with the
 * square of their size (or whose depth overflowed the stack), output that a name could restructure, and YAML the
 * parser accepts but the analysis misread. Cost is compared between sizes in the same run (test/support/cost.ts), never
 * against a deadline: a quadratic path coming back fails, a slower or busier machine does not.
 */
import * as assert from 'node:assert/strict';
import { buildDiagram, MAX_DRAWN_NESTING, MAX_LABEL_LENGTH } from '../../server/src/analysis/diagram';
import { computeMetrics } from '../../server/src/analysis/metrics';
import { loadRuleSet } from '../../server/src/analysis/rules/ruleset';
import { builtinPackSources } from '../../server/src/files/package-files';
import { hover } from '../../server/src/features/hover';
import { codeActions } from '../../server/src/features/code-actions';
import { complete } from '../../server/src/features/completion';
import { applyTextEdits } from '../../server/src/edits/text-edits';
import { markdownReport } from '../../server/src/report/report';
import { toSarif } from '../../server/src/report/sarif';
import { analyze, BUILTIN_RULES } from '../support/analyze';
import { assertLinear } from '../support/cost';

const TODAY = '2026-11-26';
const HEAD = 'threatcode: 1\nsystem:\n  name: Probe\n';

/** Everything a model goes through in the editor and the CLI. */
function throughEverything(text: string) {
  const analysis = analyze(text, { today: TODAY });
  const metrics = computeMetrics(analysis, { today: TODAY });
  const diagram = analysis.parsed.model ? buildDiagram(analysis) : undefined;
  if (metrics && diagram) markdownReport({ file: 'probe.tm.yaml', analysis, metrics, diagram });
  for (let at = 0; at < text.length; at += Math.max(1, Math.floor(text.length / 40))) {
    hover(analysis, at, BUILTIN_RULES);
    complete(analysis, at, BUILTIN_RULES);
  }
  return { analysis, metrics, diagram };
}

const PROTOTYPE_NAMES = ['constructor', 'toString', 'valueOf', '__proto__', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__'];

describe('hostile input, by class', function () {
  this.timeout(120_000);

  describe('prototype names never reach Object.prototype', () => {
    const model = (name: string) => `${HEAD}boundaries:
  - id: zone
    trust: ${name}
components:
  - id: ${name.replace(/_/g, 'x')}-c
    type: ${name}
    kind: ${name}
    boundary: zone
    exposure: ${name}
    controls: { ${name}: true }
  - id: api
    type: process
    kind: api
    boundary: zone
data:
  - id: d
    classification: ${name}
flows:
  - id: f
    from: api
    to: ${name.replace(/_/g, 'x')}-c
    protocol: ${name}
    data: [d]
threats:
  - id: T-1
    title: t
    category: ${name}
    targets: [api]
    status: ${name}
    severity: ${name}
`;
    for (const name of PROTOTYPE_NAMES) {
      it(`'${name}' as a type, kind, enum value and key: errors reported, nothing thrown, metrics and diagram made`, () => {
        const { analysis, metrics, diagram } = throughEverything(model(name));
        const codes = analysis.diagnostics.map((d) => d.code);
        assert.ok(!codes.includes('internal-error'), codes.join());
        assert.ok(codes.includes('bad-enum'), codes.join());
        assert.ok(metrics && diagram);
      });
    }

    it('a rule pack on prop constructor or toString is refused rule by rule; the other rules, built-in ones included, run', () => {
      const pack = (prop: string, op: string) => `pack: probe
rules:
  - id: P-1
    target: component
    title: "{name} probe"
    rationale: A probe.
    severity: low
    when: { prop: ${prop}, ${op} }
  - id: P-2
    target: component
    title: "{name} has no owner"
    rationale: A probe.
    severity: low
    when: { prop: owner, exists: false }
`;
      for (const [prop, op] of [
        ['constructor', 'gte: low'],
        ['toString', 'exists: true'],
        ['valueOf', 'eq: 1'],
        ['controls.constructor', 'eq: true'],
      ]) {
        const { ruleSet, diagnostics } = loadRuleSet([
          ...builtinPackSources(),
          { uri: 'file:///ws/.threatcode/rules/probe.yaml', text: pack(prop, op), builtin: false },
        ]);
        const own = diagnostics.get('file:///ws/.threatcode/rules/probe.yaml') ?? [];
        assert.ok(
          own.some((d) => d.severity === 'error' && d.message.includes(prop.split('.').pop()!)),
          `${prop}: ${JSON.stringify(own)}`,
        );
        assert.ok(!ruleSet.byId.has('P-1'), `${prop}: the broken rule is skipped`);
        assert.ok(ruleSet.byId.has('P-2') && ruleSet.byId.has('CRY-01'), `${prop}: the rest runs`);
      }
    });
  });

  describe('cost stays linear in the model', () => {
    const cycle = (n: number) =>
      `${HEAD}boundaries:\n${Array.from({ length: n }, (_, i) => `  - id: b${i}\n    trust: internal\n    parent: b${(i + 1) % n}\n`).join('')}`;
    const chain = (n: number) =>
      `${HEAD}boundaries:\n${Array.from({ length: n }, (_, i) => `  - id: b${i}\n    trust: internal${i ? `\n    parent: b${i - 1}` : ''}\n`).join('')}` +
      `components:\n  - id: c\n    type: process\n    kind: api\n    boundary: b${n - 1}\n`;

    it('a boundary cycle of 20,000: bounded messages (was 4 GB and an out-of-memory abort), linear in its length', () => {
      const a = analyze(cycle(20_000), { today: TODAY });
      const found = a.diagnostics.filter((d) => d.code === 'boundary-cycle');
      assert.ok(found.length > 0 && found.length <= 200, `${found.length} cycle diagnostics`);
      assert.ok(a.diagnostics.some((d) => d.code === 'diagnostic-limit' && /more 'boundary-cycle' problems/.test(d.message)));
      const size = a.diagnostics.reduce((s, d) => s + d.message.length, 0);
      assert.ok(size < 200_000, `${size} characters of messages`);
      assert.match(found[0].message, /→ … \(\d+ more\) →/);
      // Each member's message named its successors by copying the whole cycle: quadratic (10,000: 1.7 s, 20,000: 11 s).
      assertLinear('a boundary cycle', cycle, (text) => analyze(text, { today: TODAY }), { n: 5_000, maxN: 5_000 });
    });

    it('a parent chain 20,000 deep: one warning, and the diagram and report are made without recursion (was a stack overflow)', () => {
      const everything = (text: string) => {
        const analysis = analyze(text, { today: TODAY });
        const metrics = computeMetrics(analysis, { today: TODAY })!;
        const diagram = buildDiagram(analysis, { maxNodes: 1_000 });
        markdownReport({ file: 'chain.tm.yaml', analysis, metrics, diagram });
        return { analysis, diagram };
      };
      const value = everything(chain(20_000));
      assert.deepEqual(
        value.analysis.diagnostics.filter((d) => d.code === 'boundary-too-deep').map((d) => d.message.slice(0, 40)),
        ['Boundary b32 is nested more than 32 boun'],
      );
      const depth = Math.max(...value.diagram.mermaid.split('\n').map((l) => /^ */.exec(l)![0].length / 2));
      assert.ok(depth <= MAX_DRAWN_NESTING + 2, `subgraphs nested ${depth} deep`);
      assertLinear('a boundary chain through analysis, metrics, diagram and report', chain, everything, { n: 1_000 });
    });

    it('unknown keys in one mapping (10,000 were 21 s) and invalid items (100,000 were 86 s): capped, and linear', () => {
      const keys = (n: number) => `${HEAD}${Array.from({ length: n }, (_, i) => `  k${i}: 1\n`).join('')}`;
      const items = (n: number) => `${HEAD}assumptions: [${Array.from({ length: n }, () => '{}').join(', ')}]\n`;
      assert.equal(analyze(keys(10_000), { today: TODAY }).diagnostics.filter((d) => d.code === 'unknown-key').length, 200);
      const many = analyze(items(100_000), { today: TODAY });
      assert.ok(many.diagnostics.some((d) => d.code === 'diagnostic-limit'));
      assert.ok(many.diagnostics.length < 1_000, `${many.diagnostics.length} diagnostics`);
      assertLinear('unknown keys', keys, (text) => analyze(text, { today: TODAY }), { n: 1_000 });
      assertLinear('invalid items', items, (text) => analyze(text, { today: TODAY }), { n: 5_000 });
    });

    it('dangling references, each with its suggestions, cost linear in their number', () => {
      // Each dangling reference looked for the nearest ids among all of them: references × elements.
      const text = (n: number) =>
        `${HEAD}components:\n${Array.from({ length: n }, (_, i) => `  - { id: c${i}, type: process, kind: api, boundary: zone${i} }\n`).join('')}`;
      assertLinear('dangling references', text, (t) => analyze(t, { today: TODAY }), { n: 2_000, maxN: 2_000 });
    });

    it('one threat with many targets: the metrics (asked on every edit) are linear in them (50,000 were 25 s)', () => {
      const model = (n: number) =>
        analyze(
          `${HEAD}components:\n  - id: a\n    type: process\n    kind: api\nthreats:\n  - id: T\n    title: t\n    category: tampering\n    status: open\n    targets: [${Array.from({ length: n }, () => 'a').join(', ')}]\n`,
          { today: TODAY },
        );
      assertLinear('targets of one threat, in the metrics', model, (analysis) => computeMetrics(analysis, { today: TODAY }), {
        n: 25_000,
        maxN: 25_000,
        repeats: 5,
      });
    });

    it('a rule pack amplified by aliases is refused with a message, the built-in rules still run (was 38 s per check)', () => {
      const pack = (copies: number) => {
        const leaves = Array.from({ length: 50 }, () => '{ prop: owner, eq: nobody }').join(', ');
        // Anchors must come before their aliases: define them in a list first.
        return `pack: amplified\ndefinitions:\n${Array.from({ length: copies }, (_, r) => `  - &a${r} { any: [${leaves}] }\n  - &b${r} { any: [${Array.from({ length: 20 }, () => `*a${r}`).join(', ')}] }`).join('\n')}\nrules:\n${Array.from(
          { length: copies },
          (_, r) =>
            `  - id: A-${r}\n    target: component\n    title: "{name} a"\n    severity: low\n    when: { any: [${Array.from({ length: 40 }, () => `*b${r}`).join(', ')}] }\n`,
        ).join('')}`;
      };
      const load = (text: string) => loadRuleSet([...builtinPackSources(), { uri: 'file:///ws/p.yaml', text, builtin: false }]);
      const value = load(pack(100));
      assert.ok((value.diagnostics.get('file:///ws/p.yaml') ?? []).some((d) => /expands to more than/.test(d.message)));
      assert.ok(!value.ruleSet.byId.has('A-0') && value.ruleSet.byId.has('CRY-01'));
      // The refusal costs what the pack's text does, not what it would expand to.
      assertLinear('an amplified rule pack', pack, (text) => loadRuleSet([{ uri: 'file:///ws/p.yaml', text, builtin: false }]), {
        n: 25,
        maxN: 25,
      });
    });
  });

  describe('the webview gets a diagram it can draw in time', () => {
    it('nests boundaries at most MAX_DRAWN_NESTING deep and clips labels (200 levels and a 50,000-character name did not render)', () => {
      const n = 200;
      const items = Array.from({ length: n }, (_, i) => `  - id: b${i}\n    trust: internal${i ? `\n    parent: b${i - 1}` : ''}\n`).join(
        '',
      );
      const long = 'x'.repeat(50_000);
      const text = `${HEAD}boundaries:\n${items}components:\n  - id: c\n    name: ${long}\n    type: process\n    kind: api\n    boundary: b${n - 1}\n  - id: d\n    type: process\n    kind: api\n    boundary: b0\n`;
      const diagram = buildDiagram(analyze(text, { today: TODAY }));
      const depth = Math.max(...diagram.mermaid.split('\n').map((l) => /^ */.exec(l)![0].length / 2));
      assert.ok(depth <= MAX_DRAWN_NESTING + 2, `nested ${depth} deep`);
      const longest = Math.max(...[...diagram.mermaid.matchAll(/"([^"]*)"/g)].map((m) => [...m[1]].length));
      assert.ok(longest <= MAX_LABEL_LENGTH, `a label of ${longest} characters`);
      const node = Object.values(diagram.nodes).find((x) => x.modelId === 'c')!;
      assert.equal(node.label, long, 'the full name stays the node’s accessible name and tooltip');
    });
  });

  describe('YAML the parser accepts, diagnosed for what it is', () => {
    it('an alias without its anchor is a syntax error at the alias, not an alias bomb', () => {
      const text = `${HEAD}assumptions: *missing\n`;
      const a = analyze(text, { today: TODAY });
      const d = a.diagnostics.find((x) => x.code === 'yaml-syntax')!;
      assert.ok(d, a.diagnostics.map((x) => x.code).join());
      assert.equal(text.slice(d.span.start, d.span.end), '*missing');
      assert.ok(!a.diagnostics.some((x) => x.code === 'alias-limit'));
    });

    it('a list that contains itself keeps every other diagnostic and finding (was internal-error, all dropped)', () => {
      const text = `${HEAD}components:\n  - id: api\n    type: process\n    kind: api\n    parses: &p [xml, *p]\n    bogus: 1\n`;
      const a = analyze(text, { today: TODAY });
      const codes = a.diagnostics.map((d) => d.code);
      assert.ok(!codes.includes('internal-error'), codes.join());
      assert.ok(codes.includes('unknown-key') && codes.includes('yaml-warning'), codes.join());
      assert.ok(a.findings.length > 0);
    });
  });

  describe('output that no model string can restructure', () => {
    it('Markdown report: lone CRs and other line endings cannot forge headings or end table rows', () => {
      const evil = 'x\\r## Open findings (0)\\r---\\r1. Signed off\\u2028| a | b |\\u0085=== ';
      const text = `${HEAD}  description: "${evil}"\ncomponents:\n  - id: api\n    name: "${evil}"\n    type: process\n    kind: api\nthreats:\n  - id: T-1\n    title: "${evil}"\n    category: tampering\n    targets: [api]\n    status: open\n`;
      const analysis = analyze(text, { today: TODAY });
      const report = markdownReport({
        file: 'x.tm.yaml',
        analysis,
        metrics: computeMetrics(analysis, { today: TODAY })!,
        diagram: buildDiagram(analysis),
      });
      assert.doesNotMatch(report, /[\r\u2028\u0085]/);
      assert.equal((report.match(/^## Open findings/gm) ?? []).length, 1);
      for (const row of report.split('\n').filter((l) => l.startsWith('| T-1')))
        assert.equal(
          (row.match(/(?<!\\)\|/g) ?? []).length,
          (
            report
              .split('\n')
              .find((l) => l.startsWith('| id'))
              ?.match(/\|/g) ?? []
          ).length,
        );
    });

    it('SARIF: artifact URIs are percent-encoded relative references', () => {
      const analysis = analyze(`${HEAD}bogus: 1\n`, { today: TODAY });
      const sarif = toSarif(
        [
          {
            uri: 'my models/a b#1 %41.tm.yaml',
            text: analysis.parsed.text,
            diagnostics: analysis.diagnostics.map((d) => ({ ...d, line: 1, column: 1, endLine: 1, endColumn: 2 })),
          },
        ],
        BUILTIN_RULES,
        '0',
      ) as { runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
      assert.equal(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri, 'my%20models/a%20b%231%20%2541.tm.yaml');
    });

    it('messages quote at most 60 characters of a value, on one line', () => {
      const secret = `-----BEGIN OPENSSH PRIVATE KEY-----\\n${'A'.repeat(400)}\\n-----END OPENSSH PRIVATE KEY-----`;
      for (const text of [`"${secret}"\n`, `${HEAD}bogus: "${secret}"\n`, `${HEAD}components: "${secret}"\n`]) {
        for (const d of analyze(text, { today: TODAY }).diagnostics) {
          assert.doesNotMatch(d.message, /A{61}/, d.message);
          assert.doesNotMatch(d.message, /\n/);
        }
      }
    });
  });

  describe('quick fixes in YAML shapes that used to be damaged: applied correctly, or refused with a reason', () => {
    const BASE = `${HEAD}boundaries:
  - id: inet
    trust: untrusted
  - id: vpc
    trust: internal
`;
    const SHAPES: Record<string, string> = {
      'a comment with a dash before the first item': `${BASE}components:
  -   # first-component: the - in this comment is not the item's
    id: api
    type: process
    kind: api
    boundary: vpc
    exposure: internet
threats:
  -   # first-threat: x - y
    id: T-0
    title: t
    category: tampering
    targets: [api]
    status: open
`,
      'flow collections with a trailing comma': `${BASE}components: [ { id: api, type: process, kind: api, boundary: vpc, exposure: internet, controls: { mfa: false, } }, ]
threats: [ { id: T-0, title: t, category: tampering, targets: [api], status: open }, ]
`,
      'a one-line component with nested controls': `${BASE}components:
  - { id: api, type: process, kind: api, boundary: vpc, exposure: internet, controls: { mfa: false } }
`,
      'controls inherited through a merge key': `${BASE}x-base: &base
  controls: { validatesInput: true, rateLimiting: true }
components:
  - <<: *base
    id: api
    type: process
    kind: api
    boundary: vpc
    exposure: internet
`,
      'an existing disabledRules list with a reason and a comment': `${BASE}components:
  - id: api
    type: process
    kind: api
    boundary: vpc
    exposure: internet
    disabledRules:
      # kept: HYG-08 is not about this API
      - { rule: HYG-08, reason: The API has its own owner. }
`,
      'controls that are an alias of another component': `${BASE}components:
  - id: legacy
    type: process
    kind: api
    boundary: vpc
    controls: &ctl { mfa: true }
  - id: api
    type: process
    kind: api
    boundary: vpc
    exposure: internet
    controls: *ctl
`,
      'an empty section with a comment, and an anchored empty section': `${BASE}components:
  - id: api
    type: process
    kind: api
    boundary: vpc
    exposure: internet
threats: [] # TODO: the first review
mitigations: &none []
assumptions: *none
`,
      'a document end marker': `${BASE}components:
  - id: api
    type: process
    kind: api
    boundary: vpc
    exposure: internet
...
`,
      'a second document': `${BASE}components:
  - id: api
    type: process
    kind: api
    boundary: vpc
    exposure: internet
---
ignored: true
`,
    };
    // x-base is not part of the format: the shape is about the merge, not the key.
    const errorsOf = (text: string) =>
      analyze(text, { today: TODAY })
        .diagnostics.filter((d) => d.severity === 'error' && d.code !== 'unknown-key')
        .map((d) => d.code);

    for (const [name, text] of Object.entries(SHAPES)) {
      it(name, () => {
        const analysis = analyze(text, { today: TODAY });
        const before = errorsOf(text);
        const comments = text.match(/#[^\n]*/g) ?? [];
        const findings = analysis.diagnostics.filter((d) => (d.data as { findingId?: string } | undefined)?.findingId);
        assert.ok(findings.length > 0, name);
        let applied = 0;
        let refused = 0;
        for (const d of findings) {
          for (const action of codeActions(analysis, [d], { today: TODAY })) {
            if (action.disabled) {
              refused++;
              assert.match(action.disabled, /by hand|first/, action.disabled);
              assert.deepEqual(action.edits, []);
              continue;
            }
            applied++;
            const after = applyTextEdits(text, action.edits);
            assert.deepEqual(errorsOf(after), before, `${action.title}:\n${after}`);
            for (const c of comments) assert.ok(after.includes(c), `${action.title} removed ${c}`);
            const id = (d.data as { findingId: string }).findingId;
            const still = analyze(after, { today: TODAY }).diagnostics.some(
              (x) => (x.data as { findingId?: string } | undefined)?.findingId === id,
            );
            if (/^(Mitigate|Record|Accept|Mark|Covered)/.test(action.title) || /disable it/.test(action.title))
              assert.ok(!still, `${action.title} left ${id} open:\n${after}`);
          }
        }
        assert.ok(applied + refused > 0);
        if (/merge key|alias of another|anchored empty/.test(name)) assert.ok(refused > 0, `${name}: something is refused`);
      });
    }

    it('keeps the earlier suppressions when a rule is disabled on an element that has some', () => {
      const text = SHAPES['an existing disabledRules list with a reason and a comment'];
      const analysis = analyze(text, { today: TODAY });
      const hygiene = analysis.diagnostics.find((d) => /^HYG-/.test(d.code) && (d.data as { element?: string }).element === 'api')!;
      assert.ok(hygiene, analysis.diagnostics.map((d) => d.code).join());
      const disable = codeActions(analysis, [hygiene], { today: TODAY }).find((a) => /disable it/.test(a.title))!;
      const after = applyTextEdits(text, disable.edits);
      assert.match(after, /- \{ rule: HYG-08, reason: The API has its own owner\. \}/);
      assert.match(after, new RegExp(`rule: ${hygiene.code}`));
    });
  });
});
