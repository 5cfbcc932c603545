/**
 * The diagram and completeness webview. It renders what the server computed (Mermaid source, node-to-model map,
 * metrics) and reports user actions; it holds no threat logic. Model text only ever reaches the DOM through
 * textContent or through Mermaid in strict mode on source whose labels the server has encoded.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import type { HostToWebview, ViewRange, ViewResult, WebviewState, WebviewToHost } from '../../server/src/shared/view';
import { STRIDE_LETTERS } from '../../server/src/shared/vocabulary';

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

const vscode = acquireVsCodeApi();
const canvas = document.getElementById('canvas')!;
const viewport = document.getElementById('viewport')!;
const panel = document.getElementById('panel')!;
const banner = document.getElementById('banner')!;
const focusSelect = document.getElementById('focus') as HTMLSelectElement;
const deliveryBox = document.getElementById('delivery') as HTMLElement & { checked: boolean };

let view: ViewResult | undefined;
let lastGoodSvg = '';
let renderSeq = 0;
let highlighted: string | undefined;
let scale = 1;
let pan = { x: 0, y: 0 };

function post(message: WebviewToHost): void {
  vscode.postMessage(message);
}

function themeName(): string {
  const c = document.body.classList;
  return c.contains('vscode-dark') || c.contains('vscode-high-contrast') ? 'dark' : 'default';
}

function configureMermaid(): void {
  // strict: no HTML in labels, no click callbacks; directives cannot change these `secure` keys.
  mermaid.initialize({
    startOnLoad: false,
    securityLevel: 'strict',
    theme: themeName(),
    maxTextSize: 1_000_000,
    maxEdges: 2000,
    // Plain SVG text, no HTML labels (no foreignObject): model text never becomes markup.
    htmlLabels: false,
    flowchart: { htmlLabels: false, useMaxWidth: false },
    secure: ['secure', 'securityLevel', 'startOnLoad', 'maxTextSize', 'maxEdges', 'theme', 'themeCSS', 'themeVariables', 'fontFamily'],
  });
}

function showErrors(errors: readonly string[]): void {
  banner.textContent = errors.length ? `${errors.join('\n')}\nShowing the last diagram that rendered.` : '';
  banner.classList.toggle('visible', errors.length > 0);
}

async function render(): Promise<void> {
  const diagram = view?.diagram;
  if (!diagram) return;
  const seq = ++renderSeq;
  // Defence in depth: the server never emits directives; refuse any that appear.
  if (/%%\s*\{/.test(diagram.mermaid)) {
    showErrors(['The diagram contained a Mermaid directive and was not rendered.']);
    return;
  }
  try {
    const { svg } = await mermaid.render(`tc-diagram-${seq}`, diagram.mermaid);
    if (seq !== renderSeq) return; // a newer view arrived while rendering
    lastGoodSvg = svg;
    canvas.innerHTML = svg;
    bindDiagram();
    applyHighlight();
    // Counted in the drawing: the overview aggregates flows into edges between boundaries.
    post({
      type: 'rendered',
      nodes: canvas.querySelectorAll('g.node').length,
      edges: canvas.querySelectorAll('path.flowchart-link').length,
    });
  } catch (e) {
    if (seq !== renderSeq) return;
    canvas.innerHTML = lastGoodSvg;
    bindDiagram();
    const message = e instanceof Error ? e.message : String(e);
    showErrors([`The diagram could not be rendered: ${message}`]);
    post({ type: 'rendered', nodes: 0, edges: 0, error: message });
  }
}

/** Mermaid names node groups "<render id>-flowchart-<id>-<n>" and clusters "<render id>-<id>". */
function diagramIdOf(el: Element): string | undefined {
  const m = /flowchart-(.+)-\d+$/.exec(el.id);
  if (m) return m[1];
  return el.classList.contains('cluster') ? el.id.replace(/^tc-diagram-\d+-/, '') : undefined;
}

