/**
 * The data-flow diagram as Mermaid flowchart source, at one of four levels of detail:
 *
 * - detail: every component, nested dashed boundaries, every flow (models up to the detail limit);
 * - overview: one node per boundary (nested boundaries drawn inside their parents), flows aggregated per pair;
 * - boundary: one boundary's own components, its nested boundaries (collapsed when large) and its neighbours
 *   collapsed into one node per boundary;
 * - element: one component (or a flow's two ends) and the components it exchanges data with.
 *
 * DFD conventions: externals are rectangles, processes rounded, data stores cylinders, groups of components double-
 * bordered, trust boundaries dashed. Every model string is encoded so that no text can become Mermaid syntax
 * (directives, click handlers, links) or HTML. The nodes and edges carry what the panel needs to make them
 * interactive: the element, its worst open severity, whether it is in this delivery, and where a group drills to.
 */
import { type Analysis, systemModel } from './analyze';
import { originsOf } from './imports';
import type { Element, Span, ThreatModel } from '../model/types';
import { DEFAULT_SETTINGS } from '../shared/settings';
import { isOpenThreatStatus, severityWeight } from '../shared/vocabulary';
import type { BetweenGroups } from '../shared/view';

export interface DiagramElement {
  readonly modelId: string;
  /** The element's id, where "reveal" goes. */
  readonly span: Span;
  /** The whole element, for "which element is the cursor in". */
  readonly extent: Span;
  /** The file that defines the element, when it is imported from another model (its spans are in that file). */
  readonly uri?: string;
}

export type DiagramLevel = 'detail' | 'overview' | 'boundary' | 'element' | 'system';
export type DiagramNodeKind = 'external' | 'process' | 'datastore' | 'boundary' | 'group' | 'model';

export interface DiagramNode extends DiagramElement {
  readonly kind: DiagramNodeKind;
  /** Plain text, for accessible names and tooltips (the Mermaid label is encoded). */
  readonly label: string;
  /** Worst open finding or open threat: 0 none, 1 low … 4 critical; a group's is its members' worst. */
  readonly severity: number;
  /** The element is in this delivery (`release` equals `system.release`); a group when any member is. */
  readonly delivery: boolean;
  /** The boundary a group or overview node opens when activated. */
  readonly drill?: string;
  /** How many components a group stands for. */
  readonly members?: number;
}

export interface DiagramEdge extends DiagramElement {
  /** The Mermaid edge id (`e0`, `e1`, …): the rendered path and label carry it as data-id. */
  readonly id: string;
  readonly severity: number;
  readonly delivery: boolean;
}

export interface Diagram {
  readonly mermaid: string;
  /** Diagram node or subgraph id -> what it shows. */
  readonly nodes: Readonly<Record<string, DiagramNode>>;
  /** The flows drawn one to one, in order of appearance (aggregated edges between groups are not listed). */
  readonly edges: readonly DiagramEdge[];
  readonly level: DiagramLevel;
  /** True when the model was too large (or the overview was asked for) and boundaries are shown instead of components. */
  readonly overview: boolean;
  /** The focus actually applied (an unknown id is ignored). */
  readonly focus: { readonly boundary?: string; readonly element?: string };
  readonly counts: { readonly components: number; readonly flows: number };
  /** An overview whose groups nearly all exchange data: how many flows run between each two of them, as a table. */
  readonly between?: BetweenGroups;
}

/**
 * Above this many components (or twice as many flows) the overview is shown (`threatcode.diagramDetailLimit`).
 * Mermaid's layout grows with the graph: measured in headless Chromium on two slow cores, 30 components and 60 flows
 * take about 0.5 s, 40 and 80 about 0.9 s, 50 and 100 over a second (docs/performance.md). The panel re-renders on
 * every edit, so the default keeps it well under a second.
 */
export const DEFAULT_DETAIL_LIMIT = DEFAULT_SETTINGS.diagramDetailLimit;

export interface DiagramOptions {
  /** Above this many components the overview is shown; it also bounds the overview's own nodes. */
  readonly maxNodes?: number;
  /** Above this many flows the overview is shown (default: twice maxNodes). */
  readonly maxEdges?: number;
  /** The overview even when the whole model would fit. */
  readonly overview?: boolean;
  /** One boundary: its components, nested boundaries and neighbours. */
  readonly focusBoundary?: string;
  /** One element (a component, or a flow's two ends) and the components it exchanges data with. */
  readonly focusElement?: string;
  /** Left to right (wide panels) or top to bottom (tall ones). */
  readonly direction?: 'LR' | 'TB';
  /**
   * Severity colours as Mermaid classDef styles, for reports read outside the editor (default). The panel asks for
   * unstyled source and colours the nodes from the theme, so that its highlight can win over them.
   */
  readonly styled?: boolean;
}

