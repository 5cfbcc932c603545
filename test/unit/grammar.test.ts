/**
 * Tokenises models with the TextMate engine VS Code uses (vscode-textmate + Oniguruma), on top of the YAML grammar
 * VS Code itself ships (taken from the pinned code-server the end-to-end tests run, installed here if missing), and
 * checks the scopes our injection grammar adds and that it never disturbs the YAML grammar's block structure.
 */
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import { INITIAL, type IGrammar, parseRawGrammar, Registry, type StateStack } from 'vscode-textmate';
import { EXAMPLES, REPO_ROOT } from '../support/paths';

const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  contributes: { grammars: { scopeName: string; path: string; injectTo?: string[] }[] };
};

let grammar: IGrammar;

before(async function () {
  // Installing code-server takes a minute on a fresh machine; the end-to-end tests use the same copy afterwards.
  this.timeout(600_000);
  const { installCodeServer, cacheDir } = (await import(path.join(REPO_ROOT, 'test/e2e/install-code-server.mjs'))) as {
    installCodeServer: () => void;
    cacheDir: string;
  };
  installCodeServer();
  const yamlExtension = path.join(cacheDir, 'node_modules/code-server/lib/vscode/extensions/yaml');
  const yamlGrammars = (
    JSON.parse(readFileSync(path.join(yamlExtension, 'package.json'), 'utf8')) as {
      contributes: { grammars: { scopeName: string; path: string }[] };
    }
  ).contributes.grammars;
  const files = new Map([
    ...yamlGrammars.map((g): [string, string] => [g.scopeName, path.join(yamlExtension, g.path)]),
    ...manifest.contributes.grammars.map((g): [string, string] => [g.scopeName, path.join(REPO_ROOT, g.path)]),
  ]);
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: (scopeName) => {
      const file = files.get(scopeName);
      return Promise.resolve(file ? parseRawGrammar(readFileSync(file, 'utf8'), file) : null);
    },
    getInjections: (scopeName) => manifest.contributes.grammars.filter((g) => g.injectTo?.includes(scopeName)).map((g) => g.scopeName),
  });
  const loaded = await registry.loadGrammar('source.threatmodel');
  assert.ok(loaded, 'grammar loads');
  grammar = loaded;
});

/** Every token of a text, line by line, with the state carried over as the editor does. */
function tokens(text: string): { line: number; text: string; scopes: string[] }[] {
  const out: { line: number; text: string; scopes: string[] }[] = [];
  let state: StateStack = INITIAL;
  text.split(/\r?\n/).forEach((line, i) => {
    const r = grammar.tokenizeLine(line, state);
    state = r.ruleStack;
    for (const t of r.tokens) out.push({ line: i + 1, text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes });
  });
  return out;
}

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
  });

  it('leaves unknown values, comments and strings alone', () => {
    assert.ok(!scopeOf('    severity: huge', 'huge').some((s) => s.includes('severity')));
    assert.ok(!scopeOf('    # severity: high', 'high').some((s) => s.includes('severity')));
    assert.ok(!scopeOf('    title: "status: open"', 'open').some((s) => s.includes('status')));
  });

  it('leaves keys, dashes and indentation to the YAML grammar: no token of a model is scoped invalid', () => {
    const models = [
      ...readdirSync(EXAMPLES, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.tm.yaml'))
        .map((f) => path.join(EXAMPLES, f)),
      path.join(REPO_ROOT, 'server/templates/starter.tm.yaml'),
    ];
    for (const file of models) {
      const invalid = tokens(readFileSync(file, 'utf8')).filter((t) => t.scopes.some((s) => s.startsWith('invalid.')));
      assert.deepEqual(
        invalid.map((t) => `${path.basename(file)}:${t.line} ${JSON.stringify(t.text)} ${t.scopes.at(-1)}`),
        [],
      );
    }
  });

  it('scopes a section key after a blank line as a key, its first letter included (it was invalid.illegal)', () => {
    const all = tokens('threatcode: 1.1\nsystem:\n  name: Shop\n\nboundaries:\n  - id: dmz\n    trust: dmz\n\ncomponents: []\n');
    for (const key of ['boundaries', 'components']) {
      const token = all.find((t) => t.text === key);
      assert.ok(token?.scopes.includes('entity.name.tag.yaml'), `${key}: ${JSON.stringify(token)}`);
    }
    assert.ok(all.find((t) => t.text === 'dmz' && t.line === 7)?.scopes.includes('constant.language.trust.dmz.threatmodel'));
  });
});
