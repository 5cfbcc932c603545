/**
 * The webview bundle in headless Chromium (playwright-core driving Debian's Chromium), served with the same HTML
 * shell and CSP as in VS Code, with a stand-in for the VS Code webview API that records the messages it posts.
 * Shared by the webview tests and the render benchmark.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import * as path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Analysis } from '../../server/src/analysis/analyze';
import type { SystemMember } from '../../server/src/analysis/system-diagram';
import { computeView, systemOfMembers } from '../../server/src/lsp/view';
import type { ViewOptions, ViewResult, WebviewToHost } from '../../server/src/shared/view';
import { analyze } from './analyze';
import { webviewHtml } from '../../webview/src/html';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium';
import { DIST } from './paths';

export interface WebviewHost {
  readonly browser: Browser;
  /**
   * A page with the webview loaded and ready (it has posted `ready`). `state` is what VS Code would hand a recreated
   * webview from its getState().
   */
  newPage(viewport?: { width: number; height: number }, state?: unknown): Promise<Page>;
  close(): Promise<void>;
}

export async function startWebviewHost(): Promise<WebviewHost> {
  let origin = '';
  const server = createServer((req, res) => {
    if (req.url === '/') {
      res.setHeader('content-type', 'text/html');
      res.end(
        webviewHtml({
          nonce: randomBytes(16).toString('base64'),
          cspSource: origin,
          mermaidUri: '/mermaid.min.js',
          elkUri: '/mermaid-elk.js',
          scriptUri: '/webview.js',
        }),
      );
    } else if (req.url === '/mermaid.min.js' || req.url === '/mermaid-elk.js' || req.url === '/webview.js') {
      res.setHeader('content-type', 'text/javascript');
      res.end(readFileSync(path.join(DIST, req.url.slice(1))));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  return {
    browser,
    async newPage(viewport = { width: 1400, height: 900 }, state?: unknown) {
      const page = await browser.newPage({ viewport });
      await page.addInitScript((saved) => {
        const w = window as unknown as {
          __messages: unknown[];
          __listeners: ((m: unknown) => void)[];
          __state: unknown;
          acquireVsCodeApi: () => unknown;
        };
        w.__messages = [];
        w.__listeners = [];
        w.__state = saved ?? undefined;
        w.acquireVsCodeApi = () => ({
          postMessage: (m: unknown) => {
            w.__messages.push(m);
            for (const listener of w.__listeners) listener(m);
            // A host that answers, as the extension does (hostModel).
            (window as unknown as { __tcHost?: (m: unknown) => void }).__tcHost?.(m);
          },
          getState: () => w.__state,
          setState: (s: unknown) => (w.__state = s),
        });
      }, state);
      await page.goto(origin);
      await waitFor(page, (m) => m.type === 'ready');
      return page;
    },
    async close() {
      await browser.close();
      server.close();
    },
  };
}

/** Every message the webview has posted so far. */
export function messages(page: Page): Promise<WebviewToHost[]> {
  return page.evaluate(() => (window as unknown as { __messages: WebviewToHost[] }).__messages);
}

/** The `count`-th message that matches, waiting (on new messages, not on time) until it has been posted. */
export async function waitFor(page: Page, match: (m: WebviewToHost) => boolean, count = 1): Promise<WebviewToHost> {
  for (;;) {
    const all = await messages(page);
    const found = all.filter(match);
    if (found.length >= count) return found[count - 1];
    await page.waitForFunction((n) => (window as unknown as { __messages: unknown[] }).__messages.length > n, all.length, { timeout: 0 });
  }
}

/**
 * Sends a view as the extension does and measures, inside the page, the time until the webview reports it rendered
 * (Mermaid's layout and the SVG in the document).
 */
export async function timeRender(page: Page, view: ViewResult): Promise<{ ms: number; message: WebviewToHost & { type: 'rendered' } }> {
  return page.evaluate(
    (v) =>
      new Promise<{ ms: number; message: WebviewToHost & { type: 'rendered' } }>((resolve) => {
        const w = window as unknown as { __listeners: ((m: WebviewToHost) => void)[] };
        const t0 = performance.now();
        const listener = (m: WebviewToHost) => {
          if (m.type !== 'rendered') return;
          w.__listeners.splice(w.__listeners.indexOf(listener), 1);
          resolve({ ms: performance.now() - t0, message: m });
        };
        w.__listeners.push(listener);
        window.postMessage({ type: 'view', view: v }, '*');
      }),
    view as unknown as Record<string, unknown>,
  );
}

/** Sends a view as the extension does and waits for the `nth` rendering to finish. */
export async function show(page: Page, view: ViewResult, nth = 1): Promise<WebviewToHost & { type: 'rendered' }> {
  await page.evaluate((v) => window.postMessage({ type: 'view', view: v }, '*'), view as unknown as Record<string, unknown>);
  return (await waitFor(page, (m) => m.type === 'rendered', nth)) as WebviewToHost & { type: 'rendered' };
}

export interface ModelHost {
  /** The options the webview asked for last. */
  readonly options: () => ViewOptions;
  /** The view sent last. */
  readonly view: () => ViewResult;
  /** Waits for the webview to report its `nth` rendering since this host started. */
  readonly rendered: (nth?: number) => Promise<WebviewToHost & { type: 'rendered' }>;
}

/**
 * Plays the extension for one model: answers the webview's `options` (level, focus, layout direction, delivery) with
 * views the real server code computes, as DiagramPanel does.
 */
export async function hostModel(
  page: Page,
  text: string,
  uri = 'file:///ws/model.tm.yaml',
  /** A model analysed with its imports, and the workspace's models (the system of systems). */
  workspace?: { readonly analysis: Analysis; readonly models: () => readonly SystemMember[] },
): Promise<ModelHost> {
  const document = TextDocument.create(uri, 'threatmodel', 1, text);
  const analysis = workspace?.analysis ?? analyze(text);
  const compute = (options: ViewOptions) =>
    computeView(
      document,
      analysis,
      { uri, ...options },
      undefined,
      undefined,
      undefined,
      undefined,
      false,
      workspace && systemOfMembers(workspace.models),
    );
  const before = (await messages(page)).filter((m) => m.type === 'rendered').length;
  const ready = (await messages(page)).find((m) => m.type === 'ready');
  let options: ViewOptions = (ready?.type === 'ready' && ready.options) || { delivery: false };
  let view = compute(options);
  const send = async () => {
    view = compute(options);
    await page.evaluate((v) => window.postMessage({ type: 'view', view: v }, '*'), view as unknown as Record<string, unknown>);
  };
  await page.exposeFunction('__tcHost', (m: WebviewToHost) => {
    if (m.type !== 'options') return;
    const { type: _type, ...next } = m;
    options = next;
    void send();
  });
  await send();
  return {
    options: () => options,
    view: () => view,
    rendered: async (nth = 1) => (await waitFor(page, (m) => m.type === 'rendered', before + nth)) as WebviewToHost & { type: 'rendered' },
  };
}
