/** `threatcode report`: a Markdown or self-contained HTML report of one model. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { localDate } from '../shared/dates';
import { buildDiagram } from '../analysis/diagram';
import { computeMetrics } from '../analysis/metrics';
import { buildSystemDiagram } from '../analysis/system-diagram';
import { htmlReport, markdownReport } from '../report/report';
import { systemHtmlReport, systemMarkdownReport } from '../report/system-report';
import {
  COMMON_OPTIONS_HELP,
  commonOptions,
  emit,
  EXIT_FAILED,
  EXIT_OK,
  EXIT_USAGE,
  loadModel,
  loadRules,
  loadSystem,
  maxLengthOption,
  oneModel,
  type Out,
  problemLine,
  UsageError,
  parseCommand,
} from './common';

export const REPORT_HELP = `Usage: threatcode report <file> [--format markdown|html] [--output <file>] [--delivery]
       threatcode report --system [<file|dir>...] [--format markdown|html] [--output <file>]

Writes a report of one threat model: summary, completeness gauges and gates, the data-flow diagram (a mermaid
block in Markdown; rendered offline in HTML), open findings, threats and mitigations.

With --system, a report of the models named (default: the current folder) as one system: the system-of-systems
diagram (each model a node, the flows that cross from one model into another between them), one row per model with
its open risks, completeness and gates, and the list of flows between models.
${COMMON_OPTIONS_HELP}
`;

export function report(args: readonly string[], out: Out, err: Out): number {
  const { values, positionals } = parseCommand('report', args, {
    ...commonOptions,
    format: { type: 'string', default: 'markdown' },
    delivery: { type: 'boolean' },
    system: { type: 'boolean' },
  });
  if (values.help) {
    out(REPORT_HELP);
    return EXIT_OK;
  }
  if (values.format !== 'markdown' && values.format !== 'html')
    throw new UsageError(`--format must be markdown or html, not '${values.format}'.`);
  if (values.system) {
    const ruleSet = loadRules(values, err);
    if (!ruleSet) return EXIT_USAGE;
    const system = loadSystem(positionals, ruleSet, maxLengthOption(values['max-file-size']), err);
    if (!system) return EXIT_USAGE;
    const today = localDate(new Date());
    const models = system.map((m) => ({ ...m, metrics: computeMetrics(m.analysis, { today, delivery: values.delivery })! }));
    const input = { models, diagram: buildSystemDiagram(models) };
    if (values.format === 'html')
      emit(systemHtmlReport(input, readFileSync(path.join(__dirname, 'mermaid.min.js'), 'utf8')), values.output, out);
    else emit(systemMarkdownReport(input), values.output, out);
    return EXIT_OK;
  }
  const file = oneModel('report', positionals, REPORT_HELP);
  const ruleSet = loadRules(values, err);
  if (!ruleSet) return EXIT_USAGE;
  const loaded = loadModel(file, ruleSet, maxLengthOption(values['max-file-size']), err);
  if (!loaded) return EXIT_USAGE;
  const metrics = loaded.analysis && computeMetrics(loaded.analysis, { today: localDate(new Date()), delivery: values.delivery });
  if (!loaded.analysis || !metrics) {
    for (const d of loaded.diagnostics) err(problemLine(file, d));
    err(`threatcode: ${file} is not a threat model that can be reported on.\n`);
    return EXIT_FAILED;
  }
  const input = { file, analysis: loaded.analysis, metrics, diagram: buildDiagram(loaded.analysis) };
  if (values.format === 'html') {
    // The bundled Mermaid, copied beside the CLI bundle at build time: the page needs no network.
    const mermaid = readFileSync(path.join(__dirname, 'mermaid.min.js'), 'utf8');
    emit(htmlReport(input, mermaid), values.output, out);
  } else {
    emit(markdownReport(input), values.output, out);
  }
  return EXIT_OK;
}
