/**
 * Editor features through the real server: each request answers, and a quick fix applied as the client would apply
 * it removes its finding.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  type CodeAction,
  CodeActionRequest,
  CodeActionResolveRequest,
  CodeLensRequest,
  type CompletionItem,
  CompletionRequest,
  DefinitionRequest,
  type DocumentSymbol,
  DocumentSymbolRequest,
  HoverRequest,
  type Location,
  MarkupContent,
  ReferencesRequest,
  RenameRequest,
  type TextEdit,
  WorkspaceSymbolRequest,
} from 'vscode-languageserver-protocol';
import { codes, TestLspClient } from '../support/lsp-client';
import { ViewRequest } from '../../server/src/shared/protocol';

const URI = 'file:///ws/features.tm.yaml';
const MODEL = `threatcode: 1
system:
  name: Shop
boundaries:
  - id: internet
    trust: untrusted
  - id: vpc
    trust: internal
  - id: db-zone
    trust: restricted
components:
  - id: web
    name: Web
    type: process
    kind: web-app
    boundary: vpc
  - id: cache
    name: Cache
    type: datastore
    kind: cache
    boundary: db-zone
data:
  - id: secret
    classification: confidential
flows:
  - id: web-cache
    from: web
    to: cache
    protocol: http
    data: [secret]
`;

function position(text: string, needle: string, delta = 0) {
  return TextDocument.create(URI, 'threatmodel', 1, text).positionAt(text.indexOf(needle) + delta);
}

describe('editor features over LSP', () => {
  let client: TestLspClient;
  let text: string;

  before(async () => {
    client = new TestLspClient();
    const init = await client.initialize();
    const caps = init.capabilities;
    assert.ok(caps.hoverProvider && caps.completionProvider && caps.definitionProvider && caps.referencesProvider);
    assert.ok(caps.renameProvider && caps.documentSymbolProvider && caps.codeActionProvider && caps.codeLensProvider);
    text = MODEL;
    await client.open(URI, text);
  });

  after(async () => {
    await client.stop();
  });

  it('hover explains an element', async () => {
    const h = await client.connection.sendRequest(HoverRequest.type, {
      textDocument: { uri: URI },
      position: position(text, 'from: web', 6),
    });
    assert.ok(h && MarkupContent.is(h.contents));
    assert.match(h.contents.value, /\*\*component web\*\* — Web/);
  });

  it('completion offers enum values', async () => {
    const items = (await client.connection.sendRequest(CompletionRequest.type, {
      textDocument: { uri: URI },
      position: position(text, 'trust: untrusted', 7),
    })) as CompletionItem[];
    assert.ok(items.some((i) => i.label === 'restricted'));
  });

  it('definition and references follow ids', async () => {
    const def = (await client.connection.sendRequest(DefinitionRequest.type, {
      textDocument: { uri: URI },
      position: position(text, 'to: cache', 5),
    })) as Location;
    assert.deepEqual(def.range.start, position(text, 'id: cache', 4));
    const refs = await client.connection.sendRequest(ReferencesRequest.type, {
      textDocument: { uri: URI },
      position: position(text, 'id: vpc', 4),
      context: { includeDeclaration: true },
    });
    assert.equal(refs?.length, 2);
  });

  it('rename returns edits for the id and every reference, and refuses a taken id', async () => {
    const edit = await client.connection.sendRequest(RenameRequest.type, {
      textDocument: { uri: URI },
      position: position(text, 'id: web', 4),
      newName: 'frontend',
    });
    assert.equal(edit?.changes?.[URI].length, 2);
    await assert.rejects(
      client.connection.sendRequest(RenameRequest.type, {
        textDocument: { uri: URI },
        position: position(text, 'id: web', 4),
        newName: 'cache',
      }),
      /already the id of component 'cache'/,
    );
  });

  it('outline lists sections and elements; code lenses summarise components', async () => {
    const symbols = (await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: URI } })) as DocumentSymbol[];
    assert.deepEqual(
      symbols.map((s) => s.name),
      ['boundaries', 'components', 'data', 'flows'],
    );
    const lenses = await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: URI } });
    assert.equal(lenses?.length, 2);
    assert.match(lenses[0].command?.title ?? '', /^0 threats · 0 open · \d+ findings$/);
  });

  it('computes the diagram and completeness view (threatcode/view)', async () => {
    const view = await client.connection.sendRequest(ViewRequest, { uri: URI, delivery: false });
    assert.ok(view?.diagram && view.metrics);
    assert.deepEqual(view.errors, []);
    assert.match(view.diagram.mermaid, /^flowchart LR\n/);
    assert.deepEqual(
      Object.values(view.diagram.nodes)
        .map((n) => n.modelId)
        .sort(),
      ['cache', 'db-zone', 'internet', 'vpc', 'web'].filter((id) => id !== 'internet').sort(),
    );
    assert.ok(view.metrics.gauges.some((g) => g.id === 'strideCoverage' && g.total > 0));
    const metricsOnly = await client.connection.sendRequest(ViewRequest, { uri: URI, delivery: false, metricsOnly: true });
    assert.equal(metricsOnly?.diagram, undefined);
    assert.ok(metricsOnly);
    assert.deepEqual(metricsOnly.metrics, view.metrics);
  });

  it('workspace symbols include models that are not open, except where the editor excludes files', async () => {
    const ws = mkdtempSync(path.join(tmpdir(), 'threatcode-symbols-'));
    mkdirSync(path.join(ws, 'svc'));
    writeFileSync(
      path.join(ws, 'svc', 'orders.tm.yaml'),
      'threatcode: 1\nsystem: { name: Orders }\ncomponents:\n  - { id: orders-api, name: Orders API, type: process }\n',
    );
    // A copy in a folder the editor excludes (files.exclude) is not listed.
    mkdirSync(path.join(ws, 'generated'));
    writeFileSync(
      path.join(ws, 'generated', 'orders.tm.yaml'),
      'threatcode: 1\nsystem: { name: Copy }\ncomponents:\n  - { id: orders-copy, type: process }\n',
    );
    const configuration = (section: string | undefined) =>
      section === 'files.exclude' ? { '**/generated': true, '**/svc': false } : section === 'threatcode' ? {} : null;
    const other = new TestLspClient({}, { workspaceFolders: [pathToFileURL(ws).toString()] }, { configuration });
    try {
      await other.initialize();
      // The settings and the editor's excludes are pulled after `initialized`.
      await other.configurationPulled();
      const symbols = (await other.connection.sendRequest(WorkspaceSymbolRequest.type, { query: 'orders' })) as {
        name: string;
        location: Location;
      }[];
      assert.deepEqual(
        symbols.map((s) => s.name),
        ['orders-api'],
      );
      assert.equal(symbols[0].location.uri, pathToFileURL(path.join(ws, 'svc', 'orders.tm.yaml')).toString());
    } finally {
      await other.stop();
    }
  });

  it('a client that resolves code actions gets each edit when it picks the action, the same edit as without resolving', async () => {
    const published = client.published.filter((p) => p.uri === URI).at(-1)!;
    const finding = published.diagnostics.find((d) => d.code === 'CRY-01')!;
    const request = { textDocument: { uri: URI }, range: finding.range, context: { diagnostics: [finding] } };
    const eager = (await client.connection.sendRequest(CodeActionRequest.type, request)) as CodeAction[];
    const resolving = new TestLspClient({}, { textDocument: { codeAction: { resolveSupport: { properties: ['edit'] } } } });
    try {
      const init = await resolving.initialize();
      assert.deepEqual(init.capabilities.codeActionProvider, {
        codeActionKinds: ['quickfix', 'source.fixAll.threatcode'],
        resolveProvider: true,
      });
      await resolving.open(URI, text);
      const lazy = (await resolving.connection.sendRequest(CodeActionRequest.type, request)) as CodeAction[];
      assert.deepEqual(
        lazy.map((a) => a.title),
        eager.map((a) => a.title),
      );
      assert.ok(
        lazy.every((a) => a.edit === undefined && a.data !== undefined),
        'no edit computed before one is picked',
      );
      for (const [i, action] of lazy.entries()) {
        const resolved = await resolving.connection.sendRequest(CodeActionResolveRequest.type, action);
        assert.deepEqual(resolved.edit, eager[i].edit, action.title);
      }
    } finally {
      await resolving.stop();
    }
  });

  it('a quick fix applied like the client applies it removes its finding', async () => {
    const published = client.published.filter((p) => p.uri === URI).at(-1)!;
    const finding = published.diagnostics.find((d) => d.code === 'CRY-01');
    assert.ok(finding, codes(published.diagnostics).join(','));
    const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri: URI },
      range: finding.range,
      context: { diagnostics: [finding] },
    })) as CodeAction[];
    const titles = actions.map((a) => a.title);
    assert.ok(titles.includes("Record threat CRY-01 on 'web-cache'"), titles.join('\n'));
    const fix =
      actions.find((a) => a.title === "Set network: vpn on 'web-cache'") ?? actions.find((a) => a.title.startsWith('Mitigate with'))!;
    const edits: TextEdit[] = fix.edit!.changes![URI];
    const doc = TextDocument.create(URI, 'threatmodel', 1, text);
    text = TextDocument.applyEdits(doc, edits);
    const changed = await client.change(URI, 2, [{ text }]);
    assert.ok(!codes(changed.diagnostics).includes('CRY-01'), codes(changed.diagnostics).join(','));
    assert.deepEqual(
      changed.diagnostics.filter((d) => d.severity === 1),
      [],
    );
  });
});
