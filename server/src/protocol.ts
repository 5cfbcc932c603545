/**
 * The contract between client, server (and later the webview): names and shapes shared by all sides. Nothing here
 * may import from 'vscode' or from the server's internals, so every side can bundle it.
 */

export const LANGUAGE_ID = 'threatmodel';
export const CONFIG_SECTION = 'threatcode';
/** Diagnostic `source` for everything Threatcode reports. */
export const DIAGNOSTIC_SOURCE = 'threatcode';

/** The `threatcode.*` settings the server reads (see package.json contributes.configuration). */
export interface ThreatcodeSettings {
  /** Files larger than this are not analysed. */
  readonly maxFileSizeMB: number;
  /** Delay between the last keystroke and re-analysis, in milliseconds. */
  readonly validationDelay: number;
  /** Above this many components (or twice as many flows) the diagram shows the boundary overview. */
  readonly diagramDetailLimit: number;
  /** At most this many diagnostics are sent per file: the most severe, and a note saying how many more there are. */
  readonly maxDiagnosticsPerFile: number;
  /** At most this many elements are listed in the outline (document symbols), in document order. */
  readonly maxOutlineItems: number;
  /** Extra rule pack files, relative to the workspace folder. Ignored in untrusted workspaces. */
  readonly rulePacks: readonly string[];
  /** Completeness gates shown in the panel (same names as the CLI's --gate). */
  readonly gates: Readonly<Record<string, number | boolean>>;
}

export const DEFAULT_SETTINGS: ThreatcodeSettings = {
  maxFileSizeMB: 8,
  validationDelay: 150,
  diagramDetailLimit: 30,
  // VS Code's own per-file limit: more would be dropped by the editor after costing the transfer.
  maxDiagnosticsPerFile: 1000,
  // Like json.maxItemsComputed and yaml.maxItemsComputed: 5,000 components' 33,000 symbols cost 0.7 s per version.
  maxOutlineItems: 5000,
  rulePacks: [],
  gates: { maxOpenHighWithoutMitigation: 0, acceptancesValid: true },
};

/** Accepts whatever the client sent and falls back to defaults for anything missing or malformed. */
export function normaliseSettings(raw: unknown): ThreatcodeSettings {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const num = (v: unknown, fallback: number, min: number, max: number): number =>
    typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : fallback;
  return {
    maxFileSizeMB: num(r.maxFileSizeMB, DEFAULT_SETTINGS.maxFileSizeMB, 0.1, 256),
    validationDelay: num(r.validationDelay, DEFAULT_SETTINGS.validationDelay, 0, 5000),
    diagramDetailLimit: Math.round(num(r.diagramDetailLimit, DEFAULT_SETTINGS.diagramDetailLimit, 5, 1000)),
    maxDiagnosticsPerFile: Math.round(num(r.maxDiagnosticsPerFile, DEFAULT_SETTINGS.maxDiagnosticsPerFile, 10, 100_000)),
    maxOutlineItems: Math.round(num(r.maxOutlineItems, DEFAULT_SETTINGS.maxOutlineItems, 100, 1_000_000)),
    rulePacks: Array.isArray(r.rulePacks) ? r.rulePacks.filter((p): p is string => typeof p === 'string').slice(0, 50) : [],
    gates:
      typeof r.gates === 'object' && r.gates !== null && !Array.isArray(r.gates)
        ? Object.fromEntries(Object.entries(r.gates).filter(([, v]) => typeof v === 'number' || typeof v === 'boolean'))
        : DEFAULT_SETTINGS.gates,
  };
}

/** Sent by the client in `initialize`. Other editors may omit it; the server then trusts the workspace. */
export interface ThreatcodeInitializationOptions {
  /** VS Code's workspace trust: only built-in rules run in untrusted workspaces. */
  readonly workspaceTrusted?: boolean;
}

/** Client -> server: the user granted workspace trust (VS Code never revokes it without a reload). */
export const WORKSPACE_TRUSTED_NOTIFICATION = 'threatcode/workspaceTrusted';

/** Glob of workspace rule packs, watched by the client. */
export const WORKSPACE_RULE_PACK_GLOB = '**/.threatcode/rules/*.{yaml,yml}';

// ---- Diagram and completeness view -------------------------------------------------------------------------------

/** LSP-style range (0-based lines, UTF-16 characters), declared here so the webview needs no LSP library. */
export interface ViewRange {
  readonly start: { readonly line: number; readonly character: number };
  readonly end: { readonly line: number; readonly character: number };
}

export interface ViewParams {
  readonly uri: string;
  /** Scope completeness to the elements of `system.release`. */
  readonly delivery: boolean;
  /** Show one boundary (and its neighbours) instead of the whole model or the overview. */
  readonly focusBoundary?: string;
  /** Show one element and its neighbourhood (the element under the cursor, in large models). */
  readonly focusElement?: string;
  /** Only the metrics (the status bar): skips building the diagram. */
  readonly metricsOnly?: boolean;
}

