/**
 * A minimal LSP client for protocol tests and benchmarks: spawns a language server (ours by default) with --stdio
 * and speaks JSON-RPC to it. Waits are on protocol events (diagnostics published for a version), never on sleeps.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import {
  type CancellationToken,
  createProtocolConnection,
  type Diagnostic,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DiagnosticRefreshRequest,
  DocumentDiagnosticRequest,
  type DocumentDiagnosticReport,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  type InitializeResult,
  type ProtocolConnection,
  PublishDiagnosticsNotification,
  type PublishDiagnosticsParams,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';

import { SERVER_EXEC_ARGV } from '../../server/src/shared/protocol';
import { DIST } from './paths';

export const SERVER_PATH = path.join(DIST, 'server.js');

export interface Published extends PublishDiagnosticsParams {
  readonly receivedAt: number;
}

/** Which server to run and how to answer its configuration requests; ours by default. */
export interface ServerSpec {
  /** Node.js arguments: the server script and its flags. */
  readonly args?: readonly string[];
  readonly languageId?: string;
  /** The answer to workspace/configuration for a section (default: our settings for `threatcode`, else null). */
  readonly configuration?: (section: string | undefined) => unknown;
  /** Keep every publication in `published` (default true; a benchmark of large models keeps only the waiters). */
  readonly keepPublished?: boolean;
  /**
   * Say that this client pulls diagnostics (LSP 3.17 `textDocument/diagnostic`) and can be asked to pull again, as
   * VS Code does; the test then pulls with `pull`.
   */
  readonly pullsDiagnostics?: boolean;
}

export class TestLspClient {
  readonly connection: ProtocolConnection;
  readonly published: Published[] = [];
  private readonly waiters: { match: (p: Published) => boolean; resolve: (p: Published) => void }[] = [];
  private readonly logWaiters: { match: RegExp; resolve: () => void }[] = [];
  private readonly process: ChildProcess;
  stderr = '';
  /** window/showMessage texts from the server (what the editor shows in a notification). */
  readonly shown: string[] = [];
  /** window/logMessage texts from the server. */
  readonly logs: string[] = [];
  /** Errors of this side's JSON-RPC connection: a message that does not fit the type it was registered with. */
  readonly protocolErrors: string[] = [];
  exited: number | null | undefined;

