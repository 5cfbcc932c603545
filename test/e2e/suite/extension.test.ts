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

  it('publishes the expected diagnostics for the example: plain sentences on their causes, linked to their rules', async () => {
    const diagnostics = await diagnosticsWhen(uri, (d) => d.some((x) => code(x) === 'CRY-03'));
    assert.deepEqual(
      diagnostics.filter((d) => d.severity === vscode.DiagnosticSeverity.Error).map((d) => d.message),
      [],
    );
    const cry03 = diagnostics.find((d) => code(d) === 'CRY-03')!;
    assert.equal(document.getText(cry03.range), 'encryptionAtRest: none');
    assert.equal(cry03.message, 'Session cache (Redis) keeps sensitive data unencrypted at rest (encryptionAtRest: none).');
    assert.equal(cry03.source, 'threatcode');
    const target = typeof cry03.code === 'object' ? cry03.code.target.toString() : '';
    assert.match(target, /^https:\/\/.*#cry-03$/);
    assert.ok((cry03.relatedInformation ?? []).length > 0, 'the reasons point at the properties that made it apply');
    // VS Code pulls them (LSP 3.17): the server is asked for the documents shown, as they change.
    const extension = vscode.extensions.all.find((e) => (e.packageJSON as { name?: string }).name === 'threatcode')!;
    const api = (await extension.activate()) as { serverStatus(): Promise<{ diagnostics: string; analysesComputed: number }> };
    assert.equal((await api.serverStatus()).diagnostics, 'pull');
  });

  /** The quick fixes at a finding, with their edits (VS Code resolves the one picked; here, all of them). */
  const fixesOf = async (finding: vscode.Diagnostic) =>
    vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      uri,
      finding.range,
      vscode.CodeActionKind.QuickFix.value,
      100,
    );

  it('applies the preferred fix, a mitigation, which records the threat beside it and shows it', async () => {
    const before = await diagnosticsWhen(uri, (d) => d.some((x) => code(x) === 'CRY-03'));
    const finding = before.find((d) => code(d) === 'CRY-03')!;
    // The server computes edits when an action is resolved (codeAction/resolve), as VS Code does for the one picked.
    const unresolved = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      uri,
      finding.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    assert.ok(unresolved.length > 0 && unresolved.every((a) => a.edit === undefined), 'edits are not computed for the lightbulb');
    const actions = await fixesOf(finding);
    const titles = actions.map((a) => a.title);
    assert.match(titles[0], /^Mitigate CRY-03: /, titles.join('\n'));
    assert.equal(actions[0].isPreferred, true);
    assert.ok(titles.includes("Record CRY-03 as an open threat on 'session-cache'"), titles.join('\n'));
    assert.equal(await vscode.workspace.applyEdit(actions[0].edit!), true);
    await diagnosticsWhen(uri, (d) => !d.some((x) => code(x) === 'CRY-03'));
    const text = document.getText();
    assert.match(text, /rule: CRY-03\n/);
    assert.match(text, /status: proposed/);
    // The cursor is on the new threat, on screen.
    const editor = vscode.window.activeTextEditor!;
    const line = editor.document.lineAt(editor.selection.active.line).text;
    assert.match(line, /id: T-CRY-03-session-cache/);
    assert.ok(
      editor.visibleRanges.some((r) => r.contains(editor.selection.active)),
      'the new threat is on screen',
    );
  });

  it('"Mark not applicable" puts the cursor in the justification; what is typed there is the justification', async () => {
    const before = await diagnosticsWhen(uri, (d) => d.some((x) => code(x) === 'EXP-01'));
    const finding = before.find((d) => code(d) === 'EXP-01')!;
    const na = (await fixesOf(finding)).find((a) => a.title.startsWith('Mark EXP-01 not applicable'))!;
    assert.ok(na?.edit);
    assert.equal(await vscode.workspace.applyEdit(na.edit), true);
    const editor = vscode.window.activeTextEditor!;
    assert.match(editor.document.lineAt(editor.selection.active.line).text, /justification: /);
    await vscode.commands.executeCommand('type', { text: 'Staff reach the back office only through the office VPN' });
    await vscode.commands.executeCommand('leaveSnippet');
    assert.match(document.getText(), /justification: Staff reach the back office only through the office VPN\n/);
    // Until the typing is analysed the placeholder warning may still be there; then it goes, with the finding.
    await diagnosticsWhen(uri, (d) => !d.some((x) => code(x) === 'EXP-01' || code(x) === 'placeholder-text'));
  });

  it('continues a list item at its mapping on Enter, with two spaces', async () => {
    const config = vscode.workspace.getConfiguration('editor', { languageId: 'threatmodel' });
    assert.equal(config.get('tabSize'), 2);
    assert.equal(config.get('insertSpaces'), true);
    const editor = vscode.window.activeTextEditor!;
    const offset = document.getText().indexOf('  - id: shop-api') + '  - id: shop-api'.length;
    editor.selection = new vscode.Selection(document.positionAt(offset), document.positionAt(offset));
    await vscode.commands.executeCommand('type', { text: '\n' });
    assert.equal(document.lineAt(editor.selection.active.line).text, '    ');
    await vscode.commands.executeCommand('undo');
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

  it('lists completeness in a view of its own, for the whole model or this delivery', async () => {
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
    // The answer first: complete or not, and (opened) the next three things to do, each a jump to its line.
    assert.equal(labels[0], 'Complete: (all 2 gates pass)');
    const next = (await api.completeness.getChildren(top[0])) ?? [];
    assert.equal(next.length, 3);
    const step = await api.completeness.getTreeItem(next[0]);
    assert.match(typeof step.label === 'string' ? step.label : (step.label?.label ?? ''), /^Next: /);
    assert.equal(step.command?.command, 'threatcode.revealInModel');
    assert.ok(
      labels.some((l) => /^Element coverage: \d+ \/ \d+ · \d+%$/.test(l)),
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
    // The payment service is in the delivery and its code changed after its review (the workspace's history): the
    // delivery is not complete until the review is recorded. History is read in the background: asked until it is.
    let verdict = '';
    for (let waited = 0; waited < 20_000; waited += 250) {
      await api.completeness.settled();
      verdict = await labelOf(((await api.completeness.getChildren()) ?? [])[0]);
      if (verdict.startsWith('Not complete')) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.match(verdict, /^Not complete: .*1 gate fails: 1 component with code changed since its review$/);
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
