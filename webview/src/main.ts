/**
 * The diagram webview. It renders what the server computed (Mermaid source, the node and edge maps, the STRIDE table)
 * and reports user actions; it holds no threat logic. Model text only ever reaches the DOM through textContent,
 * attributes, or Mermaid in strict mode on source whose labels the server has encoded.
 *
 * Readable by default: the first view of a diagram fits it when its labels stay at least MIN_LABEL_PX tall, and
 * otherwise shows the part around the focus (the element under the cursor, else the most severe) at a readable zoom;
 * Fit always shows everything. Zoom, pan, level and toggles are kept in the webview state, so a tab switch or a window
 * reload comes back to the same picture.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import Panzoom, { type PanzoomObject } from '@panzoom/panzoom';
import type {
  HostToWebview,
  ViewNode,
  ViewOptions,
  ViewRange,
  ViewResult,
  WebviewState,
  WebviewToHost,
} from '../../server/src/shared/view';
import { STRIDE_LETTERS } from '../../server/src/shared/vocabulary';
import { exportPng, exportSvg } from './export';
import { nearestInDirection } from './keyboard';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): WebviewState | undefined;
  setState(state: WebviewState): void;
}

interface MermaidApi {
  initialize(config: Record<string, unknown>): void;
  render(id: string, text: string): Promise<{ svg: string }>;
}

declare function acquireVsCodeApi(): VsCodeApi;
declare const mermaid: MermaidApi;
declare global {
  interface Window {
    /** Set by mermaid-elk.js when the ELK layout is available. */
    __threatcodeElk?: boolean;
  }
}

/** Labels smaller than this (font size × zoom, CSS px) are not readable beside the editor. */
export const MIN_LABEL_PX = 11;
/** The zoom the default view uses when fitting would be unreadable: labels at this size. */
const READABLE_LABEL_PX = 12;
const MAX_FIT_SCALE = 1.5;

const vscode = acquireVsCodeApi();
const viewport = document.getElementById('viewport')!;
const canvas = document.getElementById('canvas')!;
const banner = document.getElementById('banner')!;
const status = document.getElementById('status')!;
/** "Is this delivery complete?", above the toolbar: the same line as the completeness view and the status bar. */
const verdictLine = document.getElementById('verdict')!;
/** Shown from the start and while a drawing takes long enough to be noticed: the panel is working, not empty. */
const rendering = document.getElementById('rendering')!;
/** A drawing that takes longer than this says so. */
const RENDERING_NOTICE_MS = 300;
const crumbs = document.getElementById('crumbs')!;
const focusSelect = document.getElementById('focus') as HTMLSelectElement;
const deliveryBox = document.getElementById('delivery') as HTMLElement & { checked: boolean; disabled: boolean };
const aroundButton = document.getElementById('around') as HTMLElement & { disabled: boolean };
const zoomLabel = document.getElementById('zoom-level')!;
const legend = document.getElementById('legend')!;
const coverage = document.getElementById('coverage')!;
const between = document.getElementById('between')!;

let view: ViewResult | undefined;
let state: WebviewState = vscode.getState() ?? { uri: '', delivery: false };
let lastGoodSvg = '';
let renderSeq = 0;
let highlighted: string | undefined;
/** The view key of what is drawn: a new key gets the default view, the same key keeps the user's zoom. */
let drawnKey: string | undefined;
/** The user has zoomed or panned since the view was placed: a resize keeps their view instead of placing it again. */
let userMoved = false;

const panzoom: PanzoomObject = Panzoom(canvas, {
  canvas: true,
  origin: '0 0',
  minScale: 0.02,
  maxScale: 4,
  step: 0.2,
  cursor: 'grab',
  // Nodes and flows take clicks; dragging anywhere else pans.
  excludeClass: 'tc-interactive',
});
viewport.addEventListener('wheel', (e) => {
  userMoved = true;
  panzoom.zoomWithWheel(e);
});
canvas.addEventListener('panzoomstart', () => (userMoved = true));
// Focusing a node (a click, Tab) makes the browser scroll the clipped viewport to it; panning is ours to do.
viewport.addEventListener('scroll', () => {
  const { scrollLeft, scrollTop } = viewport;
  if (scrollLeft === 0 && scrollTop === 0) return;
  viewport.scrollTo(0, 0);
  const focused = document.activeElement;
  if (focused && canvas.contains(focused) && !onScreen(focused)) centreOn(focused, true);
});

function post(message: WebviewToHost): void {
  vscode.postMessage(message);
}

function saveState(patch: Partial<WebviewState>): void {
  state = { ...state, ...patch };
  vscode.setState(state);
}

function themeName(): string {
  const c = document.body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'neutral';
  return c.contains('vscode-dark') || c.contains('vscode-high-contrast') ? 'dark' : 'default';
}

/**
 * The layout per level, measured on the same views (docs/performance.md): ELK keeps the nested boundaries of a whole
 * model compact in a narrow panel (labels about twice as large when fitted), where dagre ignores the direction
 * inside boundaries; for the overview and one boundary, dagre is as compact or more, and faster.
 */
function layoutFor(level: string | undefined): 'elk' | 'dagre' {
  return window.__threatcodeElk && (level === 'detail' || level === 'element') ? 'elk' : 'dagre';
}

