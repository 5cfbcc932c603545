/**
 * The webview bundle in headless Chromium (playwright-core driving Debian's /usr/bin/chromium), served with the same
 * HTML shell and CSP as in VS Code, and fed views computed by the real server code.
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/chromium';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeText } from '../../server/src/model/analyze';
import { computeView } from '../../server/src/lsp/view';
import type { ViewResult, WebviewToHost } from '../../server/src/protocol';
import { webviewHtml } from '../../webview/src/html';

const ROOT = path.join(__dirname, '../../..');
const EXAMPLES = ['webshop/webshop.tm.yaml', 'k8s-microservices/ride-hailing.tm.yaml', 'llm-agent/support-agent.tm.yaml'];

function viewOf(text: string, uri = 'file:///ws/model.tm.yaml'): ViewResult {
  const document = TextDocument.create(uri, 'threatmodel', 1, text);
  return computeView(document, analyzeText(text), { uri, delivery: false });
}

function example(name: string): string {
  return readFileSync(path.join(ROOT, 'examples', name), 'utf8');
}

describe('webview in headless Chromium', function () {
  this.timeout(60_000);
  let server: Server;
  let origin: string;
  let browser: Browser;
  let page: Page;

  before(async () => {
    assert.ok(existsSync(CHROMIUM_PATH), `Chromium not found at ${CHROMIUM_PATH}: install Debian's chromium (apt-get install chromium)`);
    server = createServer((req, res) => {
      if (req.url === '/') {
        res.setHeader('content-type', 'text/html');
        res.end(webviewHtml({ nonce: randomBytes(16).toString('base64'), cspSource: origin, mermaidUri: '/mermaid.min.js', scriptUri: '/webview.js' }));
      } else if (req.url === '/mermaid.min.js' || req.url === '/webview.js') {
        res.setHeader('content-type', 'text/javascript');
        res.end(readFileSync(path.join(ROOT, 'dist', req.url.slice(1))));
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
    });
  });

  after(async () => {
    await browser?.close();
    server?.close();
  });

  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('dialog', () => assert.fail('a dialog was opened: script ran'));
    await page.addInitScript(() => {
      const w = window as unknown as { __messages: unknown[]; __state: unknown; acquireVsCodeApi: () => unknown };
      w.__messages = [];
      w.__state = undefined;
      w.acquireVsCodeApi = () => ({
        postMessage: (m: unknown) => w.__messages.push(m),
        getState: () => w.__state,
        setState: (s: unknown) => (w.__state = s),
      });
    });
    await page.goto(origin);
    await waitFor((m) => m.type === 'ready');
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      mkdirSync(path.join(ROOT, 'test-results'), { recursive: true });
      await page.screenshot({ path: path.join(ROOT, 'test-results', `${this.currentTest.title.replace(/\W+/g, '-')}.png`) });
    }
    await page.close();
  });

  async function messages(): Promise<WebviewToHost[]> {
    return page.evaluate(() => (window as unknown as { __messages: WebviewToHost[] }).__messages);
  }

  async function waitFor(match: (m: WebviewToHost) => boolean, count = 1): Promise<WebviewToHost> {
    for (;;) {
      const found = (await messages()).filter(match);
      if (found.length >= count) return found[count - 1];
      await page.waitForFunction((n) => (window as unknown as { __messages: unknown[] }).__messages.length > n, (await messages()).length);
    }
  }

  async function show(view: ViewResult, nth = 1): Promise<WebviewToHost & { type: 'rendered' }> {
    await page.evaluate((v) => window.postMessage({ type: 'view', view: v }, '*'), view as unknown as Record<string, unknown>);
    return (await waitFor((m) => m.type === 'rendered', nth)) as WebviewToHost & { type: 'rendered' };
  }

  it('renders every example with Mermaid (node count matches the model)', async () => {
    let nth = 0;
    for (const name of EXAMPLES) {
      const text = example(name);
      const view = viewOf(text);
      const rendered = await show(view, ++nth);
      assert.equal(rendered.error, undefined, `${name}: ${rendered.error}`);
      const components = Object.values(view.diagram!.nodes).filter((n) => !view.diagram!.boundaries.some((b) => b.id === n.modelId)).length;
      assert.equal(rendered.nodes, components, name);
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
      securityLevel: (window as unknown as { mermaid: { mermaidAPI: { getConfig(): { securityLevel?: string; htmlLabels?: boolean } } } }).mermaid.mermaidAPI.getConfig().securityLevel,
    }));
    assert.equal(state.securityLevel, 'strict', 'no directive changed the Mermaid configuration');
    assert.equal(state.pwned, undefined);
    assert.equal(state.images, 0);
    assert.equal(state.scripts, 0);
    // Words may be split across SVG tspans when labels wrap; the markup is there as text, not as elements.
    assert.ok(state.text!.includes('img src=x') && state.text!.includes('onerror='), 'the name is shown as text');
    assert.ok(!state.text!.includes('&#'), 'no entity codes shown');
    await page.locator('#canvas g.node').first().click();
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), undefined);
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
    mkdirSync(path.join(ROOT, 'test-results'), { recursive: true });
    await page.screenshot({ path: path.join(ROOT, 'test-results', 'webview-webshop.png') });
  });
});
