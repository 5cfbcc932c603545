/**
 * A report of several models as one system (`threatcode report --system`): the system-of-systems diagram, one row per
 * model with its size, open risks, completeness and gates, and the flows that cross from one model into another.
 * Markdown, or a self-contained HTML page that needs no network. Every model string is escaped.
 */
import type { Diagram } from '../analysis/diagram';
import type { Metrics } from '../analysis/metrics';
import { crossModelFlows, type SystemMember } from '../analysis/system-diagram';
import { formatRatio } from '../shared/vocabulary';
import { escapeHtml, escapeMarkdown, markdownCode } from '../shared/escape';
import { htmlPage } from './report';

export interface SystemReportInput {
  /** Each model with the path it is reported under (relative to where the command ran) and its metrics. */
  readonly models: readonly (SystemMember & { readonly file: string; readonly metrics: Metrics })[];
  readonly diagram: Diagram;
}

interface Row {
  readonly name: string;
  readonly file: string;
  readonly components: number;
  readonly open: number;
  readonly highOpen: number;
  readonly coverage: string;
  readonly gates: string;
}

function rowsOf(input: SystemReportInput): Row[] {
  return input.models.map((m) => {
    const model = m.analysis.parsed.model;
    const open = m.analysis.findings.filter((f) => f.status === 'open');
    const coverage = m.metrics.gauges.find((g) => g.id === 'elementCoverage');
    const failed = m.metrics.gates.filter((g) => !g.passed).length;
    return {
      name: String(model?.system?.name ?? m.file),
      file: m.file,
      components: model?.components.length ?? 0,
      open: open.length,
      highOpen: m.metrics.residualRisk.critical + m.metrics.residualRisk.high,
      coverage: coverage ? `${formatRatio(coverage.ratio)} (${coverage.done} / ${coverage.total})` : '—',
      gates: m.metrics.gates.length === 0 ? '—' : failed ? `${failed} failed` : 'passed',
    };
  });
}

/** The flows across models, as "from model → to model: flow (defined in)". */
function crossings(input: SystemReportInput): { from: string; to: string; flow: string; owner: string }[] {
  const nameOf = new Map(input.models.map((m) => [m.uri, String(m.analysis.parsed.model?.system?.name ?? m.file)]));
  const fileOf = new Map(input.models.map((m) => [m.uri, m.file]));
  return crossModelFlows(input.models).map((c) => ({
    from: nameOf.get(c.from) ?? c.from,
    to: nameOf.get(c.to) ?? c.to,
    flow: String(c.flow.data.name ?? c.flow.id),
    owner: fileOf.get(c.owner) ?? c.owner,
  }));
}

export function systemMarkdownReport(input: SystemReportInput): string {
  const rows = rowsOf(input);
  const out = [
    `# System of ${rows.length} threat models`,
    '',
    'Each model is measured on its own elements; flows between models are listed below.',
    '',
    '| model | file | components | open findings | open high or critical risks | element coverage | gates |',
    '| --- | --- | ---: | ---: | ---: | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${escapeMarkdown(r.name)} | ${markdownCode(r.file)} | ${r.components} | ${r.open} | ${r.highOpen} | ${r.coverage} | ${r.gates} |`,
    ),
    '',
    '## Diagram',
    '',
    '```mermaid',
    input.diagram.mermaid,
    '```',
    '',
  ];
  const across = crossings(input);
  out.push(`## Flows between models (${across.length})`, '');
  if (across.length === 0) out.push('No flow crosses from one model into another.');
  for (const c of across)
    out.push(`- ${escapeMarkdown(c.from)} → ${escapeMarkdown(c.to)}: ${escapeMarkdown(c.flow)} (in ${markdownCode(c.owner)})`);
  out.push('');
  return out.join('\n');
}

export function systemHtmlReport(input: SystemReportInput, mermaidJs: string): string {
  const rows = rowsOf(input);
  const across = crossings(input);
  const cells = (r: readonly unknown[]) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`;
  const title = `System of ${rows.length} threat models`;
  const body = `<h1>${escapeHtml(title)}</h1>
<p>Each model is measured on its own elements; flows between models are listed below.</p>
<table><tr><th>model</th><th>file</th><th>components</th><th>open findings</th><th>open high or critical risks</th><th>element coverage</th><th>gates</th></tr>
${rows.map((r) => cells([r.name, r.file, r.components, r.open, r.highOpen, r.coverage, r.gates])).join('\n')}
</table>
<h2>Diagram</h2>
<pre class="mermaid">${escapeHtml(input.diagram.mermaid)}</pre>
<h2>Flows between models (${across.length})</h2>
<table><tr><th>from</th><th>to</th><th>flow</th><th>defined in</th></tr>
${across.map((c) => cells([c.from, c.to, c.flow, c.owner])).join('\n')}
</table>
`;
  return htmlPage(title, body, mermaidJs);
}
