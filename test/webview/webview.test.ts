/**
 * The webview bundle in headless Chromium (playwright-core driving Debian's /usr/bin/chromium), served with the same
 * HTML shell and CSP as in VS Code, and fed views computed by the real server code.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze } from '../support/analyze';
import { computeView } from '../../server/src/lsp/view';
import type { ViewResult, WebviewToHost } from '../../server/src/shared/view';
import { generateModel } from '../support/generate-model';
import { measureRender } from '../bench/render';
import { CHROMIUM_PATH } from '../support/chromium';
import { show as showView, startWebviewHost, waitFor as waitForMessage, type WebviewHost } from '../support/webview-host';
import { REPO_ROOT } from '../support/paths';

const EXAMPLES = ['webshop/webshop.tm.yaml', 'k8s-microservices/ride-hailing.tm.yaml', 'llm-agent/support-agent.tm.yaml'];

function viewOf(text: string, uri = 'file:///ws/model.tm.yaml'): ViewResult {
  const document = TextDocument.create(uri, 'threatmodel', 1, text);
  return computeView(document, analyze(text), { uri, delivery: false });
}

function example(name: string): string {
  return readFileSync(path.join(REPO_ROOT, 'examples', name), 'utf8');
}

describe('webview in headless Chromium', function () {
  this.timeout(60_000);
  let host: WebviewHost;
  let page: Page;

  before(async () => {
    assert.ok(existsSync(CHROMIUM_PATH), `Chromium not found at ${CHROMIUM_PATH}: install Debian's chromium (apt-get install chromium)`);
    host = await startWebviewHost();
  });

  after(async () => {
    await host?.close();
  });

  beforeEach(async () => {
    page = await host.newPage();
    page.on('dialog', () => assert.fail('a dialog was opened: script ran'));
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      mkdirSync(path.join(REPO_ROOT, 'test-results'), { recursive: true });
      await page.screenshot({ path: path.join(REPO_ROOT, 'test-results', `${this.currentTest.title.replace(/\W+/g, '-')}.png`) });
    }
    await page.close();
  });

  const waitFor = (match: (m: WebviewToHost) => boolean, count = 1) => waitForMessage(page, match, count);
  const show = (view: ViewResult, nth = 1) => showView(page, view, nth);

  it('renders every example with Mermaid (node count matches the model)', async () => {
    let nth = 0;
    for (const name of EXAMPLES) {
      const text = example(name);
      const view = viewOf(text);
      const rendered = await show(view, ++nth);
      assert.equal(rendered.error, undefined, `${name}: ${rendered.error}`);
      const components = Object.values(view.diagram!.nodes).filter((n) => !view.diagram!.boundaries.some((b) => b.id === n.modelId)).length;
      assert.equal(rendered.nodes, components, name);
      assert.equal(rendered.edges, view.diagram!.edges.length, `${name}: every flow drawn`);
      assert.equal(await page.locator('#canvas svg g.node').count(), components);
    }
  });

  it('reveals the element when a node is clicked, and highlights the element under the cursor', async () => {
    const view = viewOf(example('webshop/webshop.tm.yaml'));
    await show(view);
    await page.locator('#canvas g.node[data-model-id="shop-api"]').click();
    const reveal = (await waitFor((m) => m.type === 'reveal')) as WebviewToHost & { type: 'reveal' };
    const apiNode = Object.values(view.diagram!.nodes).find((n) => n.modelId === 'shop-api')!;
    assert.deepEqual(reveal.range, apiNode.range);
    await page.evaluate(() => window.postMessage({ type: 'highlight', modelId: 'orders-db' }, '*'));
    await page.waitForSelector('#canvas g.node.tc-highlight[data-model-id="orders-db"]');
    assert.equal(await page.locator('#canvas .tc-highlight').count(), 1);
    await page.locator('#around').click();
    const options = (await waitFor((m) => m.type === 'options')) as WebviewToHost & { type: 'options' };
    assert.equal(options.focusElement, 'orders-db');
  });

  it('drills down from a gauge to the line that is missing something', async () => {
    await show(viewOf(example('webshop/webshop.tm.yaml')));
    await page.locator('details[data-gauge="elementCoverage"] summary').click();
    await page.locator('details[data-gauge="elementCoverage"] li button').first().click();
    const reveal = (await waitFor((m) => m.type === 'reveal')) as WebviewToHost & { type: 'reveal' };
    assert.ok(reveal.range.start.line > 0);
    assert.match((await page.locator('#panel').textContent()) ?? '', /Element coverage: \d+ \/ \d+/);
  });

  it('re-renders when the theme changes', async () => {
    await show(viewOf(example('llm-agent/support-agent.tm.yaml')));
    const light = await page.locator('#canvas svg style').first().textContent();
    await page.evaluate(() => document.body.classList.add('vscode-dark'));
    await waitFor((m) => m.type === 'rendered', 2);
    const dark = await page.locator('#canvas svg style').first().textContent();
    assert.notEqual(dark, light);
  });

  it('keeps the last good diagram and shows a banner when the model breaks', async () => {
    await show(viewOf(example('webshop/webshop.tm.yaml')));
    const broken = viewOf('threatcode: 1\nsystem: [unclosed\n');
    assert.equal(broken.diagram, undefined);
    await page.evaluate((v) => window.postMessage({ type: 'view', view: v }, '*'), broken as unknown as Record<string, unknown>);
    await page.waitForSelector('#banner.visible');
    assert.match((await page.locator('#banner').textContent()) ?? '', /^Line \d+: /);
    assert.ok((await page.locator('#canvas svg g.node').count()) > 0, 'last diagram still shown');
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
    const view = viewOf(hostile);
    assert.ok(view.diagram, view.errors.join());
    const rendered = await show(view);
    assert.equal(rendered.error, undefined);
    assert.equal(rendered.nodes, 4);
    const state = await page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: unknown }).__pwned,
      images: document.querySelectorAll('#canvas img, #canvas foreignObject, #canvas a').length,
      scripts: document.querySelectorAll('#canvas script').length,
      text: document.querySelector('#canvas')!.textContent,
      securityLevel: (
        window as unknown as { mermaid: { mermaidAPI: { getConfig(): { securityLevel?: string; htmlLabels?: boolean } } } }
      ).mermaid.mermaidAPI.getConfig().securityLevel,
    }));
    assert.equal(state.securityLevel, 'strict', 'no directive changed the Mermaid configuration');
    assert.equal(state.pwned, undefined);
    assert.equal(state.images, 0);
    assert.equal(state.scripts, 0);
    // Words may be split across SVG tspans when labels wrap; the markup is there as text, not as elements.
    assert.ok(state.text.includes('img src=x') && state.text.includes('onerror='), 'the name is shown as text');
    assert.ok(!state.text.includes('&#'), 'no entity codes shown');
    await page.locator('#canvas g.node').first().click();
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), undefined);
  });

  it('times a rendering inside the page, as the benchmark does', async () => {
    const text = generateModel(10);
    const run = await measureRender(host, text, analyze(text), 2);
    assert.equal(run.error, undefined);
    assert.equal(run.overview, false);
    assert.equal(run.nodes, 10);
    assert.equal(run.edges, 20);
    assert.equal(run.render.runs, 2);
    assert.ok(run.render.min > 0);
  });

  it('saves a screenshot of the example for the README', async () => {
    // VS Code's Dark Modern colours, as the editor would set them on the webview's body.
    await page.addStyleTag({
      content:
        'body{--vscode-foreground:#cccccc;--vscode-editor-background:#1f1f1f;--vscode-panel-border:#2b2b2b;--vscode-textLink-foreground:#4daafc;--vscode-font-family:system-ui,sans-serif;--vscode-font-size:13px;--vscode-charts-green:#388a34;--vscode-charts-red:#c72e0f;--vscode-charts-yellow:#b89500}',
    });
    await page.evaluate(() => document.body.classList.add('vscode-dark'));
    await show(viewOf(example('webshop/webshop.tm.yaml')));
    await page.locator('#fit').click();
    mkdirSync(path.join(REPO_ROOT, 'test-results'), { recursive: true });
    await page.screenshot({ path: path.join(REPO_ROOT, 'test-results', 'webview-webshop.png') });
  });
});
