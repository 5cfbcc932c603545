/** `threatcode/export`: the same report and SARIF as `threatcode report` and `threatcode check --format sarif`. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Connection, LSPErrorCodes, ResponseError, type TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Analysis } from '../analysis/analyze';
import { localDate } from '../shared/dates';
import { buildDiagram } from '../analysis/diagram';
import { computeMetrics } from '../analysis/metrics';
import type { RuleSet } from '../analysis/rules/types';
import { htmlReport, markdownReport } from '../report/report';
import { toSarif } from '../report/sarif';
import { exportCsv } from '../interop/csv';
import { exportOtm } from '../interop/otm';
import { exportThreatDragon } from '../interop/threat-dragon';
import { EXPORT_FORMATS, ExportRequest, type ExportResult } from '../shared/protocol';
import { quoted } from '../shared/values';
import type { ThreatcodeSettings } from '../shared/settings';

/** The file name a report shows: the model's path, or its URI when it is not a file. */
function displayName(uri: string): string {
  return uri.startsWith('file:') ? path.basename(fileURLToPath(uri)) : uri;
}

export function registerExportRequest(
  connection: Connection,
  documents: TextDocuments<TextDocument>,
  analysisOf: (document: TextDocument) => Analysis,
  ruleSet: () => RuleSet,
  settings: () => Pick<ThreatcodeSettings, 'gates'>,
  version: string,
): void {
  connection.onRequest(ExportRequest, async (params, token): Promise<ExportResult> => {
    // The request is from the extension, but its parameters are checked like any input: an unknown format is an
    // error, not the HTML report.
    if (typeof params?.uri !== 'string') return { error: 'Export needs the URI of an open threat model.' };
    if (!(EXPORT_FORMATS as readonly unknown[]).includes(params.format))
      return { error: `Export formats are ${EXPORT_FORMATS.join(', ')}; ${quoted(String(params.format))} is not one of them.` };
    // Each stage takes up to a few hundred milliseconds at 5,000 components: between them the server answers what
    // the editor asked meanwhile (hover, diagnostics), and stops if the export was cancelled. A timer, not an
    // immediate: with immediates alone a request that arrived meanwhile was read after the export in 2 runs of 10.
    const stage = async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'The export was cancelled.');
    };
    const document = documents.get(params.uri);
    if (!document) return { error: 'Open the threat model first.' };
    // The export describes the text analysed here, even if the user types on while it is written.
    const analysis = analysisOf(document);
    const file = displayName(params.uri);
    if (params.format === 'sarif') {
      const diagnostics = analysis.diagnostics.map((d) => {
        const s = document.positionAt(d.span.start);
        const e = document.positionAt(d.span.end);
        return { ...d, line: s.line + 1, column: s.character + 1, endLine: e.line + 1, endColumn: e.character + 1 };
      });
      await stage();
      return {
        text: JSON.stringify(toSarif([{ uri: file, text: analysis.parsed.text, diagnostics }], ruleSet(), version), null, 2) + '\n',
      };
    }
    await stage();
    const metrics = computeMetrics(analysis, { today: localDate(new Date()), delivery: params.delivery, gates: settings().gates });
    if (!metrics) return { error: `${file} is not a threat model that can be reported on: fix its errors first.` };
    await stage();
    if (params.format === 'csv') return { text: exportCsv(analysis) };
    if (params.format === 'otm' || params.format === 'threat-dragon') {
      if (analysis.diagnostics.some((d) => d.severity === 'error')) return { error: `${file} has errors; fix them before exporting.` };
      return { text: `${JSON.stringify(params.format === 'otm' ? exportOtm(analysis) : exportThreatDragon(analysis), null, 2)}\n` };
    }
    const input = { file, analysis, metrics, diagram: buildDiagram(analysis) };
    await stage();
    if (params.format === 'markdown') return { text: markdownReport(input) };
    // The bundled Mermaid beside the server bundle: the page needs no network.
    return { text: htmlReport(input, readFileSync(path.join(__dirname, 'mermaid.min.js'), 'utf8')) };
  });
}
