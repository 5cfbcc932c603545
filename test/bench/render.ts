/**
 * Diagram render time in headless Chromium: the view the panel actually shows for a model (the boundary overview
 * for large models), from the message arriving in the webview to Mermaid's SVG in the page.
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Analysis } from '../../server/src/analysis/analyze';
import { computeView } from '../../server/src/lsp/view';
import { startWebviewHost, timeRender, type WebviewHost } from '../support/webview-host';
import { type Stat, stat } from './stats';

export interface RenderRun {
  readonly render: Stat;
  /** Nodes and edges Mermaid drew. */
  readonly nodes: number;
  readonly edges: number;
  /** True when the view is the boundary overview (too large to draw element by element). */
  readonly overview: boolean;
  readonly error?: string;
}

export async function measureRender(host: WebviewHost, text: string, analysis: Analysis, runs: number): Promise<RenderRun> {
  const uri = 'file:///bench/model.tm.yaml';
  const view = computeView(TextDocument.create(uri, 'threatmodel', 1, text), analysis, { uri, delivery: false });
  const page = await host.newPage();
  try {
    const times: number[] = [];
    let last: Awaited<ReturnType<typeof timeRender>> | undefined;
    // Timed inside the page, from the message to the rendered SVG. The first rendering is the warm-up (Mermaid's
    // lazy initialisation); later ones are what an edit costs.
    for (let i = 0; i <= runs; i++) {
      last = await timeRender(page, view);
      if (i > 0) times.push(last.ms);
    }
    const m = last?.message;
    return { render: stat(times), nodes: m?.nodes ?? 0, edges: m?.edges ?? 0, overview: view.diagram?.overview === true, error: m?.error };
  } finally {
    await page.close();
  }
}

export { startWebviewHost };
