/**
 * The webview's HTML shell: a nonce CSP with `default-src 'none'`, the bundled Mermaid (and its ELK layout) and our
 * script, nothing else. Shared by the extension (which passes webview URIs) and the browser tests (which serve the
 * same files). The diagram takes the whole panel; the legend and the STRIDE table are overlays the user opens.
 */
export interface WebviewHtmlOptions {
  /** A fresh random nonce per page load. */
  readonly nonce: string;
  /** The origin the webview may load its own resources from (webview.cspSource in VS Code). */
  readonly cspSource: string;
  readonly mermaidUri: string;
  /** The ELK layout for Mermaid; without it the diagram falls back to Mermaid's own layout. */
  readonly elkUri?: string;
  readonly scriptUri: string;
}

export function webviewHtml(o: WebviewHtmlOptions): string {
  // Mermaid writes <style> into the SVG it renders, hence style-src 'unsafe-inline'; styles cannot run code. The PNG
  // export draws the SVG through a data: image.
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${o.nonce}'`,
    `style-src ${o.cspSource} 'unsafe-inline'`,
    `img-src ${o.cspSource} data:`,
    `font-src ${o.cspSource}`,
  ].join('; ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Threatcode diagram</title>
<style>
  :root {
    --tc-critical: var(--vscode-charts-red, #c72e0f);
    --tc-high: var(--vscode-charts-orange, #d18616);
    --tc-medium: var(--vscode-charts-yellow, #b89500);
    --tc-low: var(--vscode-charts-purple, #8c4fcb);
    --tc-focus: var(--vscode-focusBorder, #007fd4);
  }
  html, body { height: 100%; }
  body { margin: 0; padding: 0; color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); display: flex; flex-direction: column; overflow: hidden; }
  #toolbar { display: flex; gap: 4px 6px; align-items: center; padding: 4px 8px; border-bottom: 1px solid var(--vscode-panel-border, #8884); flex-wrap: wrap; }
  #toolbar .spacer { flex: 1; }
  #toolbar .group { display: flex; gap: 4px; align-items: center; }
  #toolbar select { background: var(--vscode-dropdown-background); color: var(--vscode-dropdown-foreground); border: 1px solid var(--vscode-dropdown-border, #8884); font: inherit; max-width: 14em; }
  #zoom-level { min-width: 3.5em; text-align: center; font-variant-numeric: tabular-nums; }
  vscode-button.pressed { outline: 1px solid var(--tc-focus); outline-offset: -1px; }
  /* A line of its own: the buttons after it keep their places whatever level it names. */
  #crumbs { display: flex; gap: 4px; align-items: center; flex-wrap: wrap; min-width: 0; flex: 1 1 100%; }
  #crumbs .crumb { background: none; border: none; padding: 2px 2px; font: inherit; color: var(--vscode-textLink-foreground); cursor: pointer; }
  #crumbs .crumb.current { color: var(--vscode-foreground); font-weight: 600; cursor: default; }
  #crumbs .sep { opacity: .6; }
  #banner { display: none; padding: 6px 10px; background: var(--vscode-inputValidation-errorBackground, #5a1d1d); color: var(--vscode-inputValidation-errorForeground, inherit); border-bottom: 1px solid var(--vscode-inputValidation-errorBorder, #be1100); white-space: pre-wrap; }
  #banner.visible { display: block; }
  #status { padding: 2px 10px; font-size: 12px; opacity: .85; min-height: 0; }
  #verdict { padding: 4px 10px; border-left: 4px solid var(--vscode-charts-green, #388a34); background: var(--vscode-editorWidget-background, transparent); }
  #verdict.not-complete { border-left-color: var(--vscode-charts-red, #c72e0f); }
  #verdict.nothing-measured, #verdict.no-gates { border-left-color: var(--vscode-disabledForeground, #8888); }
  #verdict[hidden], #rendering[hidden] { display: none; }
  #rendering { position: absolute; left: 50%; top: 40%; transform: translate(-50%, -50%); padding: 6px 12px; border-radius: 4px; background: var(--vscode-editorWidget-background, var(--vscode-editor-background)); border: 1px solid var(--vscode-editorWidget-border, #8886); z-index: 3; }
  #status:empty { display: none; }
  #viewport { flex: 1; position: relative; overflow: hidden; outline: none; }
  #canvas { position: absolute; left: 0; top: 0; }
  #canvas svg { display: block; max-width: none !important; }
  .link, .heat button { background: none; border: none; color: var(--vscode-textLink-foreground); cursor: pointer; padding: 0; text-align: left; font: inherit; }
  aside.overlay { position: absolute; background: var(--vscode-editorWidget-background, var(--vscode-editor-background)); color: var(--vscode-editorWidget-foreground, inherit); border: 1px solid var(--vscode-editorWidget-border, #8886); box-shadow: 0 2px 8px var(--vscode-widget-shadow, #0004); padding: 8px 10px; font-size: 12px; overflow: auto; z-index: 2; }
  aside.overlay[hidden] { display: none; }
  aside.overlay h2 { font-size: 12px; margin: 0 0 6px; text-transform: uppercase; opacity: .8; }
  #legend { left: 8px; bottom: 8px; max-width: 280px; }
  #legend ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 4px; }
  #legend li { display: flex; gap: 8px; align-items: center; }
  #legend .swatch { flex: none; width: 28px; height: 16px; box-sizing: border-box; border: 2px solid var(--vscode-foreground); }
  #legend .ext { border-radius: 0; }
  #legend .proc { border-radius: 8px; }
  #legend .store { border-radius: 50% / 30%; }
  #legend .group { border-left-width: 5px; border-right-width: 5px; }
  #legend .zone { border-style: dashed; border-width: 1px; }
  #legend .sev { border-width: 3px; }
  #legend .s4 { border-color: var(--tc-critical); border-width: 4px; }
  #legend .s3 { border-color: var(--tc-high); }
  #legend .s2 { border-color: var(--tc-medium); }
  #legend .s1 { border-color: var(--tc-low); }
  #legend .hl { border-color: var(--tc-focus); border-width: 4px; }
  #legend .dim { opacity: .3; }
  #legend .imported { border-style: dashed; border-radius: 8px; }
  #legend .line { border: none; border-top: 4px solid var(--vscode-foreground); height: 0; margin-top: 8px; }
  #coverage { right: 8px; top: 8px; max-height: calc(100% - 16px); max-width: min(460px, 70%); box-sizing: border-box; }
  table.heat { border-collapse: collapse; font-size: 12px; }
  table.heat td, table.heat th { border: 1px solid var(--vscode-panel-border, #8884); padding: 1px 5px; text-align: center; }
  table.heat td:first-child { text-align: left; }
  table.heat td.yes { background: color-mix(in srgb, var(--vscode-charts-green, #388a34) 55%, transparent); }
  #between { left: 8px; top: 8px; max-height: calc(100% - 16px); max-width: calc(100% - 16px); box-sizing: border-box; }
  table.between th[scope="row"] { text-align: left; font-weight: normal; white-space: nowrap; }
  table.between td { min-width: 2.2em; background: color-mix(in srgb, var(--vscode-charts-blue, #1a85ff) var(--share, 0%), transparent); }
  table.heat td.no { background: color-mix(in srgb, var(--vscode-charts-red, #c72e0f) 35%, transparent); }
  .muted { opacity: .75; }
  /* Severity of the worst open finding: drawn from the theme, so that every theme (and the highlight) can win. */
  g.node[data-severity="1"] :is(rect, path, polygon, circle, ellipse) { stroke: var(--tc-low) !important; stroke-width: 2px !important; }
  g.node[data-severity="2"] :is(rect, path, polygon, circle, ellipse) { stroke: var(--tc-medium) !important; stroke-width: 2.5px !important; }
  g.node[data-severity="3"] :is(rect, path, polygon, circle, ellipse) { stroke: var(--tc-high) !important; stroke-width: 3px !important; }
  g.node[data-severity="4"] :is(rect, path, polygon, circle, ellipse) { stroke: var(--tc-critical) !important; stroke-width: 4px !important; }
  path.tc-flow[data-severity="3"] { stroke: var(--tc-high) !important; stroke-width: 2px !important; }
  path.tc-flow[data-severity="4"] { stroke: var(--tc-critical) !important; stroke-width: 2.5px !important; }
  g.cluster rect { stroke-dasharray: 6 4 !important; }
  g.node[data-kind="group"] :is(rect, path, polygon) { stroke-width: 2px; }
  body.vscode-high-contrast g.node :is(rect, path, polygon, circle, ellipse), body.vscode-high-contrast-light g.node :is(rect, path, polygon, circle, ellipse) { stroke-width: 2px; }
  .tc-interactive { cursor: pointer; }
  g.cluster.tc-interactive { cursor: grab; }
  g.cluster .cluster-label.tc-interactive { cursor: pointer; }
  /* The element under the cursor: the focus colour, thicker than any severity, with a halo. */
  g.node.tc-highlight :is(rect, path, polygon, circle, ellipse) { stroke: var(--tc-focus) !important; stroke-width: 5px !important; }
  g.node.tc-highlight, g.cluster.tc-highlight > rect { filter: drop-shadow(0 0 6px var(--tc-focus)); }
  g.cluster.tc-highlight > rect { stroke: var(--tc-focus) !important; stroke-width: 3px !important; }
  path.tc-flow.tc-highlight { stroke: var(--tc-focus) !important; stroke-width: 4px !important; }
  g.label.tc-highlight text { font-weight: 700; }
  /* Keyboard focus, distinct from the cursor highlight. */
  [tabindex]:focus { outline: none; }
  g.node:focus :is(rect, path, polygon, circle, ellipse), .cluster-label:focus { outline: 2px dashed var(--tc-focus); outline-offset: 3px; }
  g.node:focus { filter: drop-shadow(0 0 3px var(--tc-focus)); }
  /* This delivery: what the release does not touch fades. */
  body.tc-delivery-on [data-delivery="false"]:is(g.node, path.tc-flow, g.label) { opacity: .25; }
  /* Imported from another model: context, drawn dashed; clicking it opens the model that defines it. */
  g.node[data-imported="true"] :is(rect, path, polygon, circle, ellipse) { stroke-dasharray: 5 3; }
  /* The system of systems: the model this panel belongs to stands out. */
  g.node[data-current="true"] :is(rect, path, polygon) { stroke-width: 4px; }
  g.node[data-current="true"] text { font-weight: 700; }
</style>
</head>
<body>
<div id="verdict" role="status" hidden></div>
<div id="toolbar" role="toolbar" aria-label="Diagram">
  <nav id="crumbs" aria-label="Level of detail"></nav>
  <select id="focus" aria-label="Open a boundary"></select>
  <vscode-button id="around" secondary aria-pressed="false" title="Show only the element under the cursor and what it exchanges data with (toggle)">Around cursor</vscode-button>
  <span class="spacer"></span>
  <span class="group" aria-label="Zoom">
    <vscode-button id="zoom-out" secondary title="Zoom out (-)" aria-label="Zoom out">−</vscode-button>
    <span id="zoom-level" aria-live="polite"></span>
    <vscode-button id="zoom-in" secondary title="Zoom in (+)" aria-label="Zoom in">+</vscode-button>
    <vscode-button id="fit" secondary title="Show the whole diagram (0)">Fit</vscode-button>
  </span>
  <span class="group">
    <vscode-button id="legend-toggle" secondary aria-pressed="false" title="What the shapes and colours mean">Legend</vscode-button>
    <vscode-button id="coverage-toggle" secondary aria-pressed="false" title="Which STRIDE categories each element's threats consider">STRIDE</vscode-button>
    <vscode-button id="export-svg" secondary title="Save the diagram as SVG">SVG</vscode-button>
    <vscode-button id="export-png" secondary title="Save the diagram as PNG">PNG</vscode-button>
  </span>
  <vscode-checkbox id="delivery">This delivery</vscode-checkbox>
</div>
<div id="banner" role="alert"></div>
<div id="status" role="status"></div>
<div id="viewport" tabindex="-1" aria-label="Data-flow diagram. Tab to a node; arrows move between nodes; Enter opens it or shows it in the editor; Escape goes up a level.">
  <div id="canvas"></div>
  <div id="rendering" role="status">Drawing the diagram…</div>
  <aside id="legend" class="overlay" aria-label="Legend" hidden>
    <h2>Legend</h2>
    <ul>
      <li><span class="swatch ext"></span>External entity</li>
      <li><span class="swatch proc"></span>Process</li>
      <li><span class="swatch store"></span>Data store</li>
      <li><span class="swatch group"></span>Group of components: click to open</li>
      <li><span class="swatch line"></span>Between groups: one line per pair that exchanges data, thicker for more flows</li>
      <li><span class="swatch zone"></span>Trust boundary (trust level in brackets): click its name to open</li>
      <li><span class="swatch sev s4"></span>Worst open finding or threat: critical</li>
      <li><span class="swatch sev s3"></span>high</li>
      <li><span class="swatch sev s2"></span>medium</li>
      <li><span class="swatch sev s1"></span>low</li>
      <li><span class="swatch hl"></span>Under the cursor in the editor</li>
      <li><span class="swatch dim"></span>Not in this delivery (with "This delivery")</li>
      <li><span class="swatch imported"></span>Imported from another model: click to open it there</li>
    </ul>
    <p class="muted">The STRIDE table shows, per element, which categories its recorded threats consider.</p>
  </aside>
  <aside id="coverage" class="overlay" aria-label="STRIDE coverage" hidden><h2>STRIDE coverage</h2><div class="body"></div></aside>
  <aside id="between" class="overlay" aria-label="Flows between groups" hidden><h2>Flows between groups</h2><div class="body"></div></aside>
</div>
<script nonce="${o.nonce}" src="${o.mermaidUri}"></script>
${o.elkUri ? `<script nonce="${o.nonce}" src="${o.elkUri}"></script>\n` : ''}<script nonce="${o.nonce}" src="${o.scriptUri}"></script>
</body>
</html>
`;
}
