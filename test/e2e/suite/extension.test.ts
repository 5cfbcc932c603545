/**
 * Threatcode inside a real VS Code: activation, diagnostics, a quick fix applied through the VS Code API, hover,
 * completion, rename, and the diagram panel. Every wait is on an event (diagnostics changed, webview rendered).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

function workspaceFile(relative: string): vscode.Uri {
  return vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, relative);
}

/** Resolves with the diagnostics of `uri` once `ready` accepts them (checking the current ones first). */
function diagnosticsWhen(uri: vscode.Uri, ready: (d: vscode.Diagnostic[]) => boolean): Promise<vscode.Diagnostic[]> {
  return new Promise((resolve) => {
    const current = vscode.languages.getDiagnostics(uri);
    if (ready(current)) return resolve(current);
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (!e.uris.some((u) => u.toString() === uri.toString())) return;
      const d = vscode.languages.getDiagnostics(uri);
      if (ready(d)) {
        sub.dispose();
        resolve(d);
      }
    });
  });
}

const code = (d: vscode.Diagnostic) => String(typeof d.code === 'object' ? d.code.value : d.code);

describe('Threatcode in VS Code', () => {
  const uri = workspaceFile('webshop/webshop.tm.yaml');
  let document: vscode.TextDocument;

  before(async () => {
    document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
  });

  it('recognises *.tm.yaml and activates', async () => {
    assert.equal(document.languageId, 'threatmodel');
    const extension = vscode.extensions.all.find((e) => (e.packageJSON as { name?: string }).name === 'threatcode');
    assert.ok(extension, 'extension loaded');
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it('publishes the expected diagnostics for the example', async () => {
    const diagnostics = await diagnosticsWhen(uri, (d) => d.some((x) => code(x) === 'CRY-01'));
    assert.deepEqual(
      diagnostics.filter((d) => d.severity === vscode.DiagnosticSeverity.Error).map((d) => d.message),
      [],
    );
    const cry01 = diagnostics.find((d) => code(d) === 'CRY-01')!;
    assert.equal(document.getText(cry01.range), 'api-sessions');
    assert.equal(cry01.source, 'threatcode');
  });

  it('applies a quick fix through the code action provider and removes its finding', async () => {
    const before = await diagnosticsWhen(uri, (d) => d.some((x) => code(x) === 'CRY-01'));
    const finding = before.find((d) => code(d) === 'CRY-01')!;
    // The server computes edits when an action is resolved (codeAction/resolve), as VS Code does for the one picked.
    const unresolved = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      uri,
      finding.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    assert.ok(unresolved.length > 0 && unresolved.every((a) => a.edit === undefined), 'edits are not computed for the lightbulb');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      uri,
      finding.range,
      vscode.CodeActionKind.QuickFix.value,
      100,
    );
    const record = actions.find((a) => a.title === "Record threat CRY-01 on 'api-sessions'");
    assert.ok(record?.edit, actions.map((a) => a.title).join('\n'));
    assert.equal(await vscode.workspace.applyEdit(record.edit), true);
    const after = await diagnosticsWhen(uri, (d) => !d.some((x) => code(x) === 'CRY-01' && document.getText(x.range) === 'api-sessions'));
    assert.deepEqual(
      after.filter((d) => d.severity === vscode.DiagnosticSeverity.Error).map((d) => d.message),
      [],
    );
    assert.match(document.getText(), /rule: CRY-01/);
  });

  it('answers hover and completion', async () => {
    const at = document.positionAt(document.getText().indexOf('id: shop-api') + 5);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, at);
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /component shop-api/);
    const trust = document.positionAt(document.getText().indexOf('trust: untrusted') + 7);
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, trust);
    assert.ok(list.items.some((i) => (typeof i.label === 'string' ? i.label : i.label.label) === 'restricted'));
  });

  it('renames an id everywhere', async () => {
    const at = document.positionAt(document.getText().indexOf('id: orders-db') + 5);
    const edit = await vscode.commands.executeCommand<vscode.WorkspaceEdit>(
      'vscode.executeDocumentRenameProvider',
      uri,
      at,
      'orders-database',
    );
    const edits = edit.get(uri);
    assert.ok(edits.length >= 3, `${edits.length} edits`);
    assert.ok(edits.every((e) => e.newText === 'orders-database'));
  });

  it('opens the diagram beside the editor, readable at once', async () => {
    const panel = await vscode.commands.executeCommand<{
      rendered: Promise<{ nodes: number; error?: string; level?: string; labelPx?: number }>;
      panel: vscode.WebviewPanel;
    }>('threatcode.openDiagram', uri);
    assert.ok(panel, 'the command returns the panel');
    const rendered = await panel.rendered;
    assert.equal(rendered.error, undefined);
    assert.equal(rendered.nodes, 13);
    assert.equal(rendered.level, 'detail');
    assert.ok((rendered.labelPx ?? 0) >= 11, `labels ${rendered.labelPx} px`);
    // Beside: the editor stays visible next to it.
    assert.ok(vscode.window.visibleTextEditors.some((e) => e.document.uri.toString() === uri.toString()));
    assert.notEqual(
      panel.panel.viewColumn,
      vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString())?.viewColumn,
    );
  });

  it('lists completeness in the Explorer, for the whole model or this delivery', async () => {
    const extension = vscode.extensions.all.find((e) => (e.packageJSON as { name?: string }).name === 'threatcode')!;
    const api = (await extension.activate()) as {
      completeness: vscode.TreeDataProvider<unknown> & { settled(): Promise<void>; description?: string };
      deliveryScope: { value: boolean };
    };
    await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
    await api.completeness.settled();
    const labelOf = async (item: unknown) => {
      const t = await api.completeness.getTreeItem(item);
      return `${typeof t.label === 'string' ? t.label : (t.label?.label ?? '')}: ${String(t.description ?? '')}`;
    };
    const top = (await api.completeness.getChildren()) ?? [];
    const labels = await Promise.all(top.map(labelOf));
    assert.ok(
      labels.some((l) => /^Element coverage: \d+ \/ \d+ · \d+ %$/.test(l)),
      labels.join(' | '),
    );
    assert.ok(labels.some((l) => l.startsWith('Gates: ')));
    assert.match(api.completeness.description ?? '', /webshop\.tm\.yaml · whole model/);
    // A gauge lists what is missing; each item opens the line.
    const gauge = top.find((_, i) => labels[i].startsWith('STRIDE coverage'))!;
    const missing = (await api.completeness.getChildren(gauge)) ?? [];
    assert.ok(missing.length > 0);
    const first = await api.completeness.getTreeItem(missing[0]);
    assert.equal(first.command?.command, 'threatcode.revealInModel');
    await vscode.commands.executeCommand(first.command.command, ...((first.command.arguments ?? []) as unknown[]));
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), uri.toString());
    // This delivery: release 2.4, for the view, the status bar and the diagram alike.
    await vscode.commands.executeCommand('threatcode.measureDelivery');
    assert.equal(api.deliveryScope.value, true);
    await api.completeness.settled();
    assert.match(api.completeness.description ?? '', /release 2\.4/);
    await vscode.commands.executeCommand('threatcode.measureWholeModel');
    assert.equal(api.deliveryScope.value, false);
  });

  it('re-renders the open diagram when a setting changes what it shows (no edit needed)', async () => {
    const panel = await vscode.commands.executeCommand<{
      rendered: Promise<unknown>;
      onDidRender: vscode.Event<{ nodes: number; error?: string }>;
    }>('threatcode.openDiagram', uri);
    await panel.rendered;
    const config = vscode.workspace.getConfiguration('threatcode');
    // The first rendering that matches (an earlier one may still be on its way); the test timeout bounds the wait.
    const renderingWhere = (match: (r: { nodes: number; error?: string }) => boolean) =>
      new Promise<{ nodes: number; error?: string }>((resolve) => {
        const sub = panel.onDidRender((r) => {
          if (!match(r)) return;
          sub.dispose();
          resolve(r);
        });
      });
    // Below the model's 13 components: the trust-boundary overview (6 boundaries).
    const overview = renderingWhere((r) => r.nodes < 13);
    await config.update('diagramDetailLimit', 5, vscode.ConfigurationTarget.Workspace);
    const shown = await overview;
    assert.equal(shown.error, undefined);
    assert.ok(shown.nodes > 0, `overview nodes: ${shown.nodes}`);
    const full = renderingWhere((r) => r.nodes === 13);
    await config.update('diagramDetailLimit', undefined, vscode.ConfigurationTarget.Workspace);
    assert.equal((await full).error, undefined);
  });
});
