/**
 * Tokenises model lines with the TextMate engine VS Code uses (vscode-textmate + Oniguruma) and checks the scopes our
 * injection grammar adds. VS Code's own YAML grammar is not on npm; a small stand-in provides `source.yaml` so that
 * the injection is tested the way VS Code applies it (on top of another grammar, with left priority).
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import { INITIAL, type IGrammar, parseRawGrammar, Registry } from 'vscode-textmate';
import { REPO_ROOT } from '../support/paths';

const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  contributes: { grammars: { scopeName: string; path: string; injectTo?: string[] }[] };
};

const YAML_STAND_IN = JSON.stringify({
  scopeName: 'source.yaml',
  patterns: [
    { match: '#.*$', name: 'comment.line.number-sign.yaml' },
    { match: '^(\\s*(?:-\\s+)?)([A-Za-z][\\w-]*)(:)', captures: { 2: { name: 'entity.name.tag.yaml' } } },
    { match: '"[^"]*"', name: 'string.quoted.double.yaml' },
  ],
});

let grammar: IGrammar;

before(async () => {
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const files = new Map(manifest.contributes.grammars.map((g) => [g.scopeName, path.join(REPO_ROOT, g.path)]));
  const registry = new Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: (scopeName) => {
      if (scopeName === 'source.yaml') return Promise.resolve(parseRawGrammar(YAML_STAND_IN, 'yaml.json'));
      const file = files.get(scopeName);
      return Promise.resolve(file ? parseRawGrammar(readFileSync(file, 'utf8'), file) : null);
    },
    getInjections: (scopeName) => manifest.contributes.grammars.filter((g) => g.injectTo?.includes(scopeName)).map((g) => g.scopeName),
  });
  const loaded = await registry.loadGrammar('source.threatmodel');
  assert.ok(loaded, 'grammar loads');
  grammar = loaded;
});

function scopeOf(line: string, word: string): string[] {
  const { tokens } = grammar.tokenizeLine(line, INITIAL);
  const at = line.indexOf(word);
  const token = tokens.find((t) => t.startIndex <= at && at < t.endIndex);
  assert.ok(token, `token at ${word}`);
  return token.scopes;
}

describe('TextMate grammar', () => {
  it('marks STRIDE categories, severities and statuses', () => {
    assert.ok(
      scopeOf('    category: information-disclosure', 'information').includes('keyword.other.stride.information-disclosure.threatmodel'),
    );
    assert.ok(scopeOf('    severity: high', 'high').includes('constant.language.severity.high.threatmodel'));
    assert.ok(scopeOf('    status: accepted', 'accepted').includes('constant.language.status.accepted.threatmodel'));
    assert.ok(scopeOf('  - { id: t, status: open }', 'open').includes('constant.language.status.open.threatmodel'));
  });

  it('marks ids, references, element types and trust levels', () => {
    assert.ok(scopeOf('  - id: T-sqli', 'T-sqli').includes('entity.name.type.id.threatmodel'));
    assert.ok(scopeOf('    boundary: vpc', 'vpc').includes('variable.other.reference.threatmodel'));
    assert.ok(scopeOf('    type: datastore', 'datastore').includes('storage.type.element.datastore.threatmodel'));
    assert.ok(scopeOf('    trust: untrusted', 'untrusted').includes('constant.language.trust.untrusted.threatmodel'));
    assert.ok(scopeOf('threats:', 'threats').includes('keyword.control.section.threatmodel'));
  });

  it('leaves unknown values, comments and strings alone', () => {
    assert.ok(!scopeOf('    severity: huge', 'huge').some((s) => s.includes('severity')));
    assert.ok(!scopeOf('    # severity: high', 'high').some((s) => s.includes('severity')));
    assert.ok(!scopeOf('    title: "status: open"', 'open').some((s) => s.includes('status')));
  });
});
