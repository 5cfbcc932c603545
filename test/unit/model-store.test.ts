/**
 * The workspace model store over an in-memory file system (the port the browser build will implement too): tiers
 * made when asked and kept per text state, the import graph both ways, exactly the dependants told of a change, a
 * limit that is reported, and no whole-workspace work on an edit.
 */
import * as assert from 'node:assert/strict';
import type { BytesRead, FileSystem } from '../../server/src/shared/file-system';
import { ModelStore } from '../../server/src/workspace/model-store';
import { BUILTIN_RULES } from '../support/analyze';

const ROOT = 'file:///ws';

/** Files by URI, with a stamp that changes on each write, and a count of what was asked of them. */
class MemoryFiles implements FileSystem {
  readonly files = new Map<string, { text: string; stamp: number }>();
  stats = 0;
  reads = 0;
  walks = 0;
  private writes = 0;

  write(path: string, text: string): string {
    const uri = `${ROOT}/${path}`;
    this.files.set(uri, { text, stamp: ++this.writes });
    return uri;
  }
  remove(path: string): string {
    const uri = `${ROOT}/${path}`;
    this.files.delete(uri);
    return uri;
  }
  stat(uri: string) {
    this.stats++;
    const f = this.files.get(uri);
    return f && { stamp: String(f.stamp), size: Buffer.byteLength(f.text) };
  }
  read(uri: string): BytesRead {
    this.reads++;
    const f = this.files.get(uri);
    return f ? { bytes: Buffer.from(f.text) } : { refused: `${uri.split('/').pop()} cannot be read.` };
  }
  findModels(folder: string): string[] {
    this.walks++;
    return [...this.files.keys()].filter((u) => u.startsWith(`${folder}/`) && /\.tm\.ya?ml$/.test(u)).sort();
  }
}

function model(name: string, imports: string[] = [], body = ''): string {
  const header = imports.length ? `threatcode: 1.3\nimports:\n${imports.map((i) => `  - ${i}\n`).join('')}` : 'threatcode: 1.3\n';
  return `${header}system:\n  name: ${name}\ncomponents:\n  - id: ${name}-api\n    name: ${name} API\n    type: process\n${body}`;
}

function workspace(maxIndexed?: number) {
  const fs = new MemoryFiles();
  const store = new ModelStore({
    fs,
    roots: () => [ROOT],
    maxLength: () => 5e6,
    rules: () => BUILTIN_RULES,
    today: '2026-12-07',
    ...(maxIndexed !== undefined && { maxIndexed }),
  });
  return { fs, store };
}

