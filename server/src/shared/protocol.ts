/**
 * Threatcode's additions to the Language Server Protocol, typed once for the client, the server and the tests:
 * each custom message is a RequestType or NotificationType constant that pairs its method with its parameter and
 * result types (as vscode-eslint, rust-analyzer and yaml-language-server do).
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';
import type { CodeLinkModel } from './code-links';
import type { ViewParams, ViewResult } from './view';

export const LANGUAGE_ID = 'threatmodel';
/** Diagnostic `source` for everything Threatcode reports. */
export const DIAGNOSTIC_SOURCE = 'threatcode';

/** Sent by the client in `initialize`. Other editors may omit it; the server then trusts the workspace. */
export interface ThreatcodeInitializationOptions {
  /** VS Code's workspace trust: only built-in rules run in untrusted workspaces. */
  readonly workspaceTrusted?: boolean;
  /**
   * Commands of the client that code actions may run (as rust-analyzer's client announces its own): with
   * MORE_ACTIONS_COMMAND, the fixes of several findings under the cursor are grouped behind "More actions for …".
   */
  readonly clientCommands?: readonly string[];
}

/** Client command: a quick pick of one finding's other fixes; the one chosen is resolved and applied. */
export const MORE_ACTIONS_COMMAND = 'threatcode.moreActions';

/** The argument of MORE_ACTIONS_COMMAND. */
export interface MoreActionsArguments {
  /** "More actions for INP-01 on 'web'…", the quick pick's title. */
  readonly title: string;
  readonly actions: readonly { readonly title: string; readonly kind: string; readonly disabled?: string }[];
  /** Each action's `codeAction/resolve` data, in the order of `actions`. */
  readonly data: readonly unknown[];
}

/** Glob of workspace rule packs, watched by the client. */
export const WORKSPACE_RULE_PACK_GLOB = '**/.threatcode/rules/*.{yaml,yml}';

/*
 * Notifications carry a params object even when there is little to say: vscode-languageserver sends one argument
 * for every notification, which a client that registered a parameterless type rejects.
 */

/** Client → server: the user granted workspace trust (VS Code never revokes it without a reload). */
export const WorkspaceTrustedNotification = new NotificationType<{ readonly trusted: true }>('threatcode/workspaceTrusted');

/** Client → server: the diagram and completeness metrics of one open model, for the webview and the status bar. */
export const ViewRequest = new RequestType<ViewParams, ViewResult | null, void>('threatcode/view');

/**
 * Server → client: something other than a document edit changed what views show (settings such as gates or the
 * diagram detail limit, rule packs, workspace trust). Open views ask again.
 */
export const ViewsChangedNotification = new NotificationType<ViewsChangedParams>('threatcode/viewsChanged');

export interface ViewsChangedParams {
  /**
   * What changed: the settings, the rules in force (rule packs, workspace trust), or the repository behind code links
   * (only the completeness measures change then: the diagram is not drawn again), or a model that open models import.
   */
  readonly reason: 'settings' | 'rules' | 'code' | 'imports';
}

/** Client → server: what the server holds, for diagnosing memory use (tests and the benchmark ask). */
/** `threatcode/export`: a report (HTML, Markdown) or SARIF of one open model, as the CLI writes them. */
export const ExportRequest = new RequestType<ExportParams, ExportResult, void>('threatcode/export');

export const EXPORT_FORMATS = ['html', 'markdown', 'sarif', 'otm', 'threat-dragon', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportParams {
  readonly uri: string;
  readonly format: ExportFormat;
  /** Measure this delivery (system.release), as the completeness view does when it is asked to. */
  readonly delivery: boolean;
}

/** The exported text, or why there is none (the model does not parse). */
export type ExportResult = { readonly text: string } | { readonly error: string };

/** `threatcode/import`: another tool's threat model file as the text of a Threatcode model, with notes to review. */
export const ImportRequest = new RequestType<ImportParams, ImportResponse, void>('threatcode/import');

export interface ImportParams {
  /** The source file (a `file:` URI): OTM, Threat Dragon, a .tm7, Threagile, Threat Composer or TM-BOM. */
  readonly uri: string;
}

export type ImportResponse =
  | { readonly text: string; readonly notes: readonly string[]; readonly format: string; readonly counts: string }
  | { readonly error: string };

/**
 * `threatcode/codeLinks`: every model of the workspace that links code (`code:`), with what a source file's CodeLens
 * says about each linked component. The extension matches files against it; nothing is sent per source file.
 */
export const CodeLinksRequest = new RequestType0<readonly CodeLinkModel[], void>('threatcode/codeLinks');

/** Server → client: a model or the repository changed what code links say; ask `threatcode/codeLinks` again. */
export const CodeLinksChangedNotification = new NotificationType<{ readonly reason: 'models' | 'repository' }>(
  'threatcode/codeLinksChanged',
);

export const StatusRequest = new RequestType0<ServerStatus, void>('threatcode/status');

export interface ServerStatus {
  readonly version: string;
  /** Documents open in the editor. */
  readonly openDocuments: number;
  /** Analyses kept (one per open document at most). */
  readonly cachedAnalyses: number;
  /** Analyses computed since the server started (full or incremental). */
  readonly analysesComputed: number;
  /** How diagnostics reach the client: pulled by it (LSP 3.17, VS Code) or pushed. */
  readonly diagnostics: 'pull' | 'push';
  /** V8 heap in use, after a garbage collection when the runtime exposes one (node --expose-gc). */
  readonly heapUsedMB: number;
  /** V8 heap reserved, and memory outside it (buffers): with heapUsedMB, what makes up rssMB. */
  readonly heapTotalMB: number;
  readonly externalMB: number;
  readonly rssMB: number;
  /** The last diagnostics sent: how long the analysis and the conversion to LSP took, in milliseconds. */
  readonly lastPublication?: Publication;
}

export interface Publication {
  readonly uri: string;
  readonly version: number;
  readonly analysisMs: number;
  readonly conversionMs: number;
  /** Diagnostics sent (at most threatcode.maxDiagnosticsPerFile) and found. */
  readonly diagnostics: number;
  readonly diagnosticsFound: number;
  /** Whether the analysis reparsed one item instead of the whole text. */
  readonly incremental: boolean;
}

/**
 * V8 options the language server runs with: the heap grows to 1.3× the live data before the next full collection
 * instead of up to 4×, which keeps a large model's server far smaller at the same speed (docs/performance.md).
 * The extension, the tests and the benchmark start the server with them.
 */
export const SERVER_EXEC_ARGV: readonly string[] = ['--heap-growing-percent=30'];
