/**
 * Memory shapes that matter at scale (docs/performance.md): a large model has ~50,000 findings, and an object with a
 * hidden class of its own costs V8 a map and a descriptor array besides the object. Checked in a child process with
 * V8's natives syntax, which mocha's own process does not enable.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { OUT } from '../support/paths';

function runWithNatives(body: string): string {
  const script = `
    const { generateModel } = require(${JSON.stringify(path.join(OUT, 'test/support/generate-model.js'))});
    const { analyze: analyzeText, analyzeEdit: analyzeChange } = require(${JSON.stringify(path.join(OUT, 'test/support/analyze.js'))});
    ${body}`;
  const result = spawnSync(process.execPath, ['--allow-natives-syntax', '-e', script], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.trim();
}

describe('memory shapes', () => {
  it('all findings share one hidden class, and so do all finding diagnostics (also after an incremental edit)', () => {
    const out = runWithNatives(`
      const text = generateModel(50);
      const first = analyzeText(text);
      const at = text.indexOf('name: Component 7') + 'name: Component'.length;
      const second = analyzeChange(first, text.slice(0, at) + 'x' + text.slice(at));
      const report = (a) => {
        const findings = a.findings;
        const diagnostics = a.diagnostics.filter((d) => d.data && d.data.findingId);
        return [
          findings.length, findings.filter((f) => %HaveSameMap(f, findings[0])).length,
          diagnostics.length, diagnostics.filter((d) => %HaveSameMap(d, diagnostics[0])).length,
        ];
      };
      console.log(JSON.stringify([report(second), second.incremental === true]));
    `);
    const [[findings, sameFindings, diagnostics, sameDiagnostics], incremental] = JSON.parse(out) as [number[], boolean];
    assert.ok(incremental, 'the edit took the incremental path');
    assert.ok(findings > 300 && diagnostics > 100);
    assert.equal(sameFindings, findings);
    assert.equal(sameDiagnostics, diagnostics);
  });
});
