/**
 * VS Code side of Threatcode: starts the language server and wires editor UI to it. No threat logic lives here.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, type LanguageClientOptions, type ServerOptions, TransportKind } from 'vscode-languageclient/node';
import { DIAGRAM_VIEW_TYPE, DiagramPanel } from './diagram-panel';
import { CompletenessStatus } from './status-bar';
import {
  LANGUAGE_ID,
  SERVER_EXEC_ARGV,
  type ThreatcodeInitializationOptions,
  ViewsChangedNotification,
  WORKSPACE_RULE_PACK_GLOB,
  WorkspaceTrustedNotification,
} from '../../server/src/shared/protocol';
import { CONFIG_SECTION } from '../../server/src/shared/settings';
import type { WebviewState } from '../../server/src/shared/view';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: [...SERVER_EXEC_ARGV] } },
    debug: {
      module: serverModule,
      transport: TransportKind.ipc,
      options: { execArgv: [...SERVER_EXEC_ARGV, '--nolazy', '--inspect=6029'] },
    },
  };

  const outputChannel = vscode.window.createOutputChannel('Threatcode', { log: true });
  context.subscriptions.push(outputChannel);

  const initializationOptions: ThreatcodeInitializationOptions = { workspaceTrusted: vscode.workspace.isTrusted };
  const packWatcher = vscode.workspace.createFileSystemWatcher(WORKSPACE_RULE_PACK_GLOB);
  context.subscriptions.push(packWatcher);

  const clientOptions: LanguageClientOptions = {
    initializationOptions,
    documentSelector: [
      { language: LANGUAGE_ID, scheme: 'file' },
      { language: LANGUAGE_ID, scheme: 'untitled' },
      { language: LANGUAGE_ID, scheme: 'vscode-remote' },
    ],
    synchronize: { configurationSection: [CONFIG_SECTION, 'files.exclude'], fileEvents: packWatcher },
    outputChannel,
    // The client reads `threatcode.trace.server` (the id below) and writes the trace to its own channel.
    traceOutputChannel: vscode.window.createOutputChannel('Threatcode Language Server Trace', { log: true }),
  };

  client = new LanguageClient(CONFIG_SECTION, 'Threatcode', serverOptions, clientOptions);
  context.subscriptions.push(client);
  await client.start();
  outputChannel.info('Threatcode language server started.');

  const started = client;
  const status = new CompletenessStatus(started, outputChannel);
  context.subscriptions.push(
    vscode.commands.registerCommand('threatcode.openDiagram', (uri?: vscode.Uri) => {
      const target = uri ?? vscode.window.activeTextEditor?.document.uri;
      const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target?.toString());
      if (!target || document?.languageId !== LANGUAGE_ID) {
        void vscode.window.showInformationMessage('Open a threat model (*.tm.yaml) to see its diagram.');
        return undefined;
      }
      return DiagramPanel.show(context, started, outputChannel, target);
    }),
    vscode.window.registerWebviewPanelSerializer(DIAGRAM_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: WebviewState | undefined) {
        if (!state?.uri) {
          panel.dispose();
          return;
        }
        await vscode.workspace.openTextDocument(vscode.Uri.parse(state.uri));
        DiagramPanel.revive(context, started, outputChannel, panel, state);
      },
    }),
    status,
    client.onNotification(ViewsChangedNotification, () => {
      DiagramPanel.refreshAll();
      status.refreshNow();
    }),
  );

  // User rule packs load only once the workspace is trusted.
  context.subscriptions.push(
    vscode.workspace.onDidGrantWorkspaceTrust(() => void client?.sendNotification(WorkspaceTrustedNotification, { trusted: true })),
  );
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
