/**
 * A monorepo's worth of models: 520 models of 30 components (`services/svc-NNN/threatmodel.tm.yaml`) in one workspace
 * folder, our server over stdio. Measured: one model opened → its diagnostics, the first diagram view of it (which
 * asks whether another model imports it), workspace symbols over every model (with how many files they came from),
 * and the server's memory after all of that.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SymbolInformation } from 'vscode-languageserver-protocol';
import { SERVER_EXEC_ARGV, ViewRequest } from '../../server/src/shared/protocol';
import { generateModel } from '../support/generate-model';
import { SERVER_PATH, TestLspClient } from '../support/lsp-client';
import { rssMB } from './servers';

export interface WorkspaceRun {
  readonly models: number;
  readonly components: number;
  /** didOpen of one model → its diagnostics. */
  readonly openMs: number;
  /** The first `threatcode/view` of that model (the diagram beside the editor). */
  readonly firstViewMs: number;
  /** workspace/symbol with an empty query, the first time (every model read). */
  readonly symbolsMs: number;
  /** The same again (the summaries kept). */
  readonly symbolsAgainMs: number;
  /** Files the symbols came from: all of them, or the run says which were dropped. */
  readonly symbolFiles: number;
  readonly rssMB: number | undefined;
}

export async function benchWorkspace(models = 520, components = 30): Promise<WorkspaceRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'threatcode-workspace-'));
  const text = generateModel(components);
  for (let i = 0; i < models; i++) {
    const folder = path.join(dir, 'services', `svc-${String(i).padStart(3, '0')}`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'threatmodel.tm.yaml'), text.replace('Generated system', `Service ${i}`));
  }
  const root = pathToFileURL(dir).href;
  const client = new TestLspClient(
    { validationDelay: 0 },
    { workspaceFolders: [root] },
    { args: [...SERVER_EXEC_ARGV, SERVER_PATH, '--stdio'], keepPublished: false },
  );
  try {
    await client.initialize();
    await client.configurationPulled();
    const uri = `${root}/services/svc-000/threatmodel.tm.yaml`;
    let t0 = performance.now();
    await client.open(uri, text.replace('Generated system', 'Service 0'));
    const openMs = performance.now() - t0;
    t0 = performance.now();
    const view = await client.connection.sendRequest(ViewRequest, { uri, delivery: false });
    const firstViewMs = performance.now() - t0;
    if (!view?.diagram) throw new Error('the view has no diagram');
    t0 = performance.now();
    const symbols = await client.connection.sendRequest<SymbolInformation[]>('workspace/symbol', { query: '' });
    const symbolsMs = performance.now() - t0;
    t0 = performance.now();
    await client.connection.sendRequest('workspace/symbol', { query: 'comp-1' });
    const symbolsAgainMs = performance.now() - t0;
    // The answer is cut at 1,000 symbols: the files are counted from a query that matches one element per model.
    const perModel = await client.connection.sendRequest<SymbolInformation[]>('workspace/symbol', { query: 'comp-29' });
    const symbolFiles = new Set(perModel.map((s) => s.location.uri)).size;
    if (symbols.length === 0) throw new Error('no workspace symbols');
    return { models, components, openMs, firstViewMs, symbolsMs, symbolsAgainMs, symbolFiles, rssMB: rssMB(client.pid) };
  } finally {
    if (client.exited === undefined) await client.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void benchWorkspace().then((r) => console.log(JSON.stringify(r, null, 2)));
}
