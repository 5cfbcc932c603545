/** `threatcode/export`: the same report and SARIF as `threatcode report` and `threatcode check --format sarif`. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { type Analysis, localDate } from '../analysis/analyze';
import { buildDiagram } from '../analysis/diagram';
import { computeMetrics } from '../analysis/metrics';
import type { RuleSet } from '../analysis/rules/types';
import { htmlReport, markdownReport } from '../report/report';
import { toSarif } from '../report/sarif';
import { ExportRequest, type ExportResult } from '../shared/protocol';
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
  connection.onRequest(ExportRequest, (params): ExportResult => {
    const document = documents.get(params.uri);
    if (!document) return { error: 'Open the threat model first.' };
    const analysis = analysisOf(document);
    const file = displayName(params.uri);
    if (params.format === 'sarif') {
      const diagnostics = analysis.diagnostics.map((d) => {
        const s = document.positionAt(d.span.start);
        const e = document.positionAt(d.span.end);
        return { ...d, line: s.line + 1, column: s.character + 1, endLine: e.line + 1, endColumn: e.character + 1 };
      });
      return { text: JSON.stringify(toSarif([{ uri: file, text: document.getText(), diagnostics }], ruleSet(), version), null, 2) + '\n' };
    }
    const metrics = computeMetrics(analysis, { today: localDate(new Date()), delivery: params.delivery, gates: settings().gates });
    if (!metrics) return { error: `${file} is not a threat model that can be reported on: fix its errors first.` };
    const input = { file, analysis, metrics, diagram: buildDiagram(analysis) };
    if (params.format === 'markdown') return { text: markdownReport(input) };
    // The bundled Mermaid beside the server bundle: the page needs no network.
    return { text: htmlReport(input, readFileSync(path.join(__dirname, 'mermaid.min.js'), 'utf8')) };
  });
}
