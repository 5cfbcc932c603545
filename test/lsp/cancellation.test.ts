/**
 * A request the client cancels while it waits behind other work is answered "cancelled" without running: the server
 * is kept busy opening a large model, a hover is sent and cancelled behind it.
 */
import * as assert from 'node:assert/strict';
import { CancellationTokenSource, HoverRequest, LSPErrorCodes } from 'vscode-languageserver-protocol';
import { generateModel } from '../support/generate-model';
import { TestLspClient } from '../support/lsp-client';

describe('cancellation over the protocol', function () {
  this.timeout(120_000);

  it('drops a request cancelled before it ran, and answers one that was not cancelled', async () => {
    const client = new TestLspClient({ validationDelay: 0, maxFileSizeMB: 64 });
    try {
      await client.initialize();
      const uri = 'file:///ws/large.tm.yaml';
      const text = generateModel(2000);
      // The open is analysed at once, on the server's only thread: the requests below queue behind it.
      const opened = client.open(uri, text);
      const position = { line: text.slice(0, text.indexOf('  - id: comp-1\n')).split('\n').length - 1, character: 10 };
      const source = new CancellationTokenSource();
      const cancelled = client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position }, source.token);
      source.cancel();
      const answered = client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position });
      await assert.rejects(cancelled, (e: { code?: number }) => e.code === LSPErrorCodes.RequestCancelled);
      assert.ok(await answered, 'the request that was not cancelled is answered');
      await opened;
    } finally {
      await client.stop();
    }
  });
});