export interface ViewItem {
  readonly modelId: string;
  /** The element's id: where clicking the node takes the cursor. */
  readonly range: ViewRange;
  /** The whole element: the cursor anywhere inside highlights the node. */
  readonly extent: ViewRange;
}

/**
 * How many items of each drill-down list (and rows of the STRIDE table) a view carries: what a panel can show and a
 * person can scan. The counts say how many there are in all; the CLI report lists everything. Without the cut a view
 * of a 5,000-component model was 11 MB.
 */
export const VIEW_LIST_LIMIT = 200;

export interface ViewGauge {
  readonly id: string;
  readonly title: string;
  readonly explanation: string;
  readonly done: number;
  readonly total: number;
  readonly ratio: number;
  /** The first VIEW_LIST_LIMIT of what is missing. */
  readonly missing: readonly { readonly message: string; readonly range: ViewRange }[];
  /** How many are missing in all. */
  readonly missingTotal: number;
}

/** What the server computes for the webview. The webview only renders it. */
export interface ViewResult {
  readonly uri: string;
  readonly version: number;
  /** Undefined when the model cannot be analysed at all; the webview keeps its last good diagram. */
  readonly diagram?: {
    readonly mermaid: string;
    readonly nodes: Readonly<Record<string, ViewItem>>;
    readonly edges: readonly ViewItem[];
    readonly overview: boolean;
    readonly boundaries: readonly { readonly id: string; readonly name: string }[];
  };
  readonly metrics?: {
    readonly scope: string;
    readonly gauges: readonly ViewGauge[];
    /** The first VIEW_LIST_LIMIT rows. */
    readonly stride: readonly { readonly element: string; readonly range: ViewRange; readonly cells: Readonly<Record<string, boolean>> }[];
    readonly strideTotal: number;
    readonly residualRisk: Readonly<Record<string, number>>;
    readonly lastReview?: string;
    readonly daysSinceReview?: number;
    readonly gates: readonly { readonly id: string; readonly title: string; readonly passed: boolean; readonly detail: string }[];
  };
  /** Errors that make the model unusable (YAML syntax and the like), shown as a banner. */
  readonly errors: readonly string[];
}

/**
 * V8 options the language server runs with. The heap grows to 1.3× the live data before the next full collection,
 * instead of V8's default of up to 4×: with a 5,000-component model open the server stayed near 480 MB instead of
 * 840 MB (now 320–380 MB), and edits are as fast (docs/performance.md).
 */
export const SERVER_EXEC_ARGV: readonly string[] = ['--heap-growing-percent=30'];

export const VIEW_REQUEST = 'threatcode/view';

/**
 * `threatcode/viewsChanged` (server → client): something other than a document edit changed what views show
 * (settings such as gates or the diagram detail limit, rule packs, workspace trust). Open views ask again.
 */
export const VIEWS_CHANGED_NOTIFICATION = 'threatcode/viewsChanged';

/** `threatcode/status`: what the server holds, for diagnosing memory use. */
export const STATUS_REQUEST = 'threatcode/status';

export interface ServerStatus {
  readonly version: string;
  /** Documents open in the editor. */
  readonly openDocuments: number;
  /** Analyses kept (one per open document at most). */
  readonly cachedAnalyses: number;
  /** Analyses computed since the server started (full or incremental). */
  readonly analysesComputed: number;
  /** V8 heap in use, after a garbage collection when the runtime exposes one (node --expose-gc). */
  readonly heapUsedMB: number;
  /** V8 heap reserved, and memory outside it (buffers): with heapUsedMB, what makes up rssMB. */
  readonly heapTotalMB: number;
  readonly externalMB: number;
  readonly rssMB: number;
  /** The last diagnostics sent: how long the analysis and the conversion to LSP took, in milliseconds. */
  readonly lastPublication?: {
    readonly uri: string;
    readonly version: number;
    readonly analysisMs: number;
    readonly conversionMs: number;
    /** Diagnostics sent (at most threatcode.maxDiagnosticsPerFile) and found. */
    readonly diagnostics: number;
    readonly diagnosticsFound: number;
    /** Whether the analysis reparsed one item instead of the whole text. */
    readonly incremental: boolean;
  };
}

/** Messages from the extension host to the webview. */
export type HostToWebview =
  | { readonly type: 'view'; readonly view: ViewResult }
  | { readonly type: 'highlight'; readonly modelId: string | undefined };

/** Messages from the webview to the extension host. */
export type WebviewToHost =
  | { readonly type: 'ready' }
  | { readonly type: 'reveal'; readonly range: ViewRange }
  /** Nodes and edges as drawn (for the overview: boundaries and the aggregated edges between them). */
  | { readonly type: 'rendered'; readonly nodes: number; readonly edges: number; readonly error?: string }
  | { readonly type: 'exportSvg'; readonly svg: string }
  | { readonly type: 'options'; readonly delivery: boolean; readonly focusBoundary?: string; readonly focusElement?: string };

/** State the webview persists across window reloads. */
export interface WebviewState {
  readonly uri: string;
  readonly delivery: boolean;
  readonly focusBoundary?: string;
  readonly focusElement?: string;
}
