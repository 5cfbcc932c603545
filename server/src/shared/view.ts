/**
 * What the diagram and completeness webview is shown, and the messages between it and the extension host. Types
 * only (and one limit): the webview bundles this without any LSP library.
 */
import type { GaugeId, GateName, Severity, StrideLetter } from './vocabulary';

/** LSP-style range (0-based lines, UTF-16 characters), declared here so the webview needs no LSP library. */
export interface ViewRange {
  readonly start: { readonly line: number; readonly character: number };
  readonly end: { readonly line: number; readonly character: number };
}

/** How the view is scoped and focused: chosen in the webview, kept in its state. */
export interface ViewOptions {
  /** Scope completeness to the elements of `system.release`. */
  readonly delivery: boolean;
  /** Show one boundary (and its neighbours) instead of the whole model or the overview. */
  readonly focusBoundary?: string;
  /** Show one element and its neighbourhood (the element under the cursor, in large models). */
  readonly focusElement?: string;
}

export interface ViewParams extends ViewOptions {
  readonly uri: string;
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
  readonly id: GaugeId;
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

export interface ViewGate {
  readonly id: GateName;
  readonly title: string;
  readonly passed: boolean;
  readonly detail: string;
}

export interface ViewDiagram {
  readonly mermaid: string;
  readonly nodes: Readonly<Record<string, ViewItem>>;
  readonly edges: readonly ViewItem[];
  readonly overview: boolean;
  readonly boundaries: readonly { readonly id: string; readonly name: string }[];
}

export interface ViewMetrics {
  readonly scope: string;
  readonly gauges: readonly ViewGauge[];
  /** The first VIEW_LIST_LIMIT rows. */
  readonly stride: readonly {
    readonly element: string;
    readonly range: ViewRange;
    readonly cells: Readonly<Partial<Record<StrideLetter, boolean>>>;
  }[];
  readonly strideTotal: number;
  readonly residualRisk: Readonly<Record<Severity | 'unrated', number>>;
  readonly lastReview?: string;
  readonly daysSinceReview?: number;
  readonly gates: readonly ViewGate[];
}

/** What the server computes for the webview. The webview only renders it. */
export interface ViewResult {
  readonly uri: string;
  readonly version: number;
  /** Undefined when the model cannot be analysed at all; the webview keeps its last good diagram. */
  readonly diagram?: ViewDiagram;
  readonly metrics?: ViewMetrics;
  /** Errors that make the model unusable (YAML syntax and the like), shown as a banner. */
  readonly errors: readonly string[];
}

/** Messages from the extension host to the webview. */
export type HostToWebview =
  { readonly type: 'view'; readonly view: ViewResult } | { readonly type: 'highlight'; readonly modelId: string | undefined };

/** What the webview reports after drawing: nodes and edges as drawn (for the overview: boundaries and aggregated edges). */
export interface Rendered {
  readonly nodes: number;
  readonly edges: number;
  readonly error?: string;
}

/** Messages from the webview to the extension host. */
export type WebviewToHost =
  | { readonly type: 'ready' }
  | { readonly type: 'reveal'; readonly range: ViewRange }
  | ({ readonly type: 'rendered' } & Rendered)
  | { readonly type: 'exportSvg'; readonly svg: string }
  | ({ readonly type: 'options' } & ViewOptions);

/** State the webview persists across window reloads. */
export interface WebviewState extends ViewOptions {
  readonly uri: string;
}

/** For exhaustive switches over message unions: a new message type that is not handled fails to compile. */
export function assertNever(value: never): never {
  throw new Error(`Unexpected message: ${JSON.stringify(value)}`);
}
