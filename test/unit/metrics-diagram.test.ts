/**
 * Completeness metrics and the Mermaid diagram, on small models where every number can be checked by hand.
 */
import * as assert from 'node:assert/strict';
import { buildDiagram, mermaidText } from '../../server/src/analysis/diagram';
import { computeMetrics } from '../../server/src/analysis/metrics';
import { analyze } from '../support/analyze';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { generateModel } from '../support/generate-model';
import { computeView } from '../../server/src/lsp/view';
import { VIEW_LIST_LIMIT } from '../../server/src/shared/view';
import { formatRatio } from '../../server/src/shared/vocabulary';
import { markdownReport } from '../../server/src/report/report';

const TODAY = '2026-11-26';
const MODEL = `threatcode: 1
system:
  name: S
  release: "2.0"
  reviewed: { by: a, date: 2026-11-16 }
boundaries:
  - { id: out, name: Outside, trust: untrusted }
  - { id: in, name: Inside, trust: internal }
  - { id: deep, name: Deep, trust: restricted, parent: in }
components:
  - { id: user, name: User, type: external, kind: human, boundary: out }
  - { id: api, name: API, type: process, kind: api, boundary: in, exposure: internet, authentication: oidc, authorization: rbac, release: "2.0" }
  - { id: db, name: DB, type: datastore, kind: sql, boundary: deep, encryptionAtRest: platform, stores: [d] }
data:
  - { id: d, classification: confidential, pii: none }
flows:
  - { id: f1, from: user, to: api, protocol: https, authentication: oidc, data: [d], release: "2.0" }
  - { id: f2, from: api, to: db, protocol: sql-tls, authentication: password, data: [d] }
threats:
  - { id: T1, title: Spoofed user, category: spoofing, targets: [api], severity: high, status: open, mitigations: [M1] }
  - { id: T2, title: Tampered flow, category: tampering, targets: [f1], severity: critical, status: open }
  - { id: T3, title: Accepted, category: denial-of-service, targets: [f1], severity: low, status: accepted, acceptance: { by: b, justification: ok, expires: 2026-01-01 } }
mitigations:
  - { id: M1, title: MFA, status: implemented, evidence: x }
  - { id: M2, title: Spare, status: proposed }
`;

