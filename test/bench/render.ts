/**
 * Diagram render time in headless Chromium, in the panel beside the editor (700×900 CSS px, laid out top to bottom as
 * the panel asks there): a view of a model (by default the one the panel opens with; a boundary or an element's
 * neighbourhood on request), from the message arriving in the webview to Mermaid's SVG in the page, and how big the
 * labels of the default zoom are.
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Analysis } from '../../server/src/analysis/analyze';
import { computeView } from '../../server/src/lsp/view';
import type { ViewOptions } from '../../server/src/shared/view';
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
  /** The level drawn, and the size of node labels in the default view beside the editor (CSS px). */
  readonly level?: string;
  readonly labelPx: number;
}

/** The panel beside the editor in a 1600×1000 window. */
export const PANEL_BESIDE_EDITOR = { width: 700, height: 900 };

export async function measureRender(
  host: WebviewHost,
  text: string,
  analysis: Analysis,
  runs: number,
  options: Partial<ViewOptions> = {},
): Promise<RenderRun> {
  const uri = 'file:///bench/model.tm.yaml';
  const view = computeView(TextDocument.create(uri, 'threatmodel', 1, text), analysis, {
    uri,
    delivery: false,
    direction: 'TB',
    ...options,
  });
  const page = await host.newPage(PANEL_BESIDE_EDITOR);
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
    return {
      render: stat(times),
      nodes: m?.nodes ?? 0,
      edges: m?.edges ?? 0,
      overview: view.diagram?.overview === true,
      error: m?.error,
      level: m?.level,
      labelPx: m?.labelPx ?? 0,
    };
  } finally {
    await page.close();
  }
}

export { startWebviewHost };
