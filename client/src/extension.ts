/**
 * VS Code side of Threatcode: starts the language server and wires editor UI to it. No threat logic lives here.
 */
import { CodeLinkLenses } from './code-lens';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, type LanguageClientOptions, type ServerOptions, TransportKind } from 'vscode-languageclient/node';
import {
  addGitHubWorkflow,
  CheckTaskProvider,
  type ExportChoice,
  exportModel,
  importThreatModel,
  newThreatModel,
  TASK_TYPE,
  importInfrastructure,
} from './commands';
import { CompletenessView, REVEAL_COMMAND } from './completeness-view';
import { DeliveryScope } from './delivery-scope';
import { DIAGRAM_VIEW_TYPE, DiagramPanel } from './diagram-panel';
import { ModelMetrics } from './model-metrics';
import { moreActions } from './more-actions';
import { CompletenessStatus } from './status-bar';
import {
  LANGUAGE_ID,
  MORE_ACTIONS_COMMAND,
  type MoreActionsArguments,
  SERVER_EXEC_ARGV,
  type ServerStatus,
  StatusRequest,
  type ThreatcodeInitializationOptions,
  ViewsChangedNotification,
  WORKSPACE_RULE_PACK_GLOB,
  WorkspaceTrustedNotification,
} from '../../server/src/shared/protocol';
import { CONFIG_SECTION } from '../../server/src/shared/settings';
import type { ViewRange, WebviewState } from '../../server/src/shared/view';

let client: LanguageClient | undefined;

/** What the extension hands other extensions (and the end-to-end suite): its views, to read what they show. */
export interface ThreatcodeApi {
  readonly completeness: CompletenessView;
  readonly deliveryScope: DeliveryScope;
  /** What the language server holds and how it delivers diagnostics (for diagnosing, and the end-to-end tests). */
  serverStatus(): Promise<ServerStatus>;
}

