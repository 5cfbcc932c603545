/**
 * VS Code side of Threatcode: starts the language server and wires editor UI to it. No threat logic lives here.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';
import { CONFIG_SECTION, LANGUAGE_ID } from '../../server/src/protocol';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6029'] } },
  };

  const outputChannel = vscode.window.createOutputChannel('Threatcode', { log: true });
  context.subscriptions.push(outputChannel);

  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { language: LANGUAGE_ID, scheme: 'file' },
      { language: LANGUAGE_ID, scheme: 'untitled' },
      { language: LANGUAGE_ID, scheme: 'vscode-remote' },
    ],
    synchronize: { configurationSection: CONFIG_SECTION },
    outputChannel,
    // The client reads `threatcode.trace.server` (the id below) and writes the trace to its own channel.
    traceOutputChannel: vscode.window.createOutputChannel('Threatcode Language Server Trace', { log: true }),
  };

  client = new LanguageClient(CONFIG_SECTION, 'Threatcode', serverOptions, clientOptions);
  context.subscriptions.push(client);
  await client.start();
  outputChannel.info('Threatcode language server started.');
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
