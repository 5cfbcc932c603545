/**
 * Reports for people: Markdown (GitHub renders its ```mermaid block) and a self-contained HTML page (diagram,
 * completeness gauges, threats and mitigations) that needs no network to view. Every model string is escaped.
 */
import { randomBytes } from 'node:crypto';
import type { Diagram } from '../analysis/diagram';
import type { Metrics } from '../analysis/metrics';
import { escapeHtml, escapeMarkdown, markdownCode } from '../shared/escape';
import { formatRatio } from '../shared/vocabulary';
import type { Analysis } from '../analysis/analyze';

export interface ReportInput {
  readonly file: string;
  readonly analysis: Analysis;
  readonly metrics: Metrics;
  readonly diagram: Diagram;
}

function bar(ratio: number | null): string {
  if (ratio === null) return '—';
  const filled = Math.round(ratio * 10);
  return '█'.repeat(filled) + '░'.repeat(10 - filled);
}

export function markdownReport({ file, analysis, metrics, diagram }: ReportInput): string {
  const model = analysis.parsed.model;
  const name = model?.system?.name ?? file;
  const out: string[] = [`# Threat model: ${escapeMarkdown(name)}`, ''];
  if (model?.system?.description) out.push(escapeMarkdown(model.system.description), '');
  out.push(
    `Source: ${markdownCode(file)} · scope: ${escapeMarkdown(metrics.scope)} · last review: ${escapeMarkdown(metrics.freshness.lastReview ?? 'never')}`,
    '',
  );

  // The answer first: is what was measured complete, and what to do next.
  out.push('## Completeness', '', `**${escapeMarkdown(metrics.verdict.text)}**`, '');
  for (const step of metrics.verdict.next) out.push(`- Next: ${escapeMarkdown(step.message)}`);
  if (metrics.verdict.next.length) out.push('');
  out.push('| gauge | | done | |', '| --- | --- | ---: | --- |');
  for (const g of metrics.gauges) out.push(`| ${g.title} | ${bar(g.ratio)} | ${g.done} / ${g.total} | ${formatRatio(g.ratio)} |`);
  out.push('', 'These measure how complete the analysis is, not how secure the system is.', '');
  if (metrics.gates.length) {
    out.push('| gate | result | |', '| --- | --- | --- |');
    for (const gate of metrics.gates)
      out.push(`| ${gate.title} | ${gate.passed ? '✅ passed' : '❌ failed'} | ${escapeMarkdown(gate.detail)} |`);
    out.push('');
  }
  const r = metrics.residualRisk;
  out.push(
    `Open risks by severity (recorded threats still open, and ${metrics.unrecordedRisks} rule findings not recorded yet): critical ${r.critical}, high ${r.high}, medium ${r.medium}, low ${r.low}, unrated ${r.unrated}.`,
    '',
  );

  out.push('## Data-flow diagram', '', '```mermaid', diagram.mermaid, '```', '');

  const open = analysis.findings.filter((f) => f.status === 'open');
  out.push(`## Open findings (${open.length})`, '');
  if (open.length) {
    out.push('| rule | element | finding | severity |', '| --- | --- | --- | --- |');
    for (const f of open)
      out.push(`| ${escapeMarkdown(f.rule.id)} | ${escapeMarkdown(f.elementId)} | ${escapeMarkdown(f.title)} | ${f.rule.severity} |`);
    out.push('');
  }
  if (model) {
    out.push(`## Threats (${model.threats.length})`, '');
    if (model.threats.length) {
      out.push('| id | threat | category | severity | status | mitigations |', '| --- | --- | --- | --- | --- | --- |');
      for (const t of model.threats) {
        out.push(
          `| ${escapeMarkdown(t.id)} | ${escapeMarkdown(t.data.title ?? '')} | ${escapeMarkdown(t.data.category ?? '')} | ${escapeMarkdown(t.data.severity ?? '')} | ${escapeMarkdown(t.data.status ?? '')} | ${escapeMarkdown((t.data.mitigations ?? []).join(', '))} |`,
        );
      }
      out.push('');
    }
    out.push(`## Mitigations (${model.mitigations.length})`, '');
    if (model.mitigations.length) {
      out.push('| id | mitigation | status | evidence |', '| --- | --- | --- | --- |');
      for (const m of model.mitigations)
        out.push(
          `| ${escapeMarkdown(m.id)} | ${escapeMarkdown(m.data.title ?? '')} | ${escapeMarkdown(m.data.status ?? '')} | ${escapeMarkdown(m.data.evidence ?? '')} |`,
        );
      out.push('');
    }
    if (model.assumptions.length) {
      out.push('## Assumptions', '');
      for (const a of model.assumptions) out.push(`- **${escapeMarkdown(a.id)}**: ${escapeMarkdown(a.data.text ?? '')}`);
      out.push('');
    }
  }
  return out.join('\n');
}