const SEVERITY_CLASS = ['', 'sevLow', 'sevMedium', 'sevHigh', 'sevCritical'];

/**
 * Makes text safe inside a quoted Mermaid label. Labels render as plain SVG text (htmlLabels off), where Mermaid's
 * entity codes would show literally, so the few characters that could end the quoted string, start a directive or
 * comment (%%), an entity (#) or markup are replaced by look-alikes instead of being encoded. Line breaks and control
 * characters become spaces: no text can start a new Mermaid statement.
 */
const LOOK_ALIKE: Readonly<Record<string, string>> = {
  '"': '\u201d',
  '#': '\uff03',
  '%': '\uff05',
  '<': '\u2039',
  '>': '\u203a',
  '&': '\uff06',
  '`': '\u02cb',
  '\\': '\uff3c',
};

/**
 * The most characters a drawn label has: Mermaid's text wrapping costs more than linear in a label's length (50,000
 * characters took 42 s to draw). The full text is the node's accessible name and tooltip.
 */
export const MAX_LABEL_LENGTH = 80;

export function mermaidText(text: string): string {
  let out = text.replace(/[\p{Cc}\u2028\u2029\s]+/gu, ' ').trim();
  const chars = [...out];
  if (chars.length > MAX_LABEL_LENGTH) out = `${chars.slice(0, MAX_LABEL_LENGTH - 1).join('')}…`;
  out = out.replace(/["#%<>&`\\]/g, (c) => LOOK_ALIKE[c]);
  return out || ' ';
}

/** How deep boundaries are drawn inside each other; deeper ones are drawn beside the last level (Mermaid's layout time
 * grows steeply with nesting: 200 levels did not render in 30 s). */
export const MAX_DRAWN_NESTING = 12;

/** Appends to the list under `key`, creating it: one list per key, never copied. */
function addTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Plain one-line text for accessible names: control characters and line breaks become spaces. */
function plain(text: string): string {
  return text.replace(/[\p{Cc}\u2028\u2029\s]+/gu, ' ').trim();
}

const NO_BOUNDARY = '\u0000none';
/** A boundary view expands nested boundaries while its whole subtree has at most this many components. */
const BOUNDARY_EXPAND_FACTOR = 2;

type Component = Element<'components'>;
type Flow = Element<'flows'>;
type Boundary = Element<'boundaries'>;

/** What every level needs: the model's boundaries as a tree, severities and delivery membership. */
class Context {
  readonly boundaries: Map<string, Boundary>;
  readonly children = new Map<string | undefined, string[]>();
  private readonly worst = new Map<string, number>();
  private readonly release: string | undefined;
  private readonly components: Map<string, Component>;

  /** The file of an imported element; undefined for the model's own. */
  readonly importedFrom: (e: Element | undefined) => string | undefined;

  constructor(readonly analysis: Analysis) {
    // The model with what it imports: a flow from the platform's gateway draws the gateway, in the platform's zone.
    const model = systemModel(analysis)!;
    this.importedFrom = analysis.imports ? originsOf(analysis.imports) : () => undefined;
    this.boundaries = new Map(model.boundaries.map((b) => [b.id, b]));
    for (const b of model.boundaries) {
      const p = b.data.parent;
      const parent = typeof p === 'string' && this.boundaries.has(p) && p !== b.id ? p : undefined;
      addTo(this.children, parent, b.id);
    }
    const bump = (id: string, severity: unknown) => this.worst.set(id, Math.max(this.worst.get(id) ?? 0, severityWeight(severity)));
    for (const f of analysis.findings) if (f.status === 'open') bump(f.elementId, f.rule.severity);
    for (const t of model.threats)
      if (isOpenThreatStatus(t.data.status)) for (const target of t.data.targets ?? []) bump(target, t.data.severity);
    this.release = typeof model.system?.release === 'string' ? model.system.release : undefined;
    this.components = new Map(model.components.map((c) => [c.id, c]));
  }

  component(id: string): Component | undefined {
    return this.components.get(id);
  }

  severity(id: string): number {
    return this.worst.get(id) ?? 0;
  }

  inDelivery(e: Element): boolean {
    return this.release !== undefined && (e.data as { release?: unknown }).release === this.release;
  }

  boundaryOf(c: Component): string {
    return typeof c.data.boundary === 'string' && this.boundaries.has(c.data.boundary) ? c.data.boundary : NO_BOUNDARY;
  }

  /** The boundary and everything nested in it (cycles cut). */
  subtree(root: string): Set<string> {
    const inside = new Set<string>();
    const stack = [root];
    while (stack.length) {
      const b = stack.pop()!;
      if (inside.has(b)) continue;
      inside.add(b);
      stack.push(...(this.children.get(b) ?? []));
    }
    return inside;
  }

  private readonly roots = new Map<string, string>();

  /** The outermost boundary around `id` (cycles cut); remembered for every boundary on the way, so each is walked once. */
  rootOf(id: string): string {
    const known = this.roots.get(id);
    if (known !== undefined) return known;
    const chain: string[] = [];
    const seen = new Set<string>();
    let current = id;
    let root: string | undefined;
    for (;;) {
      const cached = this.roots.get(current);
      if (cached !== undefined) {
        root = cached;
        break;
      }
      chain.push(current);
      seen.add(current);
      const parent = this.boundaries.get(current)?.data.parent;
      if (typeof parent !== 'string' || !this.boundaries.has(parent) || seen.has(parent)) {
        root = current;
        break;
      }
      current = parent;
    }
    for (const b of chain) this.roots.set(b, root);
    return root;
  }

  boundaryName(id: string): string {
    const b = this.boundaries.get(id);
    return b ? `${String(b.data.name ?? b.id)} (${String(b.data.trust ?? '?')})` : 'No boundary';
  }
}

/** Builds the Mermaid source and the node and edge maps, line by line. */
class Writer {
  readonly lines: string[];
  readonly nodes: Record<string, DiagramNode> = {};
  readonly edges: DiagramEdge[] = [];
  private readonly classes: string[] = [];
  private aggregated = 0;

  constructor(
    private readonly ctx: Context,
    readonly direction: 'LR' | 'TB',
    private readonly styled: boolean,
  ) {
    this.lines = [`flowchart ${direction}`];
    if (styled) {
      this.lines.push('  classDef boundary fill:none,stroke-dasharray:6 4');
      this.lines.push('  classDef sevLow stroke:#3a7d44,stroke-width:2px');
      this.lines.push('  classDef sevMedium stroke:#c98a00,stroke-width:2px');
      this.lines.push('  classDef sevHigh stroke:#d1495b,stroke-width:3px');
      this.lines.push('  classDef sevCritical stroke:#8b0000,stroke-width:4px');
      this.lines.push('  classDef imported stroke-dasharray:4 3,opacity:0.8');
    }
  }

  private at(e: Element): DiagramElement {
    const uri = this.ctx.importedFrom(e);
    return { modelId: e.id, span: e.idSpan ?? e.span, extent: e.span, ...(uri && { uri }) };
  }

  private severityClass(id: string, severity: number): void {
    if (severity > 0) this.classes.push(`  class ${id} ${SEVERITY_CLASS[severity]}`);
  }

  component(id: string, c: Component, indent: string): void {
    const name = String(c.data.name ?? c.id);
    const label = mermaidText(name);
    const kind: DiagramNodeKind = c.data.type === 'datastore' ? 'datastore' : c.data.type === 'external' ? 'external' : 'process';
    const severity = this.ctx.severity(c.id);
    this.nodes[id] = { ...this.at(c), kind, label: plain(name), severity, delivery: this.ctx.inDelivery(c) };
    this.lines.push(
      kind === 'datastore'
        ? `${indent}${id}[("${label}")]`
        : kind === 'external'
          ? `${indent}${id}["${label}"]`
          : `${indent}${id}("${label}")`,
    );
    this.severityClass(id, severity);
    if (this.styled && this.nodes[id].uri) this.classes.push(`  class ${id} imported`);
  }

  /** A node standing for several components: a boundary's, or its neighbours'. Activating it opens `drill`. */
  group(id: string, text: string, members: readonly Component[], boundary: Boundary | undefined, indent: string): void {
    const severity = Math.max(0, ...members.map((m) => this.ctx.severity(m.id)));
    const delivery = members.some((m) => this.ctx.inDelivery(m));
    const span = boundary ? this.at(boundary) : { modelId: '', span: { start: 0, end: 0 }, extent: { start: 0, end: 0 } };
    this.nodes[id] = { ...span, kind: 'group', label: plain(text), severity, delivery, drill: boundary?.id, members: members.length };
    this.lines.push(`${indent}${id}[["${mermaidText(text)}"]]`);
    this.severityClass(id, severity);
  }

  openBoundary(id: string, b: Boundary, indent: string): void {
    this.nodes[id] = {
      ...this.at(b),
      kind: 'boundary',
      label: plain(this.ctx.boundaryName(b.id)),
      severity: this.ctx.severity(b.id),
      delivery: this.ctx.inDelivery(b),
    };
    this.lines.push(`${indent}subgraph ${id}["${mermaidText(this.ctx.boundaryName(b.id))}"]`);
    this.classes.push(`  class ${id} boundary`);
  }

  flow(from: string, to: string, f: Flow): void {
    const id = `e${this.edges.length}`;
    const label = [f.data.name, f.data.protocol].filter((x) => typeof x === 'string' && x).join(' · ');
    const arrow = f.data.bidirectional === true ? '<-->' : '-->';
    this.lines.push(label ? `  ${from} ${id}@${arrow}|"${mermaidText(label)}"| ${to}` : `  ${from} ${id}@${arrow} ${to}`);
    const severity = this.ctx.severity(f.id);
    this.edges.push({ ...this.at(f), id, severity, delivery: this.ctx.inDelivery(f) });
    if (this.styled && severity >= 3)
      this.classes.push(
        `  linkStyle ${this.edges.length - 1 + this.aggregated} stroke:${severity === 4 ? '#8b0000' : '#d1495b'},stroke-width:2px`,
      );
  }

  /** Flows between groups, counted: one edge per pair and direction. */
  /**
   * The flows between two nodes as one edge, with an arrow at each end when they run both ways. Unlabelled (`weight`
   * given, 1–4), its width says how many flows it stands for: in a dense overview the labels were what spread the
   * layout into a hairball.
   */
  aggregate(from: string, to: string, flows: readonly Flow[], bothWays: boolean, weight?: number): void {
    const index = this.edges.length + this.aggregated;
    const id = `a${this.aggregated++}`;
    const text =
      weight !== undefined
        ? ''
        : flows.length === 1
          ? [flows[0].data.name, flows[0].data.protocol].filter((x) => typeof x === 'string' && x).join(' · ')
          : `${flows.length} flows`;
    const arrow = bothWays ? '<-->' : '-->';
    this.lines.push(text ? `  ${from} ${id}@${arrow}|"${mermaidText(text)}"| ${to}` : `  ${from} ${id}@${arrow} ${to}`);
    if (weight !== undefined) this.classes.push(`  linkStyle ${index} stroke-width:${weight}px`);
  }

  done(): string {
    return [...this.lines, ...this.classes].join('\n');
  }
}

interface Grouping {
  /** The group key of a component: a boundary id, or a trust level, or NO_BOUNDARY. */
  of(c: Component): string;
  label(key: string): string;
  /** The boundary a group stands for, when it stands for one. */
  boundary(key: string): string | undefined;
  /** Whether groups nest as their boundaries do. */
  readonly nested: boolean;
}

/** The coarsest grouping that keeps the overview within `max` nodes. */
function overviewGrouping(ctx: Context, components: readonly Component[], max: number): Grouping {
  const own = (c: Component) => ctx.boundaryOf(c);
  const trustOf = (id: string) => (id === NO_BOUNDARY ? 'untrusted' : String(ctx.boundaries.get(id)?.data.trust ?? 'untrusted'));
  const distinct = (f: (c: Component) => string) => new Set(components.map(f)).size;
  const asBoundary = (key: string) => (ctx.boundaries.has(key) ? key : undefined);
  if (distinct(own) <= max) return { of: own, label: (key) => ctx.boundaryName(key), boundary: asBoundary, nested: true };
  const root = (c: Component) => (own(c) === NO_BOUNDARY ? NO_BOUNDARY : ctx.rootOf(own(c)));
  if (distinct(root) <= max) {
    const nested = new Map<string, number>();
    for (const b of ctx.boundaries.keys()) if (ctx.rootOf(b) !== b) nested.set(ctx.rootOf(b), (nested.get(ctx.rootOf(b)) ?? 0) + 1);
    return {
      of: root,
      label: (key) => `${ctx.boundaryName(key)}${nested.get(key) ? ` and ${nested.get(key)} nested` : ''}`,
      boundary: asBoundary,
      nested: false,
    };
  }
  return {
    of: (c) => `\u0000trust:${trustOf(root(c))}`,
    label: (key) => `All ${key.slice('\u0000trust:'.length)} zones`,
    boundary: () => undefined,
    nested: false,
  };
}

export function buildDiagram(analysis: Analysis, options: DiagramOptions = {}): Diagram {
  const model = analysis.parsed.model;
  const direction = options.direction ?? 'LR';
  if (!model) {
    return {
      mermaid: `flowchart ${direction}`,
      nodes: {},
      edges: [],
      level: 'detail',
      overview: false,
      focus: {},
      counts: { components: 0, flows: 0 },
    };
  }
  const ctx = new Context(analysis);
  const w = new Writer(ctx, direction, options.styled ?? true);
  const maxNodes = options.maxNodes ?? DEFAULT_DETAIL_LIMIT;
  const components = [...model.components, ...importedEnds(model, ctx)];
  const flows = [...model.flows];

  const result = (
    level: DiagramLevel,
    focus: Diagram['focus'],
    shown: { components: number; flows: number },
    between?: BetweenGroups,
  ): Diagram => ({
    mermaid: w.done(),
    nodes: w.nodes,
    edges: w.edges,
    level,
    overview: level === 'overview',
    focus,
    counts: shown,
    ...(between && { between }),
  });

  // One element and its neighbours.
  if (options.focusElement) {
    const flow = flows.find((f) => f.id === options.focusElement);
    const centre = new Set(flow ? [String(flow.data.from), String(flow.data.to)] : [options.focusElement]);
    if (components.some((c) => centre.has(c.id))) {
      const near = flows.filter((f) => centre.has(String(f.data.from)) || centre.has(String(f.data.to)));
      const ids = new Set([...centre, ...near.flatMap((f) => [String(f.data.from), String(f.data.to)])]);
      const shown = components.filter((c) => ids.has(c.id));
      drawDetail(ctx, w, shown, near);
      return result('element', { element: options.focusElement }, { components: shown.length, flows: near.length });
    }
  }

  // One boundary: its components, nested boundaries and neighbours.
  if (options.focusBoundary && ctx.boundaries.has(options.focusBoundary)) {
    return drawBoundary(ctx, w, components, flows, options.focusBoundary, maxNodes, result);
  }

  const tooLarge = components.length > maxNodes || flows.length > (options.maxEdges ?? 2 * maxNodes);
  if (options.overview || tooLarge) {
    const between = drawOverview(ctx, w, components, flows, overviewGrouping(ctx, components, maxNodes));
    return result('overview', {}, { components: components.length, flows: flows.length }, between);
  }
  drawDetail(ctx, w, components, flows);
  return result('detail', {}, { components: components.length, flows: flows.length });
}

/**
 * The imported components this model's flows start or end at: drawn (marked as imported) so that a service's flow
 * from the platform's gateway has both ends. The rest of the imported models is theirs to draw.
 */
function importedEnds(model: ThreatModel, ctx: Context): Component[] {
  const own = new Set(model.components.map((c) => c.id));
  const out = new Map<string, Component>();
  for (const f of model.flows)
    for (const end of [f.data.from, f.data.to]) {
      if (typeof end !== 'string' || own.has(end) || out.has(end)) continue;
      const c = ctx.component(end);
      if (c) out.set(end, c);
    }
  return [...out.values()];
}

/** Components inside their boundaries (nested subgraphs), and the flows between them. */
function drawDetail(ctx: Context, w: Writer, components: readonly Component[], flows: readonly Flow[]): void {
  const nodeId = new Map<string, string>();
  components.forEach((c, i) => nodeId.set(c.id, `n${i}`));
  const inBoundary = new Map<string, Component[]>();
  for (const c of components) addTo(inBoundary, ctx.boundaryOf(c), c);
  const subgraphs = new Map<string, string>();
  // Boundaries with something to draw: those holding components, and every boundary around them (each walked once).
  const contentful = new Set<string>();
  for (const b of inBoundary.keys()) {
    let current: unknown = b;
    while (typeof current === 'string' && ctx.boundaries.has(current) && !contentful.has(current)) {
      contentful.add(current);
      current = ctx.boundaries.get(current)?.data.parent;
    }
  }
  const hasContent = (b: string) => contentful.has(b);
  // Iterative (a 5,000-level chain overflowed the stack), and nested at most MAX_DRAWN_NESTING deep.
  const emit = (root: string, rootIndent: string) => {
    const stack: ({ open: string; indent: string; depth: number } | { close: string })[] = [{ open: root, indent: rootIndent, depth: 1 }];
    while (stack.length) {
      const item = stack.pop()!;
      if ('close' in item) {
        w.lines.push(`${item.close}end`);
        continue;
      }
      const { open: b, indent, depth } = item;
      if (subgraphs.has(b)) continue;
      subgraphs.set(b, `s${subgraphs.size}`);
      w.openBoundary(subgraphs.get(b)!, ctx.boundaries.get(b)!, indent);
      for (const c of inBoundary.get(b) ?? []) w.component(nodeId.get(c.id)!, c, `${indent}  `);
      const children = (ctx.children.get(b) ?? []).filter(hasContent);
      if (depth < MAX_DRAWN_NESTING) {
        stack.push({ close: indent });
        for (let i = children.length - 1; i >= 0; i--) stack.push({ open: children[i], indent: `${indent}  `, depth: depth + 1 });
      } else {
        // Too deep: close this level, and draw what is inside it beside it, at the same depth.
        stack.push(...children.map((c) => ({ open: c, indent, depth })).reverse());
        stack.push({ close: indent });
      }
    }
  };
  // Subgraphs, nested by `parent`; cycles are cut (the checks report them).
  for (const root of ctx.children.get(undefined) ?? []) if (hasContent(root)) emit(root, '  ');
  for (const b of ctx.boundaries.keys()) if (!subgraphs.has(b) && hasContent(b)) emit(b, '  ');
  for (const c of inBoundary.get(NO_BOUNDARY) ?? []) w.component(nodeId.get(c.id)!, c, '  ');
  for (const f of flows) {
    const from = nodeId.get(String(f.data.from));
    const to = nodeId.get(String(f.data.to));
    if (from && to) w.flow(from, to, f);
  }
}

/** One node per group; groups that stand for nested boundaries are drawn inside their parents. */
/** Draws the overview; returns the table of flows between its groups when they are too interlinked to draw legibly. */
function drawOverview(
  ctx: Context,
  w: Writer,
  components: readonly Component[],
  flows: readonly Flow[],
  group: Grouping,
): BetweenGroups | undefined {
  const members = new Map<string, Component[]>();
  for (const c of components) addTo(members, group.of(c), c);
  const ids = new Map<string, string>();
  for (const key of members.keys()) ids.set(key, `g${ids.size}`);
  const node = (key: string, indent: string) => {
    const list = members.get(key) ?? [];
    const boundary = group.boundary(key);
    w.group(
      ids.get(key)!,
      `${group.label(key)} · ${list.length} components`,
      list,
      boundary ? ctx.boundaries.get(boundary) : undefined,
      indent,
    );
  };
  if (group.nested) {
    // A boundary with nested groups becomes a subgraph holding its own group and its children.
    // Boundaries with a group at or below them, each walked once (a subtree per boundary was quadratic in the depth).
    const withMembers = new Set<string>();
    for (const key of members.keys()) {
      let current: unknown = key;
      while (typeof current === 'string' && ctx.boundaries.has(current) && !withMembers.has(current)) {
        withMembers.add(current);
        current = ctx.boundaries.get(current)?.data.parent;
      }
    }
    const hasMembers = (b: string): boolean => withMembers.has(b);
    const parents = new Set<string>();
    for (const key of members.keys()) {
      // Stops at a boundary already known as a parent: everything above it is known too.
      let p = ctx.boundaries.get(key)?.data.parent;
      while (typeof p === 'string' && ctx.boundaries.has(p) && !parents.has(p)) {
        parents.add(p);
        p = ctx.boundaries.get(p)?.data.parent;
      }
    }
    let subgraphs = 0;
    const emitted = new Set<string>();
    // Iterative, nested at most MAX_DRAWN_NESTING deep (deeper groups are drawn beside the last level).
    const emit = (root: string, rootIndent: string) => {
      const stack: ({ open: string; indent: string; depth: number } | { close: string })[] = [{ open: root, indent: rootIndent, depth: 1 }];
      while (stack.length) {
        const item = stack.pop()!;
        if ('close' in item) {
          w.lines.push(`${item.close}end`);
          continue;
        }
        const { open: b, indent, depth } = item;
        if (emitted.has(b) || !hasMembers(b)) continue;
        emitted.add(b);
        if (!parents.has(b)) {
          node(b, indent);
          continue;
        }
        w.openBoundary(`s${subgraphs++}`, ctx.boundaries.get(b)!, indent);
        if (members.has(b)) node(b, `${indent}  `);
        const children = ctx.children.get(b) ?? [];
        if (depth < MAX_DRAWN_NESTING) {
          stack.push({ close: indent });
          for (let i = children.length - 1; i >= 0; i--) stack.push({ open: children[i], indent: `${indent}  `, depth: depth + 1 });
        } else {
          stack.push(...children.map((c) => ({ open: c, indent, depth })).reverse());
          stack.push({ close: indent });
        }
      }
    };
    for (const root of ctx.children.get(undefined) ?? []) emit(root, '  ');
    for (const b of ctx.boundaries.keys()) emit(b, '  ');
    if (members.has(NO_BOUNDARY)) node(NO_BOUNDARY, '  ');
  } else {
    for (const key of members.keys()) node(key, '  ');
  }
  const nodeOf = (id: string) => {
    const c = ctx.component(id);
    return c ? ids.get(group.of(c)) : undefined;
  };
  if (!aggregateFlows(w, flows, nodeOf, () => undefined)) return undefined;
  const index = new Map([...ids.values()].map((node, i) => [node, i]));
  const table = [...ids.values()].map(() => new Array<number>(ids.size).fill(0));
  for (const f of flows) {
    const from = index.get(nodeOf(String(f.data.from)) ?? '');
    const to = index.get(nodeOf(String(f.data.to)) ?? '');
    if (from !== undefined && to !== undefined && from !== to) table[from][to]++;
  }
  return { groups: [...ids].map(([key, node]) => ({ node, name: group.label(key) })), flows: table };
}

/**
 * Draws each flow between two drawn components as itself, and the others once per pair of nodes whichever way they
 * run, counted: nine zones that all call each other are 36 edges, not 72 (the overview of a large model was a
 * hairball). `nodeOf` maps a component id to its node; `componentNode` says whether that node is the component itself.
 * Returns whether the pairs were too many to label (drawn by width instead).
 */
function aggregateFlows(
  w: Writer,
  flows: readonly Flow[],
  nodeOf: (componentId: string) => string | undefined,
  componentNode: (componentId: string) => string | undefined,
): boolean {
  // Per pair of nodes, in the direction of its first flow: the flows, and whether any runs the other way.
  const pairs = new Map<string, { from: string; to: string; flows: Flow[]; bothWays: boolean }>();
  for (const f of flows) {
    const fromC = componentNode(String(f.data.from));
    const toC = componentNode(String(f.data.to));
    if (fromC && toC) {
      w.flow(fromC, toC, f);
      continue;
    }
    const from = nodeOf(String(f.data.from));
    const to = nodeOf(String(f.data.to));
    if (!from || !to || from === to) continue;
    const key = from < to ? `${from} ${to}` : `${to} ${from}`;
    const pair = pairs.get(key);
    if (!pair) pairs.set(key, { from, to, flows: [f], bothWays: false });
    else {
      pair.flows.push(f);
      if (pair.from !== from) pair.bothWays = true;
    }
  }
  // More pairs than twice the nodes they join: drawn without labels, their width by their number of flows.
  const nodes = new Set([...pairs.values()].flatMap((p) => [p.from, p.to])).size;
  const dense = pairs.size > 2 * nodes;
  const most = Math.max(1, ...[...pairs.values()].map((p) => p.flows.length));
  for (const { from, to, flows: list, bothWays } of pairs.values())
    w.aggregate(from, to, list, bothWays, dense ? 1 + Math.round((3 * list.length) / most) : undefined);
  return dense;
}

/**
 * One boundary: its own components always; its nested boundaries expanded while the whole subtree is small, else one
 * group per nested boundary; every component outside that exchanges data with it, collapsed into one group per
 * boundary.
 */
function drawBoundary(
  ctx: Context,
  w: Writer,
  components: readonly Component[],
  flows: readonly Flow[],
  focus: string,
  maxNodes: number,
  result: (level: DiagramLevel, focus: Diagram['focus'], shown: { components: number; flows: number }) => Diagram,
): Diagram {
  const subtree = ctx.subtree(focus);
  const inSubtree = components.filter((c) => subtree.has(ctx.boundaryOf(c)));
  const expand = inSubtree.length <= BOUNDARY_EXPAND_FACTOR * maxNodes;
  const drawn = expand ? inSubtree : inSubtree.filter((c) => ctx.boundaryOf(c) === focus);
  const drawnIds = new Set(drawn.map((c) => c.id));
  const nodeId = new Map<string, string>();
  drawn.forEach((c, i) => nodeId.set(c.id, `n${i}`));

  // Which group a component not drawn belongs to: its nested boundary's child of `focus`, or its boundary outside;
  // when the neighbours sit in more boundaries than the detail limit, their top-level boundaries.
  const childOf = new Map<string, string>();
  for (const child of ctx.children.get(focus) ?? []) for (const b of ctx.subtree(child)) childOf.set(b, child);
  const inside = (id: string) => {
    const c = ctx.component(id);
    return c !== undefined && subtree.has(ctx.boundaryOf(c));
  };
  const shownFlows = flows.filter((f) => inside(String(f.data.from)) || inside(String(f.data.to)));
  const involved = new Set(shownFlows.flatMap((f) => [String(f.data.from), String(f.data.to)]));
  const outsideBoundaries = new Set<string>();
  for (const id of involved) {
    const c = ctx.component(id);
    if (c && !inside(id)) outsideBoundaries.add(ctx.boundaryOf(c));
  }
  const outsideKey = (b: string) => (outsideBoundaries.size > maxNodes && b !== NO_BOUNDARY ? ctx.rootOf(b) : b);
  const groupKey = (c: Component) =>
    subtree.has(ctx.boundaryOf(c)) ? `in:${childOf.get(ctx.boundaryOf(c)) ?? focus}` : `out:${outsideKey(ctx.boundaryOf(c))}`;
  const groupMembers = new Map<string, Component[]>();
  for (const c of components) {
    if (drawnIds.has(c.id)) continue;
    const key = groupKey(c);
    // Nested groups are drawn whether or not they exchange data; outside groups only when they do.
    if (key.startsWith('out:') && !involved.has(c.id)) continue;
    addTo(groupMembers, key, c);
  }
  const groupId = new Map<string, string>();
  for (const key of groupMembers.keys()) groupId.set(key, `g${groupId.size}`);

  // The boundary's own components are the subject: flows between two groups (nested boundaries talking to each other
  // or to the outside) are drawn when that group is opened, not here.
  const groupOf = (id: string) => {
    const c = ctx.component(id);
    return c ? groupId.get(groupKey(c)) : undefined;
  };
  const nodeOf = (id: string) => nodeId.get(id) ?? groupOf(id);
  const own = shownFlows.filter((f) => nodeId.has(String(f.data.from)) || nodeId.has(String(f.data.to)));
  const crossing = new Set(own.filter((f) => !inside(String(f.data.from)) || !inside(String(f.data.to))));
  // A boundary whose components each talk to many others outside (an estate where every zone calls every zone) would
  // be a tangle of one edge per component and neighbour: its crossing flows are then drawn from the boundary itself,
  // one counted edge per neighbouring group; Around cursor shows one component's own neighbours.
  const pairs = new Set([...crossing].map((f) => `${nodeOf(String(f.data.from))} ${nodeOf(String(f.data.to))}`));
  const ends = new Set([...crossing].flatMap((f) => [nodeOf(String(f.data.from)), nodeOf(String(f.data.to))]));
  const tangled = pairs.size > 2 * ends.size;

  // The focused boundary's subgraph: its components (nested subgraphs when expanded) and its nested groups. Linked as a
  // whole, Mermaid lays it out on its own and would turn it across the drawing: it keeps the drawing's direction.
  w.openBoundary('s0', ctx.boundaries.get(focus)!, '  ');
  if (tangled) w.lines.push(`    direction ${w.direction}`);
  let subgraphs = 1;
  const drawnIn = new Map<string, Component[]>();
  for (const c of drawn) addTo(drawnIn, ctx.boundaryOf(c), c);
  // Boundaries of the subtree with components of the subtree in them or below them, each walked once.
  const holding = new Set<string>();
  for (const c of inSubtree) {
    let current: unknown = ctx.boundaryOf(c);
    while (typeof current === 'string' && subtree.has(current) && !holding.has(current)) {
      holding.add(current);
      current = ctx.boundaries.get(current)?.data.parent;
    }
  }
  /** Everything drawn at or below `b`, for the level where nesting stops. */
  const drawnBelow = (b: string): Component[] => [...ctx.subtree(b)].flatMap((x) => drawnIn.get(x) ?? []);
  const emitInside = (b: string, indent: string, depth: number) => {
    for (const c of drawnIn.get(b) ?? []) w.component(nodeId.get(c.id)!, c, indent);
    for (const child of ctx.children.get(b) ?? []) {
      if (!subtree.has(child) || child === focus) continue;
      if (expand) {
        if (!holding.has(child)) continue;
        w.openBoundary(`s${subgraphs++}`, ctx.boundaries.get(child)!, indent);
        // At the deepest drawn level, what is further inside is drawn in it, not nested again.
        if (depth + 1 < MAX_DRAWN_NESTING) emitInside(child, `${indent}  `, depth + 1);
        else for (const c of drawnBelow(child)) w.component(nodeId.get(c.id)!, c, `${indent}  `);
        w.lines.push(`${indent}end`);
      } else if (groupMembers.has(`in:${child}`)) {
        const list = groupMembers.get(`in:${child}`)!;
        w.group(
          groupId.get(`in:${child}`)!,
          `${ctx.boundaryName(child)} · ${list.length} components`,
          list,
          ctx.boundaries.get(child),
          indent,
        );
      }
    }
  };
  emitInside(focus, '    ', 1);
  w.lines.push('  end');
  for (const [key, list] of groupMembers) {
    if (!key.startsWith('out:')) continue;
    const b = key.slice('out:'.length);
    const text = `${ctx.boundaryName(b)} · ${list.length} ${list.length === 1 ? 'component' : 'components'}`;
    w.group(groupId.get(key)!, text, list, ctx.boundaries.get(b), '  ');
  }
  aggregateFlows(w, tangled ? own.filter((f) => !crossing.has(f)) : own, nodeOf, (id) => nodeId.get(id));
  if (tangled) {
    aggregateFlows(
      w,
      [...crossing],
      (id) => (inside(id) ? 's0' : groupOf(id)),
      () => undefined,
    );
    // Laid out on its own, a boundary whose components hardly call each other is one rank: a line of 34 nodes. Unseen
    // links from each node to the one a rank's length further wrap it into a block, about as tall as the panel is
    // (across the drawing in a tall panel, where a rank stands on the long side and nodes are wider than tall); last,
    // so that the numbers of the links styled above do not move.
    const own = (drawnIn.get(focus) ?? []).map((c) => nodeId.get(c.id)!);
    const ranks = Math.max(1, Math.round(Math.sqrt(own.length * (w.direction === 'LR' ? 0.25 : 0.6))));
    const perRank = Math.ceil(own.length / ranks);
    for (let i = 0; i + perRank < own.length; i++) w.lines.push(`  ${own[i]} ~~~ ${own[i + perRank]}`);
  }
  return result('boundary', { boundary: focus }, { components: drawn.length, flows: w.edges.length });
}
