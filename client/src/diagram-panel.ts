/**
 * Hosts the diagram and completeness webview beside the editor: asks the server for the view of one document,
 * forwards it to the webview, and turns the webview's messages into editor actions. Holds no threat logic.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { errorMessage } from '../../server/src/shared/errors';
import { ViewRequest } from '../../server/src/shared/protocol';
import {
  assertNever,
  type HostToWebview,
  type Rendered,
  type ViewOptions,
  type ViewParams,
  type ViewRange,
  type ViewResult,
  type WebviewState,
  type WebviewToHost,
} from '../../server/src/shared/view';
import { webviewHtml } from '../../webview/src/html';
import type { DeliveryScope } from './delivery-scope';

export const DIAGRAM_VIEW_TYPE = 'threatcode.diagram';
const UPDATE_DELAY_MS = 300;

export class DiagramPanel implements vscode.Disposable {
  private static readonly panels = new Map<string, DiagramPanel>();
  private static readonly focused = new vscode.EventEmitter<vscode.Uri>();
  /** A diagram got the focus: the status bar and the completeness view follow its model. */
  static readonly onDidFocus = DiagramPanel.focused.event;
  private readonly disposables: vscode.Disposable[] = [];
  private view: ViewResult | undefined;
  private requestSeq = 0;
  private timer: NodeJS.Timeout | undefined;
  private options: ViewOptions;
  /** What the webview last reported (logged on errors). */
  lastRendered: Rendered | undefined;
  /** Resolves when the webview has rendered for the first time: a readiness signal for tests and callers. */
  readonly rendered: Promise<Rendered>;
  private readonly renderedEmitter = new vscode.EventEmitter<Rendered>();
  /** Fires after every rendering. */
  readonly onDidRender = this.renderedEmitter.event;
  private resolveRendered!: (r: Rendered) => void;

  static show(
    context: vscode.ExtensionContext,
    client: LanguageClient,
    output: vscode.LogOutputChannel,
    scope: DeliveryScope,
    uri: vscode.Uri,
  ): DiagramPanel {
    const existing = DiagramPanel.panels.get(uri.toString());
    if (existing) {
      existing.panel.reveal(vscode.ViewColumn.Beside, true);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      DIAGRAM_VIEW_TYPE,
      'Threat model diagram',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      // The find widget searches the diagram's labels (Ctrl+F in the panel).
      { ...DiagramPanel.webviewOptions(context), enableFindWidget: true },
    );
    return new DiagramPanel(context, client, output, scope, panel, uri, { delivery: scope.value });
  }

  /** Restores a panel after a window reload (WebviewPanelSerializer). */
  static revive(
    context: vscode.ExtensionContext,
    client: LanguageClient,
    output: vscode.LogOutputChannel,
    scope: DeliveryScope,
    panel: vscode.WebviewPanel,
    state: WebviewState,
  ): DiagramPanel {
    panel.webview.options = DiagramPanel.webviewOptions(context);
    return new DiagramPanel(context, client, output, scope, panel, vscode.Uri.parse(state.uri), {
      delivery: scope.value,
      overview: state.overview,
      focusBoundary: state.focusBoundary,
      focusElement: state.focusElement,
      direction: state.direction,
      system: state.system,
    });
  }

  /** Every open panel asks the server again (settings or rule packs changed what it shows). */
  static refreshAll(): void {
    for (const panel of DiagramPanel.panels.values()) void panel.update();
  }

  private static webviewOptions(context: vscode.ExtensionContext): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    // Scripts only from the extension's own dist/ folder; nothing else is reachable.
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist')] };
  }

  private constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly client: LanguageClient,
    private readonly output: vscode.LogOutputChannel,
    private readonly scope: DeliveryScope,
    readonly panel: vscode.WebviewPanel,
    readonly uri: vscode.Uri,
    options: ViewOptions,
  ) {
    this.options = options;
    this.rendered = new Promise((resolve) => (this.resolveRendered = resolve));
    DiagramPanel.panels.set(uri.toString(), this);
    const webview = panel.webview;
    const dist = vscode.Uri.joinPath(context.extensionUri, 'dist');
    panel.title = `Diagram: ${uri.path.split('/').pop()}`;
    webview.html = webviewHtml({
      nonce: randomBytes(16).toString('base64'),
      cspSource: webview.cspSource,
      mermaidUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'mermaid.min.js')).toString(),
      elkUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'mermaid-elk.js')).toString(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
    });
    this.disposables.push(
      webview.onDidReceiveMessage((m: WebviewToHost) => void this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState((e) => {
        if (e.webviewPanel.active) DiagramPanel.focused.fire(uri);
      }),
      this.renderedEmitter,
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === uri.toString()) this.scheduleUpdate();
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (e.textEditor.document.uri.toString() === uri.toString()) this.highlightAt(e.selections[0].active);
      }),
      scope.onDidChange((delivery) => {
        this.options = { ...this.options, delivery };
        this.post({ type: 'delivery', delivery });
        void this.update();
      }),
    );
  }

  private post(message: HostToWebview): void {
    void this.panel.webview.postMessage(message);
  }

  private scheduleUpdate(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.update(), UPDATE_DELAY_MS);
  }

  /** Requests the view; a response to an older request than the latest is dropped. */
  async update(): Promise<void> {
    const seq = ++this.requestSeq;
    const params: ViewParams = { uri: this.uri.toString(), ...this.options };
    try {
      const view = await this.client.sendRequest(ViewRequest, params);
      if (seq !== this.requestSeq || !view) return;
      this.view = view;
      this.post({ type: 'view', view });
      // The element under the cursor, so that the new view can centre on it.
      const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === this.uri.toString());
      if (editor) this.highlightAt(editor.selection.active);
    } catch (e) {
      this.output.error(`Diagram update failed: ${errorMessage(e)}`);
    }
  }

  private async onMessage(message: WebviewToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
        // A webview recreated after a tab switch brings back its level and layout; the scope is the workspace's.
        if (message.options) this.options = { ...message.options, delivery: this.scope.value };
        await this.update();
        break;
      case 'reveal':
        await this.reveal(message.range, message.uri);
        break;
      case 'rendered':
        this.lastRendered = {
          nodes: message.nodes,
          edges: message.edges,
          error: message.error,
          level: message.level,
          scale: message.scale,
          labelPx: message.labelPx,
        };
        this.resolveRendered(this.lastRendered);
        this.renderedEmitter.fire(this.lastRendered);
        if (message.error) this.output.warn(`Diagram rendering failed: ${message.error}`);
        break;
      case 'exportSvg': {
        const target = await vscode.window.showSaveDialog({
          defaultUri: this.uri.with({ path: this.uri.path.replace(/\.tm\.ya?ml$/, '.svg') }),
          filters: { SVG: ['svg'] },
        });
        if (target) await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(message.svg));
        break;
      }
      case 'exportPng': {
        const target = await vscode.window.showSaveDialog({
          defaultUri: this.uri.with({ path: this.uri.path.replace(/\.tm\.ya?ml$/, '.png') }),
          filters: { PNG: ['png'] },
        });
        if (target) await vscode.workspace.fs.writeFile(target, Buffer.from(message.png, 'base64'));
        break;
      }
      case 'openModel': {
        // Drilling into another model of the system: its file in the editor, its diagram beside it.
        const target = vscode.Uri.parse(message.uri, true);
        const document = await vscode.workspace.openTextDocument(target);
        await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, preview: false });
        DiagramPanel.show(this.context, this.client, this.output, this.scope, target);
        break;
      }
      case 'options': {
        const { type: _type, ...options } = message;
        this.options = options;
        // The scope is shared with the completeness view and the status bar: they follow.
        if (options.delivery !== this.scope.value) await this.scope.set(options.delivery);
        await this.update();
        break;
      }
      default:
        assertNever(message);
    }
  }

  /** Shows the element in the editor: in the model shown, or in the model that defines it when it is imported. */
  private async reveal(range: ViewRange, uri: string | undefined): Promise<void> {
    const target = uri === undefined ? this.uri : vscode.Uri.parse(uri, true);
    const document = await vscode.workspace.openTextDocument(target);
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === this.uri.toString());
    const selection = new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
    await vscode.window.showTextDocument(document, {
      viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One,
      selection,
      preserveFocus: false,
    });
  }

  /** Highlights the diagram element the cursor is in (the innermost, so a component wins over its boundary). */
  private highlightAt(position: vscode.Position): void {
    const diagram = this.view?.diagram;
    if (!diagram) return;
    const contains = (r: ViewRange) =>
      (r.start.line < position.line || (r.start.line === position.line && r.start.character <= position.character)) &&
      (position.line < r.end.line || (position.line === r.end.line && position.character <= r.end.character));
    const size = (r: ViewRange) => (r.end.line - r.start.line) * 10_000 + (r.end.character - r.start.character);
    // Imported elements' ranges are in the files that define them: the cursor here is never inside them.
    const inside = [...Object.values(diagram.nodes), ...diagram.edges].filter((item) => !item.uri && contains(item.extent));
    inside.sort((a, b) => size(a.extent) - size(b.extent));
    this.post({ type: 'highlight', modelId: inside[0]?.modelId });
  }

  dispose(): void {
    clearTimeout(this.timer);
    DiagramPanel.panels.delete(this.uri.toString());
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }
}