function bindDiagram(): void {
  const nodes = view?.diagram?.nodes ?? {};
  for (const el of canvas.querySelectorAll('g.node, g.cluster')) {
    const id = diagramIdOf(el);
    const item = id ? nodes[id] : undefined;
    if (!item) continue;
    el.setAttribute('data-model-id', item.modelId);
    el.addEventListener('click', (ev) => {
      ev.stopPropagation();
      post({ type: 'reveal', range: item.range });
    });
  }
}

function applyHighlight(): void {
  for (const el of canvas.querySelectorAll('.tc-highlight')) el.classList.remove('tc-highlight');
  if (!highlighted) return;
  for (const el of canvas.querySelectorAll(`[data-model-id]`)) {
    if (el.getAttribute('data-model-id') === highlighted) el.classList.add('tc-highlight');
  }
}

function setTransform(): void {
  canvas.style.transform = `translate(${pan.x}px, ${pan.y}px) scale(${scale})`;
}

function fit(): void {
  const svg = canvas.querySelector('svg');
  if (!svg) return;
  const box = svg.getBoundingClientRect();
  const width = box.width / scale;
  const height = box.height / scale;
  scale = Math.min(2, Math.max(0.05, Math.min(viewport.clientWidth / (width + 24), viewport.clientHeight / (height + 24))));
  pan = { x: 0, y: 0 };
  setTransform();
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

function revealButton(text: string, range: ViewRange): HTMLButtonElement {
  const b = el('button', text);
  b.addEventListener('click', () => post({ type: 'reveal', range }));
  return b;
}

function renderPanel(): void {
  panel.replaceChildren();
  const metrics = view?.metrics;
  if (!metrics) return;
  panel.append(el('h3', `Completeness (${metrics.scope === 'all' ? 'whole model' : `release ${metrics.scope}`})`));
  panel.append(el('div', 'How complete the analysis is — not how secure the system is.', 'muted'));
  for (const g of metrics.gauges) {
    const details = el('details', undefined, 'gauge');
    details.dataset.gauge = g.id;
    const summary = el('summary', `${g.title}: ${g.done} / ${g.total} (${Math.round(g.ratio * 100)}%)`);
    const track = el('div', undefined, 'track');
    const fill = el('div', undefined, `fill ${g.ratio < 0.5 ? 'low' : g.ratio < 0.8 ? 'mid' : ''}`);
    fill.style.width = `${Math.round(g.ratio * 100)}%`;
    track.append(fill);
    details.append(summary, track, el('div', g.explanation, 'muted'));
    if (g.missing.length) {
      const list = el('ul');
      for (const m of g.missing) {
        const li = el('li');
        li.append(revealButton(m.message, m.range));
        list.append(li);
      }
      if (g.missingTotal > g.missing.length)
        list.append(el('li', `… and ${g.missingTotal - g.missing.length} more (threatcode report lists all)`));
      details.append(list);
    }
    panel.append(details);
  }
  if (metrics.gates.length) {
    panel.append(el('h3', 'Gates'));
    const list = el('ul', undefined, 'gates');
    for (const g of metrics.gates) list.append(el('li', `${g.passed ? '✓' : '✗'} ${g.title}: ${g.detail}`, g.passed ? 'pass' : 'fail'));
    panel.append(list);
  }
  const r = metrics.residualRisk;
  panel.append(
    el('h3', 'Open threats'),
    el('div', `critical ${r.critical} · high ${r.high} · medium ${r.medium} · low ${r.low} · unrated ${r.unrated}`),
  );
  panel.append(
    el('h3', 'Freshness'),
    el(
      'div',
      metrics.lastReview ? `Last review ${metrics.lastReview} (${metrics.daysSinceReview} days ago)` : 'Never reviewed (system.reviewed)',
    ),
  );
  if (metrics.stride.length) {
    panel.append(el('h3', 'STRIDE coverage'));
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
        tr.append(el('td', covered === undefined ? '' : covered ? '✓' : '·', covered === undefined ? '' : covered ? 'yes' : 'no'));
      }
      table.append(tr);
    }
    panel.append(table);
    if (metrics.strideTotal > metrics.stride.length)
      panel.append(el('div', `… and ${metrics.strideTotal - metrics.stride.length} more elements (threatcode report lists all)`, 'muted'));
  }
}

