/**
 * Drives the real bundled server (dist/server.js --stdio) over JSON-RPC, as an editor would.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  CodeActionRequest,
  type DocumentSymbol,
  DocumentSymbolRequest,
  HoverRequest,
  TextDocumentSyncKind,
} from 'vscode-languageserver-protocol';
import {
  type ExportFormat,
  ExportRequest,
  SERVER_EXEC_ARGV,
  StatusRequest,
  ViewsChangedNotification,
  type ViewsChangedParams,
} from '../../server/src/shared/protocol';
import { generateModel } from '../support/generate-model';
import { assertFindingMessage, assertPlainLanguage } from '../support/plain-language';
import { codes, messageOf, SERVER_PATH, TestLspClient } from '../support/lsp-client';
import { EXAMPLES } from '../support/paths';

const HEAD = 'threatcode: 1\nsystem:\n  name: Shop\n';

/** Documents a careless or hostile workspace may hold, and the diagnostic each must get. */
const HOSTILE: Record<string, string> = {
  binary: '\u0000\u0001\u0002garbage\u0000'.repeat(1000),
  bomb: 'a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n',
  deepFlow: 'x: ' + '['.repeat(10_000) + ']'.repeat(10_000) + '\n',
  // Compact nested block sequences: "- - - ... y" is 10,000 levels deep.
  deepBlock: 'x:\n' + '- '.repeat(10_000) + 'y\n',
  deepIndent: 'x:\n' + Array.from({ length: 2_000 }, (_, i) => ' '.repeat(i) + 'k:').join('\n') + ' 1\n',
  huge: HEAD + '# ' + 'x'.repeat(10 * 1024 * 1024) + '\n',
  empty: '',
  scalarRoot: '42\n',
  tabs: 'threatcode: 1\nsystem:\n\tname: x\n',
  bom: '\uFEFF' + HEAD + 'bogus: 1\n',
  multiDoc: HEAD + '---\n' + HEAD,
  customTags: HEAD + 'x: !!binary aGVsbG8=\ny: !evil { a: 1 }\n',
  hugeNumbers: HEAD + 'threatcode2: 1e99999\nn: 123456789012345678901234567890\n',
  longLine: HEAD + 'x: ' + 'a'.repeat(2_000_000) + '\n',
  duplicateKeys: HEAD + 'system:\n  name: again\n',
  nulBytes: HEAD + 'x: "\u0000"\n\u0000',
  mixedEndings: 'threatcode: 1\r\nsystem:\n  name: x\r\n  bogus: 1\n',
  loneCarriageReturns: 'threatcode: 1\rsystem:\r  name: x\r',
  manyDocuments: (HEAD + '---\n').repeat(500),
};
const EXPECTED: Record<string, string> = {
  binary: 'binary-content',
  bomb: 'alias-limit',
  deepFlow: 'nesting-too-deep',
  deepBlock: 'nesting-too-deep',
  deepIndent: 'nesting-too-deep',
  huge: 'file-too-large',
  empty: 'empty-document',
  scalarRoot: 'root-not-mapping',
  tabs: 'yaml-syntax',
  bom: 'unknown-key',
  multiDoc: 'multiple-documents',
  customTags: 'yaml-warning',
  hugeNumbers: 'unknown-key',
  longLine: 'unknown-key',
  duplicateKeys: 'duplicate-key',
  nulBytes: 'binary-content',
  mixedEndings: 'unknown-key',
  loneCarriageReturns: 'yaml-syntax',
  manyDocuments: 'multiple-documents',
};