describe('completeness metrics', () => {
  const analysis = analyze(MODEL, { today: TODAY });
  const metrics = computeMetrics(analysis, { today: TODAY })!;
  const g = (id: string) => metrics.gauges.find((x) => x.id === id)!;

  it('measures each gauge with the items that are missing', () => {
    assert.deepEqual([g('elementCoverage').done, g('elementCoverage').total], [1, 3]);
    assert.deepEqual(
      g('elementCoverage').missing.map((m) => m.element),
      ['user', 'db'],
    );
    // api: S of STRIDE; f1: T and D of T, I, D; user: none of S, R; db: none of T, R, I, D.
    assert.deepEqual([g('strideCoverage').done, g('strideCoverage').total], [3, 2 + 6 + 4 + 3 + 3]);
    assert.deepEqual([g('crossingCoverage').done, g('crossingCoverage').total], [0, 2]);
    // Treated: T1 (a mitigation chosen) and T3 (accepted); T2 is not, nor is any risk the rules found and nobody recorded.
    const openRisks = analysis.findings.filter((f) => f.status === 'open' && f.rule.stride.length + f.rule.linddun.length > 0);
    assert.ok(openRisks.length > 0);
    assert.deepEqual([g('threatTreatment').done, g('threatTreatment').total], [2, 3 + openRisks.length]);
    // M1 is in place; M2 is only proposed: listed, but not counted until someone commits to it.
    assert.deepEqual([g('mitigationProgress').done, g('mitigationProgress').total], [1, 1]);
    assert.deepEqual(
      g('mitigationProgress').missing.map((m) => m.message),
      ['M2: proposed, not decided yet — Spare'],
    );
    assert.deepEqual([g('acceptanceHygiene').done, g('acceptanceHygiene').total], [0, 1], 'T3 expired');
    assert.ok(g('fidelity').missing.some((m) => m.message === "user: 'kind' is not set") === false);
    // Open risks: T2 (critical) and T1 (high), and the open findings of threat rules by their severity.
    const expected = { critical: 1, high: 1, medium: 0, low: 0, unrated: 0 };
    for (const f of openRisks) expected[f.rule.severity]++;
    assert.deepEqual(metrics.residualRisk, expected);
    assert.equal(metrics.unrecordedRisks, openRisks.length);
    assert.deepEqual(metrics.freshness, { lastReview: '2026-11-16', daysSinceReview: 10 });
    const row = metrics.stride.find((r) => r.element === 'f1')!;
    assert.deepEqual(row.cells, { T: true, I: false, D: true });
  });

  it('evaluates gates', () => {
    const gates = Object.fromEntries(metrics.gates.map((x) => [x.id, x.passed]));
    assert.deepEqual(gates, { maxOpenHighWithoutMitigation: false, acceptancesValid: false });
    const custom = computeMetrics(analysis, { today: TODAY, gates: { minStrideCoverage: 0.1, maxDaysSinceReview: 5 } })!;
    assert.deepEqual(Object.fromEntries(custom.gates.map((x) => [x.id, x.passed])), { minStrideCoverage: true, maxDaysSinceReview: false });
  });

  it('says "—" where there is nothing to measure, never 100 %, and such a gate passes saying why', () => {
    const empty = computeMetrics(analyze('threatcode: 1\nsystem:\n  name: Empty\n', { today: TODAY }), {
      today: TODAY,
      gates: { minStrideCoverage: 0.5 },
    })!;
    const stride = empty.gauges.find((x) => x.id === 'strideCoverage')!;
    assert.deepEqual([stride.done, stride.total, stride.ratio], [0, 0, null]);
    assert.equal(formatRatio(stride.ratio), '—');
    assert.equal(formatRatio(g('strideCoverage').ratio), `${Math.round((3 / 18) * 100)}%`);
    assert.deepEqual(
      empty.gates.find((x) => x.id === 'minStrideCoverage'),
      {
        id: 'minStrideCoverage',
        title: 'STRIDE coverage',
        passed: true,
        detail: 'nothing to measure (required 50%)',
        fix: [],
      },
    );
    const markdown = markdownReport({
      file: 'empty.tm.yaml',
      analysis: analyze('threatcode: 1\nsystem:\n  name: Empty\n'),
      metrics: empty,
      diagram: buildDiagram(analyze('threatcode: 1\nsystem:\n  name: Empty\n')),
    });
    assert.match(markdown, /\| STRIDE coverage \| — \| 0 \/ 0 \| — \|/);
  });

  it('gives one verdict line and the next three things to do: what makes the failing gates pass, first', () => {
    assert.equal(
      metrics.verdict.text,
      'S (whole model): not complete — 2 gates fail: 3 high or critical risks without a mitigation; 1 accepted risk expired, without an owner or without a justification',
    );
    assert.equal(metrics.verdict.complete, false);
    // Beside the state's label ("Not complete"), the rest.
    assert.equal(metrics.verdict.detail, metrics.verdict.text.replace('S (whole model): not complete — ', ''));
    assert.match(metrics.verdict.detail, /^2 gates fail: /);
    assert.deepEqual(
      metrics.verdict.next.map((x) => [x.element, x.message.split(':')[0]]),
      [
        ['api', 'Mitigate API-01'],
        ['f2', 'Mitigate INP-02'],
        ['T2', 'Choose a mitigation for T2'],
      ],
    );
    // Each step says where: the element's id in the model.
    const api = metrics.verdict.next[0];
    assert.equal(MODEL.slice(api.span.start, api.span.end), 'api');
    const delivery = computeMetrics(analysis, { today: TODAY, delivery: true })!;
    assert.match(delivery.verdict.text, /^Release 2\.0: not complete — 2 gates fail: 2 high or critical risks/);
    const ratio = computeMetrics(analysis, { today: TODAY, gates: { minStrideCoverage: 0.5 } })!;
    assert.equal(ratio.verdict.text, 'S (whole model): not complete — 1 gate fails: STRIDE coverage 17% (50% required)');
    assert.deepEqual(
      ratio.verdict.next.map((x) => x.message),
      g('strideCoverage')
        .missing.slice(0, 3)
        .map((x) => x.message),
    );
  });

  it('says complete when every gate passes, names the largest gaps next, and does not call an empty delivery complete', () => {
    const passing = computeMetrics(analysis, { today: TODAY, gates: { minFidelity: 0.1 } })!;
    assert.deepEqual([passing.verdict.complete, passing.verdict.text], [true, 'S (whole model): complete (its gate passes)']);
    assert.equal(passing.verdict.detail, '(its gate passes)');
    // The gauges furthest from done, one item each in turn: crossing-boundary flows (0 of 2) first.
    assert.equal(passing.verdict.next.length, 3);
    assert.equal(passing.verdict.next[0].message, g('crossingCoverage').missing[0].message);
    const none = computeMetrics(analysis, { today: TODAY, gates: {} })!;
    assert.equal(none.verdict.text, 'S (whole model): no gates set, so nothing decides whether it is complete');
    const unmarked = analyze(
      'threatcode: 1\nsystem:\n  name: Empty\n  release: "3.1"\ncomponents:\n  - { id: a, name: A, type: process }\n',
    );
    const empty = computeMetrics(unmarked, { today: TODAY, delivery: true })!;
    assert.equal(
      empty.verdict.text,
      'Release 3.1: nothing in this delivery yet (no component or flow says release: 3.1), so nothing was measured',
    );
    assert.deepEqual(
      empty.verdict.next.map((x) => x.message),
      ['Mark what this delivery changes with release: 3.1'],
    );
  });

  it('scopes to this delivery (system.release)', () => {
    const delivery = computeMetrics(analysis, { today: TODAY, delivery: true })!;
    assert.equal(delivery.scope, '2.0');
    const cov = delivery.gauges.find((x) => x.id === 'elementCoverage')!;
    assert.deepEqual([cov.done, cov.total], [1, 1], 'only api is in release 2.0');
    assert.deepEqual(
      delivery.stride.map((r) => r.element),
      ['api', 'f1'],
    );
  });
});

