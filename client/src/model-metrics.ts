/**
 * The completeness of the model the user is working on, asked of the server once per change and shared: the status
 * bar and the completeness view both show it (they used to keep a timer and a request each, two requests per pause in
 * typing). The model is the active editor's, or the last model that was active while another editor has the focus.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { errorMessage } from '../../server/src/shared/errors';
import { LANGUAGE_ID, ViewRequest } from '../../server/src/shared/protocol';
import type { ViewParams, ViewResult } from '../../server/src/shared/view';
import type { DeliveryScope } from './delivery-scope';

/** After the last keystroke: the server analyses after its own delay; asking sooner would ask twice. */
const DELAY_MS = 500;

export interface MetricsUpdate {
  /** The model measured; undefined when no model is open any more. */
  readonly uri: vscode.Uri | undefined;
  /** The server's answer: metrics, or the errors that keep it from measuring; null when the request failed. */
  readonly view: ViewResult | null;
}

export class ModelMetrics implements vscode.Disposable {
  private readonly updated = new vscode.EventEmitter<MetricsUpdate>();
  /** Each answer, for the model it measured. */
  readonly onDidUpdate = this.updated.event;
  private readonly disposables: vscode.Disposable[] = [this.updated];
  private model: vscode.Uri | undefined;
  private last: MetricsUpdate = { uri: undefined, view: null };
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: LanguageClient,
    private readonly scope: DeliveryScope,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor(() => this.follow()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === this.model?.toString()) this.schedule(DELAY_MS);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d.uri.toString() === this.model?.toString()) this.measure(undefined);
      }),
      scope.onDidChange(() => this.schedule(0)),
    );
    this.follow();
  }

  /** The model measured now and the latest answer for it. */
  get current(): MetricsUpdate {
    return this.last;
  }

  /** Asks the server again now (settings or rule packs changed what it reports). */
  refreshNow(): void {
    this.schedule(0);
  }

  /** Resolves once the answer for the model measured now is in. */
  async settled(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.pending = this.refresh();
    }
    await this.pending;
  }

  /** Measures this model (its diagram has the focus), unless it is measured already. */
  followModel(uri: vscode.Uri): void {
    if (uri.toString() !== this.model?.toString()) this.measure(uri);
  }

  private follow(): void {
    const document = vscode.window.activeTextEditor?.document;
    if (document?.languageId === LANGUAGE_ID) this.measure(document.uri);
  }

  private measure(uri: vscode.Uri | undefined): void {
    this.model = uri;
    void vscode.commands.executeCommand('setContext', 'threatcode.modelOpen', uri !== undefined);
    this.schedule(0);
  }

  private schedule(delay: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pending = this.refresh();
    }, delay);
  }

  private async refresh(): Promise<void> {
    const uri = this.model;
    const seq = ++this.seq;
    let view: ViewResult | null = null;
    if (uri) {
      const params: ViewParams = { uri: uri.toString(), delivery: this.scope.value, metricsOnly: true };
      view = await this.client.sendRequest(ViewRequest, params).catch((e: unknown) => {
        this.output.error(`Completeness failed: ${errorMessage(e)}`);
        return null;
      });
    }
    // An answer overtaken by a newer question is dropped.
    if (seq !== this.seq) return;
    this.last = { uri, view };
    this.updated.fire(this.last);
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
