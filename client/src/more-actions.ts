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
  return vscode.workspace.applyEdit(await client.protocol2CodeConverter.asWorkspaceEdit(resolved.edit));
}