function renderFocusOptions(): void {
  const boundaries = view?.diagram?.boundaries ?? [];
  const current = vscode.getState()?.focusBoundary ?? '';
  focusSelect.replaceChildren(el('option', view?.diagram?.overview ? 'Overview (all boundaries)' : 'Whole model'));
  (focusSelect.firstChild as HTMLOptionElement).value = '';
  for (const b of boundaries) {
    const option = el('option', b.name);
    option.value = b.id;
    focusSelect.append(option);
  }
  focusSelect.value = current;
}

function saveOptions(focusElement = vscode.getState()?.focusElement): void {
  const state = vscode.getState();
  if (!state) return;
  const next: WebviewState = { ...state, delivery: deliveryBox.checked, focusBoundary: focusSelect.value || undefined, focusElement };
  vscode.setState(next);
  post({ type: 'options', delivery: next.delivery, focusBoundary: next.focusBoundary, focusElement: next.focusElement });
}

window.addEventListener('message', (event: MessageEvent<HostToWebview>) => {
  const message = event.data;
  if (message.type === 'view') {
    view = message.view;
    const state = vscode.getState();
    vscode.setState({
      uri: message.view.uri,
      delivery: state?.delivery ?? false,
      focusBoundary: state?.focusBoundary,
      focusElement: state?.focusElement,
    });
    deliveryBox.checked = state?.delivery ?? false;
    showErrors(message.view.errors);
    renderFocusOptions();
    if (message.view.metrics) renderPanel();
    void render();
  } else if (message.type === 'highlight') {
    highlighted = message.modelId;
    applyHighlight();
  }
});

document.getElementById('zoom-in')!.addEventListener('click', () => {
  scale = Math.min(4, scale * 1.25);
  setTransform();
});
document.getElementById('zoom-out')!.addEventListener('click', () => {
  scale = Math.max(0.05, scale / 1.25);
  setTransform();
});
document.getElementById('fit')!.addEventListener('click', fit);
document.getElementById('export')!.addEventListener('click', () => {
  const svg = canvas.querySelector('svg');
  if (svg) post({ type: 'exportSvg', svg: new XMLSerializer().serializeToString(svg) });
});
deliveryBox.addEventListener('change', () => saveOptions());
focusSelect.addEventListener('change', () => saveOptions());
// Toggle: the neighbourhood of the element under the cursor, or everything again.
document.getElementById('around')!.addEventListener('click', () => saveOptions(vscode.getState()?.focusElement ? undefined : highlighted));
viewport.addEventListener(
  'wheel',
  (e) => {
    if (!e.ctrlKey && !e.metaKey) return;
    e.preventDefault();
    scale = Math.min(4, Math.max(0.05, scale * (e.deltaY < 0 ? 1.1 : 1 / 1.1)));
    setTransform();
  },
  { passive: false },
);
let drag: { x: number; y: number } | undefined;
viewport.addEventListener('pointerdown', (e) => {
  if ((e.target as Element).closest('g.node')) return;
  drag = { x: e.clientX - pan.x, y: e.clientY - pan.y };
});
window.addEventListener('pointermove', (e) => {
  if (!drag) return;
  pan = { x: e.clientX - drag.x, y: e.clientY - drag.y };
  setTransform();
});
window.addEventListener('pointerup', () => (drag = undefined));

// VS Code switches themes by changing the body's classes.
new MutationObserver(() => {
  configureMermaid();
  void render();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

configureMermaid();
post({ type: 'ready' });
