/**
 * The webview bundle in headless Chromium (playwright-core driving Debian's /usr/bin/chromium), served with the same
 * HTML shell and CSP as in VS Code, answered by views the real server code computes (hostModel plays the extension).
 * What is checked is what a person needs beside the editor: labels big enough to read, the element they work on on
 * screen and visibly marked, every level reachable, the view kept. Screenshots of every case go to test-results/.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { nodeFileSystem } from '../../server/src/files/node-file-system';
import { ModelStore } from '../../server/src/workspace/model-store';
import { analyze, BUILTIN_RULES } from '../support/analyze';
import { computeView } from '../../server/src/lsp/view';
import type { ViewResult, WebviewState, WebviewToHost } from '../../server/src/shared/view';
import { generateModel } from '../support/generate-model';
import { measureRender } from '../bench/render';
import { CHROMIUM_PATH } from '../support/chromium';
import {
  hostModel,
  messages,
  show as showView,
  startWebviewHost,
  waitFor as waitForMessage,
  type WebviewHost,
} from '../support/webview-host';
import { REPO_ROOT } from '../support/paths';

const EXAMPLES = ['webshop/webshop.tm.yaml', 'k8s-microservices/ride-hailing.tm.yaml', 'llm-agent/support-agent.tm.yaml'];
const RESULTS = path.join(REPO_ROOT, 'test-results');
/** The panel beside the editor in a 1600×1000 window, and the panel maximised. */
const BESIDE = { width: 700, height: 900 };
const WIDE = { width: 1400, height: 900 };
const MIN_LABEL_PX = 11;

/** VS Code's Light Modern colours, as the editor sets them on the webview's body. */
const LIGHT =
  'body{--vscode-foreground:#3b3b3b;--vscode-editor-background:#ffffff;--vscode-panel-border:#e5e5e5;--vscode-textLink-foreground:#005fb8;--vscode-font-family:system-ui,sans-serif;--vscode-font-size:13px;--vscode-focusBorder:#005fb8;--vscode-charts-red:#e51400;--vscode-charts-orange:#d18616;--vscode-charts-yellow:#bf8803;--vscode-charts-purple:#652d90;--vscode-charts-green:#388a34;--vscode-editorWidget-background:#f8f8f8;--vscode-editorWidget-border:#c8c8c8;--vscode-dropdown-background:#ffffff;--vscode-dropdown-foreground:#3b3b3b}';

function viewOf(text: string, uri = 'file:///ws/model.tm.yaml'): ViewResult {
  const document = TextDocument.create(uri, 'threatmodel', 1, text);
  return computeView(document, analyze(text), { uri, delivery: false });
}

function example(name: string): string {
  return readFileSync(path.join(REPO_ROOT, 'examples', name), 'utf8');
}

/**
 * A model like the one a reviewer generated: `n` components in `zones` boundaries, each calling three others in zones
 * picked at random (a fixed seed), so flows run both ways between most pairs of zones.
 */
function estate(n: number, zones: number): string {
  let seed = 7;
  const random = (k: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % k);
  const trust = ['untrusted', 'internal', 'dmz', 'restricted'];
  const lines = ['threatcode: 1', 'system:', '  name: "Generated estate"', 'boundaries:'];
  for (let z = 0; z < zones; z++) lines.push(`  - id: zone-${z}`, `    name: "Zone ${z}"`, `    trust: ${trust[z % trust.length]}`);
  lines.push('components:');
  const id = (i: number) => `c-${i % zones}-${Math.floor(i / zones)}`;
  for (let i = 0; i < n; i++)
    lines.push(`  - id: ${id(i)}`, `    name: "Service ${i}"`, '    type: process', `    boundary: zone-${i % zones}`);
  lines.push('flows:');
  for (let i = 0; i < n; i++)
    for (let k = 0; k < 3; k++) lines.push(`  - id: f-${i}-${k}`, `    from: ${id(i)}`, `    to: ${id(random(n))}`, '    protocol: https');
  return `${lines.join('\n')}\n`;
}

/** Nodes the viewport's edges cut (partly on screen), once panzoom has drawn its last move (animations included). */
async function cutNodes(page: Page): Promise<(string | undefined)[]> {
  await page.waitForTimeout(400);
  await onScreen(page);
  return page.evaluate(() => {
    const v = document.getElementById('viewport')!.getBoundingClientRect();
    return [...document.querySelectorAll('#canvas g.node')]
      .filter((n) => {
        const b = n.getBoundingClientRect();
        const inside = b.left >= v.left - 1 && b.right <= v.right + 1 && b.top >= v.top - 1 && b.bottom <= v.bottom + 1;
        const outside = b.right <= v.left || b.left >= v.right || b.bottom <= v.top || b.top >= v.bottom;
        return !inside && !outside;
      })
      .map((n) => n.textContent?.trim().slice(0, 40));
  });
}

