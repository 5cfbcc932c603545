/**
 * Models across files (format 1.2): imports resolve into one namespace, with problems on the import line; rules read
 * the imported elements and report on the model's own; the editor's features follow ids into imported files.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Analysis, systemModel } from '../../server/src/analysis/analyze';
import { buildDiagram } from '../../server/src/analysis/diagram';
import { computeMetrics } from '../../server/src/analysis/metrics';
import { importTarget, relativeUri } from '../../server/src/analysis/imports';
import { nodeFileSystem } from '../../server/src/files/node-file-system';
import { ModelStore } from '../../server/src/workspace/model-store';
import { complete } from '../../server/src/features/completion';
import { hover } from '../../server/src/features/hover';
import { definitionAcross, type ModelFile, referencesAcross, renameAcross } from '../../server/src/features/navigation';
import { applyTextEdits } from '../../server/src/edits/text-edits';
import { analyze, BUILTIN_RULES } from '../support/analyze';
import { REPO_ROOT } from '../support/paths';

const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/multi-file');
const uriOf = (file: string) => pathToFileURL(file).href;
const PLATFORM = path.join(FIXTURES, 'platform/platform.tm.yaml');
const SERVICE = path.join(FIXTURES, 'payments/payments.tm.yaml');
const SHARED = path.join(FIXTURES, 'shared/mitigations.tm.yaml');

/** Analysis of a file on disk with its imports read from disk, the workspace being `root`. */
function analyzeFile(
  file: string,
  root: string,
  text = readFileSync(file, 'utf8'),
  models = new ModelStore({ fs: nodeFileSystem, roots: () => [uriOf(root)], maxLength: () => 5e6, rules: () => BUILTIN_RULES }),
): Analysis {
  return analyze(text, { imports: { uri: uriOf(file), resolver: models.resolver() } });
}

function codes(a: Analysis): string[] {
  return a.diagnostics.map((d) => d.code);
}

/** A workspace in a temporary folder: files by relative path. */
function workspace(files: Record<string, string>): { root: string; file: (p: string) => string; done: () => void } {
  const root = mkdtempSync(path.join(tmpdir(), 'tc-imports-'));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    writeFileSync(path.join(root, p), text);
  }
  return { root, file: (p) => path.join(root, p), done: () => rmSync(root, { recursive: true, force: true }) };
}

const HEAD = (name: string, imports: string[] = []) =>
  `threatcode: 1.2\n${imports.length ? `imports:\n${imports.map((i) => `  - ${i}\n`).join('')}` : ''}system:\n  name: ${name}\n`;