describe('workspace model store', () => {
  it('indexes every model with its summary, and reports those beyond the limit instead of dropping them silently', () => {
    const { fs, store } = workspace(3);
    for (const name of ['a', 'b', 'c', 'd', 'e']) fs.write(`${name}/${name}.tm.yaml`, model(name));
    fs.write('notes.yaml', 'not: a model\n');
    const index = store.index();
    assert.deepEqual(
      index.models.map((m) => [m.uri.slice(ROOT.length), m.summary.symbols.map((s) => s.id)]),
      [
        ['/a/a.tm.yaml', ['a-api']],
        ['/b/b.tm.yaml', ['b-api']],
        ['/c/c.tm.yaml', ['c-api']],
      ],
    );
    assert.equal(index.notIndexed, 2);
    assert.equal(index.limit, 3);
    assert.equal(store.computed, 0, 'nothing analysed to index');
  });

  it('answers who imports whom from summaries, both ways and transitively, without analysing', () => {
    const { fs, store } = workspace();
    const platform = fs.write('platform/platform.tm.yaml', model('platform'));
    const payments = fs.write('payments/payments.tm.yaml', model('payments', ['../platform/platform.tm.yaml']));
    const checkout = fs.write('checkout/checkout.tm.yaml', model('checkout', ['../payments/payments.tm.yaml']));
    const alone = fs.write('alone/alone.tm.yaml', model('alone'));
    assert.deepEqual(store.importersOf(platform).sort(), [checkout, payments].sort());
    assert.deepEqual(store.importersOf(checkout), []);
    assert.deepEqual(store.namespaceOf(payments).sort(), [checkout, payments, platform].sort());
    assert.deepEqual(store.namespaceOf(alone), [alone]);
    assert.equal(store.computed, 0);
  });

  it('keeps each tier per state of the text: an open document wins over the file, and closing it returns to the file', () => {
    const { fs, store } = workspace();
    const uri = fs.write('m.tm.yaml', model('disk'));
    assert.equal(store.summary(uri)?.symbols[0].id, 'disk-api');
    const first = store.analysis(uri);
    assert.equal(store.analysis(uri), first, 'the same file state: the same analysis');
    store.opened({ uri, version: 1, getText: () => model('open') });
    assert.equal(store.summary(uri)?.symbols[0].id, 'open-api');
    assert.equal(store.analysis(uri)?.parsed.model?.components[0].id, 'open-api');
    store.closed(uri);
    assert.equal(store.analysis(uri)?.parsed.model?.components[0].id, 'disk-api');
    fs.write('m.tm.yaml', model('written'));
    assert.equal(store.analysis(uri)?.parsed.model?.components[0].id, 'written-api', 'a new stamp: analysed again');
  });

  it('tells exactly the models that read a changed file, and analyses only those again', () => {
    const { fs, store } = workspace();
    const platform = fs.write('platform/platform.tm.yaml', model('platform'));
    const payments = fs.write('payments/payments.tm.yaml', model('payments', ['../platform/platform.tm.yaml']));
    const alone = fs.write('alone/alone.tm.yaml', model('alone'));
    for (const uri of [platform, payments, alone]) store.analysis(uri);
    const computed = store.computed;
    fs.write('platform/platform.tm.yaml', model('platform', [], '  - id: db\n    name: DB\n    type: datastore\n'));
    assert.deepEqual(store.changed(platform), [payments]);
    assert.equal(store.analysis(alone) !== undefined, true);
    assert.equal(store.computed, computed, 'the model that does not import it is not analysed again');
    const again = store.analysis(payments)!;
    assert.equal(store.computed, computed + 1);
    assert.ok(again.imports?.byId.has('db'), 'the importer sees what the file holds now');
  });

  it('an edit of an open model reaches its importers, and does not stat the workspace', () => {
    const { fs, store } = workspace();
    const platform = fs.write('platform/platform.tm.yaml', model('platform'));
    const importers = Array.from({ length: 20 }, (_, i) =>
      fs.write(`s${i}/s${i}.tm.yaml`, model(`s${i}`, ['../platform/platform.tm.yaml'])),
    );
    for (let i = 0; i < 30; i++) fs.write(`other${i}/o.tm.yaml`, model(`o${i}`));
    store.opened({ uri: platform, version: 1, getText: () => model('platform') });
    assert.equal(store.importersOf(platform).length, 20);
    for (const uri of importers) store.analysis(uri);
    const stats = fs.stats;
    const walks = fs.walks;
    const dependants = store.opened({ uri: platform, version: 2, getText: () => model('platform', [], '# edited\n') });
    assert.deepEqual(dependants.sort(), [...importers].sort());
    assert.equal(store.importersOf(platform).length, 20);
    assert.ok(fs.stats - stats <= 2, `${fs.stats - stats} stats for one edit`);
    assert.equal(fs.walks, walks, 'no walk of the workspace for an edit');
  });

  it('finds a model that appears or disappears, and drops what it knew of the workspace then only', () => {
    const { fs, store } = workspace();
    fs.write('a.tm.yaml', model('a'));
    assert.equal(store.index().models.length, 1);
    const walks = fs.walks;
    const b = fs.write('b.tm.yaml', model('b', ['a.tm.yaml']));
    store.changed(b);
    assert.equal(store.index().models.length, 2);
    assert.equal(fs.walks, walks + 1);
    assert.deepEqual(store.importersOf(`${ROOT}/a.tm.yaml`), [b]);
    store.changed(fs.remove('b.tm.yaml'));
    assert.equal(store.index().models.length, 1);
    assert.deepEqual(store.importersOf(`${ROOT}/a.tm.yaml`), []);
  });

  it('after a change of rules, analyses are made again and summaries are not read again', () => {
    const { fs, store } = workspace();
    const uri = fs.write('a.tm.yaml', model('a'));
    assert.equal(store.index().models.length, 1);
    store.analysis(uri);
    const { computed } = store;
    const reads = fs.reads;
    const walks = fs.walks;
    store.forgetAnalyses();
    assert.equal(store.index().models.length, 1);
    assert.equal(fs.walks, walks, 'the workspace is not walked again');
    store.analysis(uri);
    assert.equal(store.computed, computed + 1, 'analysed again');
    assert.equal(fs.reads, reads + 1, 'the file read once more, for its analysis only');
  });

  it('keeps, when the size limit changes, the analyses of open documents that read no other file', () => {
    let limit = 5e6;
    const fs = new MemoryFiles();
    const store = new ModelStore({ fs, roots: () => [ROOT], maxLength: () => limit, rules: () => BUILTIN_RULES, today: '2026-12-07' });
    const alone = { uri: fs.write('alone.tm.yaml', model('alone')), version: 1, getText: () => model('alone') };
    // Larger than the new limit, unlike the models that are open.
    const shared = fs.write('shared.tm.yaml', model('shared', [], `    description: ${'x'.repeat(400)}\n`));
    const importing = {
      uri: fs.write('app.tm.yaml', model('app', ['shared.tm.yaml'])),
      version: 1,
      getText: () => model('app', ['shared.tm.yaml']),
    };
    store.analysisOf(alone);
    store.analysisOf(importing);
    store.analysis(shared);
    const { computed } = store;
    limit = 300;
    store.limitChanged();
    store.analysisOf(alone);
    assert.equal(store.computed, computed, 'the open document that reads nothing else is not analysed again');
    const refused = store.analysisOf(importing);
    assert.equal(store.computed, computed + 1, 'the importing document is analysed again');
    assert.match(refused.diagnostics.map((d) => d.message).join('\n'), /shared\.tm\.yaml/, 'and reads the file under the new limit');
    assert.deepEqual(
      store.analysis(shared)?.diagnostics.map((d) => d.code),
      ['file-too-large'],
      'the closed file is read again, and is now too large',
    );
  });

  it('keeps a bounded number of analyses of closed models', () => {
    const { fs, store } = workspace();
    const uris = Array.from({ length: 80 }, (_, i) => fs.write(`m${i}.tm.yaml`, model(`m${i}`)));
    for (const uri of uris) store.analysis(uri);
    assert.ok(store.size <= 64, `${store.size} analyses kept`);
    const computed = store.computed;
    store.analysis(uris[79]);
    assert.equal(store.computed, computed, 'the most recent is kept');
    store.analysis(uris[0]);
    assert.equal(store.computed, computed + 1, 'the oldest was let go');
  });

  it('says why a file cannot be read, and imports only what it can', () => {
    const { fs, store } = workspace();
    const uri = fs.write('a.tm.yaml', model('a', ['missing.tm.yaml']));
    const analysis = store.analysis(uri)!;
    const problem = analysis.diagnostics.find((d) => d.code === 'import-not-found');
    assert.match(problem?.message ?? '', /missing\.tm\.yaml.*no such file/);
    assert.equal(store.analysis(`${ROOT}/nowhere.tm.yaml`), undefined);
  });

  it('reads the workspace in the background a few files at a time, so that the first whole-workspace question reads nothing', async () => {
    const { fs, store } = workspace();
    for (let i = 0; i < 60; i++) fs.write(`m${i}.tm.yaml`, model(`m${i}`));
    let pauses = 0;
    let readsAtFirstPause: number | undefined;
    await store.warm(async () => {
      pauses++;
      readsAtFirstPause ??= fs.reads;
      await Promise.resolve();
    }, 25);
    assert.equal(pauses, 3, 'it yields after every 25 files');
    assert.equal(readsAtFirstPause, 25);
    const reads = fs.reads;
    assert.equal(store.index().models.length, 60);
    assert.equal(fs.reads, reads, 'the index was read already');
  });
});