export function htmlReport({ file, analysis, metrics, diagram }: ReportInput, mermaidJs: string): string {
  const model = analysis.parsed.model;
  const title = `Threat model: ${model?.system?.name ?? file}`;
  const rows = (cells: unknown[][]) => cells.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  const open = analysis.findings.filter((f) => f.status === 'open');
  const gauges = metrics.gauges
    .map(
      (
        g,
      ) => `<div class="gauge"><div class="label">${escapeHtml(g.title)} <span>${g.done} / ${g.total} (${formatRatio(g.ratio)})</span></div>
<div class="track"><div class="fill" data-ratio="${(g.ratio ?? 0).toFixed(3)}"></div></div><div class="explain">${escapeHtml(g.explanation)}</div></div>`,
    )
    .join('\n');
  const gates = metrics.gates
    .map((g) => `<li class="${g.passed ? 'pass' : 'fail'}">${g.passed ? '✅' : '❌'} ${escapeHtml(g.title)}: ${escapeHtml(g.detail)}</li>`)
    .join('\n');
  const body = `<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(model?.system?.description ?? '')}</p>
<p>Source: <code>${escapeHtml(file)}</code> · scope: ${escapeHtml(metrics.scope)} · last review: ${escapeHtml(metrics.freshness.lastReview ?? 'never')}</p>
<h2>Completeness</h2>
<p class="verdict ${metrics.verdict.complete ? 'pass' : 'fail'}"><strong>${escapeHtml(metrics.verdict.text)}</strong></p>
${metrics.verdict.next.length ? `<ul class="next">${metrics.verdict.next.map((step) => `<li>Next: ${escapeHtml(step.message)}</li>`).join('')}</ul>` : ''}
<p>These gauges measure how complete the analysis is, not how secure the system is.</p>
${gauges}
<ul>${gates}</ul>
<p>Open risks by severity (recorded threats still open, and ${metrics.unrecordedRisks} rule findings not recorded yet): critical ${metrics.residualRisk.critical}, high ${metrics.residualRisk.high}, medium ${metrics.residualRisk.medium}, low ${metrics.residualRisk.low}, unrated ${metrics.residualRisk.unrated}.</p>
<h2>Data-flow diagram</h2>
<pre class="mermaid">${escapeHtml(diagram.mermaid)}</pre>
<h2>Open findings (${open.length})</h2>
<table><tr><th>rule</th><th>element</th><th>finding</th><th>severity</th></tr>
${rows(open.map((f) => [f.rule.id, f.elementId, f.title, f.rule.severity]))}
</table>
<h2>Threats (${model?.threats.length ?? 0})</h2>
<table><tr><th>id</th><th>threat</th><th>category</th><th>severity</th><th>status</th><th>mitigations</th></tr>
${rows((model?.threats ?? []).map((t) => [t.id, t.data.title ?? '', t.data.category ?? '', t.data.severity ?? '', t.data.status ?? '', (t.data.mitigations ?? []).join(', ')]))}
</table>
<h2>Mitigations (${model?.mitigations.length ?? 0})</h2>
<table><tr><th>id</th><th>mitigation</th><th>status</th><th>evidence</th></tr>
${rows((model?.mitigations ?? []).map((m) => [m.id, m.data.title ?? '', m.data.status ?? '', m.data.evidence ?? '']))}
</table>
`;
  return htmlPage(title, body, mermaidJs, {
    styles: `.gauge { margin: .6rem 0; } .label span { color: #57606a; } .explain { color: #57606a; font-size: 12px; }
.track { background: #eaeef2; height: 10px; border-radius: 5px; overflow: hidden; } .fill { background: #2da44e; height: 100%; }
li.fail { color: #cf222e; }
.verdict { font-size: 1.1rem; padding: .5rem .75rem; border-left: 4px solid; } .verdict.pass { border-color: #2da44e; }
.verdict.fail { border-color: #cf222e; }`,
    script: "for (const el of document.querySelectorAll('.fill')) el.style.width = (Number(el.dataset.ratio) * 100) + '%';",
  });
}

/**
 * A self-contained report page: it runs only the bundled Mermaid and the page's own script, under a nonce CSP (styles
 * may be inline: Mermaid styles its SVG), with Mermaid's strict security level. `body` is escaped by the caller.
 */
export function htmlPage(title: string, body: string, mermaidJs: string, extra: { styles?: string; script?: string } = {}): string {
  const nonce = randomBytes(16).toString('base64');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; img-src data:; font-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font: 14px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #1f2328; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; } td, th { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } .mermaid { background: #fff; border: 1px solid #d0d7de; padding: 1rem; overflow: auto; }
${extra.styles ?? ''}
</style>
</head>
<body>
${body}<script nonce="${nonce}">${mermaidJs.replace(/<\/script/gi, '<\\/script')}</script>
<script nonce="${nonce}">
${extra.script ?? ''}
mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'default', htmlLabels: false, flowchart: { htmlLabels: false } });
mermaid.run({ querySelector: '.mermaid' });
</script>
</body>
</html>
`;
}
