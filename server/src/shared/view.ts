/**
 * What the diagram and completeness webview is shown, and the messages between it and the extension host. Types
 * only (and one limit): the webview bundles this without any LSP library.
 */
import type { GaugeId, GateName, Severity, StrideLetter, VerdictState } from './vocabulary';

/** LSP-style range (0-based lines, UTF-16 characters), declared here so the webview needs no LSP library. */
export interface ViewRange {
  readonly start: { readonly line: number; readonly character: number };
  readonly end: { readonly line: number; readonly character: number };
}

/** How the view is scoped and focused: chosen in the webview, kept in its state. */
export interface ViewOptions {
  /** Scope completeness to the elements of `system.release`, and mark them on the diagram. */
  readonly delivery: boolean;
  /** The boundary overview even when the whole model would fit. */
  readonly overview?: boolean;
  /** Show one boundary (its components, nested boundaries and neighbours). */
  readonly focusBoundary?: string;
  /** Show one element and its neighbourhood. */
  readonly focusElement?: string;
  /** Lay the diagram out left to right (wide panels) or top to bottom (tall ones). */
  readonly direction?: 'LR' | 'TB';
  /** The system of systems: every model of the workspace, and the flows between them. */
  readonly system?: boolean;
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
  /** The file that defines the element when it is imported from another model (its ranges are in that file). */
  readonly uri?: string;
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
  /** null when there is nothing to measure. */
  readonly ratio: number | null;
  /** The first VIEW_LIST_LIMIT of what is missing. */
  /** With `uri` when the item is in an imported model (completeness measured with the imports). */
  readonly missing: readonly {
    readonly message: string;
    readonly range: ViewRange;
    readonly uri?: string;
    readonly details?: readonly string[];
  }[];
  /** How many are missing in all. */
  readonly missingTotal: number;
}

export interface ViewGate {
  readonly id: GateName;
  readonly title: string;
  readonly passed: boolean;
  readonly detail: string;
  /** Why it fails, as a phrase; absent when it passes. */
  readonly reason?: string;
}

/** "Is this delivery complete?" in one line, and the next three things to do, each with where. */
export interface ViewVerdict {
  readonly complete: boolean;
  readonly state: VerdictState;
  readonly text: string;
  /** The text without what was measured and the words its state says, shown beside the state's label. */
  readonly detail: string;
  readonly next: readonly { readonly message: string; readonly range: ViewRange; readonly uri?: string }[];
}

/**
 * A node of the diagram: a component, a boundary (subgraph), a group of components, or (the system of systems) a
 * whole model, whose `uri` is the model's file.
 */
export interface ViewNode extends ViewItem {
  readonly kind: 'external' | 'process' | 'datastore' | 'boundary' | 'group' | 'model';
  /** Plain text for the accessible name. */
  readonly label: string;
  /** Worst open finding or threat: 0 none, 1 low, 2 medium, 3 high, 4 critical. */
  readonly severity: number;
  /** In this delivery (`release` equals `system.release`). */
  readonly delivery: boolean;
  /** The boundary a group opens when activated. */
  readonly drill?: string;
  readonly members?: number;
}

/** A flow drawn one to one; `id` is the Mermaid edge id the rendered path and label carry as data-id. */
export interface ViewEdge extends ViewItem {
  readonly id: string;
  readonly severity: number;
  readonly delivery: boolean;
}

/**
 * Flows between the groups of an overview, by direction: `flows[i][j]` run from `groups[i]` to `groups[j]`. Drawn,
 * nine zones that all call each other are 36 crossing lines whatever the layout; a table answers "who calls whom, how
 * much" at a glance.
 */
export interface BetweenGroups {
  /** Each group's node id in the diagram and its name (a boundary's, or a trust level's). */
  readonly groups: readonly { readonly node: string; readonly name: string }[];
  readonly flows: readonly (readonly number[])[];
}

