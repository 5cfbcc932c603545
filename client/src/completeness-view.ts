/**
 * "Threat Model Completeness" in the Explorer: the gauges, gates, open threats and freshness of the active threat
 * model as a native tree. A tree gives keyboard and screen-reader access by construction, leaves the diagram panel
 * its whole width, and each gap it lists opens the line that is missing something. Metrics come from the server's
 * view request (metricsOnly); nothing is computed here.
 */
import * as vscode from 'vscode';
import type { ViewGauge, ViewMetrics, ViewRange, ViewVerdict } from '../../server/src/shared/view';
import { formatRatio, VERDICT_LABELS, type VerdictState } from '../../server/src/shared/vocabulary';
import type { MetricsUpdate, ModelMetrics } from './model-metrics';

export const COMPLETENESS_VIEW = 'threatcode.completeness';
export const REVEAL_COMMAND = 'threatcode.revealInModel';

type Item =
  | { readonly kind: 'verdict'; readonly verdict: ViewVerdict }
  | { readonly kind: 'gauge'; readonly gauge: ViewGauge }
  | {
      readonly kind: 'missing';
      readonly text: string;
      readonly range?: ViewRange;
      /** The imported model the item is in (completeness measured with the imports). */
      readonly uri?: string;
      readonly details?: readonly string[];
    }
  | { readonly kind: 'detail'; readonly text: string }
  | { readonly kind: 'gates'; readonly metrics: ViewMetrics }
  | { readonly kind: 'gate'; readonly title: string; readonly detail: string; readonly passed: boolean }
  | { readonly kind: 'line'; readonly label: string; readonly description: string; readonly tooltip?: string; readonly icon: string }
  | { readonly kind: 'message'; readonly text: string };

function verdictIcon(state: VerdictState): vscode.ThemeIcon {
  if (state === 'complete') return new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('charts.green'));
  if (state === 'not-complete') return new vscode.ThemeIcon('error', new vscode.ThemeColor('charts.red'));
  return new vscode.ThemeIcon('circle-outline');
}

function gaugeIcon(ratio: number | null): vscode.ThemeIcon {
  // Nothing to measure: neither a pass nor a failure.
  if (ratio === null) return new vscode.ThemeIcon('circle-outline');
  if (ratio >= 0.8) return new vscode.ThemeIcon('pass', new vscode.ThemeColor('charts.green'));
  if (ratio >= 0.5) return new vscode.ThemeIcon('warning', new vscode.ThemeColor('charts.yellow'));
  return new vscode.ThemeIcon('error', new vscode.ThemeColor('charts.red'));
}

