/**
 * A compact completeness summary in the status bar for the active threat model; click to open the diagram panel.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { LANGUAGE_ID, ViewRequest } from '../../server/src/shared/protocol';
import type { ViewParams } from '../../server/src/shared/view';
import type { GaugeId } from '../../server/src/shared/vocabulary';
import { errorMessage } from '../../server/src/shared/errors';
import type { DeliveryScope } from './delivery-scope';

const DELAY_MS = 500;

export class CompletenessStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('threatcode.completeness', vscode.StatusBarAlignment.Left, 100);
  /** The same summary in the language status ({ } beside "Threat Model"), where VS Code groups what a language says. */
  private readonly language = vscode.languages.createLanguageStatusItem('threatcode.summary', { language: LANGUAGE_ID });
  private readonly disposables: vscode.Disposable[] = [this.item, this.language];
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;

  constructor(
    private readonly client: LanguageClient,
    private readonly scope: DeliveryScope,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.item.name = 'Threatcode completeness';
    this.item.command = 'threatcode.openDiagram';
    this.language.name = 'Threatcode completeness';
    this.language.text = 'Threat model';
    this.language.command = { title: 'Open Diagram', command: 'threatcode.openDiagram' };
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor(() => this.schedule(0)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === vscode.window.activeTextEditor?.document) this.schedule(DELAY_MS);
      }),
      scope.onDidChange(() => this.schedule(0)),
    );
    this.schedule(0);
  }

  /** Asks the server again now (settings or rule packs changed what it reports). */
  refreshNow(): void {
    this.schedule(0);
  }

  private schedule(delay: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), delay);
  }

  private async refresh(): Promise<void> {
    const document = vscode.window.activeTextEditor?.document;
    if (!document || document.languageId !== LANGUAGE_ID) {
      this.item.hide();
      return;
    }
    const seq = ++this.seq;
    const params: ViewParams = { uri: document.uri.toString(), delivery: this.scope.value, metricsOnly: true };
    const view = await this.client.sendRequest(ViewRequest, params).catch((e: unknown) => {
      this.output.error(`Completeness summary failed: ${errorMessage(e)}`);
      return null;
    });
    if (seq !== this.seq) return;
    const metrics = view?.metrics;
    if (!metrics) {
      this.item.text = '$(shield) Threat model: not analysable';
      this.item.tooltip = view?.errors.join('\n');
      this.item.show();
      this.language.text = 'Threat model: not analysable';
      this.language.detail = view?.errors[0];
      this.language.severity = vscode.LanguageStatusSeverity.Error;
      return;
    }
    const gauge = (id: GaugeId) => metrics.gauges.find((g) => g.id === id);
    const pct = (r: number | undefined) => `${Math.round((r ?? 0) * 100)}%`;
    const highOpen = (metrics.residualRisk.critical ?? 0) + (metrics.residualRisk.high ?? 0);
    const failed = metrics.gates.filter((g) => !g.passed).length;
    this.item.text = `$(shield) ${pct(gauge('strideCoverage')?.ratio)} STRIDE · ${pct(gauge('findingTriage')?.ratio)} triaged · ${highOpen} high open${failed ? ` · $(error) ${failed} gate${failed === 1 ? '' : 's'}` : ''}`;
    const scope = metrics.scope === 'all' ? 'whole model' : `release ${metrics.scope}`;
    const tooltip = new vscode.MarkdownString(
      `**Threat model completeness**, ${scope} (click for the diagram)\n\n| gauge | |\n| --- | --- |\n`,
    );
    for (const g of metrics.gauges) tooltip.appendMarkdown(`| ${g.title} | ${g.done} / ${g.total} (${pct(g.ratio)}) |\n`);
    tooltip.appendMarkdown(
      `\n${highOpen} high or critical risk${highOpen === 1 ? '' : 's'} open: recorded threats still open, and rule findings not recorded yet (${metrics.unrecordedRisks} findings in all).`,
    );
    this.item.tooltip = tooltip;
    this.item.show();
    this.language.text = `${highOpen} high open${failed ? ` · ${failed} gate${failed === 1 ? '' : 's'} failed` : ' · gates pass'}`;
    this.language.detail = `${pct(gauge('strideCoverage')?.ratio)} STRIDE · ${pct(gauge('findingTriage')?.ratio)} triaged · ${scope}`;
    this.language.severity = failed ? vscode.LanguageStatusSeverity.Warning : vscode.LanguageStatusSeverity.Information;
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