export async function activate(context: vscode.ExtensionContext): Promise<ThreatcodeApi> {
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

  const initializationOptions: ThreatcodeInitializationOptions = {
    workspaceTrusted: vscode.workspace.isTrusted,
    clientCommands: [MORE_ACTIONS_COMMAND],
  };
  const packWatcher = vscode.workspace.createFileSystemWatcher(WORKSPACE_RULE_PACK_GLOB);
  // Models on disk: a model that others import changes under them (a save, a checkout, a pull).
  const modelWatcher = vscode.workspace.createFileSystemWatcher('**/*.{tm.yaml,tm.yml}');
  context.subscriptions.push(packWatcher, modelWatcher);

  const clientOptions: LanguageClientOptions = {
    initializationOptions,
    documentSelector: [
      { language: LANGUAGE_ID, scheme: 'file' },
      { language: LANGUAGE_ID, scheme: 'untitled' },
      { language: LANGUAGE_ID, scheme: 'vscode-remote' },
    ],
    synchronize: { configurationSection: [CONFIG_SECTION, 'files.exclude'], fileEvents: [packWatcher, modelWatcher] },
    // VS Code pulls the diagnostics of the models it shows (LSP 3.17), as they open and as they are edited; the server
    // asks it to pull again when a model's imports, the repository or the settings change.
    diagnosticPullOptions: { onChange: true, onSave: false },
    outputChannel,
    // The client reads `threatcode.trace.server` (the id below) and writes the trace to its own channel.
    traceOutputChannel: vscode.window.createOutputChannel('Threatcode Language Server Trace', { log: true }),
  };

  client = new LanguageClient(CONFIG_SECTION, 'Threatcode', serverOptions, clientOptions);
  context.subscriptions.push(client);
  await client.start();
  outputChannel.info('Threatcode language server started.');

  const started = client;
  const scope = new DeliveryScope(context.workspaceState);
  const metrics = new ModelMetrics(started, scope, outputChannel);
  const status = new CompletenessStatus(metrics);
  const completeness = new CompletenessView(metrics);
  context.subscriptions.push(DiagramPanel.onDidFocus((uri) => metrics.followModel(uri)));
  context.subscriptions.push(
    scope,
    metrics,
    completeness,
    new CodeLinkLenses(started, outputChannel),
    vscode.commands.registerCommand('threatcode.measureDelivery', () => scope.set(true)),
    vscode.commands.registerCommand('threatcode.measureWholeModel', () => scope.set(false)),
    vscode.commands.registerCommand(REVEAL_COMMAND, async (uri: vscode.Uri, range: ViewRange) => {
      const document = await vscode.workspace.openTextDocument(uri);
      const selection = new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
      const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
      await vscode.window.showTextDocument(document, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One, selection });
    }),
    vscode.commands.registerCommand('threatcode.openDiagram', async (uri?: vscode.Uri) => {
      const target = uri ?? vscode.window.activeTextEditor?.document.uri;
      // From the Explorer's context menu the model may not be open yet.
      const document = target && (await vscode.workspace.openTextDocument(target).then(undefined, () => undefined));
      if (!target || document?.languageId !== LANGUAGE_ID) {
        void vscode.window.showInformationMessage('Open a threat model (*.tm.yaml) to see its diagram.');
        return undefined;
      }
      return DiagramPanel.show(context, started, outputChannel, scope, target);
    }),
    vscode.window.registerWebviewPanelSerializer(DIAGRAM_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: WebviewState | undefined) {
        if (!state?.uri) {
          panel.dispose();
          return;
        }
        await vscode.workspace.openTextDocument(vscode.Uri.parse(state.uri));
        DiagramPanel.revive(context, started, outputChannel, scope, panel, state);
      },
    }),
    // From File > New File… or the palette the command gets no argument (or an unrelated one): ask where.
    vscode.commands.registerCommand('threatcode.newThreatModel', (where?: unknown) =>
      newThreatModel(context, where instanceof vscode.Uri ? where : undefined),
    ),
    vscode.commands.registerCommand('threatcode.exportReport', (choice?: ExportChoice) =>
      exportModel(started, scope, ['html', 'markdown'], choice),
    ),
    vscode.commands.registerCommand('threatcode.exportSarif', (choice?: ExportChoice) => exportModel(started, scope, ['sarif'], choice)),
    vscode.commands.registerCommand('threatcode.export', (choice?: ExportChoice) =>
      exportModel(started, scope, ['otm', 'threat-dragon', 'csv', 'html', 'markdown', 'sarif'], choice),
    ),
    vscode.commands.registerCommand('threatcode.importThreatModel', (source?: unknown) =>
      importThreatModel(started, source instanceof vscode.Uri ? source : undefined),
    ),
    vscode.commands.registerCommand('threatcode.importInfrastructure', (source?: unknown) =>
      importInfrastructure(started, source instanceof vscode.Uri ? source : undefined),
    ),
    vscode.commands.registerCommand('threatcode.addGitHubWorkflow', () => addGitHubWorkflow()),
    vscode.commands.registerCommand('threatcode.restartServer', async () => {
      await started.restart();
      outputChannel.info('Threatcode language server restarted.');
    }),
    vscode.commands.registerCommand('threatcode.showOutput', () => outputChannel.show(true)),
    vscode.commands.registerCommand(MORE_ACTIONS_COMMAND, (args: MoreActionsArguments) => moreActions(started, args)),
    vscode.tasks.registerTaskProvider(TASK_TYPE, new CheckTaskProvider(context)),
    status,
    client.onNotification(ViewsChangedNotification, ({ reason }) => {
      // The repository behind code links changes measures, not drawings: the diagram keeps its view undisturbed.
      if (reason !== 'code') DiagramPanel.refreshAll();
      metrics.refreshNow();
    }),
  );

  // User rule packs load only once the workspace is trusted.
  context.subscriptions.push(
    vscode.workspace.onDidGrantWorkspaceTrust(() => void client?.sendNotification(WorkspaceTrustedNotification, { trusted: true })),
  );
  return { completeness, deliveryScope: scope, serverStatus: () => started.sendRequest(StatusRequest) };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
