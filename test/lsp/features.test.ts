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
  type Position,
  type Range,
  ReferencesRequest,
  RenameRequest,
  type TextEdit,
  WorkspaceSymbolRequest,
} from 'vscode-languageserver-protocol';
import { codes, TestLspClient } from '../support/lsp-client';
import { MORE_ACTIONS_COMMAND, type MoreActionsArguments, ViewRequest } from '../../server/src/shared/protocol';

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
        codeActionKinds: ['quickfix', 'source.fixAll.threatcode', 'source.threatcode.recordAll'],
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

  it('several findings under the cursor: each one\'s preferred fix, the rest behind "More actions for …" for a client that runs it', async () => {
    const published = client.published.filter((p) => p.uri === URI).at(-1)!;
    const findings = published.diagnostics.filter((d) => d.source === 'threatcode' && /^[A-Z]+-\d+$/.test(String(d.code)));
    const line = findings.map((d) => d.range.start.line).find((l, _, all) => all.filter((x) => x === l).length >= 2)!;
    assert.notEqual(line, undefined, 'a line with several findings');
    const here = findings.filter((d) => d.range.start.line === line);
    const range = { start: { line, character: 0 }, end: { line, character: 200 } };
    const request = { textDocument: { uri: URI }, range, context: { diagnostics: here } };
    const flat = (await client.connection.sendRequest(CodeActionRequest.type, request)) as CodeAction[];
    const grouping = new TestLspClient(
      {},
      {
        textDocument: { codeAction: { resolveSupport: { properties: ['edit'] } } },
        initializationOptions: { clientCommands: [MORE_ACTIONS_COMMAND] },
      },
    );
    try {
      await grouping.initialize();
      await grouping.open(URI, text);
      const menu = (await grouping.connection.sendRequest(CodeActionRequest.type, request)) as CodeAction[];
      const more = menu.filter((a) => a.command?.command === MORE_ACTIONS_COMMAND);
      assert.ok(menu.length < flat.length, `${menu.length} rows, flat ${flat.length}`);
      assert.ok(more.length >= 1, 'at least one finding with more than two fixes');
      // Per finding: its preferred fix, then its other fixes behind one row that names the finding.
      for (const d of here) {
        const own = flat.filter((a) => a.diagnostics?.length === 1 && a.diagnostics[0].code === d.code);
        const row = more.find((a) => a.title.startsWith(`More actions for ${String(d.code)} on '`));
        if (own.length <= 2) {
          // One or two fixes: shown as they are, no row to open.
          assert.equal(row, undefined);
          for (const a of own)
            assert.ok(
              menu.some((m) => m.title === a.title),
              a.title,
            );
          continue;
        }
        assert.ok(row, `a "More actions" row for ${String(d.code)}: ${menu.map((a) => a.title).join(' | ')}`);
        assert.deepEqual(row.diagnostics, [d]);
        const preferred = menu.find((a) => a.command === undefined && a.diagnostics?.[0]?.code === d.code)!;
        assert.equal(preferred.title, own.find((a) => a.isPreferred)?.title ?? own[0].title);
        const args = row.command!.arguments![0] as MoreActionsArguments;
        assert.equal(args.title, row.title);
        assert.deepEqual(
          args.actions.map((a) => a.title),
          own.filter((a) => a.title !== preferred.title).map((a) => a.title),
        );
        // The quick pick's choice resolves to the same edit as the flat menu's action.
        const chosen = args.actions.length - 1;
        const resolved = await grouping.connection.sendRequest(CodeActionResolveRequest.type, {
          title: args.actions[chosen].title,
          kind: args.actions[chosen].kind,
          data: args.data[chosen],
        });
        assert.deepEqual(resolved.edit, own.find((a) => a.title === args.actions[chosen].title)!.edit);
      }
    } finally {
      await grouping.stop();
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
    // Per finding: the preferred fix first, each title naming the finding it fixes, never a fix-all among them.
    assert.deepEqual(titles, [
      'Mitigate CRY-01: Encrypt the connection with TLS 1.2 or newer',
      'Mitigate CRY-01: Use mutual TLS with workload identities between services',
      "Covered by a control: set network: vpn on 'web-cache' (CRY-01)",
      "Record CRY-01 as an open threat on 'web-cache'",
      "Accept the risk of CRY-01 on 'web-cache'…",
      "Mark CRY-01 not applicable to 'web-cache'…",
    ]);
    assert.deepEqual(
      actions.map((a) => a.isPreferred === true),
      [true, false, false, false, false, false],
    );
    assert.ok(actions.every((a) => a.kind === 'quickfix'));
    const fix = actions.find((a) => a.title === "Covered by a control: set network: vpn on 'web-cache' (CRY-01)")!;
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

  it('hover on a finding shows the finding first, then the element; where several sit, the element first', async () => {
    const published = client.published.filter((p) => p.uri === URI).at(-1)!;
    const findings = published.diagnostics.filter((d) => d.source === 'threatcode' && /^[A-Z]+-\d+$/.test(String(d.code)));
    const covering = (p: Position) =>
      findings.filter(
        (d) => d.range.start.line === p.line && d.range.start.character <= p.character && p.character <= d.range.end.character,
      );
    const hoverAt = async (position: Position) => {
      const h = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: URI }, position });
      assert.ok(h && MarkupContent.is(h.contents));
      return h.contents.value.split('\n---\n').map((part) => part.trim());
    };
    // One finding where the cursor is: its full explanation first.
    const alone = findings.find((d) => d.code === 'AUTH-10')!;
    assert.equal(covering(alone.range.start).length, 1, findings.map((d) => `${String(d.code)}@${d.range.start.line}`).join(' '));
    const [first, ...rest] = await hoverAt(alone.range.start);
    assert.match(first, /^\*\*AUTH-10\*\* · Spoofing/, 'the rule, its STRIDE category as words');
    assert.match(first, /Why it matters/);
    assert.match(first, /Why here/);
    assert.ok(rest.length <= 1);
    // Several on an element's id: the element, then one line each.
    const crowded = findings.find((d) => covering(d.range.start).length > 1)!;
    assert.ok(crowded, 'an id with several findings');
    const [card, list] = await hoverAt(crowded.range.start);
    assert.match(card, /^\*\*(component|flow|boundary|data asset)\b/);
    assert.match(list, new RegExp(`^\\*\\*${covering(crowded.range.start).length} findings here\\*\\*`));
    for (const d of covering(crowded.range.start)) assert.match(list, new RegExp(`^- \\*\\*${String(d.code)}\\*\\* · `, 'm'));
  });

  it('offers "record all" only as a source action, and snippet edits to a client that takes them', async () => {
    const uri = 'file:///ws/features-bulk.tm.yaml';
    // Two unencrypted flows into the cache, and a typo.
    const bulk =
      MODEL.replace('trust: untrusted', 'trust: untrustd') +
      '  - id: web-cache-2\n    from: web\n    to: cache\n    protocol: http\n    data: [secret]\n';
    const published = await client.open(uri, bulk);
    const cry = published.diagnostics.filter((d) => d.code === 'CRY-01');
    assert.equal(cry.length, 2, codes(published.diagnostics).join(','));
    const ask = async (only?: string[]) =>
      (await client.connection.sendRequest(CodeActionRequest.type, {
        textDocument: { uri },
        range: cry[0].range,
        context: { diagnostics: published.diagnostics, ...(only ? { only } : {}) },
      })) as CodeAction[];
    const plain = await ask();
    assert.ok(plain.length > 0 && plain.every((a) => a.kind === 'quickfix'), plain.map((a) => `${a.kind} ${a.title}`).join('\n'));
    const source = await ask(['source']);
    assert.deepEqual(
      source.map((a) => `${a.kind} ${a.title}`),
      [
        'source.fixAll.threatcode Fix 1 typo (did-you-mean)',
        'source.threatcode.recordAll Record all 2 AUTH-10 findings as open threats',
        'source.threatcode.recordAll Record all 2 CRY-01 findings as open threats',
      ],
    );

    const snippets = new TestLspClient({}, { workspace: { workspaceEdit: { documentChanges: true, snippetEditSupport: true } } });
    try {
      await snippets.initialize();
      const opened = await snippets.open(URI, MODEL);
      const finding = opened.diagnostics.find((d) => d.code === 'CRY-01')!;
      const actions = (await snippets.connection.sendRequest(CodeActionRequest.type, {
        textDocument: { uri: URI },
        range: finding.range,
        context: { diagnostics: [finding] },
      })) as CodeAction[];
      const na = actions.find((a) => a.title.startsWith('Mark CRY-01 not applicable'))!;
      const change = na.edit!.documentChanges![0] as { edits: { snippet?: { value: string }; newText?: string }[] };
      const snippetEdit = change.edits.find((e) => e.snippet) as { range: Range; snippet: { value: string } };
      const snippet = snippetEdit.snippet.value;
      assert.match(snippet, /justification: \$\{1:[^}]+\}/, snippet);
      // Inserted as VS Code inserts a snippet: the lines after the first get the whitespace before the insertion
      // point. At a line's start there is none, and the YAML stays valid.
      assert.equal(snippetEdit.range.start.character, 0, JSON.stringify(snippetEdit.range));
      const doc = TextDocument.create(URI, 'threatmodel', 1, MODEL);
      const lineText = MODEL.split('\n')[snippetEdit.range.start.line];
      const lead = /^\s*/.exec(lineText.slice(0, snippetEdit.range.start.character))![0];
      const typed = snippet
        .replace(/\$\{\d+:([^}]*)\}/g, '$1')
        .replace(/\$\d/g, '')
        .replace(/\n/g, `\n${lead}`);
      const inserted = TextDocument.applyEdits(doc, [{ range: snippetEdit.range, newText: typed }]);
      const reopened = await snippets.change(URI, 2, [{ text: inserted }]);
      assert.ok(!codes(reopened.diagnostics).includes('yaml-syntax'), codes(reopened.diagnostics).join(','));
      assert.ok(!codes(reopened.diagnostics).includes('CRY-01'));
      // Without the capability: the same edit with the placeholder text, which a warning flags until replaced.
      const uri2 = 'file:///ws/features-na.tm.yaml';
      const opened2 = await client.open(uri2, MODEL);
      const finding2 = opened2.diagnostics.find((d) => d.code === 'CRY-01')!;
      const plainNa = (
        (await client.connection.sendRequest(CodeActionRequest.type, {
          textDocument: { uri: uri2 },
          range: finding2.range,
          context: { diagnostics: [finding2] },
        })) as CodeAction[]
      ).find((a) => a.title.startsWith('Mark CRY-01 not applicable'))!;
      const edits = plainNa.edit!.changes![uri2];
      const applied = TextDocument.applyEdits(TextDocument.create(uri2, 'threatmodel', 1, MODEL), edits);
      assert.ok(!applied.includes('${'), 'no snippet syntax for a client without snippet edits');
      const after = await client.change(uri2, 2, [{ text: applied }]);
      assert.ok(!codes(after.diagnostics).includes('CRY-01'));
      assert.ok(codes(after.diagnostics).includes('placeholder-text'), codes(after.diagnostics).join(','));
    } finally {
      await snippets.stop();
    }
  });
});
