/**
 * "More actions for INP-01 on 'web'…": the rest of one finding's fixes, when several findings share the cursor and the
 * quick-fix menu shows each one's preferred fix only. The fix chosen is resolved by the server at the document's
 * current version (the same id names the same fix) and applied like any quick fix.
 */
import * as vscode from 'vscode';
import { CodeActionResolveRequest } from 'vscode-languageclient';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { MoreActionsArguments } from '../../server/src/shared/protocol';

interface Pick extends vscode.QuickPickItem {
  readonly index: number;
}

export async function moreActions(client: LanguageClient, args: MoreActionsArguments): Promise<boolean> {
  const items: Pick[] = args.actions.map((a, index) => ({
    label: a.title,
    index,
    ...(a.disabled !== undefined && { description: `cannot apply: ${a.disabled}` }),
  }));
  const chosen = await vscode.window.showQuickPick(items, { title: args.title, placeHolder: 'Choose a fix' });
  if (!chosen) return false;
  const action = args.actions[chosen.index];
  if (action.disabled !== undefined) {
    void vscode.window.showInformationMessage(`${action.title}: ${action.disabled}`);
    return false;
  }
  const resolved = await client.sendRequest(CodeActionResolveRequest.type, {
    title: action.title,
    kind: action.kind,
    data: args.data[chosen.index],
  });
  if (!resolved.edit) {
    void vscode.window.showInformationMessage('The model changed since the menu opened: press Ctrl+. again for its fixes now.');
    return false;
  }
  const edit = await client.protocol2CodeConverter.asWorkspaceEdit(resolved.edit);
  if (!(await vscode.workspace.applyEdit(edit))) return false;
  // A fix may land far from the cursor (at the end of the element's controls, in the threats section): show it, the
  // cursor where it begins, as the quick-fix menu's own fixes do.
  const editor = vscode.window.activeTextEditor;
  const first = editor && edit.get(editor.document.uri).sort((a, b) => a.range.start.compareTo(b.range.start))[0];
  if (editor && first) {
    const at = first.range.start;
    editor.selection = new vscode.Selection(at, at);
    editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }
  return true;
}