  constructor(
    private readonly settings: Record<string, unknown> = {},
    private readonly init: {
      workspaceFolders?: string[];
      initializationOptions?: unknown;
      textDocument?: Record<string, unknown>;
      workspace?: Record<string, unknown>;
    } = {},
    private readonly server: ServerSpec = {},
  ) {
    // By default the server runs as the extension starts it: with the same V8 options.
    this.process = spawn(process.execPath, [...(server.args ?? [...SERVER_EXEC_ARGV, SERVER_PATH, '--stdio'])], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.process.stderr!.on('data', (chunk) => (this.stderr += String(chunk)));
    this.process.on('exit', (code) => (this.exited = code));
    const ignore = () => undefined;
    this.connection = createProtocolConnection(
      new StreamMessageReader(this.process.stdout!),
      new StreamMessageWriter(this.process.stdin!),
      {
        error: (message) => this.protocolErrors.push(message),
        warn: ignore,
        info: ignore,
        log: ignore,
      },
    );
    this.connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      const p = { ...params, receivedAt: Date.now() };
      if (this.server.keepPublished !== false) this.published.push(p);
      for (const w of [...this.waiters]) {
        if (w.match(p)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(p);
        }
      }
    });
    this.connection.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) => {
      const answer = params.items.map((item) =>
        this.server.configuration ? this.server.configuration(item.section) : item.section === 'threatcode' ? this.settings : null,
      );
      // Resolved after this handler returns, i.e. once the answer is on its way: a request sent later reaches the
      // server after the answer.
      setImmediate(() => {
        this.configurationAnswers++;
        for (const w of this.configurationWaiters.splice(0)) w();
      });
      return answer;
    });
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onRequest(DiagnosticRefreshRequest.method, () => {
      this.refreshes++;
      for (const w of this.refreshWaiters.splice(0)) w();
      return null;
    });
    this.connection.onNotification('window/showMessage', (p: { message: string }) => void this.shown.push(p.message));
    this.connection.onRequest('window/showMessageRequest', (p: { message: string }) => {
      this.shown.push(p.message);
      return null;
    });
    this.connection.onNotification('window/logMessage', (p: { message: string }) => {
      this.logs.push(p.message);
      for (const w of [...this.logWaiters]) {
        if (w.match.test(p.message)) {
          this.logWaiters.splice(this.logWaiters.indexOf(w), 1);
          w.resolve();
        }
      }
    });
    this.connection.listen();
  }

  /** How many times the server asked to pull diagnostics again (`workspace/diagnostic/refresh`). */
  refreshes = 0;
  private refreshWaiters: (() => void)[] = [];

  /** Resolves on the server's next request to pull diagnostics again. */
  nextRefresh(): Promise<void> {
    return new Promise((resolve) => this.refreshWaiters.push(resolve));
  }

  /** Pulls a document's diagnostics (`textDocument/diagnostic`), with the result id of the last report held. */
  pull(uri: string, previousResultId?: string, token?: CancellationToken): Promise<DocumentDiagnosticReport> {
    return this.connection.sendRequest(
      DocumentDiagnosticRequest.type,
      { textDocument: { uri }, identifier: 'threatcode', ...(previousResultId !== undefined && { previousResultId }) },
      token,
    );
  }

  /** How many workspace/configuration requests were answered. */
  private configurationAnswers = 0;
  private configurationWaiters: (() => void)[] = [];

  /** Resolves once the server's settings pull has been answered (the first one, or the next after `seen`). */
  configurationPulled(seen = 0): Promise<void> {
    if (this.configurationAnswers > seen) return Promise.resolve();
    return new Promise((resolve) => this.configurationWaiters.push(resolve));
  }

  /** The server's process id (for memory readings). */
  get pid(): number | undefined {
    return this.process.pid;
  }

  async initialize(): Promise<InitializeResult> {
    const result = await this.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: null,
      capabilities: {
        workspace: {
          configuration: true,
          didChangeConfiguration: { dynamicRegistration: true },
          ...(this.server.pullsDiagnostics && { diagnostics: { refreshSupport: true } }),
          ...this.init.workspace,
        },
        textDocument: {
          publishDiagnostics: { relatedInformation: true, versionSupport: true },
          ...(this.server.pullsDiagnostics && { diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false } }),
          ...this.init.textDocument,
        },
      },
      workspaceFolders: this.init.workspaceFolders?.map((uri, i) => ({ uri, name: `ws${i}` })) ?? null,
      initializationOptions: this.init.initializationOptions,
    });
    await this.connection.sendNotification(InitializedNotification.type, {});
    return result;
  }

  open(uri: string, text: string, version = 1): Promise<Published> {
    const wait = this.diagnosticsFor(uri, version);
    void this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: this.server.languageId ?? 'threatmodel', version, text },
    });
    return wait;
  }

  change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): Promise<Published> {
    const wait = this.diagnosticsFor(uri, version);
    void this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: changes,
    });
    return wait;
  }

  close(uri: string): Promise<Published> {
    const wait = this.next((p) => p.uri === uri && p.diagnostics.length === 0 && p.version === undefined);
    void this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
    return wait;
  }

  /** Resolves with the first diagnostics published for this uri and version (already received ones count). */
  diagnosticsFor(uri: string, version: number): Promise<Published> {
    return this.next((p) => p.uri === uri && p.version === version, true);
  }

  next(match: (p: Published) => boolean, includePast = false): Promise<Published> {
    const past = includePast ? this.published.find(match) : undefined;
    if (past) return Promise.resolve(past);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  /** Resolves once the server has logged a matching message (already logged ones count). */
  waitForLog(match: RegExp): Promise<void> {
    if (this.logs.some((l) => match.test(l))) return Promise.resolve();
    return new Promise((resolve) => this.logWaiters.push({ match, resolve }));
  }

  async stop(): Promise<void> {
    try {
      await this.connection.sendRequest(ShutdownRequest.type);
      await this.connection.sendNotification(ExitNotification.type);
    } catch {
      // already gone
    }
    this.connection.dispose();
    if (this.exited === undefined) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.process.kill();
          resolve();
        }, 2000);
        this.process.on('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

export function codes(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => String(d.code));
}

/** A diagnostic's message as text (LSP 3.18 allows Markdown content too; ours are plain). */
export function messageOf(d: Diagnostic): string {
  return typeof d.message === 'string' ? d.message : d.message.value;
}
