/**
 * Mermaid's own layout (dagre) against ELK on the same views, the measurement behind the webview's choice
 * (docs/performance.md): the size of the drawing, the label size when it is fitted into the panel beside the editor
 * (700×900), and the time to lay it out and draw it, both directions.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { buildDiagram, type DiagramOptions } from '../../server/src/analysis/diagram';
import { analyze } from '../support/analyze';
import { generateModel } from '../support/generate-model';
import { DIST, EXAMPLES } from '../support/paths';
import { type Stat, stat } from './stats';

export interface LayoutRun {
  readonly view: string;
  readonly direction: 'LR' | 'TB';
  readonly layout: 'dagre' | 'elk';
  readonly width: number;
  readonly height: number;
  /** Label size (CSS px) when the whole drawing is fitted into 700×900. */
  readonly fittedLabelPx: number;
  readonly render: Stat;
}

const PANEL = { width: 700, height: 900 };
const FONT_PX = 16;

function views(): { name: string; text: string; options: DiagramOptions }[] {
  const example = (file: string) => readFileSync(path.join(EXAMPLES, file), 'utf8');
  return [
    { name: 'webshop, whole model', text: example('webshop/webshop.tm.yaml'), options: {} },
    { name: 'ride-hailing, whole model', text: example('k8s-microservices/ride-hailing.tm.yaml'), options: {} },
    { name: 'support agent, whole model', text: example('llm-agent/support-agent.tm.yaml'), options: {} },
    { name: '300 components, overview', text: generateModel(300), options: {} },
    { name: '300 components, one boundary', text: generateModel(300), options: { focusBoundary: 'zone-2' } },
    { name: '5,000 components, overview', text: generateModel(5000), options: {} },
  ];
}

export async function compareLayouts(browser: Browser, runs = 3): Promise<LayoutRun[]> {
  const page = await browser.newPage({ viewport: PANEL });
  const out: LayoutRun[] = [];
  try {
    await page.setContent('<!doctype html><html><body><div id="c"></div></body></html>');
    await page.addScriptTag({ content: readFileSync(path.join(DIST, 'mermaid.min.js'), 'utf8') });
    await page.addScriptTag({ content: readFileSync(path.join(DIST, 'mermaid-elk.js'), 'utf8') });
    for (const v of views()) {
      const analysis = analyze(v.text);
      for (const direction of ['TB', 'LR'] as const) {
        const source = buildDiagram(analysis, { ...v.options, direction, styled: false }).mermaid;
        for (const layout of ['dagre', 'elk'] as const) {
          const r = await page.evaluate(
            async ({ source, layout, runs }) => {
              const m = (
                window as unknown as { mermaid: { initialize(c: object): void; render(id: string, s: string): Promise<{ svg: string }> } }
              ).mermaid;
              m.initialize({
                startOnLoad: false,
                securityLevel: 'strict',
                layout,
                htmlLabels: false,
                maxEdges: 5000,
                flowchart: { htmlLabels: false, useMaxWidth: false },
              });
              const times: number[] = [];
              let svg = '';
              // The first rendering warms Mermaid up (and loads the layout); it is not counted.
              for (let i = 0; i <= runs; i++) {
                const t0 = performance.now();
                ({ svg } = await m.render(`bench${i}${Math.random().toString(36).slice(2)}`, source));
                if (i > 0) times.push(performance.now() - t0);
              }
              const host = document.getElementById('c')!;
              host.innerHTML = svg;
              const box = host.querySelector('svg')!.viewBox.baseVal;
              return { width: box.width, height: box.height, times };
            },
            { source, layout, runs },
          );
          const fit = Math.min(PANEL.width / r.width, PANEL.height / r.height);
          out.push({
            view: v.name,
            direction,
            layout,
            width: Math.round(r.width),
            height: Math.round(r.height),
            fittedLabelPx: Math.min(FONT_PX * 1.5, FONT_PX * fit),
            render: stat(r.times),
          });
        }
      }
    }
  } finally {
    await page.close();
  }
  return out;
}