export class CompletenessView implements vscode.TreeDataProvider<Item>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Item | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly tree: vscode.TreeView<Item>;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private metrics: ViewMetrics | undefined;
  private errors: readonly string[] = [];

  constructor(private readonly source: ModelMetrics) {
    this.tree = vscode.window.createTreeView(COMPLETENESS_VIEW, { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(
      this.tree,
      source.onDidUpdate((update) => this.show(update)),
    );
    this.show(source.current);
  }

  /** Resolves once the metrics of the model shown are in (for tests and callers that read the tree). */
  async settled(): Promise<void> {
    await this.source.settled();
  }

  /** The description under the view's title: the model and the scope measured. */
  get description(): string | undefined {
    return this.tree.description;
  }

  /** The model shown: the active editor's, or the last one that was active. */
  private show({ uri, view }: MetricsUpdate): void {
    this.metrics = uri ? view?.metrics : undefined;
    this.errors = uri ? (view?.errors ?? []) : [];
    const name = uri?.path.split('/').pop();
    this.tree.description =
      uri && this.metrics ? `${name} · ${this.metrics.scope === 'all' ? 'whole model' : `release ${this.metrics.scope}`}` : name;
    this.changed.fire(undefined);
  }

  getTreeItem(item: Item): vscode.TreeItem {
    switch (item.kind) {
      case 'verdict': {
        // The answer first: complete or not, why, and (opened) the next three things to do.
        const v = item.verdict;
        const t = new vscode.TreeItem(
          VERDICT_LABELS[v.state],
          v.next.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
        );
        t.description = v.detail;
        t.tooltip = new vscode.MarkdownString().appendText(v.text);
        t.iconPath = verdictIcon(v.state);
        t.accessibilityInformation = { label: v.text };
        t.id = 'verdict';
        return t;
      }
      case 'gauge': {
        const g = item.gauge;
        const t = new vscode.TreeItem(
          g.title,
          g.missingTotal > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
        );
        t.description = `${g.done} / ${g.total} · ${formatRatio(g.ratio)}`;
        t.tooltip = new vscode.MarkdownString(`**${g.title}: ${g.done} of ${g.total} (${formatRatio(g.ratio)})**\n\n${g.explanation}`);
        t.iconPath = gaugeIcon(g.ratio);
        t.accessibilityInformation = { label: `${g.title}: ${g.done} of ${g.total}, ${formatRatio(g.ratio)}. ${g.explanation}` };
        t.id = `gauge:${g.id}`;
        return t;
      }
      case 'missing': {
        // A gap with what lies behind it (the commits that changed a component's code) opens to show them.
        const t = new vscode.TreeItem(
          item.text,
          item.details?.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
        );
        if (item.range) {
          const target = item.uri ? vscode.Uri.parse(item.uri, true) : this.source.current.uri;
          t.command = { command: REVEAL_COMMAND, title: 'Show in the model', arguments: [target, item.range] };
          t.iconPath = new vscode.ThemeIcon('circle-outline');
        }
        t.tooltip = item.text;
        // A stable id keeps a component opened to its commits open when the view refreshes after an edit.
        if (item.details?.length) t.id = `missing:${item.text}`;
        return t;
      }
      case 'gates': {
        const failed = item.metrics.gates.filter((g) => !g.passed).length;
        const t = new vscode.TreeItem('Gates', vscode.TreeItemCollapsibleState.Expanded);
        t.description = failed ? `${failed} failed` : 'all passed';
        t.iconPath = failed
          ? new vscode.ThemeIcon('error', new vscode.ThemeColor('charts.red'))
          : new vscode.ThemeIcon('pass', new vscode.ThemeColor('charts.green'));
        t.id = 'gates';
        return t;
      }
      case 'gate': {
        const t = new vscode.TreeItem(item.title);
        t.description = item.detail;
        t.tooltip = `${item.passed ? 'Passed' : 'Failed'}: ${item.title}: ${item.detail}`;
        t.iconPath = item.passed ? new vscode.ThemeIcon('check') : new vscode.ThemeIcon('close', new vscode.ThemeColor('errorForeground'));
        t.accessibilityInformation = { label: `${item.passed ? 'Passed' : 'Failed'}: ${item.title}, ${item.detail}` };
        return t;
      }
      case 'line': {
        const t = new vscode.TreeItem(item.label);
        t.description = item.description;
        t.tooltip = item.tooltip ?? `${item.label}: ${item.description}`;
        t.iconPath = new vscode.ThemeIcon(item.icon);
        return t;
      }
      case 'detail': {
        const t = new vscode.TreeItem(item.text);
        t.iconPath = new vscode.ThemeIcon('git-commit');
        t.tooltip = item.text;
        return t;
      }
      case 'message':
        return new vscode.TreeItem(item.text);
    }
  }

  getChildren(item?: Item): Item[] {
    const m = this.metrics;
    if (!item) {
      // No model: the view's welcome (package.json) says what to open, with a button for a new model.
      if (!this.source.current.uri) return [];
      if (!m) return this.errors.length ? this.errors.map((e) => ({ kind: 'message', text: e })) : [];
      const r = m.residualRisk;
      return [
        { kind: 'verdict', verdict: m.verdict },
        ...m.gauges.map((gauge) => ({ kind: 'gauge' as const, gauge })),
        ...(m.gates.length ? [{ kind: 'gates' as const, metrics: m }] : []),
        {
          kind: 'line',
          label: 'Open risks',
          description: `critical ${r.critical} · high ${r.high} · medium ${r.medium} · low ${r.low} · unrated ${r.unrated}`,
          tooltip: `Recorded threats that are open or in progress, and ${m.unrecordedRisks} rule finding${m.unrecordedRisks === 1 ? '' : 's'} not recorded yet. Recording a finding moves it from one to the other; a decision (mitigated, accepted, not applicable) closes it.`,
          icon: r.critical + r.high > 0 ? 'flame' : 'shield',
        },
        {
          kind: 'line',
          label: 'Last review',
          description: m.lastReview ? `${m.lastReview} (${m.daysSinceReview} days ago)` : 'never (system.reviewed)',
          icon: 'history',
        },
        ...(m.notes ?? []).map((note): Item => ({ kind: 'line', label: 'Not measured', description: note, icon: 'info' })),
      ];
    }
    if (item.kind === 'gauge') {
      const list: Item[] = item.gauge.missing.map((x) => ({
        kind: 'missing',
        text: x.message,
        range: x.range,
        uri: x.uri,
        details: x.details,
      }));
      if (item.gauge.missingTotal > item.gauge.missing.length)
        list.push({
          kind: 'missing',
          text: `… and ${item.gauge.missingTotal - item.gauge.missing.length} more (threatcode report lists all)`,
        });
      return list;
    }
    if (item.kind === 'verdict')
      return item.verdict.next.map((x) => ({ kind: 'missing', text: `Next: ${x.message}`, range: x.range, uri: x.uri }));
    if (item.kind === 'missing') return (item.details ?? []).map((text) => ({ kind: 'detail', text }));
    if (item.kind === 'gates') return item.metrics.gates.map((g) => ({ kind: 'gate', title: g.title, detail: g.detail, passed: g.passed }));
    return [];
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
