/**
 * The export request between its stages: a cancellation that arrives while an export is under way stops it at the
 * next stage (over stdio the timing of a cancel against a fast export is not deterministic; here it is).
 */
import * as assert from 'node:assert/strict';
import { CancellationTokenSource, type Connection, LSPErrorCodes, ResponseError, type TextDocuments } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { registerExportRequest } from '../../server/src/lsp/export';
import type { ExportParams, ExportResult } from '../../server/src/shared/protocol';
import { DEFAULT_SETTINGS } from '../../server/src/shared/settings';
import { analyze, BUILTIN_RULES } from '../support/analyze';
import { generateModel } from '../support/generate-model';

type Handler = (params: ExportParams, token: CancellationTokenSource['token']) => Promise<ExportResult>;

/** The export handler as the server registers it, over one open document. */
function exportHandler(text: string): Handler {
  const document = TextDocument.create('file:///ws/m.tm.yaml', 'threatmodel', 1, text);
  let handler: Handler | undefined;
  const connection = { onRequest: (_type: unknown, h: Handler) => (handler = h) } as unknown as Connection;
  const documents = { get: (uri: string) => (uri === document.uri ? document : undefined) } as unknown as TextDocuments<TextDocument>;
  const analysis = analyze(text);
  registerExportRequest(
    connection,
    documents,
    () => analysis,
    () => BUILTIN_RULES,
    () => DEFAULT_SETTINGS,
    '0.0.0',
  );
  return handler!;
}

describe('export request', () => {
  const run = exportHandler(generateModel(30));
  const params: ExportParams = { uri: 'file:///ws/m.tm.yaml', format: 'markdown', delivery: false };

  it('exports when nothing cancels it', async () => {
    const result = await run(params, new CancellationTokenSource().token);
    assert.ok('text' in result && result.text.startsWith('# Threat model: '), JSON.stringify(result).slice(0, 80));
  });

  it('stops at the next stage when cancelled while under way', async () => {
    const source = new CancellationTokenSource();
    const exporting = run(params, source.token);
    // Cancelled after the export started and before its first stage ended.
    source.cancel();
    await assert.rejects(exporting, (e: unknown) => e instanceof ResponseError && e.code === LSPErrorCodes.RequestCancelled);
  });
});
