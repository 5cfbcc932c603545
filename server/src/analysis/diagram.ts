/**
 * The data-flow diagram as Mermaid flowchart source. DFD conventions: externals are rectangles, processes rounded,
 * data stores cylinders, trust boundaries nested dashed subgraphs, flows labelled; nodes are coloured by their worst
 * open finding or threat. Every model string is encoded so that no text can become Mermaid syntax (directives,
 * click handlers, links) or HTML. Large models get a boundary-level overview.
 */
import type { Analysis } from './analyze';
import type { Element, Span } from '../model/types';
import { DEFAULT_SETTINGS } from '../shared/settings';
import { isOpenThreatStatus, severityWeight } from '../shared/vocabulary';

export interface DiagramElement {
  readonly modelId: string;
  /** The element's id, where "reveal" goes. */
  readonly span: Span;
  /** The whole element, for "which element is the cursor in". */
  readonly extent: Span;
}

export interface Diagram {
  readonly mermaid: string;
  /** Diagram node or subgraph id -> model element. */
  readonly nodes: Readonly<Record<string, DiagramElement>>;
  /** Edge index (in order of appearance) -> flow. */
  readonly edges: readonly DiagramElement[];
  /** True when the model was too large and boundaries are shown instead of components. */
  readonly overview: boolean;
  readonly counts: { readonly components: number; readonly flows: number };
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
  /** Show only this boundary (and its nested boundaries) with its direct neighbours. */
  readonly focusBoundary?: string;
  /** Show only this element (a component, or a flow's two ends) and the components it exchanges data with. */
  readonly focusElement?: string;
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

interface Grouping {
  /** The group key of a component: a boundary id, or a trust level, or NO_BOUNDARY. */
  of(c: Element<'components'>): string;
  label(key: string): string;
}

const NO_BOUNDARY = '\u0000none';

/** The coarsest grouping needed to keep the overview within `max` nodes (see buildDiagram). */
function overviewGrouping(
  components: readonly Element<'components'>[],
  boundaries: ReadonlyMap<string, Element<'boundaries'>>,
  max: number,
): Grouping {
  const own = (c: Element<'components'>) =>
    typeof c.data.boundary === 'string' && boundaries.has(c.data.boundary) ? c.data.boundary : NO_BOUNDARY;
  const rootOf = (id: string) => {
    const seen = new Set<string>();
    let current = id;
    for (;;) {
      const parent = boundaries.get(current)?.data.parent;
      if (typeof parent !== 'string' || !boundaries.has(parent) || seen.has(parent)) return current;
      seen.add(current);
      current = parent;
    }
  };
  const trustOf = (id: string) => (id === NO_BOUNDARY ? 'untrusted' : String(boundaries.get(id)?.data.trust ?? 'untrusted'));
  const boundaryLabel = (key: string) => {
    const b = boundaries.get(key);
    return b ? `${String(b.data.name ?? b.id)} (${String(b.data.trust ?? '?')})` : 'No boundary';
  };
  const distinct = (f: (c: Element<'components'>) => string) => new Set(components.map(f)).size;
  if (distinct(own) <= max) return { of: own, label: boundaryLabel };
  const root = (c: Element<'components'>) => (own(c) === NO_BOUNDARY ? NO_BOUNDARY : rootOf(own(c)));
  if (distinct(root) <= max) {
    const nested = new Map<string, number>();
    for (const b of boundaries.keys()) if (rootOf(b) !== b) nested.set(rootOf(b), (nested.get(rootOf(b)) ?? 0) + 1);
    return { of: root, label: (key) => `${boundaryLabel(key)}${nested.get(key) ? ` and ${nested.get(key)} nested` : ''}` };
  }
  return { of: (c) => `\u0000trust:${trustOf(root(c))}`, label: (key) => `All ${key.slice('\u0000trust:'.length)} zones` };
}

export function mermaidText(text: string): string {
  const out = text
    .replace(/[\p{Cc}\u2028\u2029\s]+/gu, ' ')
    .trim()
    .replace(/["#%<>&`\\]/g, (c) => LOOK_ALIKE[c]);
  return out || ' ';
}

export function buildDiagram(analysis: Analysis, options: DiagramOptions = {}): Diagram {
  const model = analysis.parsed.model;
  const lines = ['flowchart LR'];
  const nodes: Record<string, DiagramElement> = {};
  const edges: DiagramElement[] = [];
  if (!model) return { mermaid: lines.join('\n'), nodes, edges, overview: false, counts: { components: 0, flows: 0 } };
  const at = (e: Element): DiagramElement => ({ modelId: e.id, span: e.idSpan ?? e.span, extent: e.span });

  // Worst open finding or open threat per element.
  const worst = new Map<string, number>();
  const bump = (id: string, severity: unknown) => worst.set(id, Math.max(worst.get(id) ?? 0, severityWeight(severity)));
  for (const f of analysis.findings) if (f.status === 'open') bump(f.elementId, f.rule.severity);
  for (const t of model.threats)
    if (isOpenThreatStatus(t.data.status)) for (const target of t.data.targets ?? []) bump(target, t.data.severity);

  const boundaries = new Map(model.boundaries.map((b) => [b.id, b]));
  const children = new Map<string | undefined, string[]>();
  for (const b of model.boundaries) {
    const parent = typeof b.data.parent === 'string' && boundaries.has(b.data.parent) && b.data.parent !== b.id ? b.data.parent : undefined;
    children.set(parent, [...(children.get(parent) ?? []), b.id]);
  }

  let components = [...model.components];
  let flows = [...model.flows];
  if (options.focusBoundary && boundaries.has(options.focusBoundary)) {
    const inside = new Set<string>();
    const stack = [options.focusBoundary];
    while (stack.length) {
      const b = stack.pop()!;
      if (inside.has(b)) continue;
      inside.add(b);
      stack.push(...(children.get(b) ?? []));
    }
    const core = new Set(components.filter((c) => inside.has(String(c.data.boundary))).map((c) => c.id));
    flows = flows.filter((f) => core.has(String(f.data.from)) || core.has(String(f.data.to)));
    const shown = new Set([...core, ...flows.flatMap((f) => [String(f.data.from), String(f.data.to)])]);
    components = components.filter((c) => shown.has(c.id));
  }

  if (options.focusElement) {
    const flow = model.flows.find((f) => f.id === options.focusElement);
    const centre = new Set(flow ? [String(flow.data.from), String(flow.data.to)] : [options.focusElement]);
    if (model.components.some((c) => centre.has(c.id))) {
      flows = flows.filter((f) => centre.has(String(f.data.from)) || centre.has(String(f.data.to)));
      const shown = new Set([...centre, ...flows.flatMap((f) => [String(f.data.from), String(f.data.to)])]);
      components = components.filter((c) => shown.has(c.id));
    }
  }

  const maxNodes = options.maxNodes ?? DEFAULT_DETAIL_LIMIT;
  const overview = components.length > maxNodes || flows.length > (options.maxEdges ?? 2 * maxNodes);
  lines.push('  classDef boundary fill:none,stroke-dasharray:6 4');
  lines.push('  classDef sevLow stroke:#3a7d44,stroke-width:2px');
  lines.push('  classDef sevMedium stroke:#c98a00,stroke-width:2px');
  lines.push('  classDef sevHigh stroke:#d1495b,stroke-width:3px');
  lines.push('  classDef sevCritical stroke:#8b0000,stroke-width:4px');

  if (overview) {
    // One node per group of components, edges aggregated per pair of groups. Groups are the components' boundaries;
    // when those are more than maxNodes, their top-level boundaries; when even those are too many, trust levels.
    const group = overviewGrouping(components, boundaries, maxNodes);
    const ids = new Map<string, string>();
    const sizes = new Map<string, number>();
    for (const c of components) sizes.set(group.of(c), (sizes.get(group.of(c)) ?? 0) + 1);
    const nodeFor = (key: string) => {
      let id = ids.get(key);
      if (id === undefined) {
        id = `b${ids.size}`;
        ids.set(key, id);
        lines.push(`  ${id}["${mermaidText(`${group.label(key)}: ${sizes.get(key) ?? 0} components`)}"]`);
        const boundary = boundaries.get(key);
        if (boundary) nodes[id] = at(boundary);
      }
      return id;
    };
    for (const c of components) nodeFor(group.of(c));
    const pairs = new Map<string, number>();
    const byId = new Map(components.map((c) => [c.id, c]));
    for (const f of flows) {
      const a = byId.get(String(f.data.from));
      const b = byId.get(String(f.data.to));
      if (!a || !b) continue;
      const from = nodeFor(group.of(a));
      const to = nodeFor(group.of(b));
      if (from !== to) pairs.set(`${from} ${to}`, (pairs.get(`${from} ${to}`) ?? 0) + 1);
    }
    for (const [pair, n] of pairs) {
      const [from, to] = pair.split(' ');
      lines.push(`  ${from} -->|"${mermaidText(`${n} flows`)}"| ${to}`);
    }
    return { mermaid: lines.join('\n'), nodes, edges, overview, counts: { components: components.length, flows: flows.length } };
  }

  const nodeId = new Map<string, string>();
  components.forEach((c, i) => nodeId.set(c.id, `n${i}`));
  const nodeLine = (c: Element<'components'>, indent: string) => {
    const id = nodeId.get(c.id)!;
    const label = mermaidText(String(c.data.name ?? c.id));
    nodes[id] = at(c);
    switch (c.data.type) {
      case 'datastore':
        return `${indent}${id}[("${label}")]`;
      case 'external':
        return `${indent}${id}["${label}"]`;
      default:
        return `${indent}${id}("${label}")`;
    }
  };
  const inBoundary = new Map<string | undefined, Element<'components'>[]>();
  for (const c of components) {
    const b = typeof c.data.boundary === 'string' && boundaries.has(c.data.boundary) ? c.data.boundary : undefined;
    inBoundary.set(b, [...(inBoundary.get(b) ?? []), c]);
  }
  // Subgraphs, nested by `parent`; cycles are cut (the checks report them).
  const subgraphIds = new Map<string, string>();
  const emitted = new Set<string>();
  const emitBoundary = (b: string, indent: string) => {
    if (emitted.has(b)) return;
    emitted.add(b);
    const boundary = boundaries.get(b)!;
    const id = `s${subgraphIds.size}`;
    subgraphIds.set(b, id);
    nodes[id] = at(boundary);
    lines.push(
      `${indent}subgraph ${id}["${mermaidText(`${String(boundary.data.name ?? boundary.id)} (${String(boundary.data.trust ?? '?')})`)}"]`,
    );
    for (const c of inBoundary.get(b) ?? []) lines.push(nodeLine(c, `${indent}  `));
    for (const child of children.get(b) ?? []) emitBoundary(child, `${indent}  `);
    lines.push(`${indent}end`);
  };
  const hasContent = (b: string, seen = new Set<string>()): boolean =>
    !seen.has(b) && ((inBoundary.get(b)?.length ?? 0) > 0 || (children.get(b) ?? []).some((c) => hasContent(c, new Set([...seen, b]))));
  for (const root of children.get(undefined) ?? []) if (hasContent(root)) emitBoundary(root, '  ');
  for (const b of model.boundaries) if (!emitted.has(b.id) && hasContent(b.id)) emitBoundary(b.id, '  ');
  for (const c of inBoundary.get(undefined) ?? []) lines.push(nodeLine(c, '  '));

  for (const f of flows) {
    const from = nodeId.get(String(f.data.from));
    const to = nodeId.get(String(f.data.to));
    if (!from || !to) continue;
    const label = [f.data.name, f.data.protocol].filter((x) => typeof x === 'string' && x).join(' · ');
    const arrow = f.data.bidirectional === true ? '<-->' : '-->';
    lines.push(label ? `  ${from} ${arrow}|"${mermaidText(label)}"| ${to}` : `  ${from} ${arrow} ${to}`);
    edges.push(at(f));
  }
  for (const id of subgraphIds.values()) lines.push(`  class ${id} boundary`);
  for (const c of components) {
    const rank = Math.max(worst.get(c.id) ?? 0, 0);
    if (rank > 0) lines.push(`  class ${nodeId.get(c.id)} ${SEVERITY_CLASS[rank]}`);
  }
  edges.forEach((e, i) => {
    const rank = worst.get(e.modelId) ?? 0;
    if (rank >= 3) lines.push(`  linkStyle ${i} stroke:${rank === 4 ? '#8b0000' : '#d1495b'},stroke-width:2px`);
  });
  return { mermaid: lines.join('\n'), nodes, edges, overview, counts: { components: components.length, flows: flows.length } };
}
