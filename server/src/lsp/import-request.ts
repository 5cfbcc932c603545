/**
 * `threatcode/import`: each request runs in a worker thread of its own (import-worker.ts, bundled beside the server),
 * so that converting a large file never holds up the diagnostics and hovers of the models being edited. A cancelled
 * request stops its worker.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { type Connection, LSPErrorCodes, ResponseError } from 'vscode-languageserver/node';
import { errorMessage } from '../shared/errors';
import { ImportRequest, type ImportResponse } from '../shared/protocol';

export function registerImportRequest(connection: Connection, workerPath = path.join(__dirname, 'import-worker.js')): void {
  connection.onRequest(
    ImportRequest,
    (params, token) =>
      new Promise<ImportResponse>((resolve, reject) => {
        if (typeof params?.uri !== 'string') return resolve({ error: 'Import needs the URI of a file.' });
        const worker = new Worker(workerPath);
        const done = () => void worker.terminate();
        const cancelled = token.onCancellationRequested(() => {
          done();
          reject(new ResponseError(LSPErrorCodes.RequestCancelled, 'The import was cancelled.'));
        });
        worker.once('message', (response: ImportResponse) => {
          cancelled.dispose();
          done();
          resolve(response);
        });
        worker.once('error', (e) => {
          cancelled.dispose();
          resolve({ error: `The file could not be imported: ${errorMessage(e)}` });
        });
        worker.postMessage(params.uri);
      }),
  );
}
