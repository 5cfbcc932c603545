/**
 * The benchmark's harness works (its numbers are measured by `npm run bench`, not here): both language servers are
 * driven over stdio, yaml-language-server really validates with our schema (or the comparison would be unfair), and
 * our server reports its own share of the time.
 */
import * as assert from 'node:assert/strict';
import { generateModel } from '../support/generate-model';
import { measureServer } from '../bench/servers';

describe('benchmark harness', function () {
  this.timeout(60_000);
  // A schema error at the top: both servers must report it.
  const text = generateModel(20).replace('  name: Generated', '  bogus: 1\n  name: Generated');

  it('drives our server: open, edits analysed incrementally, its own time and memory', async () => {
    const run = await measureServer('threatcode', text, { edits: 4, opens: 1, timeoutMs: 30_000 });
    assert.equal(run.failed, undefined);
    assert.equal(run.edit?.runs, 4);
    assert.equal(run.serverEdit?.runs, 4);
    assert.equal(run.incrementalShare, 1);
    assert.ok(run.diagnostics! > 1, 'the schema error and rule findings');
    assert.ok(run.rssAfterEditsMB === undefined || run.rssAfterEditsMB > 10);
    assert.deepEqual(
      Object.entries(run.requests ?? {}).map(([name, times]) => [name, times.runs]),
      [
        ['completion', 5],
        ['hover', 5],
        ['codeAction', 5],
        ['documentSymbol', 5],
      ],
    );
    // Linux: one RSS sample after each edit.
    if (run.rssAfterEditsMB !== undefined) assert.equal(run.rssDuringEdits?.runs, 4);
  });

  it('drives yaml-language-server with our JSON Schema', async () => {
    const run = await measureServer('yaml-language-server', text, { edits: 2, opens: 1, timeoutMs: 30_000 });
    assert.equal(run.failed, undefined);
    assert.equal(run.edit?.runs, 2);
    assert.equal(run.diagnostics, 1, 'the unknown key `bogus`, found through our schema');
  });
});
