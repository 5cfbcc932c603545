/**
 * A workspace with more model files than are indexed: nothing is dropped silently. Symbols come from the indexed
 * models, and symbols, references and renames say that some models were not looked at.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SymbolInformation } from 'vscode-languageserver-protocol';
import { MAX_INDEXED_MODELS } from '../../server/src/workspace/model-store';
import { TestLspClient } from '../support/lsp-client';

const model = (i: number) =>
  `threatcode: 1.3\nsystem:\n  name: M${i}\ncomponents:\n  - id: c${i}\n    name: Service ${i}\n    type: process\n`;

describe('a workspace beyond the index limit', function () {
  this.timeout(120_000);
  let dir: string;
  let client: TestLspClient;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'threatcode-index-'));
    // One more model than are indexed, a hundred per folder.
    for (let i = 0; i <= MAX_INDEXED_MODELS; i++) {
      const folder = path.join(dir, `f${String(Math.floor(i / 100)).padStart(3, '0')}`);
      if (i % 100 === 0) mkdirSync(folder);
      writeFileSync(path.join(folder, `m${String(i).padStart(5, '0')}.tm.yaml`), model(i));
    }
    client = new TestLspClient({}, { workspaceFolders: [pathToFileURL(dir).href] });
    await client.initialize();
    await client.configurationPulled();
  });

  after(async () => {
    await client.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the symbols of the indexed models and says how many files were not indexed', async () => {
    const symbols = await client.connection.sendRequest<SymbolInformation[]>('workspace/symbol', { query: 'c4999' });
    assert.deepEqual(
      symbols.map((s) => s.name),
      ['c4999'],
    );
    assert.equal(symbols[0].location.range.start.line, 4);
    const none = await client.connection.sendRequest<SymbolInformation[]>('workspace/symbol', { query: `c${MAX_INDEXED_MODELS}` });
    assert.deepEqual(none, [], 'the model beyond the limit is not indexed');
    assert.ok(
      client.shown.some((m) => /indexes the first 5,000 model files of the workspace; 1 more is not indexed/.test(m)),
      client.shown.join('\n'),
    );
  });

  it('says so on references too', async () => {
    const uri = pathToFileURL(path.join(dir, 'f000', 'm00000.tm.yaml')).href;
    await client.open(uri, model(0));
    const before = client.shown.length;
    await client.connection.sendRequest('textDocument/references', {
      textDocument: { uri },
      position: { line: 4, character: 10 },
      context: { includeDeclaration: true },
    });
    assert.ok(
      client.shown.slice(before).some((m) => /Find References looked at the first 5,000 model files/.test(m)),
      client.shown.join('\n'),
    );
  });
});
