/**
 * A compact completeness summary in the status bar for the active threat model; click to open the diagram panel.
 */
import * as vscode from 'vscode';
import { LANGUAGE_ID } from '../../server/src/shared/protocol';
import { formatRatio, type GaugeId, VERDICT_LABELS } from '../../server/src/shared/vocabulary';
import type { ModelMetrics } from './model-metrics';

export class CompletenessStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('threatcode.completeness', vscode.StatusBarAlignment.Left, 100);
  /** The same summary in the language status ({ } beside "Threat Model"), where VS Code groups what a language says. */
  private readonly language = vscode.languages.createLanguageStatusItem('threatcode.summary', { language: LANGUAGE_ID });
  private readonly disposables: vscode.Disposable[] = [this.item, this.language];

  constructor(private readonly metrics: ModelMetrics) {
    this.item.name = 'Threatcode completeness';
    this.item.command = 'threatcode.openDiagram';
    this.language.name = 'Threatcode completeness';
    this.language.text = 'Threat model';
    this.language.command = { title: 'Open Diagram', command: 'threatcode.openDiagram' };
    this.disposables.push(
      metrics.onDidUpdate(() => this.render()),
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
    );
    this.render();
  }

  /**
   * Shown while the model measured is the active editor's, or no text editor is active (the diagram beside it has the
   * focus); hidden when another file is edited.
   */
  private render(): void {
    const document = vscode.window.activeTextEditor?.document;
    const { uri, view } = this.metrics.current;
    if (!uri || (document && document.uri.toString() !== uri.toString())) {
      this.item.hide();
      return;
    }
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
    const highOpen = (metrics.residualRisk.critical ?? 0) + (metrics.residualRisk.high ?? 0);
    const failed = metrics.gates.filter((g) => !g.passed).length;
    const verdict = metrics.verdict;
    const icon = verdict.state === 'complete' ? '$(pass)' : verdict.state === 'not-complete' ? '$(error)' : '$(shield)';
    this.item.text = `${icon} ${VERDICT_LABELS[verdict.state]} · ${formatRatio(gauge('strideCoverage')?.ratio)} STRIDE · ${formatRatio(gauge('findingTriage')?.ratio)} triaged · ${highOpen} high open`;
    const scope = metrics.scope === 'all' ? 'whole model' : `release ${metrics.scope}`;
    const tooltip = new vscode.MarkdownString();
    tooltip.appendMarkdown('**').appendText(verdict.text).appendMarkdown('**\n\n');
    for (const step of verdict.next) tooltip.appendMarkdown('- Next: ').appendText(step.message).appendMarkdown('\n');
    tooltip.appendMarkdown(`\n**Threat model completeness**, ${scope} (click for the diagram)\n\n| gauge | |\n| --- | --- |\n`);
    for (const g of metrics.gauges) tooltip.appendMarkdown(`| ${g.title} | ${g.done} / ${g.total} (${formatRatio(g.ratio)}) |\n`);
    tooltip.appendMarkdown(
      `\n${highOpen} high or critical risk${highOpen === 1 ? '' : 's'} open: recorded threats still open, and rule findings not recorded yet (${metrics.unrecordedRisks} findings in all).`,
    );
    this.item.tooltip = tooltip;
    this.item.show();
    this.language.text = `${VERDICT_LABELS[verdict.state]} · ${highOpen} high open${failed ? ` · ${failed} gate${failed === 1 ? '' : 's'} failed` : ''}`;
    this.language.detail = `${formatRatio(gauge('strideCoverage')?.ratio)} STRIDE · ${formatRatio(gauge('findingTriage')?.ratio)} triaged · ${scope}`;
    this.language.severity = failed ? vscode.LanguageStatusSeverity.Warning : vscode.LanguageStatusSeverity.Information;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
