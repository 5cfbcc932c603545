/** `threatcode report`: a Markdown or self-contained HTML report of one model. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { localDate } from '../analysis/analyze';
import { buildDiagram } from '../analysis/diagram';
import { computeMetrics } from '../analysis/metrics';
import { htmlReport, markdownReport } from '../report/report';
import {
  COMMON_OPTIONS_HELP,
  commonOptions,
  emit,
  EXIT_FAILED,
  EXIT_OK,
  EXIT_USAGE,
  loadModel,
  loadRules,
  maxLengthOption,
  oneModel,
  type Out,
  problemLine,
  UsageError,
  parseCommand,
} from './common';

export const REPORT_HELP = `Usage: threatcode report <file> [--format markdown|html] [--output <file>] [--delivery]

Writes a report of one threat model: summary, completeness gauges and gates, the data-flow diagram (a mermaid
block in Markdown; rendered offline in HTML), open findings, threats and mitigations.
${COMMON_OPTIONS_HELP}
`;

export function report(args: readonly string[], out: Out, err: Out): number {
  const { values, positionals } = parseCommand('report', args, {
    ...commonOptions,
    format: { type: 'string', default: 'markdown' },
    delivery: { type: 'boolean' },
  });
  if (values.help) {
    out(REPORT_HELP);
    return EXIT_OK;
  }
  if (values.format !== 'markdown' && values.format !== 'html')
    throw new UsageError(`--format must be markdown or html, not '${values.format}'.`);
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