describe('imports: models across files', () => {
  it('resolves the three-file fixture into one namespace with no errors in any file', () => {
    for (const file of [PLATFORM, SERVICE, SHARED]) {
      const a = analyzeFile(file, FIXTURES);
      const errors = a.diagnostics.filter((d) => d.severity === 'error');
      assert.deepEqual(errors, [], `${path.basename(file)}: ${errors.map((e) => e.message).join('; ')}`);
    }
  });

  it('without its imports the service model has dangling references (the test above depends on them)', () => {
    const a = analyze(readFileSync(SERVICE, 'utf8'));
    const dangling = a.diagnostics.filter((d) => d.code === 'dangling-reference').map((d) => (d.data as { id: string }).id);
    assert.deepEqual([...new Set(dangling)].sort(), ['cluster', 'gateway', 'idempotency-keys']);
  });

  it('evaluates rules over the combined model and reports only the model’s own elements', () => {
    const a = analyzeFile(SERVICE, FIXTURES);
    const own = new Set([
      'payments-api',
      'payments-db',
      'payment-records',
      'gateway-to-payments',
      'payments-to-db',
      'double-charge',
      'model',
    ]);
    const elsewhere = a.findings.filter((f) => !own.has(f.elementId));
    assert.deepEqual(
      elsewhere.map((f) => f.id),
      [],
      'findings of imported elements belong to their own file',
    );
    // A rule that needs the imported gateway to fire: the API trusts the gateway's single identity.
    const az02 = a.findings.find((f) => f.rule.id === 'AZ-02' && f.elementId === 'gateway-to-payments');
    assert.ok(az02, 'AZ-02 fires on the flow from the imported gateway');
    // Its reason about the gateway points into the platform file.
    const d = a.diagnostics.find((x) => x.code === 'AZ-02')!;
    assert.ok(
      d.related?.some((r) => r.uri === uriOf(PLATFORM)),
      'a related location in the platform model',
    );
    // The threat mitigated by an imported, implemented mitigation is not reported as unmitigated.
    assert.ok(!codes(a).includes('HYG-10'));
  });

  it('reports a duplicate id across files on the importing element, pointing at the imported definition', () => {
    const text = readFileSync(SERVICE, 'utf8').replace('  - id: payments-db', '  - id: gateway');
    const a = analyzeFile(SERVICE, FIXTURES, text);
    const dup = a.diagnostics.find((d) => d.code === 'duplicate-id');
    assert.ok(dup, codes(a).join());
    assert.match(dup.message, /'gateway'.*imported model/);
    assert.equal(text.slice(dup.span.start, dup.span.end), 'gateway');
    assert.equal(dup.related?.[0].uri, uriOf(PLATFORM));
    const platform = readFileSync(PLATFORM, 'utf8');
    assert.equal(platform.slice(dup.related[0].span.start, dup.related[0].span.end), 'gateway');
  });

  it('reports an id two imported files both define on the import line', () => {
    const ws = workspace({
      'a.tm.yaml': `${HEAD('A')}components:\n  - id: api\n    type: process\n`,
      'b.tm.yaml': `${HEAD('B')}components:\n  - id: api\n    type: process\n`,
      'main.tm.yaml': `${HEAD('Main', ['a.tm.yaml', 'b.tm.yaml'])}`,
    });
    try {
      const text = readFileSync(ws.file('main.tm.yaml'), 'utf8');
      const a = analyzeFile(ws.file('main.tm.yaml'), ws.root);
      const dup = a.diagnostics.find((d) => d.code === 'duplicate-id')!;
      assert.ok(dup);
      assert.equal(text.slice(dup.span.start, dup.span.end), 'b.tm.yaml');
      assert.match(dup.message, /'api' \(b\.tm\.yaml and a\.tm\.yaml\)/);
    } finally {
      ws.done();
    }
  });

  it('reports cycles, missing files, paths outside the workspace and non-models on the import line', () => {
    const ws = workspace({
      'team/a.tm.yaml': HEAD('A', ['b.tm.yaml']),
      'team/b.tm.yaml': HEAD('B', ['a.tm.yaml']),
      'team/self.tm.yaml': HEAD('Self', ['self.tm.yaml']),
      'team/main.tm.yaml': HEAD('Main', [
        'missing.tm.yaml',
        '../../outside.tm.yaml',
        '/etc/passwd.tm.yaml',
        'notes.yaml',
        'broken.tm.yaml',
      ]),
      'team/broken.tm.yaml': 'threatcode: 1.2\nsystem: [unclosed\n',
    });
    try {
      const a = analyzeFile(ws.file('team/a.tm.yaml'), ws.root);
      const cycle = a.diagnostics.find((d) => d.code === 'import-cycle')!;
      assert.ok(cycle, codes(a).join());
      assert.equal(cycle.message, 'Import cycle: a.tm.yaml → b.tm.yaml → a.tm.yaml.');
      const self = analyzeFile(ws.file('team/self.tm.yaml'), ws.root);
      assert.deepEqual(codes(self), ['import-cycle']);

      const mainText = readFileSync(ws.file('team/main.tm.yaml'), 'utf8');
      const main = analyzeFile(ws.file('team/main.tm.yaml'), ws.root);
      const at = (code: string) =>
        main.diagnostics.filter((d) => d.code === code).map((d) => `${mainText.slice(d.span.start, d.span.end)}: ${d.message}`);
      assert.deepEqual(at('import-not-found'), [
        "missing.tm.yaml: Cannot import 'missing.tm.yaml': no such file.",
        "broken.tm.yaml: Cannot import 'broken.tm.yaml': it has errors that leave no model; fix them there first.",
      ]);
      const refused = at('import-refused');
      assert.equal(refused.length, 3, refused.join('\n'));
      assert.match(refused[0], /^\.\.\/\.\.\/outside\.tm\.yaml: .*outside the workspace/);
      assert.match(refused[1], /^\/etc\/passwd\.tm\.yaml: .*not a relative path/);
      assert.match(refused[2], /^notes\.yaml: .*not a threat model file/);
    } finally {
      ws.done();
    }
  });

  it('does not follow a symbolic link out of the workspace', () => {
    const outside = workspace({ 'secret.tm.yaml': `${HEAD('Secret')}components:\n  - id: secret-thing\n    type: process\n` });
    const ws = workspace({ 'main.tm.yaml': `${HEAD('Main', ['linked.tm.yaml'])}` });
    try {
      symlinkSync(outside.file('secret.tm.yaml'), ws.file('linked.tm.yaml'));
      const a = analyzeFile(ws.file('main.tm.yaml'), ws.root);
      const d = a.diagnostics.find((x) => x.code === 'import-not-found')!;
      assert.ok(d, codes(a).join());
      assert.match(d.message, /symbolic link to a file outside/);
      assert.ok(!a.imports?.byId.has('secret-thing'));
    } finally {
      ws.done();
      outside.done();
    }
  });

  it('needs format 1.2 for imports; a version-1 model without imports is unchanged', () => {
    const ws = workspace({ 'lib.tm.yaml': HEAD('Lib'), 'old.tm.yaml': 'threatcode: 1.1\nimports: [lib.tm.yaml]\nsystem:\n  name: Old\n' });
    try {
      const a = analyzeFile(ws.file('old.tm.yaml'), ws.root);
      assert.deepEqual(codes(a), ['import-refused']);
      assert.match(a.diagnostics[0].message, /needs format 1\.2/);
      const v1 = readFileSync(path.join(REPO_ROOT, 'examples/webshop/webshop.tm.yaml'), 'utf8');
      const plain = analyze(v1);
      const withResolver = analyzeFile(path.join(REPO_ROOT, 'examples/webshop/webshop.tm.yaml'), REPO_ROOT, v1);
      assert.deepEqual(withResolver.diagnostics, plain.diagnostics);
      assert.equal(withResolver.imports, undefined);
    } finally {
      ws.done();
    }
  });

  it('imports each file once through a diamond, and a chain of 300 imports without deep recursion', () => {
    const files: Record<string, string> = {
      'top.tm.yaml': HEAD('Top', ['left.tm.yaml', 'right.tm.yaml']),
      'left.tm.yaml': HEAD('Left', ['base.tm.yaml']),
      'right.tm.yaml': HEAD('Right', ['base.tm.yaml']),
      'base.tm.yaml': `${HEAD('Base')}components:\n  - id: shared-db\n    type: datastore\n`,
    };
    for (let i = 0; i < 300; i++)
      files[`chain/m${i}.tm.yaml`] =
        `${HEAD(`M${i}`, i < 299 ? [`m${i + 1}.tm.yaml`] : [])}components:\n  - id: c${i}\n    type: process\n`;
    const ws = workspace(files);
    try {
      const top = analyzeFile(ws.file('top.tm.yaml'), ws.root);
      assert.deepEqual(codes(top), []);
      assert.equal(top.imports?.sources.length, 3);
      const chain = analyzeFile(ws.file('chain/m0.tm.yaml'), ws.root);
      assert.equal(chain.imports?.sources.length, 299);
      assert.ok(chain.imports?.byId.has('c299'));
      assert.ok(chain.imports?.dependsOn.has(uriOf(ws.file('chain/m299.tm.yaml'))));
    } finally {
      ws.done();
    }
  });

  it('bounds the text all imported models hold together, not only each file', () => {
    const lib = (n: number) => `${HEAD(`Lib ${n}`)}components:\n  - id: c${n}\n    type: process\n`;
    const files: Record<string, string> = { 'file:///w/a.tm.yaml': lib(1), 'file:///w/b.tm.yaml': lib(2), 'file:///w/c.tm.yaml': lib(3) };
    const resolver = {
      roots: ['file:///w'],
      maxTotalLength: lib(1).length * 2 + 1,
      load: (uri: string) =>
        files[uri] === undefined ? { error: 'no such file.' } : { uri, text: files[uri], parsed: analyze(files[uri]).parsed },
    };
    const text = HEAD('Main', ['a.tm.yaml', 'b.tm.yaml', 'c.tm.yaml']);
    const a = analyze(text, { imports: { uri: 'file:///w/main.tm.yaml', resolver } });
    assert.deepEqual(codes(a), ['import-refused']);
    assert.equal(text.slice(a.diagnostics[0].span.start, a.diagnostics[0].span.end), 'c.tm.yaml');
    assert.match(a.diagnostics[0].message, /hold more than .* MB of text together/);
    assert.ok(a.imports?.byId.has('c2') && !a.imports.byId.has('c3'));
  });

  it('keeps what it read when the size budget stops a chain of imports part way', () => {
    const a = `${HEAD('A', ['b.tm.yaml'])}components:\n  - id: ca\n    type: process\n`;
    const b = `${HEAD('B')}components:\n  - id: cb\n    type: process\n`;
    const files: Record<string, string> = { 'file:///w/a.tm.yaml': a, 'file:///w/b.tm.yaml': b };
    const resolver = {
      roots: ['file:///w'],
      maxTotalLength: a.length + 1,
      load: (uri: string) =>
        files[uri] === undefined ? { error: 'no such file.' } : { uri, text: files[uri], parsed: analyze(files[uri]).parsed },
    };
    const text = `${HEAD('Main', ['a.tm.yaml'])}flows:\n  - id: f\n    from: ca\n    to: ca\n`;
    const main = analyze(text, { imports: { uri: 'file:///w/main.tm.yaml', resolver } });
    assert.ok(main.imports?.byId.has('ca'), 'the element of the model read is known');
    assert.ok(!codes(main).includes('dangling-reference'), codes(main).join());
    assert.ok(codes(main).includes('import-refused'));
  });

  it('resolves import paths relative to the importing file and refuses what is not a relative path', () => {
    const from = 'file:///w/team/a.tm.yaml';
    assert.deepEqual(importTarget(from, '../lib/x.tm.yaml', ['file:///w']), { uri: 'file:///w/lib/x.tm.yaml' });
    assert.deepEqual(importTarget(from, 'my model.tm.yaml', ['file:///w']), { uri: 'file:///w/team/my%20model.tm.yaml' });
    for (const bad of ['https://x/y.tm.yaml', 'file:///w/x.tm.yaml', 'C:\\x.tm.yaml', '..\\x.tm.yaml', '../../x.tm.yaml'])
      assert.ok('error' in importTarget(from, bad, ['file:///w']), bad);
    // A folder whose name starts like the workspace's is not inside it.
    assert.ok('error' in importTarget('file:///w/a.tm.yaml', '../w2/x.tm.yaml', ['file:///w']));
    assert.equal(relativeUri('file:///w/team/a.tm.yaml', 'file:///w/lib/my%20x.tm.yaml'), '../lib/my x.tm.yaml');
  });
});