/** What is on screen once panzoom has applied its transform: zoom, label size, and where a selector's element is. */
async function onScreen(page: Page, selector?: string) {
  // Panzoom applies transforms on the next animation frame.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  return page.evaluate((sel) => {
    const canvas = document.getElementById('canvas')!;
    const scale = new DOMMatrix(getComputedStyle(canvas).transform).a;
    const text = document.querySelector('#canvas g.node text');
    const v = document.getElementById('viewport')!.getBoundingClientRect();
    const target = sel ? document.querySelector(sel) : undefined;
    const r = target?.getBoundingClientRect();
    return {
      scale,
      labelPx: text ? parseFloat(getComputedStyle(text).fontSize) * scale : 0,
      visible: r ? r.left >= v.left - 1 && r.right <= v.right + 1 && r.top >= v.top - 1 && r.bottom <= v.bottom + 1 : undefined,
      anyNodeVisible: [...document.querySelectorAll('#canvas g.node')].some((n) => {
        const b = n.getBoundingClientRect();
        return b.left >= v.left && b.right <= v.right && b.top >= v.top && b.bottom <= v.bottom;
      }),
    };
  }, selector);
}

describe('webview in headless Chromium', function () {
  this.timeout(120_000);
  let webviews: WebviewHost;
  let page: Page;

  before(async () => {
    assert.ok(existsSync(CHROMIUM_PATH), `Chromium not found at ${CHROMIUM_PATH}: install Debian's chromium (apt-get install chromium)`);
    webviews = await startWebviewHost();
    mkdirSync(RESULTS, { recursive: true });
  });

  after(async () => {
    await webviews?.close();
  });

  async function open(viewport = BESIDE, theme = LIGHT, bodyClass = 'vscode-light'): Promise<Page> {
    page = await webviews.newPage(viewport);
    page.on('dialog', () => assert.fail('a dialog was opened: script ran'));
    await page.addStyleTag({ content: theme });
    await page.evaluate((c) => document.body.classList.add(c), bodyClass);
    return page;
  }

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page && !page.isClosed()) {
      await page.screenshot({ path: path.join(RESULTS, `${this.currentTest.title.replace(/\W+/g, '-')}.png`) });
    }
    if (page && !page.isClosed()) await page.close();
  });

  const waitFor = (match: (m: WebviewToHost) => boolean, count = 1) => waitForMessage(page, match, count);

  it('renders every example with Mermaid (nodes and flows match the model)', async () => {
    for (const name of EXAMPLES) {
      await open();
      const host = await hostModel(page, example(name));
      const rendered = await host.rendered();
      const diagram = host.view().diagram!;
      assert.equal(rendered.error, undefined, `${name}: ${rendered.error}`);
      assert.equal(rendered.level, 'detail');
      const components = Object.values(diagram.nodes).filter((n) => n.kind !== 'boundary').length;
      assert.equal(rendered.nodes, components, name);
      assert.equal(rendered.edges, diagram.edges.length, `${name}: every flow drawn`);
      await page.close();
    }
  });

  describe('readable by default, beside the editor and maximised', () => {
    const cases: [string, () => string][] = [
      ...EXAMPLES.map((name) => [name.split('/')[0], () => example(name)] as [string, () => string]),
      ...[50, 300, 1000, 5000].map((n) => [`generated-${n}`, () => generateModel(n)] as [string, () => string]),
    ];
    for (const [name, text] of cases) {
      for (const size of [BESIDE, WIDE]) {
        it(`${name} at ${size.width}×${size.height}: labels at least ${MIN_LABEL_PX} px, the focus on screen`, async () => {
          await open(size);
          const host = await hostModel(page, text());
          await host.rendered();
          const state = await onScreen(page);
          assert.ok(state.labelPx >= MIN_LABEL_PX, `labels are ${state.labelPx.toFixed(1)} px at zoom ${state.scale.toFixed(2)}`);
          assert.ok(state.anyNodeVisible, 'a whole node is on screen');
          // The focus: the most severe element when the cursor is nowhere.
          const worst = Math.max(...Object.values(host.view().diagram!.nodes).map((n) => (n.kind === 'boundary' ? 0 : n.severity)));
          const focus = await onScreen(page, `#canvas g.node[data-severity="${worst}"]`);
          assert.ok(focus.visible, `a node of the worst severity (${worst}) is on screen`);
          await page.screenshot({ path: path.join(RESULTS, `diagram-${name}-${size.width}.png`) });
        });
      }
    }

    for (const [name, ids] of [
      ['k8s-microservices/ride-hailing.tm.yaml', ['developer', 'push-provider', 'users-db']],
      ['webshop/webshop.tm.yaml', ['email-provider', 'audit-log', 'shop-api', 'customer', 'payment-provider']],
    ] as const)
      it(`centres the element under the cursor when the view opens, even far from the rest (${name.split('/')[0]})`, async () => {
        await open();
        const text = example(name);
        const host = await hostModel(page, text);
        await host.rendered();
        // The cursor moves from element to element: each is brought on screen, zoom unchanged, no node cut.
        for (const id of ids) {
          await page.evaluate((m) => window.postMessage({ type: 'highlight', modelId: m }, '*'), id);
          await page.waitForTimeout(500);
          const state = await onScreen(page, `#canvas g.node[data-model-id="${id}"]`);
          assert.ok(state.visible, `${id} brought on screen`);
          assert.ok(state.labelPx >= MIN_LABEL_PX);
          assert.deepEqual(await cutNodes(page), [], `no node cut after moving to ${id}`);
        }
      });
  });

  it('highlights the node or flow under the cursor in the focus colour, over its severity', async () => {
    await open();
    const host = await hostModel(page, example('webshop/webshop.tm.yaml'));
    await host.rendered();
    const strokes = () =>
      page.evaluate(() =>
        [...document.querySelectorAll('#canvas g.node')].map((n) => {
          const shape = n.querySelector('rect, path, polygon')!;
          const s = getComputedStyle(shape);
          return {
            id: n.getAttribute('data-model-id'),
            stroke: s.stroke,
            width: s.strokeWidth,
            highlighted: n.classList.contains('tc-highlight'),
          };
        }),
      );
    const before = await strokes();
    // The payment service has the worst severity: the highlight must still change how it looks.
    await page.evaluate(() => window.postMessage({ type: 'highlight', modelId: 'payment-service' }, '*'));
    await page.waitForSelector('#canvas g.node.tc-highlight[data-model-id="payment-service"]');
    const after = await strokes();
    const mark = after.find((s) => s.id === 'payment-service')!;
    const was = before.find((s) => s.id === 'payment-service')!;
    assert.notEqual(mark.stroke, was.stroke, 'the highlight colour replaces the severity colour');
    assert.ok(
      parseFloat(mark.width) > Math.max(...after.filter((s) => !s.highlighted).map((s) => parseFloat(s.width))),
      'thicker than any other node',
    );
    for (const other of after.filter((s) => !s.highlighted)) assert.notEqual(other.stroke, mark.stroke, `${other.id} looks different`);
    // Flows too.
    await page.evaluate(() => window.postMessage({ type: 'highlight', modelId: 'api-sessions' }, '*'));
    await page.waitForSelector('#canvas path.tc-flow.tc-highlight[data-model-id="api-sessions"]');
    const flow = await page.evaluate(() => {
      const p = document.querySelector('#canvas path.tc-flow.tc-highlight')!;
      const q = document.querySelector('#canvas path.tc-flow:not(.tc-highlight)')!;
      return [getComputedStyle(p).stroke, getComputedStyle(q).stroke, getComputedStyle(p).strokeWidth, getComputedStyle(q).strokeWidth];
    });
    assert.notEqual(flow[0], flow[1]);
    assert.ok(parseFloat(flow[2]) > parseFloat(flow[3]));
    // Clicking a flow shows it in the editor.
    await page.locator('#canvas g.label[data-model-id="api-sessions"]').click();
    const reveal = (await waitFor((m) => m.type === 'reveal')) as WebviewToHost & { type: 'reveal' };
    assert.deepEqual(reveal.range, host.view().diagram!.edges.find((e) => e.modelId === 'api-sessions')!.range);
  });

  it('clicking a component shows it in the editor', async () => {
    await open();
    const host = await hostModel(page, example('webshop/webshop.tm.yaml'));
    await host.rendered();
    await page.locator('#canvas g.node[data-model-id="shop-api"]').click();
    const reveal = (await waitFor((m) => m.type === 'reveal')) as WebviewToHost & { type: 'reveal' };
    const node = Object.values(host.view().diagram!.nodes).find((n) => n.modelId === 'shop-api')!;
    assert.deepEqual(reveal.range, node.range);
  });

  it('models across files: imported ends drawn dashed and opened in their file; the system of systems, and into another model', async () => {
    await open();
    const root = path.join(REPO_ROOT, 'test/fixtures/multi-file');
    const imported = new ModelStore({
      fs: nodeFileSystem,
      roots: () => [pathToFileURL(root).href],
      maxLength: () => 5e6,
      rules: () => BUILTIN_RULES,
    });
    const members = ['payments/payments.tm.yaml', 'platform/platform.tm.yaml', 'shared/mitigations.tm.yaml'].map((p) => {
      const uri = pathToFileURL(path.join(root, p)).href;
      const text = readFileSync(path.join(root, p), 'utf8');
      return { uri, text, analysis: analyze(text, { imports: { uri, resolver: imported.resolver() } }) };
    });
    const [payments, platform] = members;
    // The workspace also holds models that stand alone (the examples): the system view draws them too.
    const alone = EXAMPLES.map((name) => ({ uri: `file:///ws/${name}`, analysis: analyze(example(name)) }));
    const workspaceModels = () => [...members, ...alone];
    const host = await hostModel(page, payments.text, payments.uri, { analysis: payments.analysis, models: workspaceModels });
    await host.rendered();
    // The platform's gateway, where the payments flow starts: drawn, dashed, and named as imported.
    const gateway = page.locator('#canvas g.node[data-model-id="gateway"]');
    assert.equal(await gateway.getAttribute('data-imported'), 'true');
    assert.match((await gateway.locator('title').textContent()) ?? '', /imported from another model/);
    const dash = await gateway.evaluate((g) => getComputedStyle(g.querySelector('rect, path, polygon')!).strokeDasharray);
    assert.notEqual(dash, 'none');
    assert.ok((await onScreen(page)).labelPx >= MIN_LABEL_PX);
    await page.screenshot({ path: path.join(RESULTS, 'diagram-imports-payments.png') });
    await gateway.click();
    const reveal = (await waitFor((m) => m.type === 'reveal')) as WebviewToHost & { type: 'reveal' };
    assert.equal(reveal.uri, platform.uri, 'the gateway is shown in the platform model');

    // Up to the system of systems: every model a node, the flow across drawn between them.
    await page.locator('#crumbs button', { hasText: 'System (6 models)' }).click();
    const system = await host.rendered(2);
    assert.equal(system.level, 'system');
    assert.equal(system.nodes, 6);
    // Readable beside the editor, this model on screen.
    const seen = await onScreen(page, '#canvas g.node[data-current="true"]');
    assert.ok(seen.labelPx >= MIN_LABEL_PX, `labels are ${seen.labelPx.toFixed(1)} px`);
    assert.ok(seen.visible, 'this model is on screen');
    assert.deepEqual(await cutNodes(page), [], "no model cut at the panel's edges");
    const edgeLabels = await page.locator('#canvas .edgeLabel').allTextContents();
    assert.ok(
      edgeLabels.some((t) => /Gateway forwards payment\s*calls/.test(t)),
      edgeLabels.join(' | '),
    );
    assert.ok(
      edgeLabels.some((t) => /imports/.test(t)),
      'the mitigations catalog has no flow: an imports edge',
    );
    assert.ok((await onScreen(page)).labelPx >= MIN_LABEL_PX);
    assert.match((await page.locator('#crumbs').textContent()) ?? '', /System of 6 models›This model/);
    await page.screenshot({ path: path.join(RESULTS, 'diagram-system-of-systems.png') });
    // Recreated (a tab switch, a reload) at the system of systems: it comes back there, not as the model's own diagram.
    const left = await page.evaluate(() => (window as unknown as { __state: WebviewState }).__state);
    assert.equal(left.system, true);
    await page.close();
    page = await webviews.newPage(BESIDE, left);
    await page.addStyleTag({ content: LIGHT });
    const recreated = await hostModel(page, payments.text, payments.uri, { analysis: payments.analysis, models: workspaceModels });
    assert.equal((await recreated.rendered()).level, 'system');
    assert.equal(recreated.options().system, true);
    // Into another model: the host is asked to open it (its file and its diagram).
    assert.equal(await page.locator('#canvas g.node[data-current="true"]').getAttribute('data-uri'), payments.uri);
    const platformNode = page.locator(`#canvas g.node[data-kind="model"][data-uri="${platform.uri}"]`);
    await platformNode.click();
    const opened = (await waitFor((m) => m.type === 'openModel')) as WebviewToHost & { type: 'openModel' };
    assert.equal(opened.uri, platform.uri);
    // Back to this model from the keyboard.
    await page.keyboard.press('Escape');
    assert.equal((await recreated.rendered(2)).level, 'detail');
  });

  it('drills from the overview into one boundary of the 300-component model, which shows exactly its components', async () => {
    await open();
    const text = generateModel(300);
    const host = await hostModel(page, text);
    const overview = await host.rendered();
    assert.equal(overview.level, 'overview');
    await page.locator('#canvas g.node[data-kind="group"][data-model-id="zone-2"]').click();
    const boundary = await host.rendered(2);
    assert.equal(boundary.level, 'boundary');
    const drawn = await page.evaluate(() =>
      [...document.querySelectorAll('#canvas g.node')]
        .filter((n) => n.getAttribute('data-kind') !== 'group')
        .map((n) => n.getAttribute('data-model-id')),
    );
    const expected = analyze(text)
      .parsed.model!.components.filter((c) => c.data.boundary === 'zone-2')
      .map((c) => c.id);
    assert.deepEqual([...drawn].sort(), [...expected].sort());
    assert.match((await page.locator('#crumbs').textContent()) ?? '', /Overview›Zone 2/);
    assert.ok((await onScreen(page)).labelPx >= MIN_LABEL_PX);
    await page.screenshot({ path: path.join(RESULTS, 'diagram-generated-300-zone-2.png') });
    // A neighbour group opens its boundary (it may be off screen: a click reaches it wherever it is).
    await page.locator('#canvas g.node[data-kind="group"][data-model-id="zone-6"]').dispatchEvent('click');
    assert.equal((await host.rendered(3)).level, 'boundary');
    assert.equal(host.options().focusBoundary, 'zone-6');
    await page.locator('#crumbs button', { hasText: 'Overview' }).click();
    assert.equal((await host.rendered(4)).level, 'overview');
    await page.locator('#canvas g.node[data-kind="group"]').first().focus();
    await page.keyboard.press('Enter');
    assert.equal((await host.rendered(5)).level, 'boundary');
    await page.keyboard.press('Escape');
    assert.equal((await host.rendered(6)).level, 'overview');
  });

  it("frames every change of focus: no node cut at the panel's edges, labels readable, the toolbar where it was", async () => {
    await open();
    const model = estate(300, 9);
    const host = await hostModel(page, model);
    const overview = await host.rendered();
    assert.equal(overview.level, 'overview');
    const toolbar = () =>
      page.evaluate(() =>
        ['focus', 'around', 'zoom-out', 'fit', 'legend-toggle', 'export-png', 'delivery'].map((id) => {
          const r = document.getElementById(id)!.getBoundingClientRect();
          return `${id}@${Math.round(r.x)},${Math.round(r.y)}`;
        }),
      );
    const cut = () => cutNodes(page);
    const places = await toolbar();
    const shot = (name: string) => page.screenshot({ path: path.join(RESULTS, `diagram-framed-${name}.png`) });
    assert.deepEqual(await cut(), [], 'overview');
    assert.ok((await onScreen(page)).labelPx >= MIN_LABEL_PX);
    // Between nine zones: one edge per pair of zones, whatever the directions of its flows.
    const edges = overview.edges ?? Number.NaN;
    assert.ok(edges <= (9 * 8) / 2, `${edges} edges between 9 zones`);
    await shot('overview');

    // Too interlinked to draw apart: the status line offers them as a table, a row per zone the flows start in.
    await page.locator('#between-toggle').click();
    const table = page.locator('#between table.between');
    await table.waitFor();
    assert.equal(await table.locator('tr').count(), 1 + 9);
    assert.equal(await table.locator('tr').first().locator('th').count(), 1 + 9);
    // Every flow between two zones is in exactly one cell (the estate's flows inside a zone are on no cell).
    const cells = await table.locator('td').allTextContents();
    const counted = cells.filter((c) => /^\d+$/.test(c)).reduce((n, c) => n + Number(c), 0);
    const zoneOf = (id: string) => id.split('-')[1];
    const across = [...model.matchAll(/from: (c-\d+-\d+)\n {4}to: (c-\d+-\d+)\n/g)].filter((m) => zoneOf(m[1]) !== zoneOf(m[2])).length;
    assert.equal(counted, across);
    // Readable, and on screen: beside the editor the whole table fits the panel's width.
    const box = (await page.locator('#between').boundingBox())!;
    assert.ok(box.x >= 0 && box.x + box.width <= 700, `the table spans ${Math.round(box.x)}–${Math.round(box.x + box.width)} px`);
    const px = await table.evaluate((t) => parseFloat(getComputedStyle(t).fontSize));
    assert.ok(px >= MIN_LABEL_PX, `${px} px`);
    await shot('overview-table');
    // A zone's name opens it, as its node does.
    await table.locator('th[scope="row"] button', { hasText: 'Zone 5' }).click();
    assert.equal((await host.rendered(2)).level, 'boundary');
    assert.equal(host.options().focusBoundary, 'zone-5');
    assert.equal(await page.locator('#between').isHidden(), true, 'the table belongs to the overview');
    await page.keyboard.press('Escape');
    assert.equal((await host.rendered(3)).level, 'overview');

    // Opened from the list, as a person does when the zone is not on screen.
    await page.locator('#focus').selectOption('zone-2');
    const boundary = await host.rendered(4);
    assert.equal(boundary.level, 'boundary');
    // Every component of the zone calls the eight others: its crossing flows are one counted edge per neighbouring
    // zone, drawn from the zone itself (they were 123 edges, one per component and neighbour); its own flows as such.
    const inside = [...model.matchAll(/from: c-2-\d+\n {4}to: c-2-\d+\n/g)].length;
    assert.equal(boundary.edges, 8 + inside);
    assert.deepEqual(await cut(), [], 'boundary');
    assert.ok((await onScreen(page)).labelPx >= MIN_LABEL_PX);
    assert.deepEqual(await toolbar(), places);
    await shot('boundary');

    await page.evaluate(() => window.postMessage({ type: 'highlight', modelId: 'c-2-0' }, '*'));
    await page.locator('#around').click();
    const around = await host.rendered(5);
    assert.equal(around.level, 'element');
    assert.deepEqual(await cut(), [], 'around the cursor');
    assert.ok((await onScreen(page, '#canvas g.node[data-model-id="c-2-0"]')).visible, 'the element itself on screen');
    assert.deepEqual(await toolbar(), places);
    await shot('around');
  });

  it('"Around cursor" shows the neighbourhood of the element under the cursor, and toggles back', async () => {
    await open();
    const host = await hostModel(page, example('webshop/webshop.tm.yaml'));
    await host.rendered();
    assert.equal(await page.locator('#around').getAttribute('aria-pressed'), 'false');
    await page.evaluate(() => window.postMessage({ type: 'highlight', modelId: 'orders-db' }, '*'));
    await page.locator('#around').click();
    const around = await host.rendered(2);
    assert.equal(around.level, 'element');
    assert.equal(host.options().focusElement, 'orders-db');
    assert.equal(await page.locator('#around').getAttribute('aria-pressed'), 'true');
    assert.ok(around.nodes < 13);
    await page.locator('#around').click();
    const back = await host.rendered(3);
    assert.equal(back.level, 'detail');
    assert.equal(host.options().focusElement, undefined);
    assert.equal(await page.locator('#around').getAttribute('aria-pressed'), 'false');
  });

  it('keeps zoom, pan and level when the webview is recreated (tab switch, window reload)', async () => {
    await open();
    const text = generateModel(300);
    const host = await hostModel(page, text);
    await host.rendered();
    await page.locator('#canvas g.node[data-kind="group"][data-model-id="zone-3"]').click();
    await host.rendered(2);
    await page.locator('#zoom-in').click();
    await page.mouse.move(350, 500);
    await page.mouse.down();
    await page.mouse.move(250, 400, { steps: 5 });
    await page.mouse.up();
    await page.waitForTimeout(600);
    const saved = await page.evaluate(() => (window as unknown as { __state: WebviewState }).__state);
    const before = await page.evaluate(() => getComputedStyle(document.getElementById('canvas')!).transform);
    assert.equal(saved.focusBoundary, 'zone-3');
    assert.ok(saved.zoom);
    await page.close();
    // The recreated webview starts from the state VS Code kept.
    page = await webviews.newPage(BESIDE, saved);
    await page.addStyleTag({ content: LIGHT });
    const again = await hostModel(page, text);
    const rendered = await again.rendered();
    assert.equal(rendered.level, 'boundary');
    assert.equal(again.options().focusBoundary, 'zone-3');
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    assert.equal(await page.evaluate(() => getComputedStyle(document.getElementById('canvas')!).transform), before);
  });

  it('finds a view as the user left it after another view was shown in between (the overview and back)', async () => {
    await open();
    const text = generateModel(300);
    const host = await hostModel(page, text);
    await host.rendered();
    await page.locator('#canvas g.node[data-kind="group"][data-model-id="zone-3"]').click();
    await host.rendered(2);
    await page.locator('#zoom-in').click();
    await page.waitForTimeout(600);
    const zoomed = await page.evaluate(() => getComputedStyle(document.getElementById('canvas')!).transform);
    // Back to the overview (a view of its own, placed by default), then into the same boundary again.
    await page.locator('#crumbs button', { hasText: 'Overview' }).click();
    await host.rendered(3);
    await page.waitForTimeout(300);
    assert.notEqual(await page.evaluate(() => getComputedStyle(document.getElementById('canvas')!).transform), zoomed);
    await page.locator('#canvas g.node[data-kind="group"][data-model-id="zone-3"]').click();
    await host.rendered(4);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    assert.equal(await page.evaluate(() => getComputedStyle(document.getElementById('canvas')!).transform), zoomed);
  });

  it('a zoom kept for one layout direction is not applied to the other: the view beside the editor centres the cursor again', async () => {
    // Opened wide (left to right), zoomed by the user, then the panel becomes the column beside the editor (top to
    // bottom): the wide drawing's zoom and pan pointed at nothing in the tall one (a UI test saw the element under
    // the cursor off screen).
    await open(WIDE);
    const text = example('webshop/webshop.tm.yaml');
    const host = await hostModel(page, text);
    await host.rendered();
    assert.equal(host.options().direction, 'LR');
    await page.evaluate(() => window.postMessage({ type: 'highlight', modelId: 'shop-api' }, '*'));
    await page.locator('#zoom-in').click();
    await page.waitForTimeout(600);
    await page.setViewportSize(BESIDE);
    await host.rendered(2);
    assert.equal(host.options().direction, 'TB');
    await page.waitForTimeout(400);
    const state = await onScreen(page, '#canvas g.node[data-model-id="shop-api"]');
    assert.ok(state.visible, 'the element under the cursor is on screen in the new layout');
  });

  it('is usable from the keyboard: Tab reaches a node, arrows move between nodes, Enter shows it in the editor', async () => {
    await open();
    const host = await hostModel(page, example('llm-agent/support-agent.tm.yaml'));
    await host.rendered();
    await page.locator('#viewport').focus();
    await page.keyboard.press('ArrowDown');
    const first = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
    assert.match(first ?? '', /^(External entity|Process|Data store|Trust boundary): /);
    const seen = new Set([first]);
    for (const key of ['ArrowDown', 'ArrowRight', 'ArrowDown', 'ArrowLeft', 'ArrowUp', 'ArrowDown', 'ArrowRight']) {
      await page.keyboard.press(key);
      seen.add(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')));
    }
    assert.ok(seen.size >= 3, `arrows moved between nodes: ${[...seen].join(' | ')}`);
    const focusedNode = await page.evaluate(() => document.activeElement?.closest('g.node')?.getAttribute('data-model-id'));
    if (focusedNode) {
      await page.keyboard.press('Enter');
      const reveal = (await waitFor((m) => m.type === 'reveal')) as WebviewToHost & { type: 'reveal' };
      const node = Object.values(host.view().diagram!.nodes).find((n) => n.modelId === focusedNode)!;
      assert.deepEqual(reveal.range, node.range);
    }
    // The focused node is on screen and marked.
    const state = await onScreen(page, '#canvas g.node:focus');
    assert.notEqual(state.visible, false);
  });

  it('explains itself: a legend, the STRIDE table, and a status line when only part is shown', async () => {
    await open();
    const host = await hostModel(page, example('webshop/webshop.tm.yaml'));
    await host.rendered();
    assert.equal(await page.locator('#legend').isVisible(), false);
    await page.locator('#legend-toggle').click();
    assert.equal(await page.locator('#legend').isVisible(), true);
    assert.match((await page.locator('#legend').textContent()) ?? '', /External entity.*Process.*Data store.*Trust boundary.*critical/s);
    await page.locator('#coverage-toggle').click();
    assert.match((await page.locator('#coverage').textContent()) ?? '', /STRIDE coverage.*shop-api/s);
    await page.locator('#coverage button', { hasText: 'shop-api' }).click();
    assert.equal((await waitFor((m) => m.type === 'reveal')).type, 'reveal');
    assert.match((await page.locator('#status').textContent()) ?? '', /Fit shows all of it/);
    await page.screenshot({ path: path.join(RESULTS, 'diagram-webshop-legend.png') });
    await page.locator('#fit').click();
    await page.waitForTimeout(500);
    assert.equal((await page.locator('#status').textContent()) ?? '', '');
  });

  it('says it is drawing until the diagram is there, and whether the model is complete above it', async () => {
    await open();
    // Before the first view: a sign of life, not an empty panel.
    assert.equal(await page.locator('#rendering').isVisible(), true);
    assert.equal(await page.locator('#rendering').textContent(), 'Drawing the diagram…');
    assert.equal(await page.locator('#verdict').isVisible(), false);
    const host = await hostModel(page, example('webshop/webshop.tm.yaml'));
    await host.rendered();
    assert.equal(await page.locator('#rendering').isVisible(), false);
    const verdict = page.locator('#verdict');
    assert.equal(await verdict.textContent(), 'Acme Shop (whole model): complete (all 2 gates pass)');
    assert.equal(await verdict.getAttribute('class'), 'complete');
    const px = await verdict.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    assert.ok(px >= MIN_LABEL_PX, `the verdict is ${px} px`);
    const box = (await verdict.boundingBox())!;
    assert.ok(box.y >= 0 && box.height > 0 && box.width > BESIDE.width * 0.9, JSON.stringify(box));
    await page.screenshot({ path: path.join(RESULTS, 'diagram-verdict.png') });
    // A model that fails its gates says which and why, in the same line.
    const tiny = [
      'threatcode: 1',
      'system: { name: Tiny }',
      'components:',
      '  - { id: api, name: API, type: process, kind: api, exposure: internet }',
      'threats:',
      '  - { id: T1, title: Broken, category: tampering, severity: high, status: open, targets: [api] }',
      '',
    ].join('\n');
    await page.close();
    await open();
    const failing = await hostModel(page, tiny, 'file:///ws/tiny.tm.yaml');
    await failing.rendered();
    assert.match(
      (await page.locator('#verdict').textContent()) ?? '',
      /^Tiny \(whole model\): not complete — 1 gate fails: \d+ high or critical risks? without a mitigation$/,
    );
    assert.equal(await page.locator('#verdict').getAttribute('class'), 'not-complete');
  });

  it('"This delivery" dims what the release does not touch', async () => {
    await open();
    const host = await hostModel(page, example('webshop/webshop.tm.yaml'));
    await host.rendered();
    await page.locator('#delivery').click();
    await host.rendered(2);
    assert.equal(host.options().delivery, true);
    const opacity = await page.evaluate(() =>
      [...document.querySelectorAll('#canvas g.node')].map((n) => [n.getAttribute('data-model-id'), getComputedStyle(n).opacity]),
    );
    const shown = opacity.filter(([, o]) => o === '1').map(([id]) => id);
    assert.deepEqual(shown.sort(), ['payment-service', 'shop-api'], 'release 2.4 changes these two');
    assert.match((await page.locator('#status').textContent()) ?? '', /Release 2\.4: 2 elements in this delivery/);
  });

  it('picks a readable Mermaid theme for light, dark and both high-contrast themes, and re-renders on a change', async () => {
    for (const [bodyClass, theme] of [
      ['vscode-light', 'default'],
      ['vscode-dark', 'dark'],
      ['vscode-high-contrast', 'dark'],
      ['vscode-high-contrast-light', 'neutral'],
    ]) {
      await open(BESIDE, LIGHT, bodyClass);
      const host = await hostModel(page, example('llm-agent/support-agent.tm.yaml'));
      await host.rendered();
      const used = await page.evaluate(
        () => (window as unknown as { mermaid: { mermaidAPI: { getConfig(): { theme?: string } } } }).mermaid.mermaidAPI.getConfig().theme,
      );
      assert.equal(used, theme, bodyClass);
      await page.close();
    }
    await open();
    const host = await hostModel(page, example('llm-agent/support-agent.tm.yaml'));
    await host.rendered();
    const light = await page.locator('#canvas svg style').first().textContent();
    await page.evaluate(() => document.body.classList.replace('vscode-light', 'vscode-dark'));
    await host.rendered(2);
    assert.notEqual(await page.locator('#canvas svg style').first().textContent(), light);
  });

  it('exports SVG with its background and colours resolved, and PNG', async () => {
    await open();
    const host = await hostModel(page, example('webshop/webshop.tm.yaml'));
    await host.rendered();
    await page.locator('#export-svg').click();
    const svg = ((await waitFor((m) => m.type === 'exportSvg')) as WebviewToHost & { type: 'exportSvg' }).svg;
    assert.match(svg, /^<svg[^>]+xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /<rect x="[\d.-]+" y="[\d.-]+" width="[\d.]+" height="[\d.]+" fill="rgb\(255, 255, 255\)"/, 'a background');
    assert.doesNotMatch(svg, /var\(--/, 'no editor variables left');
    assert.doesNotMatch(svg, /tabindex|tc-highlight/);
    await page.locator('#export-png').click();
    const png = Buffer.from(((await waitFor((m) => m.type === 'exportPng')) as WebviewToHost & { type: 'exportPng' }).png, 'base64');
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.ok(png.length > 10_000);
  });

  it('keeps the last good diagram and shows a banner when the model breaks', async () => {
    await open();
    await showView(page, viewOf(example('webshop/webshop.tm.yaml')));
    const broken = viewOf('threatcode: 1\nsystem: [unclosed\n');
    assert.equal(broken.diagram, undefined);
    await page.evaluate((v) => window.postMessage({ type: 'view', view: v }, '*'), broken as unknown as Record<string, unknown>);
    await page.waitForSelector('#banner.visible');
    assert.match((await page.locator('#banner').textContent()) ?? '', /^Line \d+: /);
    assert.ok((await page.locator('#canvas svg g.node').count()) > 0, 'last diagram still shown');
  });

  it('draws deep nesting and very long names (200 levels and a 50,000-character name did not render in 30 s)', async function () {
    this.timeout(120_000);
    const n = 200;
    const boundaries = Array.from(
      { length: n },
      (_, i) => `  - id: b${i}\n    trust: internal${i ? `\n    parent: b${i - 1}` : ''}\n`,
    ).join('');
    const text = `threatcode: 1\nsystem:\n  name: Deep\nboundaries:\n${boundaries}components:\n  - id: c\n    name: ${'x'.repeat(50_000)}\n    type: process\n    kind: api\n    boundary: b${n - 1}\n  - id: d\n    type: process\n    kind: api\n    boundary: b0\nflows:\n  - id: f\n    from: d\n    to: c\n    protocol: https\n`;
    await open();
    const host = await hostModel(page, text);
    const rendered = await host.rendered();
    assert.equal(rendered.error, undefined, rendered.error);
    // The long name is clipped in the drawing and whole in the tooltip.
    const title = await page.locator('#canvas g.node[data-model-id="c"] title').first().textContent();
    assert.ok((title ?? '').includes('x'.repeat(50_000)));
  });

  it('renders a hostile model as plain text and runs nothing', async () => {
    const hostile = `threatcode: 1
system: { name: "<script>window.__pwned = 1</script>" }
boundaries:
  - { id: b, name: "end\\nsubgraph x\\nclick n0 call alert(1)", trust: dmz }
components:
  - { id: a, name: "<img src=x onerror=\\"window.__pwned=2\\">", type: process, boundary: b }
  - { id: c, name: "[evil](javascript:window.__pwned=3)", type: external }
  - { id: d, name: "%%{init: {'securityLevel': 'loose'}}%%", type: datastore }
  - { id: e, name: "\\"]) --> x[\\"<a href=javascript:alert(1)>x</a>", type: process }
flows:
  - { id: f, from: a, to: c, name: "click a href \\"javascript:alert(1)\\"", protocol: https }
  - { id: g, from: c, to: d, name: "--> |x| ;;; end", protocol: https }
`;
    await open();
    const host = await hostModel(page, hostile);
    const rendered = await host.rendered();
    assert.equal(rendered.error, undefined);
    assert.equal(rendered.nodes, 4);
    const state = await page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: unknown }).__pwned,
      images: document.querySelectorAll('#canvas img, #canvas foreignObject, #canvas a').length,
      scripts: document.querySelectorAll('#canvas script').length,
      text: document.querySelector('#canvas')!.textContent,
      labels: [...document.querySelectorAll('#canvas [aria-label]')].map((e) => e.getAttribute('aria-label')).join(' '),
      securityLevel: (
        window as unknown as { mermaid: { mermaidAPI: { getConfig(): { securityLevel?: string } } } }
      ).mermaid.mermaidAPI.getConfig().securityLevel,
    }));
    assert.equal(state.securityLevel, 'strict', 'no directive changed the Mermaid configuration');
    assert.equal(state.pwned, undefined);
    assert.equal(state.images, 0);
    assert.equal(state.scripts, 0);
    // Words may be split across SVG tspans when labels wrap; the markup is there as text, not as elements.
    assert.ok(state.text.includes('img src=x') && state.text.includes('onerror='), 'the name is shown as text');
    assert.ok(state.labels.includes('<img src=x onerror="window.__pwned=2">'), 'accessible names are the names, as text');
    assert.ok(!state.text.includes('&#'), 'no entity codes shown');
    await page.locator('#canvas g.node').first().click();
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), undefined);
  });

  it('times a rendering inside the page, as the benchmark does', async () => {
    const text = generateModel(10);
    const run = await measureRender(webviews, text, analyze(text), 2);
    assert.equal(run.error, undefined);
    assert.equal(run.overview, false);
    assert.equal(run.nodes, 10);
    assert.equal(run.edges, 20);
    assert.equal(run.render.runs, 2);
    assert.ok(run.render.min > 0);
    assert.ok(run.labelPx >= MIN_LABEL_PX);
  });

  it('reports what it drew to the host', async () => {
    await open();
    const host = await hostModel(page, example('webshop/webshop.tm.yaml'));
    await host.rendered();
    const all = (await messages(page)).filter((m): m is WebviewToHost & { type: 'rendered' } => m.type === 'rendered');
    const last = all[all.length - 1];
    assert.equal(last.level, 'detail');
    assert.ok((last.labelPx ?? 0) >= MIN_LABEL_PX);
    assert.ok((last.scale ?? 0) > 0);
  });
});