function configureMermaid(level?: string): void {
  // strict: no HTML in labels, no click callbacks; directives cannot change these `secure` keys.
  mermaid.initialize({
    startOnLoad: false,
    securityLevel: 'strict',
    theme: themeName(),
    layout: layoutFor(level),
    maxTextSize: 1_000_000,
    maxEdges: 5000,
    // Plain SVG text, no HTML labels (no foreignObject): model text never becomes markup.
    htmlLabels: false,
    flowchart: { htmlLabels: false, useMaxWidth: false },
    secure: [
      'secure',
      'securityLevel',
      'startOnLoad',
      'maxTextSize',
      'maxEdges',
      'theme',
      'themeCSS',
      'themeVariables',
      'fontFamily',
      'layout',
    ],
  });
}

function showErrors(errors: readonly string[]): void {
  banner.textContent = errors.length ? `${errors.join('\n')}\nShowing the last diagram that rendered.` : '';
  banner.classList.toggle('visible', errors.length > 0);
}

function viewKey(): string {
  const d = view?.diagram;
  // The element in focus changes what is drawn only at the element level; elsewhere it only says where the default
  // view centres (the cursor moved to another file must not throw away the user's zoom).
  // The layout direction too: a zoom and pan kept for a left-to-right drawing point at nothing in a top-to-bottom one
  // (the panel resized past square while the view was open).
  return JSON.stringify([
    view?.uri,
    d?.level,
    d?.focus.boundary?.id,
    d?.level === 'element' ? d.focus.element?.id : undefined,
    drawingDirection(),
  ]);
}