describe('Mermaid diagram', () => {
  it('draws DFD shapes, nested dashed boundaries and labelled flows', () => {
    const d = buildDiagram(analyze(MODEL, { today: TODAY }));
    assert.match(d.mermaid, /subgraph s0\["Outside \(untrusted\)"\]\n {4}n0\["User"\]\n {2}end/);
    assert.match(
      d.mermaid,
      /subgraph s1\["Inside \(internal\)"\]\n {4}n1\("API"\)\n {4}subgraph s2\["Deep \(restricted\)"\]\n {6}n2\[\("DB"\)\]/,
    );
    assert.match(d.mermaid, /n0 e0@-->\|"https"\| n1/);
    assert.match(d.mermaid, /class s0 boundary/);
    assert.match(d.mermaid, /class n1 sevHigh|class n1 sevCritical/);
    assert.match(d.mermaid, /classDef sevHigh stroke:/, 'reports carry their colours');
    assert.deepEqual(d.nodes.n1.modelId, 'api');
    assert.equal(d.nodes.n1.kind, 'process');
    assert.equal(d.nodes.n2.kind, 'datastore');
    assert.equal(d.nodes.n0.kind, 'external');
    assert.equal(d.nodes.s0.kind, 'boundary');
    assert.ok(d.nodes.n1.severity >= 3);
    assert.equal(d.level, 'detail');
    assert.deepEqual(
      d.edges.map((e) => e.id),
      ['e0', 'e1'],
    );
    // The panel colours severities itself (its highlight must win): no inline styles in the source it gets.
    const panel = buildDiagram(analyze(MODEL, { today: TODAY }), { styled: false, direction: 'TB' });
    assert.match(panel.mermaid, /^flowchart TB\n/);
    assert.doesNotMatch(panel.mermaid, /classDef|linkStyle|stroke/);
    assert.match(panel.mermaid, /class n1 sev(High|Critical)/);
    assert.deepEqual(
      d.edges.map((e) => e.modelId),
      ['f1', 'f2'],
    );
  });

  it('encodes hostile names so they cannot become Mermaid or HTML', () => {
    const hostile = MODEL.replace(
      'name: API',
      'name: "<img src=x onerror=alert(1)>\\"]\\nclick n1 call alert()\\n%%{init: {\\"securityLevel\\": \\"loose\\"}}%%"',
    );
    const d = buildDiagram(analyze(hostile, { today: TODAY }));
    const label = /n1\("([^"]*)"\)/.exec(d.mermaid)![1];
    assert.doesNotMatch(label, /[<>"%#\n]/);
    assert.doesNotMatch(d.mermaid, /^\s*click /m);
    assert.doesNotMatch(d.mermaid, /%%/);
    assert.equal(mermaidText('a"b<c>%{#x&\n'), 'a\u201db\u2039c\u203a\uff05{\uff03x\uff06');
    assert.equal(mermaidText('Payment provider (PCI DSS) · café'), 'Payment provider (PCI DSS) · café');
  });

  it('shows a boundary overview for large models, and one boundary on focus', () => {
    const big = [
      'threatcode: 1',
      'system: { name: Big }',
      'boundaries:',
      '  - { id: a, trust: dmz }',
      '  - { id: b, trust: internal }',
      'components:',
    ];
    for (let i = 0; i < 200; i++) big.push(`  - { id: c${i}, name: C${i}, type: process, boundary: ${i % 2 ? 'a' : 'b'} }`);
    big.push('flows:');
    for (let i = 0; i < 199; i++) big.push(`  - { id: f${i}, from: c${i}, to: c${i + 1} }`);
    const analysis = analyze(big.join('\n') + '\n', { today: TODAY });
    const overview = buildDiagram(analysis);
    assert.equal(overview.overview, true);
    assert.equal(overview.level, 'overview');
    assert.match(overview.mermaid, /g\d\[\["a \(dmz\) · 100 components"\]\]/);
    assert.match(overview.mermaid, /g\d\[\["b \(internal\) · 100 components"\]\]/);
    assert.match(overview.mermaid, /-->\|"\d+ flows"\|/);
    const group = Object.values(overview.nodes).find((n) => n.drill === 'a')!;
    assert.equal(group.kind, 'group');
    assert.equal(group.members, 100);
    assert.equal(buildDiagram(analysis, { overview: true, maxNodes: 1000 }).level, 'overview', 'the overview on request');
    const around = buildDiagram(analysis, { focusElement: 'c10' });
    assert.equal(around.overview, false);
    assert.deepEqual(
      Object.values(around.nodes)
        .filter((n) => n.modelId.startsWith('c'))
        .map((n) => n.modelId)
        .sort(),
      ['c10', 'c11', 'c9'],
    );
    const aroundFlow = buildDiagram(analysis, { focusElement: 'f10' });
    assert.deepEqual(
      aroundFlow.edges.map((e) => e.modelId),
      ['f9', 'f10', 'f11'],
    );
    // One boundary: exactly its components, and its neighbours collapsed into one group per boundary.
    const focused = buildDiagram(analysis, { focusBoundary: 'a', maxNodes: 1000 });
    assert.equal(focused.level, 'boundary');
    assert.deepEqual(focused.focus, { boundary: 'a' });
    const drawn = Object.values(focused.nodes).filter((n) => n.kind === 'process');
    assert.equal(drawn.length, 100);
    assert.ok(
      drawn.every((n) => Number(n.modelId.slice(1)) % 2 === 1),
      'only components of a',
    );
    const neighbours = Object.values(focused.nodes).filter((n) => n.kind === 'group');
    assert.deepEqual(
      neighbours.map((n) => [n.drill, n.members]),
      [['b', 100]],
    );
  });

  it('keeps the diagram within the detail limit: full up to 30 components, then boundaries, top-level boundaries, trust levels', () => {
    const model = (components: number, boundaries: number, nestedUnder: number) => {
      const lines = ['threatcode: 1', 'system: { name: Big }', 'boundaries:'];
      const trusts = ['untrusted', 'dmz', 'internal', 'restricted'];
      for (let b = 0; b < boundaries; b++) {
        lines.push(`  - { id: z${b}, trust: ${trusts[b % 4]}${nestedUnder && b >= nestedUnder ? `, parent: z${b % nestedUnder}` : ''} }`);
      }
      lines.push('components:');
      for (let i = 0; i < components; i++) lines.push(`  - { id: c${i}, type: process, boundary: z${i % boundaries} }`);
      return analyze(lines.join('\n') + '\n', { today: TODAY });
    };
    assert.equal(buildDiagram(model(30, 4, 0)).overview, false);
    assert.equal(buildDiagram(model(31, 4, 0)).overview, true);
    const nodesOf = (d: ReturnType<typeof buildDiagram>) => d.mermaid.split('\n').filter((l) => /^ {2,}g\d+\[\[/.test(l));
    // 60 boundaries nested under 3 top-level ones: the top-level ones, with their nested count.
    const nested = buildDiagram(model(300, 60, 3));
    assert.equal(nodesOf(nested).length, 3);
    assert.match(nested.mermaid, /g\d\[\["z0 \(untrusted\) and 19 nested · 100 components"\]\]/);
    assert.equal(nested.nodes.g0?.modelId, 'z0', 'a top-level boundary still reveals its element');
    assert.equal(nested.nodes.g0?.drill, 'z0', 'and opens it');
    // 12 boundaries, 8 of them nested: drawn inside their parents.
    const inside = buildDiagram(model(300, 12, 4));
    assert.equal(nodesOf(inside).length, 12);
    assert.match(inside.mermaid, /subgraph s\d\["z0 \(untrusted\)"\]\n {4}g\d\[\["z0 \(untrusted\) · 25 components"\]\]\n {4}g\d\[\["z4/);
    // 60 top-level boundaries and a limit of 10: one node per trust level.
    const flat = buildDiagram(model(300, 60, 0), { maxNodes: 10 });
    assert.deepEqual(
      nodesOf(flat)
        .map((l) => /"(.*)"/.exec(l)![1])
        .sort(),
      [
        'All dmz zones · 75 components',
        'All internal zones · 75 components',
        'All restricted zones · 75 components',
        'All untrusted zones · 75 components',
      ],
    );
  });
});

describe('the view sent to the panel', () => {
  it('carries at most VIEW_LIST_LIMIT items per list, with the totals, so that a large model stays a small message', () => {
    const text = generateModel(1000);
    const analysis = analyze(text, { today: TODAY });
    const document = TextDocument.create('file:///m.tm.yaml', 'threatmodel', 1, text);
    const view = computeView(document, analysis, { uri: document.uri, delivery: false });
    const metrics = computeMetrics(analysis, { today: TODAY, delivery: false })!;
    for (const g of view.metrics!.gauges) {
      const full = metrics.gauges.find((m) => m.id === g.id)!;
      assert.equal(g.missingTotal, full.missing.length, g.id);
      assert.equal(g.missing.length, Math.min(VIEW_LIST_LIMIT, full.missing.length), g.id);
    }
    assert.ok(
      view.metrics!.gauges.some((g) => g.missingTotal > VIEW_LIST_LIMIT),
      'the model is large enough to be cut',
    );
    assert.equal(view.metrics!.strideTotal, metrics.stride.length);
    assert.equal(view.metrics!.stride.length, VIEW_LIST_LIMIT);
    assert.ok(JSON.stringify(view).length < 300_000, `${JSON.stringify(view).length} characters`);
  });

  it('computes the metrics once per analysis, scope and gates (the status bar and the panel ask for the same)', () => {
    const text = generateModel(20);
    const analysis = analyze(text);
    const document = TextDocument.create('file:///m.tm.yaml', 'threatmodel', 1, text);
    const ask = (params: { delivery: boolean; metricsOnly?: boolean }, gates?: Record<string, number | boolean>) =>
      computeView(document, analysis, { uri: document.uri, ...params }, gates).metrics!;
    const statusBar = ask({ delivery: false, metricsOnly: true });
    const panel = ask({ delivery: false });
    // The view passes the metrics' own residual-risk object on: its identity tells which metrics were used.
    assert.equal(panel.residualRisk, statusBar.residualRisk, 'the same metrics object');
    assert.notEqual(ask({ delivery: true }).residualRisk, statusBar.residualRisk, 'another scope');
    const strict = ask({ delivery: false }, { maxOpenHighWithoutMitigation: 0 });
    assert.notEqual(strict.residualRisk, statusBar.residualRisk, 'other gates');
    assert.deepEqual(
      strict.gates.map((g) => g.id),
      ['maxOpenHighWithoutMitigation'],
    );
    assert.equal(
      computeView(document, analyze(text), { uri: document.uri, delivery: false }).metrics!.residualRisk === panel.residualRisk,
      false,
      'another analysis',
    );
  });
});

/**
 * An estate of `zones` zones of `perZone` components where each component calls one component in every other zone, and
 * one flow runs inside zone-0: every zone talks to every zone.
 */
function interlinked(zones: number, perZone: number): string {
  const lines = ['threatcode: 1', 'system: { name: Estate }', 'boundaries:'];
  for (let z = 0; z < zones; z++) lines.push(`  - { id: zone-${z}, name: "Zone ${z}", trust: internal }`);
  lines.push('components:');
  for (let z = 0; z < zones; z++)
    for (let i = 0; i < perZone; i++) lines.push(`  - { id: c${z}-${i}, name: "Service ${z}-${i}", type: process, boundary: zone-${z} }`);
  lines.push('flows:');
  for (let z = 0; z < zones; z++)
    for (let i = 0; i < perZone; i++)
      for (let k = 1; k < zones; k++)
        lines.push(`  - { id: f${z}-${i}-${k}, from: c${z}-${i}, to: c${(z + k) % zones}-${(i + k) % perZone}, protocol: https }`);
  lines.push('  - { id: inner, from: c0-0, to: c0-1, protocol: https }');
  return `${lines.join('\n')}\n`;
}

describe('drilling into a boundary', () => {
  const text = generateModel(300);
  const analysis = analyze(text, { today: TODAY });
  const model = analysis.parsed.model!;

  it("shows exactly the boundary's own components, and what is nested in it or next to it as groups", () => {
    for (const zone of ['zone-2', 'zone-7', 'zone-0']) {
      const d = buildDiagram(analysis, { focusBoundary: zone });
      const expected = model.components.filter((c) => c.data.boundary === zone).map((c) => c.id);
      const components = Object.values(d.nodes).filter((n) => n.kind !== 'group' && n.kind !== 'boundary');
      assert.deepEqual(components.map((n) => n.modelId).sort(), expected.sort(), zone);
      const groups = Object.values(d.nodes).filter((n) => n.kind === 'group');
      assert.ok(groups.length > 0 && groups.every((g) => g.drill && g.drill !== zone && (g.members ?? 0) > 0), zone);
      // Nested boundaries of zone-2 (zone-6, zone-10) are groups too, and every drawn group opens a real boundary.
      for (const g of groups) assert.ok(model.boundaries.some((b) => b.id === g.drill));
    }
    const nested = buildDiagram(analysis, { focusBoundary: 'zone-2' });
    const groupIds = Object.values(nested.nodes)
      .filter((n) => n.kind === 'group')
      .map((n) => n.drill);
    assert.ok(groupIds.includes('zone-6') && groupIds.includes('zone-10'), 'its nested boundaries');
  });

  it('expands nested boundaries when the whole subtree is small', () => {
    const small = analyze(generateModel(60), { today: TODAY });
    // 60 components in 3 zones, none nested: zone-0 holds 20; every drawn node is one of them or a neighbour group.
    const d = buildDiagram(small, { focusBoundary: 'zone-0' });
    assert.equal(Object.values(d.nodes).filter((n) => n.kind === 'process' || n.kind === 'external' || n.kind === 'datastore').length, 20);
  });

  it('draws a boundary whose every component calls other zones with its crossing flows counted from the boundary, in a block', () => {
    // Four zones of twelve components; each component calls one component in each other zone: 36 pairs of zone-0's
    // components and neighbour groups out, 36 in, where 15 nodes are drawn. One edge per component and neighbour is a
    // tangle.
    const estate = analyze(interlinked(4, 12), { today: TODAY });
    const d = buildDiagram(estate, { focusBoundary: 'zone-0', direction: 'LR' });
    assert.equal(d.level, 'boundary');
    const edges = d.mermaid.split('\n').filter((l) => /-->|<-->/.test(l));
    // The one flow inside, as itself; then one counted edge between the boundary and each neighbouring zone.
    assert.equal(edges.filter((l) => /^ {2}n\d+ /.test(l)).length, 1, edges.join('\n'));
    const counted = edges.filter((l) => /^ {2}s0 |\| g\d+$/.test(l) && / s0$|^ {2}s0 /.test(l));
    assert.equal(counted.length, 3, edges.join('\n'));
    for (const l of counted) assert.match(l, /<-->\|"24 flows"\|/, 'each zone calls and is called: twelve flows each way');
    // Laid out on its own in the drawing's direction, wrapped into two ranks of six by unseen links.
    assert.match(d.mermaid, /subgraph s0\[[^\n]*\n {4}direction LR\n/);
    assert.equal(d.mermaid.split('\n').filter((l) => /^ {2}n\d+ ~~~ n\d+$/.test(l)).length, 6);

    // A boundary of the webshop, where few components leave it: each crossing flow still from its component.
    const shop = buildDiagram(analyze(generateModel(60), { today: TODAY }), { focusBoundary: 'zone-0' });
    assert.doesNotMatch(shop.mermaid, /^ {2}s0 |~~~/m);
  });

  it('gives an overview whose zones all call each other its flows between zones as a table; a sparse one none', () => {
    // Seven zones of two components, each calling one component in each other zone: 21 pairs of zones, 7 nodes.
    const d = buildDiagram(analyze(interlinked(7, 2), { today: TODAY }), { overview: true });
    assert.equal(d.level, 'overview');
    assert.ok(d.between, 'a table');
    assert.deepEqual(
      d.between.groups.map((g) => g.name),
      Array.from({ length: 7 }, (_, z) => `Zone ${z} (internal)`),
    );
    for (const g of d.between.groups) assert.equal(d.nodes[g.node]?.drill, `zone-${g.name.split(' ')[1]}`);
    // From each zone, two flows to each other zone (one per component); none on the diagonal; the flow inside zone-0
    // is between no two zones.
    d.between.flows.forEach((row, i) => row.forEach((count, j) => assert.equal(count, i === j ? 0 : 2, `${i} → ${j}`)));
    assert.equal(buildDiagram(analyze(generateModel(300), { today: TODAY }), { overview: true }).between, undefined);
  });

  it('ignores a focus that names nothing', () => {
    assert.equal(buildDiagram(analysis, { focusBoundary: 'nope' }).level, 'overview');
    assert.equal(buildDiagram(analysis, { focusElement: 'nope' }).level, 'overview');
  });
});