export interface ViewDiagram {
  readonly mermaid: string;
  readonly nodes: Readonly<Record<string, ViewNode>>;
  readonly edges: readonly ViewEdge[];
  /**
   * What is shown: the whole model, the boundary overview, one boundary, one element's neighbourhood, or the system of
   * systems (every model of the workspace).
   */
  readonly level: 'detail' | 'overview' | 'boundary' | 'element' | 'system';
  /** True for the overview (kept for older callers). */
  readonly overview: boolean;
  /** The focus applied, with names for the breadcrumb. */
  readonly focus: {
    readonly boundary?: { readonly id: string; readonly name: string };
    readonly element?: { readonly id: string; readonly name: string };
  };
  /** Every boundary (for the boundary picker), with its parent. */
  readonly boundaries: readonly { readonly id: string; readonly name: string; readonly parent?: string }[];
  /** The model names a delivery (`system.release`): "This delivery" can mark something. */
  readonly release?: string;
  readonly counts: { readonly components: number; readonly flows: number; readonly modelComponents: number };
  /** An overview too interlinked to draw legibly: its flows between groups as a table. */
  readonly between?: BetweenGroups;
  /** How many models the workspace's system of systems has, when this model imports or is imported by another. */
  readonly systemModels?: number;
}

export interface ViewMetrics {
  readonly scope: string;
  readonly gauges: readonly ViewGauge[];
  /** The first VIEW_LIST_LIMIT rows. */
  readonly stride: readonly {
    readonly element: string;
    readonly range: ViewRange;
    readonly uri?: string;
    readonly cells: Readonly<Partial<Record<StrideLetter, boolean>>>;
  }[];
  readonly strideTotal: number;
  /** Open risks by severity: recorded threats still open, and open findings not recorded yet. */
  readonly residualRisk: Readonly<Record<Severity | 'unrated', number>>;
  /** How many of the open risks are findings not recorded yet. */
  readonly unrecordedRisks: number;
  readonly lastReview?: string;
  readonly daysSinceReview?: number;
  readonly gates: readonly ViewGate[];
  readonly verdict: ViewVerdict;
  /** What could not be measured, and why (no git, an untrusted workspace). */
  readonly notes?: readonly string[];
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
  | { readonly type: 'view'; readonly view: ViewResult }
  | { readonly type: 'highlight'; readonly modelId: string | undefined }
  /** The delivery scope changed elsewhere (the completeness view). */
  | { readonly type: 'delivery'; readonly delivery: boolean };

/** What the webview reports after drawing: nodes and edges as drawn (for the overview: groups and aggregated edges). */
export interface Rendered {
  readonly nodes: number;
  readonly edges: number;
  readonly error?: string;
  /** The level drawn, the zoom, and the size of node labels at that zoom (CSS px): how readable the view is. */
  readonly level?: ViewDiagram['level'];
  readonly scale?: number;
  readonly labelPx?: number;
}

/** Messages from the webview to the extension host. */
export type WebviewToHost =
  /** The webview is ready, with the options it restored from its state. */
  | { readonly type: 'ready'; readonly options?: ViewOptions }
  /** Go to an element: in the model shown, or (with `uri`) in the model that defines it. */
  | { readonly type: 'reveal'; readonly range: ViewRange; readonly uri?: string }
  | ({ readonly type: 'rendered' } & Rendered)
  /** Open another model of the system (its file, and its diagram). */
  | { readonly type: 'openModel'; readonly uri: string }
  | { readonly type: 'exportSvg'; readonly svg: string }
  /** A PNG, base64-encoded. */
  | { readonly type: 'exportPng'; readonly png: string }
  | ({ readonly type: 'options' } & ViewOptions);

/**
 * State the webview persists across tab switches and window reloads. Its `direction` is the panel's preferred one
 * (from its shape); the direction asked of the server can differ per level.
 */
export interface WebviewState extends ViewOptions {
  readonly uri: string;
  /** Zoom and pan of the view with this key (level and focus): restored when the same view comes back. */
  readonly zoom?: { readonly key: string; readonly scale: number; readonly x: number; readonly y: number };
  /**
   * The zoom and pan of the last few views by key, so that coming back to a view (after a tab switch, a drill-down, or
   * an update that showed another view for a moment) finds it as the user left it.
   */
  readonly zooms?: Readonly<Record<string, { readonly scale: number; readonly x: number; readonly y: number }>>;
  /** The legend and the STRIDE table are open. */
  readonly legend?: boolean;
  readonly coverage?: boolean;
}

/** For exhaustive switches over message unions: a new message type that is not handled fails to compile. */
export function assertNever(value: never): never {
  throw new Error(`Unexpected message: ${JSON.stringify(value)}`);
}
