/**
 * The webview's HTML shell: a nonce CSP with `default-src 'none'`, the bundled Mermaid and our script, nothing else.
 * Shared by the extension (which passes webview URIs) and the browser tests (which serve the same files).
 */
export interface WebviewHtmlOptions {
  /** A fresh random nonce per page load. */
  readonly nonce: string;
  /** The origin the webview may load its own resources from (webview.cspSource in VS Code). */
  readonly cspSource: string;
  readonly mermaidUri: string;
  readonly scriptUri: string;
}

export function webviewHtml(o: WebviewHtmlOptions): string {
  // Mermaid writes <style> into the SVG it renders, hence style-src 'unsafe-inline'; styles cannot run code.
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
<title>Threatcode</title>
<style>
  body { margin: 0; padding: 0; color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }
  #toolbar { display: flex; gap: 6px; align-items: center; padding: 6px 8px; border-bottom: 1px solid var(--vscode-panel-border, #8884); flex-wrap: wrap; }
  #toolbar .spacer { flex: 1; }
  #banner { display: none; padding: 6px 10px; background: var(--vscode-inputValidation-errorBackground, #5a1d1d); color: var(--vscode-inputValidation-errorForeground, inherit); border-bottom: 1px solid var(--vscode-inputValidation-errorBorder, #be1100); white-space: pre-wrap; }
  #banner.visible { display: block; }
  #layout { display: grid; grid-template-columns: minmax(0, 1fr) 340px; height: calc(100vh - 42px); }
  #viewport { overflow: hidden; position: relative; cursor: grab; }
  #canvas { transform-origin: 0 0; padding: 12px; }
  #canvas svg { max-width: none !important; }
  #panel { overflow: auto; border-left: 1px solid var(--vscode-panel-border, #8884); padding: 8px 10px; }
  .gauge { margin: 6px 0 10px; }
  .gauge summary { cursor: pointer; }
  .gauge .track { height: 6px; background: var(--vscode-editorWidget-border, #8884); border-radius: 3px; overflow: hidden; margin-top: 3px; }
  .gauge .fill { height: 100%; background: var(--vscode-charts-green, #388a34); }
  .gauge .fill.low { background: var(--vscode-charts-red, #c72e0f); }
  .gauge .fill.mid { background: var(--vscode-charts-yellow, #b89500); }
  .gauge ul { margin: 4px 0; padding-left: 16px; }
  .gauge li button, .heat button { background: none; border: none; color: var(--vscode-textLink-foreground); cursor: pointer; padding: 0; text-align: left; font: inherit; }
  .gates li.fail { color: var(--vscode-errorForeground, #f14c4c); }
  table.heat { border-collapse: collapse; font-size: 11px; }
  table.heat td, table.heat th { border: 1px solid var(--vscode-panel-border, #8884); padding: 1px 4px; text-align: center; }
  table.heat td.yes { background: var(--vscode-charts-green, #388a34); }
  table.heat td.no { background: var(--vscode-charts-red, #c72e0f); opacity: .6; }
  .node.tc-highlight rect, .node.tc-highlight path, .node.tc-highlight polygon, .node.tc-highlight circle { stroke: var(--vscode-focusBorder, #007fd4) !important; stroke-width: 4px !important; }
  .node { cursor: pointer; }
  h3 { margin: 12px 0 4px; font-size: 12px; text-transform: uppercase; opacity: .8; }
  .muted { opacity: .7; font-size: 11px; }
</style>
</head>
<body>
<div id="toolbar">
  <vscode-button id="zoom-in" secondary title="Zoom in">+</vscode-button>
  <vscode-button id="zoom-out" secondary title="Zoom out">−</vscode-button>
  <vscode-button id="fit" secondary title="Fit to window">Fit</vscode-button>
  <vscode-button id="export" secondary title="Export the diagram as SVG">Export SVG</vscode-button>
  <label>Boundary <select id="focus"></select></label>
  <vscode-button id="around" secondary title="Show only the element under the cursor and its neighbours (toggle)">Around cursor</vscode-button>
  <span class="spacer"></span>
  <vscode-checkbox id="delivery" title="Measure completeness for the elements of system.release only">This delivery</vscode-checkbox>
</div>
<div id="banner" role="alert"></div>
<div id="layout">
  <div id="viewport"><div id="canvas"></div></div>
  <div id="panel" aria-label="Completeness"></div>
</div>
<script nonce="${o.nonce}" src="${o.mermaidUri}"></script>
<script nonce="${o.nonce}" src="${o.scriptUri}"></script>
</body>
</html>
`;
}