describe('language server over stdio', function () {
  let client: TestLspClient;

  beforeEach(async () => {
    client = new TestLspClient();
    await client.initialize();
  });

  afterEach(async () => {
    await client.stop();
  });

  it('announces incremental sync and its name', async () => {
    const other = new TestLspClient();
    try {
      const result = await other.initialize();
      const sync = result.capabilities.textDocumentSync;
      assert.ok(typeof sync === 'object' && sync !== null);
      assert.equal(sync.change, TextDocumentSyncKind.Incremental);
      assert.equal(sync.openClose, true);
      assert.equal(result.serverInfo?.name, 'threatcode');
    } finally {
      await other.stop();
    }
  });

  it('publishes diagnostics with exact LSP ranges on open', async () => {
    const uri = 'file:///ws/open.tm.yaml';
    const text = HEAD + 'boundaries:\n  - id: zone\n    trust: trusted\n';
    const published = await client.open(uri, text);
    assert.deepEqual(codes(published.diagnostics), ['bad-enum']);
    const [d] = published.diagnostics;
    assert.deepEqual(d.range, { start: { line: 5, character: 11 }, end: { line: 5, character: 18 } });
    assert.equal(d.source, 'threatcode');
    assert.equal(d.severity, 1);
  });

  it('an example model has no errors, and its rule findings carry their identity (only) to the client', async () => {
    const file = path.join(EXAMPLES, 'webshop/webshop.tm.yaml');
    const text = readFileSync(file, 'utf8');
    const published = await client.open('file:///ws/webshop.tm.yaml', text);
    assert.deepEqual(
      published.diagnostics.filter((d) => d.severity === 1),
      [],
    );
    const finding = published.diagnostics.find((d) => d.code === 'CRY-03');
    assert.ok(finding, 'the unencrypted Redis volume is found');
    assert.deepEqual(finding.data, { findingId: 'CRY-03@session-cache', rule: 'CRY-03', element: 'session-cache' });
    // The quick fixes still offer the rule's mitigations: the server matches the client's diagnostic to its own.
    const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri: 'file:///ws/webshop.tm.yaml' },
      range: finding.range,
      context: { diagnostics: [finding] },
    })) as { title: string }[];
    assert.ok(
      actions.some((a) => /^Mitigate CRY-03: .*encrypt/i.test(a.title)),
      actions.map((a) => a.title).join(' | '),
    );
  });

  it('sends findings as a reviewer would write them: a plain sentence on the cause, the reasons beside it, a link to the rule', async () => {
    const uri = 'file:///ws/webshop-form.tm.yaml';
    const text = readFileSync(path.join(EXAMPLES, 'webshop/webshop.tm.yaml'), 'utf8');
    const published = await client.open(uri, text);
    const findings = published.diagnostics.filter((d) => /^[A-Z][A-Z0-9]*-\d+$/.test(String(d.code)));
    assert.ok(findings.length >= 5, `${findings.length} findings`);
    const lines = text.split('\n');
    const at = (r: { start: { line: number; character: number }; end: { line: number; character: number } }) =>
      lines[r.start.line].slice(r.start.character, r.start.line === r.end.line ? r.end.character : undefined);
    for (const d of findings) {
      assertFindingMessage(messageOf(d));
      assert.ok(!/\[[A-Z]{1,3}\]/.test(messageOf(d)), `no STRIDE letters in brackets: ${messageOf(d)}`);
      assert.match(d.codeDescription?.href ?? '', /^https:\/\/.+#/, `${String(d.code)} links to its rule's documentation`);
      for (const r of d.relatedInformation ?? []) {
        assert.equal(r.location.uri, uri);
        assertPlainLanguage(r.message, `${String(d.code)} related`);
      }
    }
    // On the cause: the property that makes it apply, shown in the message.
    const cry03 = findings.find((d) => d.code === 'CRY-03')!;
    assert.equal(at(cry03.range), 'encryptionAtRest: none');
    assert.equal(messageOf(cry03), 'Session cache (Redis) keeps sensitive data unencrypted at rest (encryptionAtRest: none).');
    assert.ok(
      (cry03.relatedInformation ?? []).some((r) => at(r.location.range).startsWith('encryptionAtRest')),
      JSON.stringify(cry03.relatedInformation),
    );
    // About something absent: on the element's id.
    const dat06 = findings.find((d) => d.code === 'DAT-06')!;
    assert.equal(at(dat06.range), 'session-cache');
    // No two findings share one squiggle unless they are about the same cause.
    const ranges = findings.map((d) => `${JSON.stringify(d.range)}`);
    assert.ok(new Set(ranges).size >= findings.length - 2, ranges.join('\n'));
  });

  it('updates diagnostics after an incremental change, and only for the latest version', async () => {
    const uri = 'file:///ws/edit.tm.yaml';
    const text = HEAD + 'boundaries:\n  - id: zone\n    trust: dmz\n';
    const opened = await client.open(uri, text);
    assert.deepEqual(opened.diagnostics, []);

    // Type "dmz" -> "dmzx" -> "dmzxy" quickly: only the last version is analysed and published.
    void client.change(uri, 2, [{ range: { start: { line: 5, character: 14 }, end: { line: 5, character: 14 } }, text: 'x' }]);
    const last = await client.change(uri, 3, [
      { range: { start: { line: 5, character: 15 }, end: { line: 5, character: 15 } }, text: 'y' },
    ]);
    assert.deepEqual(codes(last.diagnostics), ['bad-enum']);
    assert.match(messageOf(last.diagnostics[0]), /'dmzxy'/);
    assert.deepEqual(last.diagnostics[0].range, { start: { line: 5, character: 11 }, end: { line: 5, character: 16 } });
    assert.deepEqual(
      client.published.filter((p) => p.uri === uri).map((p) => p.version),
      [1, 3],
      'intermediate version 2 was superseded before its analysis ran',
    );

    // Fix it: delete "xy".
    const fixed = await client.change(uri, 4, [
      { range: { start: { line: 5, character: 14 }, end: { line: 5, character: 16 } }, text: '' },
    ]);
    assert.deepEqual(fixed.diagnostics, []);
  });

  it('keeps serving other documents while hostile ones are open (a boundary cycle, 100,000 broken items, prototype names)', async function () {
    // How the cost grows is tested in test/unit/hostile.test.ts; here, that the server answers at all.
    this.timeout(120_000);
    const n = 5_000;
    const cycle =
      HEAD +
      'boundaries:\n' +
      Array.from({ length: n }, (_, i) => `  - id: b${i}\n    trust: internal\n    parent: b${(i + 1) % n}\n`).join('');
    const items = `${HEAD}assumptions: [${Array.from({ length: 100_000 }, () => '{}').join(', ')}]\n`;
    const proto = HEAD + 'components:\n  - id: c\n    type: constructor\n    kind: toString\n    controls: { __proto__: true }\n';
    const published = await Promise.all([
      client.open('file:///ws/hostile-cycle.tm.yaml', cycle),
      client.open('file:///ws/hostile-items.tm.yaml', items),
      client.open('file:///ws/hostile-proto.tm.yaml', proto),
    ]);
    for (const p of published) {
      assert.ok(p.diagnostics.length <= 1_000, `${p.uri}: ${p.diagnostics.length} diagnostics`);
      assert.ok(JSON.stringify(p.diagnostics).length < 1_000_000, `${p.uri}: a bounded publication`);
      assert.ok(!codes(p.diagnostics).includes('internal-error'), codes(p.diagnostics).join());
    }
    const normal = await client.open('file:///ws/after-hostile.tm.yaml', HEAD + 'bogus: 1\n');
    assert.deepEqual(codes(normal.diagnostics), ['unknown-key']);
    const hover = await client.connection.sendRequest(HoverRequest.type, {
      textDocument: { uri: 'file:///ws/after-hostile.tm.yaml' },
      position: { line: 2, character: 3 },
    });
    assert.ok(hover, 'hover answers');
    // And memory stays bounded (a 20,000-boundary cycle used to take the server past 4 GB and abort it).
    const status = await client.connection.sendRequest(StatusRequest);
    assert.ok(status.rssMB < 1_500, `${Math.round(status.rssMB)} MB resident`);
    for (const uri of ['hostile-cycle', 'hostile-items', 'hostile-proto', 'after-hostile']) await client.close(`file:///ws/${uri}.tm.yaml`);
  });

  it('checks the parameters of its export request: an unknown format is an error, not the HTML report', async () => {
    const uri = 'file:///ws/export.tm.yaml';
    await client.open(uri, HEAD + 'components:\n  - { id: api, name: API, type: process, kind: api }\n');
    for (const format of ['bogus', '__proto__', 'constructor']) {
      const result = await client.connection.sendRequest(ExportRequest, { uri, format: format as ExportFormat, delivery: false });
      assert.ok('error' in result, `${format}: ${JSON.stringify(result).slice(0, 80)}`);
      assert.match(result.error, /^Export formats are html, markdown, sarif, otm, threat-dragon, csv;/);
    }
    const markdown = await client.connection.sendRequest(ExportRequest, { uri, format: 'markdown', delivery: false });
    assert.ok('text' in markdown && markdown.text.startsWith('#'), JSON.stringify(markdown).slice(0, 80));
    await client.close(uri);
  });

  it('answers a hover sent during a large export before the export is done', async () => {
    const uri = 'file:///ws/export-large.tm.yaml';
    const text = generateModel(1000);
    await client.open(uri, text);
    const order: string[] = [];
    const exported = client.connection.sendRequest(ExportRequest, { uri, format: 'html', delivery: false }).then((r) => {
      order.push('export');
      return r;
    });
    const hovered = client.connection
      .sendRequest(HoverRequest.type, {
        textDocument: { uri },
        position: { line: text.split('\n').indexOf('  - id: comp-1'), character: 9 },
      })
      .then((h) => {
        order.push('hover');
        return h;
      });
    const [report, hover] = await Promise.all([exported, hovered]);
    assert.ok('text' in report && report.text.startsWith('<!doctype html>'), JSON.stringify(report).slice(0, 80));
    assert.ok(hover, 'hover answers');
    assert.deepEqual(order, ['hover', 'export']);

    await client.close(uri);
  });

  it('clears diagnostics when the document closes', async () => {
    const uri = 'file:///ws/close.tm.yaml';
    const opened = await client.open(uri, HEAD + 'bogus: 1\n');
    assert.deepEqual(codes(opened.diagnostics), ['unknown-key']);
    const closed = await client.close(uri);
    assert.deepEqual(closed.diagnostics, []);
  });

  it('reports positions in UTF-16 code units on CRLF documents with astral characters', async () => {
    const uri = 'file:///ws/crlf.tm.yaml';
    const text = 'threatcode: 1\r\nsystem:\r\n  name: "🛒 Shop 🛒"\r\n  ownr: x\r\n';
    const published = await client.open(uri, text);
    assert.deepEqual(codes(published.diagnostics), ['unknown-key']);
    assert.deepEqual(published.diagnostics[0].range, { start: { line: 3, character: 2 }, end: { line: 3, character: 6 } });

    const withEmoji =
      'threatcode: 1\nsystem:\n  name: Shop\nboundaries:\n  - { id: "🔥zone", trust: dmz }\n  - { name: "😀", id: b, trust: nope }\n';
    const second = await client.open('file:///ws/astral.tm.yaml', withEmoji);
    const badEnum = second.diagnostics.find((d) => d.code === 'bad-enum');
    // '  - { name: "😀", id: b, trust: ' is 32 UTF-16 code units (the emoji counts two).
    assert.deepEqual(badEnum?.range, { start: { line: 5, character: 32 }, end: { line: 5, character: 36 } });
  });

  it('survives hostile documents and keeps serving others', async () => {
    for (const [name, text] of Object.entries(HOSTILE)) {
      const published = await client.open(`file:///ws/hostile-${name}.tm.yaml`, text);
      assert.ok(codes(published.diagnostics).includes(EXPECTED[name]), `${name}: ${codes(published.diagnostics).join(', ')}`);
    }
    const after = await client.open('file:///ws/after.tm.yaml', HEAD + 'bogus: 1\n');
    assert.deepEqual(codes(after.diagnostics), ['unknown-key']);
    assert.equal(client.exited, undefined, 'server still running');
  });

  it('returns to its memory baseline after the hostile corpus (nothing of a closed document is kept)', async () => {
    // A server of its own, with garbage collection exposed so that the status request measures live memory.
    const measured = new TestLspClient({}, {}, { args: ['--expose-gc', ...SERVER_EXEC_ARGV, SERVER_PATH, '--stdio'] });
    try {
      await measured.initialize();
      const status = () => measured.connection.sendRequest(StatusRequest);
      // Warm up every code path once (rules, schema, caches that are meant to stay), then take the baseline.
      const warm = 'file:///ws/warm.tm.yaml';
      await measured.open(warm, readFileSync(path.join(EXAMPLES, 'webshop/webshop.tm.yaml'), 'utf8'));
      await measured.close(warm);
      const baseline = await status();
      for (const [name, text] of Object.entries(HOSTILE)) {
        const uri = `file:///ws/hostile-${name}.tm.yaml`;
        await measured.open(uri, text);
        await measured.close(uri);
      }
      const after = await status();
      assert.equal(after.openDocuments, 0);
      assert.equal(after.cachedAnalyses, 0);
      // The corpus held over 12 MB of text; keeping any one of the large documents would show here.
      assert.ok(
        after.heapUsedMB < baseline.heapUsedMB + 2,
        `heap ${baseline.heapUsedMB.toFixed(1)} MB before, ${after.heapUsedMB.toFixed(1)} MB after`,
      );
    } finally {
      await measured.stop();
    }
  });

  it('re-analyses only the documents whose outcome a changed size limit changes', async () => {
    const settings: Record<string, unknown> = { maxFileSizeMB: 0.1 };
    const configured = new TestLspClient(settings);
    try {
      await configured.initialize();
      const large = 'file:///ws/large.tm.yaml';
      const small = 'file:///ws/small.tm.yaml';
      const largeText = HEAD + '# padding padding padding padding padding padding\n'.repeat(3000);
      await configured.open(small, HEAD);
      await configured.open(large, largeText);
      // The settings are pulled after `initialized`: wait until the limit applies to the large document.
      if (!configured.published.some((p) => p.uri === large && codes(p.diagnostics).includes('file-too-large'))) {
        await configured.next((p) => p.uri === large && codes(p.diagnostics).includes('file-too-large'));
      }
      const smallBefore = configured.published.filter((p) => p.uri === small).length;
      settings.maxFileSizeMB = 1;
      const reanalysed = configured.next((p) => p.uri === large && !codes(p.diagnostics).includes('file-too-large'));
      await configured.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
      assert.deepEqual(codes((await reanalysed).diagnostics), []);
      // Everything the change caused is sent before the answer to a later request.
      await configured.connection.sendRequest(StatusRequest);
      assert.equal(configured.published.filter((p) => p.uri === small).length, smallBefore, 'the small document was not analysed again');
    } finally {
      await configured.stop();
    }
  });

  it('sends at most threatcode.maxDiagnosticsPerFile diagnostics: the most severe and a note; a new limit resends without re-analysis', async () => {
    // ~100 findings (warnings and information) and, at the very end, one schema error.
    const text = generateModel(20) + 'bogus: 1\n';
    const uri = 'file:///ws/many.tm.yaml';
    const all = (await client.open(uri, text)).diagnostics;
    assert.ok(all.length > 50, `a model with many problems (${all.length})`);
    const settings: Record<string, unknown> = { maxDiagnosticsPerFile: 10 };
    const limited = new TestLspClient(settings);
    try {
      await limited.initialize();
      await limited.open(uri, text);
      // The settings are pulled after `initialized`; the limit may apply to the first publication or the next one.
      const isCapped = (p: { uri: string; diagnostics: { code?: unknown }[] }) =>
        p.uri === uri && p.diagnostics[0]?.code === 'diagnostic-limit';
      const capped = limited.published.find(isCapped) ?? (await limited.next(isCapped));
      assert.equal(capped.diagnostics.length, 10);
      const [note, ...shown] = capped.diagnostics;
      assert.equal(note.code, 'diagnostic-limit');
      assert.match(messageOf(note), new RegExp(`^${all.length - 9} of ${all.length} problems are not shown: `));
      assert.ok(
        shown.some((d) => d.code === 'unknown-key'),
        'the error at the end of the file comes before any finding',
      );
      assert.ok(
        shown.every((d) => all.some((a) => JSON.stringify(a) === JSON.stringify(d))),
        'the shown ones are sent as they would be without a limit',
      );
      // A finding left out has no squiggle to click: its quick fixes are offered where it is.
      const onElement = (a: (typeof all)[number]) =>
        /^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$/.test(String(a.code)) && (a.data as { element?: string }).element !== 'model';
      const unsent = all.find((a) => onElement(a) && !shown.some((d) => JSON.stringify(d) === JSON.stringify(a)))!;
      assert.ok(unsent, 'a finding on an element beyond the limit');
      const actionsAt = async (at: TestLspClient) =>
        (
          (await at.connection.sendRequest(CodeActionRequest.type, {
            textDocument: { uri },
            range: unsent.range,
            context: { diagnostics: [] },
          })) ?? []
        ).map((a) => a.title);
      assert.ok(
        (await actionsAt(limited)).some((t) => t.startsWith(`Record ${String(unsent.code)} as an open threat on`)),
        (await actionsAt(limited)).join('\n'),
      );
      assert.ok(
        !(await actionsAt(client)).some((t) => / as an open threat on /.test(t)),
        'below the limit, fixes follow the diagnostics the editor has',
      );
      const before = await limited.connection.sendRequest(StatusRequest);

      settings.maxDiagnosticsPerFile = 100_000;
      const resent = limited.next((p) => p.uri === uri && p.diagnostics.length === all.length);
      await limited.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
      assert.deepEqual((await resent).diagnostics, all);
      const after = await limited.connection.sendRequest(StatusRequest);
      assert.equal(after.analysesComputed, before.analysesComputed, 'the kept analysis was sent again');
      assert.deepEqual([after.lastPublication?.diagnostics, after.lastPublication?.diagnosticsFound], [all.length, all.length]);
      assert.deepEqual([before.lastPublication?.diagnostics, before.lastPublication?.diagnosticsFound], [10, all.length]);
    } finally {
      await limited.stop();
    }
  });

  it('lists at most threatcode.maxOutlineItems elements in the outline', async () => {
    const limited = new TestLspClient({ maxOutlineItems: 100 });
    try {
      await limited.initialize();
      const uri = 'file:///ws/many.tm.yaml';
      await limited.open(uri, generateModel(20));
      // The settings are pulled after `initialized`: a round trip later they apply.
      await limited.connection.sendRequest(StatusRequest);
      const symbols = (await limited.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } })) as DocumentSymbol[];
      assert.equal(
        symbols.reduce((n, s) => n + (s.children?.length ?? 0), 0),
        100,
      );
      assert.ok(
        symbols.some((s) => / \(\d+ listed\)$/.test(s.detail ?? '')),
        symbols.map((s) => `${s.name}: ${s.detail}`).join(', '),
      );
      await client.open(uri, generateModel(20));
      const all = (await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } })) as DocumentSymbol[];
      assert.ok(all.reduce((n, s) => n + (s.children?.length ?? 0), 0) > 100, 'the default limit lists them all');
    } finally {
      await limited.stop();
    }
  });

  it('reads its settings from the client (threatcode.maxFileSizeMB)', async () => {
    const small = new TestLspClient({ maxFileSizeMB: 0.1 });
    try {
      await small.initialize();
      // The settings request is answered asynchronously after `initialized`; a document opened afterwards uses them.
      const first = await small.open('file:///ws/a.tm.yaml', HEAD + '# padding padding padding padding padding padding\n'.repeat(3000));
      const published = first.diagnostics.some((d) => d.code === 'file-too-large')
        ? first
        : await small.next((p) => p.uri === 'file:///ws/a.tm.yaml' && p.diagnostics.some((d) => d.code === 'file-too-large'));
      assert.deepEqual(codes(published.diagnostics), ['file-too-large']);
      // The default limit (4 MB) would have analysed it.
      assert.deepEqual(
        codes(
          (await client.open('file:///ws/b.tm.yaml', HEAD + '# padding padding padding padding padding padding\n'.repeat(3000)))
            .diagnostics,
        ),
        [],
      );
    } finally {
      await small.stop();
    }
  });

  it('tells the client, with a typed notification, when a setting changes what views show', async () => {
    const settings: Record<string, unknown> = {};
    const configured = new TestLspClient(settings);
    try {
      const changes: ViewsChangedParams[] = [];
      let notified: () => void = () => undefined;
      // The repository behind code links has its own reason ('code'); this is about settings.
      configured.connection.onNotification(ViewsChangedNotification, (params: ViewsChangedParams) => {
        if (params.reason === 'code') return;
        changes.push(params);
        notified();
      });
      await configured.initialize();
      await configured.open('file:///ws/gates.tm.yaml', HEAD);
      settings.gates = { minStrideCoverage: 0.9 };
      const received = new Promise<void>((resolve) => (notified = resolve));
      await configured.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
      await received;
      assert.deepEqual(changes, [{ reason: 'settings' }]);
      assert.deepEqual(configured.protocolErrors, []);
    } finally {
      await configured.stop();
    }
  });
});