describe('imports: editor features across files', () => {
  const models = new ModelStore({ fs: nodeFileSystem, roots: () => [uriOf(FIXTURES)], maxLength: () => 5e6, rules: () => BUILTIN_RULES });
  const files: ModelFile[] = [PLATFORM, SERVICE, SHARED].map((f) => ({
    uri: uriOf(f),
    analysis: analyzeFile(f, FIXTURES, undefined, models),
  }));
  const [platform, service] = files;
  const text = (f: ModelFile) => f.analysis.parsed.text;
  const offsetOf = (f: ModelFile, needle: string) => text(f).indexOf(needle) + needle.length - 1;

  it('goes to the definition in the imported file', () => {
    const found = definitionAcross(service, offsetOf(service, 'from: gateway'))!;
    assert.equal(found.uri, platform.uri);
    assert.equal(text(platform).slice(found.span.start, found.span.end), 'gateway');
  });

  it('finds references in the defining file and in every model that imports it', () => {
    const refs = referencesAcross(files, platform, text(platform).indexOf('id: gateway') + 5, true);
    const byFile = (f: ModelFile) => refs.filter((r) => r.uri === f.uri).length;
    // platform: the definition, two flows, one threat; payments: one flow.
    assert.equal(byFile(platform), 4);
    assert.equal(byFile(service), 1);
  });

  it('renames across files with one edit list per file, and refuses a name any sharing model already uses', () => {
    const r = renameAcross(files, service, offsetOf(service, 'from: gateway'), 'edge-gateway');
    assert.ok(!('error' in r), 'error' in r ? r.error : '');
    assert.deepEqual([...r.edits.keys()].sort(), [platform.uri, service.uri].sort());
    const renamed = applyTextEdits(text(platform), r.edits.get(platform.uri)!);
    assert.equal((renamed.match(/edge-gateway/g) ?? []).length, 4);
    assert.ok(!/(id|from|to): gateway$|\[gateway\]/m.test(renamed), renamed);
    const clash = renameAcross(files, service, offsetOf(service, 'from: gateway'), 'payments-api');
    assert.ok('error' in clash && /already the id of component 'payments-api'/.test(clash.error));
  });

  it('hovers an imported id with its card and where it comes from; completes imported ids', () => {
    const h = hover(service.analysis, offsetOf(service, 'from: gateway'), BUILTIN_RULES)!;
    assert.match(h.markdown, /API gateway/);
    assert.match(h.markdown, /Imported from `\.\.\/platform\/platform\.tm\.yaml`/);
    // The card shows the flows of the whole system: the payments flow leaves the gateway.
    assert.match(h.markdown, /Flows out:.*gateway-to-payments/);
    const at = text(service).indexOf('from: gateway') + 'from: '.length;
    const items = complete(service.analysis, at, BUILTIN_RULES);
    const gateway = items.find((c) => c.label === 'gateway');
    assert.ok(gateway, items.map((c) => c.label).join());
    assert.match(gateway.detail ?? '', /\.\.\/platform\/platform\.tm\.yaml/);
  });

  it('measures completeness over the model’s own elements, or with its imports when asked', () => {
    const own = computeMetrics(service.analysis, { today: '2026-11-29' })!;
    const system = computeMetrics(service.analysis, { today: '2026-11-29', includeImports: true })!;
    const coverage = (m: typeof own) => m.gauges.find((g) => g.id === 'elementCoverage')!;
    assert.equal(coverage(own).total, 2, 'payments-api and payments-db');
    assert.equal(coverage(system).total, 5, 'and the platform’s customer, gateway and identity provider');
    // An open threat with a mitigation chosen from the imported catalog is treated in the model's own measure.
    const open = analyzeFile(SERVICE, FIXTURES, text(service).replace('status: mitigated', 'status: open'), models);
    const treatment = computeMetrics(open, { today: '2026-11-29' })!.gauges.find((g) => g.id === 'threatTreatment')!;
    assert.ok(!treatment.missing.some((m) => m.element === 'double-charge'), treatment.missing.map((m) => m.message).join('; '));
    // Items in imported models say which file they are in.
    const fromPlatform = system.gauges.flatMap((g) => g.missing).filter((m) => m.uri === platform.uri);
    assert.ok(fromPlatform.length > 0);
    assert.ok(own.gauges.flatMap((g) => g.missing).every((m) => m.uri === undefined));
  });

  it('draws the imported ends of the model’s flows, marked with their file', () => {
    const d = buildDiagram(service.analysis);
    const gateway = Object.values(d.nodes).find((n) => n.modelId === 'gateway')!;
    assert.ok(gateway, 'the imported gateway is drawn');
    assert.equal(gateway.uri, platform.uri);
    assert.match(d.mermaid, /class n\d+ imported/);
    // The platform's other components are not drawn in the service's diagram.
    assert.ok(!Object.values(d.nodes).some((n) => n.modelId === 'identity'));
    assert.equal(systemModel(service.analysis)!.components.length, 5);
  });
});