async function render(): Promise<void> {
  const diagram = view?.diagram;
  const seq = ++renderSeq;
  // Nothing to draw (the model cannot be analysed: its errors are in the banner) is not a drawing under way; before
  // the first view arrives it is.
  if (!diagram) {
    if (view) rendering.hidden = true;
    return;
  }
  // Defence in depth: the server never emits directives; refuse any that appear.
  if (/%%\s*\{/.test(diagram.mermaid) || /^\s*---/.test(diagram.mermaid)) {
    rendering.hidden = true;
    showErrors(['The diagram contained a Mermaid directive and was not rendered.']);
    return;
  }
  const notice = setTimeout(() => (rendering.hidden = false), RENDERING_NOTICE_MS);
  try {
    configureMermaid(diagram.level);
    const { svg } = await mermaid.render(`tc-diagram-${seq}`, diagram.mermaid);
    if (seq !== renderSeq) return; // a newer view arrived while rendering
    lastGoodSvg = svg;
    // A keyboard user whose node is replaced keeps the keyboard in the diagram.
    const hadFocus = canvas.contains(document.activeElement);
    canvas.innerHTML = svg;
    if (hadFocus) viewport.focus({ preventScroll: true });
    decorate();
    placeView();
    applyHighlight(false);
    post({ type: 'rendered', ...measure() });
  } catch (e) {
    if (seq !== renderSeq) return;
    canvas.innerHTML = lastGoodSvg;
    decorate();
    const message = e instanceof Error ? e.message : String(e);
    showErrors([`The diagram could not be rendered: ${message}`]);
    post({ type: 'rendered', nodes: 0, edges: 0, error: message });
  } finally {
    clearTimeout(notice);
    // The newest drawing ends the notice; an older one overtaken leaves it to the newer.
    if (seq === renderSeq) rendering.hidden = true;
  }
}

function showVerdict(): void {
  const verdict = view?.metrics?.verdict;
  verdictLine.hidden = verdict === undefined;
  if (!verdict) return;
  verdictLine.textContent = verdict.text;
  verdictLine.className = verdict.state;
}

/** What was drawn and how readable it is, for the host (and the tests and the benchmark). */
function measure(): Omit<WebviewToHost & { type: 'rendered' }, 'type'> {
  return {
    nodes: canvas.querySelectorAll('g.node').length,
    edges: canvas.querySelectorAll('path.flowchart-link').length,
    level: view?.diagram?.level,
    scale: panzoom.getScale(),
    labelPx: labelPx(),
  };
}

/** The font size of node labels as drawn, in CSS px at the current zoom. */
function labelPx(): number {
  const text = canvas.querySelector('g.node text, g.node .nodeLabel');
  if (!text) return 0;
  return parseFloat(getComputedStyle(text).fontSize) * panzoom.getScale();
}

/** Mermaid names node groups "<render id>-flowchart-<id>-<n>" and clusters "<render id>-<id>". */
function diagramIdOf(el: Element): string | undefined {
  const m = /flowchart-(.+)-\d+$/.exec(el.id);
  if (m) return m[1];
  return el.classList.contains('cluster') ? el.id.replace(/^tc-diagram-\d+-/, '') : undefined;
}

const KIND_NAME: Readonly<Record<ViewNode['kind'], string>> = {
  external: 'External entity',
  process: 'Process',
  datastore: 'Data store',
  boundary: 'Trust boundary',
  group: 'Group',
  model: 'Model',
};
const SEVERITY_NAME = ['', 'low', 'medium', 'high', 'critical'];

function accessibleName(n: ViewNode): string {
  const parts = [`${KIND_NAME[n.kind]}: ${n.label}`];
  if (n.uri && n.kind !== 'model') parts.push('imported from another model');
  if (n.severity > 0) parts.push(`worst open finding ${SEVERITY_NAME[n.severity]}`);
  if (n.kind === 'model') parts.push(n.uri === state.uri ? 'this model, Enter shows its diagram' : 'Enter opens it');
  else if (n.drill) parts.push('Enter opens it');
  else if (n.kind !== 'group') parts.push('Enter shows it in the editor');
  return parts.join(', ');
}

/** Marks up the rendered SVG: element ids, severities, delivery, accessible names, clicks and keys. */
function decorate(): void {
  const diagram = view?.diagram;
  if (!diagram) return;
  const svg = canvas.querySelector('svg');
  if (svg) {
    // Intrinsic size at zoom 1, so that zoom and label size mean what they say.
    const box = svg.viewBox.baseVal;
    svg.setAttribute('width', String(box.width));
    svg.setAttribute('height', String(box.height));
    svg.style.maxWidth = 'none';
    svg.setAttribute('role', 'group');
    svg.setAttribute('aria-label', `Data-flow diagram: ${levelName()}`);
  }
  for (const el of canvas.querySelectorAll('g.node, g.cluster')) {
    const id = diagramIdOf(el);
    const node = id ? diagram.nodes[id] : undefined;
    if (!node) continue;
    if (node.modelId) el.setAttribute('data-model-id', node.modelId);
    el.setAttribute('data-kind', node.kind);
    el.setAttribute('data-severity', String(node.severity));
    el.setAttribute('data-delivery', String(node.delivery));
    // An element of an imported model (drawn as context), or a model of the system of systems (its file).
    if (node.uri && node.kind !== 'model') el.setAttribute('data-imported', 'true');
    if (node.uri && node.kind === 'model') {
      el.setAttribute('data-uri', node.uri);
      if (node.uri === state.uri) el.setAttribute('data-current', 'true');
    }
    el.classList.add('tc-interactive');
    // A boundary is reached through its label; the box itself stays a place to start panning.
    const target = el.classList.contains('cluster') ? (el.querySelector('.cluster-label') ?? el) : el;
    target.classList.add('tc-interactive');
    target.setAttribute('tabindex', '0');
    target.setAttribute('role', 'button');
    target.setAttribute('aria-label', accessibleName(node));
    const activate = () => activateNode(node);
    target.addEventListener('click', (ev) => {
      ev.stopPropagation();
      activate();
    });
    target.addEventListener('keydown', (ev) => {
      const key = (ev as KeyboardEvent).key;
      if (key === 'Enter' || key === ' ') {
        ev.preventDefault();
        activate();
      }
    });
    const title = document.createElementNS('http://www.w3.org/2000/svg', 'title');
    title.textContent = accessibleName(node);
    target.prepend(title);
  }
  for (const edge of diagram.edges) {
    for (const el of canvas.querySelectorAll(`path[data-id="${edge.id}"], g.label[data-id="${edge.id}"]`)) {
      el.setAttribute('data-model-id', edge.modelId);
      el.setAttribute('data-severity', String(edge.severity));
      el.setAttribute('data-delivery', String(edge.delivery));
      el.classList.add('tc-interactive', 'tc-flow');
      el.addEventListener('click', (ev) => {
        ev.stopPropagation();
        post({ type: 'reveal', range: edge.range });
      });
    }
  }
  document.body.classList.toggle('tc-delivery-on', state.delivery && diagram.release !== undefined);
}

function activateNode(node: ViewNode): void {
  if (node.kind === 'model') {
    // The system of systems: this model's node goes back to its diagram; another model's opens that model.
    if (node.uri === state.uri) openLevel({ system: undefined, focusBoundary: undefined, focusElement: undefined, overview: undefined });
    else if (node.uri) post({ type: 'openModel', uri: node.uri });
  } else if (node.drill) {
    openLevel({ focusBoundary: node.drill, focusElement: undefined, overview: undefined });
  } else if (node.kind === 'boundary' && view?.diagram?.level !== 'boundary') {
    openLevel({ focusBoundary: node.modelId, focusElement: undefined, overview: undefined });
  } else {
    post({ type: 'reveal', range: node.range, ...(node.uri && { uri: node.uri }) });
  }
}

/** Asks the host for another level of detail; the new view gets its default zoom. */
function openLevel(patch: Pick<WebviewState, 'focusBoundary' | 'focusElement' | 'overview'> & Pick<WebviewState, 'system'>): void {
  // Any level of the model itself leaves the system of systems.
  saveState({ system: undefined, ...patch, zoom: undefined });
  sendOptions();
}

/**
 * The direction to draw in. One boundary's components form the widest rank of its view, so it is drawn across the
 * panel's long side: left to right in a tall panel (measured: labels 3.6 px instead of 1.4 px when fitted at 700×900).
 */
function drawingDirection(): 'LR' | 'TB' | undefined {
  // One boundary, and the system of systems (most models stand alone: one rank), are drawn across the long side.
  if ((state.focusBoundary && !state.focusElement) || state.system) return state.direction === 'TB' ? 'LR' : 'TB';
  return state.direction;
}

/**
 * What the host is to draw, from the state: one builder for `options` and for `ready` (a recreated webview asks for
 * the level it was left at, the system of systems included).
 */
function currentOptions(): ViewOptions {
  return {
    delivery: state.delivery,
    overview: state.overview,
    focusBoundary: state.focusBoundary,
    focusElement: state.focusElement,
    direction: drawingDirection(),
    system: state.system,
  };
}

function sendOptions(): void {
  post({ type: 'options', ...currentOptions() });
}

/** The node the default view centres on: the element under the cursor, the focused element, else the most severe. */
function focusNode(): Element | undefined {
  const pick = (id: string | undefined) =>
    id
      ? (canvas.querySelector(`g.node[data-model-id="${CSS.escape(id)}"], path.tc-flow[data-model-id="${CSS.escape(id)}"]`) ?? undefined)
      : undefined;
  const byCursor = pick(highlighted) ?? pick(view?.diagram?.focus.element?.id);
  if (byCursor) return byCursor;
  let best: Element | undefined;
  let worst = -1;
  for (const el of canvas.querySelectorAll('g.node')) {
    const s = Number(el.getAttribute('data-severity') ?? 0);
    if (s > worst) {
      worst = s;
      best = el;
    }
  }
  return best;
}

function contentSize(): { width: number; height: number } {
  const svg = canvas.querySelector('svg');
  if (!svg) return { width: 1, height: 1 };
  const box = svg.viewBox.baseVal;
  return { width: Math.max(1, box.width), height: Math.max(1, box.height) };
}

function fitScale(): number {
  const { width, height } = contentSize();
  const pad = 24;
  return Math.min(MAX_FIT_SCALE, (viewport.clientWidth - pad) / width, (viewport.clientHeight - pad) / height);
}

/** Font size of labels at zoom 1. */
function baseLabelPx(): number {
  const scale = panzoom.getScale();
  return labelPx() / scale || 16;
}

/** Shows everything, centred. */
function fit(animate = false): void {
  const scale = fitScale();
  const { width, height } = contentSize();
  panzoom.zoom(scale, { animate: false });
  panzoom.pan((viewport.clientWidth / scale - width) / 2, (viewport.clientHeight / scale - height) / 2, { animate, force: true });
}

/**
 * Where `el` is in the diagram's own coordinates (zoom 1, no pan). Panzoom applies transforms on the next animation
 * frame, so this reads the transform actually drawn rather than the one asked for.
 */
function contentRect(el: Element): { x: number; y: number; width: number; height: number } {
  const drawn = new DOMMatrix(getComputedStyle(canvas).transform);
  const scale = drawn.a || 1;
  const c = canvas.getBoundingClientRect();
  const r = el.getBoundingClientRect();
  return { x: (r.left - c.left) / scale, y: (r.top - c.top) / scale, width: r.width / scale, height: r.height / scale };
}

type Rect = { x: number; y: number; width: number; height: number };

/**
 * Moves the view so that `el` is in the middle, at the zoom last asked for, without leaving empty space where the
 * diagram could be: near an edge the diagram's edge stays at the panel's.
 */
function centreOn(el: Element, animate: boolean): void {
  centreOnRect(contentRect(el), animate);
}

function centreOnRect(r: Rect, animate: boolean): void {
  const scale = panzoom.getScale();
  const { width, height } = contentSize();
  const clamp = (want: number, view: number, size: number) => {
    const visible = view / scale;
    if (size <= visible) return (visible - size) / 2;
    return Math.min(0, Math.max(visible - size, want));
  };
  const x = clamp(viewport.clientWidth / (2 * scale) - (r.x + r.width / 2), viewport.clientWidth, width);
  const y = clamp(viewport.clientHeight / (2 * scale) - (r.y + r.height / 2), viewport.clientHeight, height);
  panzoom.pan(x, y, { animate, force: true });
}

/**
 * What a view is about, in the diagram's coordinates: the opened boundary in a boundary view (its neighbours are
 * context around it), else the whole drawing (the neighbourhood of an element, the system, the overview).
 */
function focusRegion(): Rect {
  const whole = { x: 0, y: 0, ...contentSize() };
  if (view?.diagram?.level !== 'boundary') return whole;
  // The focused boundary is the first subgraph the server writes (s0); Mermaid draws it as a cluster with that id.
  const cluster = canvas.querySelector('g.cluster[id="s0"], g.cluster[id$="-s0"]');
  return cluster ? contentRect(cluster) : whole;
}

/**
 * Pans, at the current zoom, so that no node is cut by the panel's edges where the nodes leave room for it: of the
 * positions that start or end the view just beside a node (within half a view of where it is), the one that cuts the
 * fewest nodes, then the nearest, never one that leaves `keep` (the element under the cursor) off screen. On each axis
 * on its own.
 */
function uncutEdges(keep?: Element, animate = false): void {
  const scale = panzoom.getScale();
  const pan = panzoom.getPan();
  const nodes = [...canvas.querySelectorAll('g.node')].map(contentRect);
  const kept = keep ? contentRect(keep) : undefined;
  const pad = 8 / scale;
  const best = (start: number, length: number, spans: [number, number][], must?: [number, number]) => {
    const cuts = (at: number) => spans.filter(([a, b]) => (a < at && at < b) || (a < at + length && at + length < b)).length;
    // Windows that start or end just beside a node, no further than half a window from where the view is.
    const candidates = [start];
    for (const [a, b] of spans) candidates.push(a - pad, b + pad, a - pad - length, b + pad - length);
    return candidates
      .filter((c) => Math.abs(c - start) <= length / 2 && (!must || (must[0] >= c && must[1] <= c + length)))
      .reduce((chosen, c) => {
        const [was, now] = [cuts(chosen), cuts(c)];
        return now < was || (now === was && Math.abs(c - start) < Math.abs(chosen - start)) ? c : chosen;
      }, start);
  };
  const visibleWidth = viewport.clientWidth / scale;
  const visibleHeight = viewport.clientHeight / scale;
  const left = best(
    -pan.x,
    visibleWidth,
    nodes.map((r) => [r.x, r.x + r.width]),
    kept && [kept.x, kept.x + kept.width],
  );
  const top = best(
    -pan.y,
    visibleHeight,
    nodes.map((r) => [r.y, r.y + r.height]),
    kept && [kept.y, kept.y + kept.height],
  );
  if (left !== -pan.x || top !== -pan.y) panzoom.pan(-left, -top, { animate, force: true });
}

/**
 * The default view of a view never placed (and after every change of focus: a boundary, Around cursor, the system,
 * the overview): its focus region fitted when its labels stay readable, else at a readable zoom on the element under
 * the cursor (or the most severe) when it is in the region, else on the region; no node cut at the edges.
 */
function defaultView(): void {
  userMoved = false;
  const region = focusRegion();
  const pad = 24;
  const base = baseLabelPx();
  const regionScale = Math.min(MAX_FIT_SCALE, (viewport.clientWidth - pad) / region.width, (viewport.clientHeight - pad) / region.height);
  const whole = fitScale();
  if (whole * base >= MIN_LABEL_PX) {
    fit();
    showStatus(true);
    return;
  }
  if (regionScale * base >= MIN_LABEL_PX) {
    panzoom.zoom(regionScale, { animate: false });
    centreOnRect(region, false);
  } else {
    panzoom.zoom(READABLE_LABEL_PX / base, { animate: false });
    const target = focusNode();
    const inRegion = target && contains(region, contentRect(target));
    centreOnRect(inRegion ? contentRect(target) : region, false);
  }
  // Panzoom applies the pan on the next frame: the edges are looked at once it is drawn.
  requestAnimationFrame(() => uncutEdges());
  showStatus(false);
}

function contains(outer: Rect, inner: Rect): boolean {
  return (
    inner.x >= outer.x &&
    inner.y >= outer.y &&
    inner.x + inner.width <= outer.x + outer.width &&
    inner.y + inner.height <= outer.y + outer.height
  );
}

function showStatus(whole: boolean): void {
  const d = view?.diagram;
  if (!d) return;
  const parts: string[] = [];
  if (!whole) parts.push('Part of the diagram at a readable size: Fit shows all of it.');
  if (state.delivery && d.release !== undefined) {
    const marked = Object.values(d.nodes).filter((n) => n.kind !== 'boundary' && n.delivery).length;
    parts.push(`Release ${d.release}: ${marked} ${marked === 1 ? 'element' : 'elements'} in this delivery, the others dimmed.`);
  }
  status.textContent = parts.join(' ');
  const table = d.level === 'overview' ? d.between : undefined;
  if (table) {
    let pairs = 0;
    for (let i = 0; i < table.groups.length; i++)
      for (let j = i + 1; j < table.groups.length; j++) if (table.flows[i][j] || table.flows[j][i]) pairs++;
    const toggle = el('button', between.hidden ? 'Show them as a table' : 'Hide the table', 'link');
    toggle.id = 'between-toggle';
    toggle.setAttribute('aria-expanded', String(!between.hidden));
    toggle.addEventListener('click', () => {
      between.hidden = !between.hidden;
      showStatus(whole);
    });
    status.append(`${parts.length ? ' ' : ''}${pairs} pairs of groups exchange data, too many to draw apart: `, toggle);
  }
  between.hidden ||= !table;
}

/**
 * The overview's flows between groups as a table, for an overview too interlinked to draw legibly: a row per group the
 * flows start in, a column per group they reach, the number of flows in each cell; a row's name opens its boundary.
 */
function renderBetween(): void {
  const d = view?.diagram;
  const table = d?.level === 'overview' ? d.between : undefined;
  const body = between.querySelector('.body')!;
  body.replaceChildren();
  if (!d || !table) return;
  body.append(el('p', 'Flows from the group of a row to the group of a column. Click a name to open it.', 'muted'));
  const most = Math.max(1, ...table.flows.flat());
  const grid = el('table', undefined, 'heat between');
  const head = el('tr');
  head.append(el('th', 'from \\ to'));
  table.groups.forEach((g, j) => {
    const th = el('th', String(j + 1));
    th.title = g.name;
    th.scope = 'col';
    head.append(th);
  });
  grid.append(head);
  table.groups.forEach((g, i) => {
    const tr = el('tr');
    const name = el('th');
    name.scope = 'row';
    const drill = d.nodes[g.node]?.drill;
    const label = `${i + 1} ${g.name}`;
    if (drill) {
      const open = el('button', label);
      open.addEventListener('click', () => openLevel({ focusBoundary: drill, focusElement: undefined, overview: undefined }));
      name.append(open);
    } else name.textContent = label;
    tr.append(name);
    table.flows[i].forEach((count, j) => {
      const td = el('td', i === j ? '—' : count ? String(count) : '');
      if (i !== j) {
        td.title = `${g.name} → ${table.groups[j].name}: ${count} ${count === 1 ? 'flow' : 'flows'}`;
        // Shaded by how many flows, so the heaviest pairs stand out; at most half the colour, so the number stays legible
        // in light and dark themes.
        if (count) td.style.setProperty('--share', `${Math.round((50 * count) / most)}%`);
      }
      tr.append(td);
    });
    grid.append(tr);
  });
  body.append(grid);
}

/**
 * After a render: keep the user's zoom on an edit (same view), restore the zoom a view had when the user left it (a tab
 * switch, a reload, a drill-down and back), or show the default for a view never placed.
 */
function placeView(): void {
  const key = viewKey();
  if (key === drawnKey) {
    showStatus(true);
    return;
  }
  drawnKey = key;
  const saved = state.zooms?.[key] ?? (state.zoom?.key === key ? state.zoom : undefined);
  if (saved) {
    panzoom.zoom(saved.scale, { animate: false });
    panzoom.pan(saved.x, saved.y, { animate: false, force: true });
    userMoved = true;
    showStatus(true);
    return;
  }
  defaultView();
}

/** Highlights the element under the cursor (node or flow) and brings it into view if it is off screen. */
function applyHighlight(scroll: boolean): void {
  for (const el of canvas.querySelectorAll('.tc-highlight')) el.classList.remove('tc-highlight');
  aroundButton.disabled = !highlighted && !state.focusElement;
  if (!highlighted) return;
  const id = CSS.escape(highlighted);
  const hits = [...canvas.querySelectorAll(`[data-model-id="${id}"]`)];
  for (const el of hits) el.classList.add('tc-highlight');
  const first = hits.find((el) => el.matches('g.node, path')) ?? hits[0];
  if (scroll && first && !onScreen(first)) {
    centreOn(first, true);
    // Where it lands, no other node cut at the edges (the element itself stays on screen).
    requestAnimationFrame(() => uncutEdges(first, true));
  }
}

function onScreen(el: Element): boolean {
  const v = viewport.getBoundingClientRect();
  const r = el.getBoundingClientRect();
  return r.left >= v.left && r.right <= v.right && r.top >= v.top && r.bottom <= v.bottom;
}

function levelName(): string {
  const d = view?.diagram;
  if (!d) return '';
  switch (d.level) {
    case 'overview':
      return 'overview of the trust boundaries';
    case 'boundary':
      return `boundary ${d.focus.boundary?.name ?? ''}`;
    case 'element':
      return `around ${d.focus.element?.name ?? ''}`;
    case 'system':
      return 'system of systems: every model of the workspace';
    default:
      return 'whole model';
  }
}

function crumb(text: string, onClick?: () => void): HTMLElement {
  if (!onClick) {
    const span = el('span', text, 'crumb current');
    span.setAttribute('aria-current', 'location');
    return span;
  }
  const b = el('button', text, 'crumb');
  b.addEventListener('click', onClick);
  return b;
}

/** Model › boundary › element: where the view is, and the way back out. */
function renderCrumbs(): void {
  const d = view?.diagram;
  crumbs.replaceChildren();
  if (!d) return;
  if (d.level === 'system') {
    crumbs.append(crumb(`System of ${d.systemModels ?? Object.keys(d.nodes).length} models`), el('span', '›', 'sep'));
    const back = el('button', 'This model', 'crumb link');
    back.title = "Back to this model's diagram";
    back.addEventListener('click', () =>
      openLevel({ system: undefined, focusBoundary: undefined, focusElement: undefined, overview: undefined }),
    );
    crumbs.append(back);
    return;
  }
  if (d.systemModels) {
    const up = el('button', `System (${d.systemModels} models)`, 'crumb');
    up.title = 'Every model of the workspace, and the flows between them';
    up.addEventListener('click', () => openLevel({ system: true, focusBoundary: undefined, focusElement: undefined, overview: undefined }));
    crumbs.append(up, el('span', '›', 'sep'));
  }
  const large = d.counts.modelComponents > Object.values(d.nodes).filter((n) => n.kind !== 'boundary' && n.kind !== 'group').length;
  const top = d.level === 'overview' || (large && d.level !== 'detail') ? 'Overview' : 'Whole model';
  const atTop = d.level === 'overview' || d.level === 'detail';
  crumbs.append(
    atTop ? crumb(top) : crumb(top, () => openLevel({ focusBoundary: undefined, focusElement: undefined, overview: undefined })),
  );
  if (d.level === 'detail' && d.counts.modelComponents > 1) {
    const b = el('button', 'Overview', 'crumb link');
    b.title = 'One box per trust boundary';
    b.addEventListener('click', () => openLevel({ focusBoundary: undefined, focusElement: undefined, overview: true }));
    crumbs.append(el('span', '·', 'sep'), b);
  }
  if (d.focus.boundary) {
    crumbs.append(el('span', '›', 'sep'));
    crumbs.append(
      d.level === 'boundary'
        ? crumb(d.focus.boundary.name)
        : crumb(d.focus.boundary.name, () => openLevel({ focusElement: undefined, focusBoundary: d.focus.boundary!.id })),
    );
  }
  if (d.focus.element) crumbs.append(el('span', '›', 'sep'), crumb(d.focus.element.name));
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

function revealButton(text: string, range: ViewRange): HTMLButtonElement {
  const b = el('button', text, 'link');
  b.addEventListener('click', () => post({ type: 'reveal', range }));
  return b;
}

/** The STRIDE heatmap: which categories each element's recorded threats consider. */
function renderCoverage(): void {
  const metrics = view?.metrics;
  const body = coverage.querySelector('.body')!;
  body.replaceChildren();
  if (!metrics?.stride.length) {
    body.append(el('p', 'No elements in scope.', 'muted'));
    return;
  }
  body.append(el('p', 'Which STRIDE categories the recorded threats of each element consider. Click a name to show it.', 'muted'));
  const table = el('table', undefined, 'heat');
  const head = el('tr');
  head.append(el('th', 'element'), ...STRIDE_LETTERS.map((s) => el('th', s)));
  table.append(head);
  for (const row of metrics.stride) {
    const tr = el('tr');
    const name = el('td');
    name.append(revealButton(row.element, row.range));
    tr.append(name);
    for (const s of STRIDE_LETTERS) {
      const covered = row.cells[s];
      const td = el('td', covered === undefined ? '' : covered ? '✓' : '·', covered === undefined ? '' : covered ? 'yes' : 'no');
      td.title = covered === undefined ? `${s}: not applicable` : covered ? `${s}: considered` : `${s}: not considered`;
      tr.append(td);
    }
    table.append(tr);
  }
  body.append(table);
  if (metrics.strideTotal > metrics.stride.length)
    body.append(el('p', `… and ${metrics.strideTotal - metrics.stride.length} more elements (threatcode report lists all)`, 'muted'));
}

function renderFocusOptions(): void {
  const d = view?.diagram;
  const boundaries = d?.boundaries ?? [];
  focusSelect.replaceChildren(el('option', 'Open a boundary…'));
  (focusSelect.firstChild as HTMLOptionElement).value = '';
  const depth = (id: string) => {
    let n = 0;
    let p = boundaries.find((b) => b.id === id)?.parent;
    const seen = new Set<string>();
    while (p && !seen.has(p) && n < 8) {
      seen.add(p);
      n++;
      p = boundaries.find((b) => b.id === p)?.parent;
    }
    return n;
  };
  for (const b of boundaries) {
    const option = el('option', `${'\u2003'.repeat(depth(b.id))}${b.name}`);
    option.value = b.id;
    focusSelect.append(option);
  }
  focusSelect.value = d?.level === 'boundary' ? (d.focus.boundary?.id ?? '') : '';
  // The system of systems has models, not boundaries or elements under the cursor.
  focusSelect.hidden = d?.level === 'system';
  aroundButton.hidden = d?.level === 'system';
  deliveryBox.disabled = d?.release === undefined;
  deliveryBox.title =
    d?.release === undefined
      ? 'Set system.release to mark what this delivery changes'
      : `Mark the elements of release ${d.release} and measure them alone`;
  aroundButton.setAttribute('aria-pressed', String(Boolean(state.focusElement)));
  aroundButton.classList.toggle('pressed', Boolean(state.focusElement));
}

function setToggle(button: HTMLElement, panel: HTMLElement, open: boolean): void {
  panel.hidden = !open;
  button.setAttribute('aria-pressed', String(open));
  button.classList.toggle('pressed', open);
}

function updateZoomLabel(): void {
  zoomLabel.textContent = `${Math.round(panzoom.getScale() * 100)} %`;
}

let saveTimer: ReturnType<typeof setTimeout> | undefined;
canvas.addEventListener('panzoomchange', () => {
  updateZoomLabel();
  clearTimeout(saveTimer);
  // Only a placed view has a zoom worth keeping (panzoom also reports its own start-up transform).
  if (drawnKey === undefined) return;
  const key = drawnKey;
  saveTimer = setTimeout(() => {
    const pan = panzoom.getPan();
    if (key !== drawnKey) return;
    const zoom = { scale: panzoom.getScale(), x: pan.x, y: pan.y };
    // The last 20 views: enough to come back to, small in the webview's state.
    const others = Object.entries(state.zooms ?? {}).filter(([k]) => k !== key);
    const zooms = [...others, [key, zoom] as const].slice(-20);
    saveState({ zoom: { key, ...zoom }, zooms: Object.fromEntries(zooms) });
  }, 150);
});

window.addEventListener('message', (event: MessageEvent<HostToWebview>) => {
  const message = event.data;
  if (message.type === 'view') {
    view = message.view;
    saveState({ uri: message.view.uri });
    deliveryBox.checked = state.delivery;
    showErrors(message.view.errors);
    showVerdict();
    renderFocusOptions();
    renderCrumbs();
    renderCoverage();
    renderBetween();
    void render();
  } else if (message.type === 'highlight') {
    highlighted = message.modelId;
    applyHighlight(true);
  } else if (message.type === 'delivery') {
    // The scope changed elsewhere (the completeness view): follow it.
    saveState({ delivery: message.delivery });
    deliveryBox.checked = message.delivery;
  }
});

document.getElementById('zoom-in')!.addEventListener('click', () => {
  userMoved = true;
  panzoom.zoomIn();
});
document.getElementById('zoom-out')!.addEventListener('click', () => {
  userMoved = true;
  panzoom.zoomOut();
});
document.getElementById('fit')!.addEventListener('click', () => {
  userMoved = true;
  fit(true);
  showStatus(true);
});
document.getElementById('export-svg')!.addEventListener('click', () => {
  const svg = canvas.querySelector('svg');
  if (svg) post({ type: 'exportSvg', svg: exportSvg(svg) });
});
document.getElementById('export-png')!.addEventListener('click', () => {
  const svg = canvas.querySelector('svg');
  if (svg) void exportPng(svg).then((png) => post({ type: 'exportPng', png }));
});
const legendButton = document.getElementById('legend-toggle')!;
legendButton.addEventListener('click', () => {
  saveState({ legend: !state.legend });
  setToggle(legendButton, legend, Boolean(state.legend));
});
const coverageButton = document.getElementById('coverage-toggle')!;
coverageButton.addEventListener('click', () => {
  saveState({ coverage: !state.coverage });
  setToggle(coverageButton, coverage, Boolean(state.coverage));
});
deliveryBox.addEventListener('change', () => {
  saveState({ delivery: deliveryBox.checked });
  sendOptions();
});
focusSelect.addEventListener('change', () => {
  if (focusSelect.value) openLevel({ focusBoundary: focusSelect.value, focusElement: undefined, overview: undefined });
});
// Toggle: the neighbourhood of the element under the cursor, or back to where it was opened from.
aroundButton.addEventListener('click', () => {
  if (state.focusElement) openLevel({ focusElement: undefined, focusBoundary: state.focusBoundary, overview: state.overview });
  else if (highlighted) openLevel({ focusElement: highlighted, focusBoundary: state.focusBoundary, overview: state.overview });
});

// Keyboard: arrows move between nodes, + and - zoom, 0 fits, Escape goes up a level (wherever the focus is in the
// diagram, or nowhere in particular).
window.addEventListener('keydown', (e) => {
  const inDiagram = document.activeElement === document.body || viewport.contains(document.activeElement);
  if (!inDiagram || e.defaultPrevented) return;
  const active = document.activeElement;
  const arrows: Record<string, 'left' | 'right' | 'up' | 'down'> = {
    ArrowLeft: 'left',
    ArrowRight: 'right',
    ArrowUp: 'up',
    ArrowDown: 'down',
  };
  if (arrows[e.key]) {
    const nodes = [...canvas.querySelectorAll<SVGElement>('g.node[tabindex], .cluster-label[tabindex]')];
    const from = active && nodes.includes(active as SVGElement) ? (active as SVGElement) : undefined;
    const next = from ? nearestInDirection(from, nodes, arrows[e.key]) : nodes[0];
    if (next) {
      e.preventDefault();
      next.focus({ preventScroll: true });
      if (!onScreen(next)) centreOn(next, true);
    }
  } else if (e.key === '+' || e.key === '=') {
    userMoved = true;
    panzoom.zoomIn();
  } else if (e.key === '-') {
    userMoved = true;
    panzoom.zoomOut();
  } else if (e.key === '0') {
    userMoved = true;
    fit(true);
  } else if (e.key === 'Escape' && (state.focusElement || state.focusBoundary || state.overview || state.system)) {
    // Out one level; from the system of systems, back to this model.
    if (state.focusElement) openLevel({ focusElement: undefined, focusBoundary: state.focusBoundary, overview: state.overview });
    else openLevel({ focusBoundary: undefined, focusElement: undefined, overview: undefined });
  }
});

// Wide panels lay out left to right, tall ones top to bottom; switch only well past square, so it does not flicker.
function preferredDirection(): 'LR' | 'TB' | undefined {
  const ratio = viewport.clientWidth / Math.max(1, viewport.clientHeight);
  if (ratio > 1.35) return 'LR';
  if (ratio < 1.1) return 'TB';
  return state.direction;
}
let resizeTimer: ReturnType<typeof setTimeout> | undefined;
new ResizeObserver(() => {
  const direction = preferredDirection() ?? 'TB';
  if (direction !== state.direction) {
    saveState({ direction, zoom: undefined });
    drawnKey = undefined;
    sendOptions();
    return;
  }
  // The panel settled at another size (the editor layout, a sash moved): place the view again unless the user has.
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    if (!userMoved && drawnKey !== undefined && canvas.querySelector('svg')) defaultView();
  }, 150);
}).observe(viewport);

// VS Code switches themes by changing the body's classes.
new MutationObserver(() => {
  configureMermaid();
  void render();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

setToggle(legendButton, legend, Boolean(state.legend));
setToggle(coverageButton, coverage, Boolean(state.coverage));
state = { ...state, direction: preferredDirection() ?? 'TB' };
configureMermaid();
updateZoomLabel();
post({ type: 'ready', options: currentOptions() });
