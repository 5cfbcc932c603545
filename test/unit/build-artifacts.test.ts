/**
 * What the bundles carry precompiled (server/src/build-artifacts.ts) must behave exactly as what the sources compile
 * at run time: the same rule catalog, and validators that accept and reject the same documents with the same errors.
 */
import * as assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ValidateFunction } from 'ajv';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { buildArtifacts } from '../../server/src/build-artifacts';
import type { CompiledCatalog } from '../../server/src/files/compiled-catalog';
import { builtinRuleSet } from '../../server/src/files/package-files';
import { AJV_OPTIONS, precompilation } from '../../server/src/model/schema';
import { DIST, EXAMPLES, OUT, REPO_ROOT } from '../support/paths';

/** Loads a CommonJS module's source as the bundle would: from a file beside the compiled tests, so its requires resolve. */
function evaluate(source: string): Record<string, unknown> {
  const file = path.join(OUT, `build-artifact-${process.pid}-${++evaluated}.cjs`);
  writeFileSync(file, source);
  try {
    return createRequire(__filename)(file) as Record<string, unknown>;
  } finally {
    rmSync(file);
  }
}
let evaluated = 0;

describe('build artifacts', function () {
  this.timeout(120_000);
  const artifacts = buildArtifacts(REPO_ROOT);

  it('carry the built-in catalog as loaded from rules/builtin, with its URIs relative to the package', () => {
    const compiled = (evaluate(artifacts.catalogModule).compiledCatalog as () => CompiledCatalog)();
    const root = `${pathToFileURL(REPO_ROOT).href}/`;
    const loaded = builtinRuleSet().ruleSet.packs;
    assert.equal(compiled.packs.length, loaded.length);
    for (const [i, pack] of compiled.packs.entries()) {
      assert.ok(pack.uri.startsWith('rules/builtin/'), pack.uri);
      const rebased = {
        ...pack,
        uri: root + pack.uri,
        rules: pack.rules.map((r) => ({ ...r, source: { ...r.source, uri: root + r.source.uri } })),
      };
      assert.deepEqual(rebased, JSON.parse(JSON.stringify(loaded[i])), pack.id);
    }
  });

  it('carry a validator for every unit, judging documents as the validator compiled at run time does', () => {
    const precompiled = evaluate(artifacts.validatorsModule).precompiledValidator as (key: string) => ValidateFunction | undefined;
    const { shared, units } = precompilation();
    assert.ok(units.some((u) => u.key === 'rulepack') && units.some((u) => u.key === 'threatmodel#/definitions/threatcode-sections-only'));
    assert.equal(precompiled('no-such-unit'), undefined);
    const model = parse(readFileSync(path.join(EXAMPLES, 'webshop/webshop.tm.yaml'), 'utf8')) as Record<string, unknown>;
    const pack = parse(readFileSync(path.join(REPO_ROOT, 'rules/builtin/10-authentication.yaml'), 'utf8')) as Record<string, unknown>;
    const components = model.components as Record<string, unknown>[];
    // Valid and broken inputs of each kind: a missing required key, an unknown key, a wrong type, a bad enum value.
    const samples: unknown[] = [
      model,
      { ...model, threatcode: '9.9', extra: true },
      pack,
      { ...pack, rules: 'none' },
      components[0],
      { ...components[0], id: undefined, type: 'bogus', trust: 7, unknownKey: 1 },
      { id: 'x', from: 3, to: 'y', protocol: 'carrier-pigeon' },
      {},
    ];
    for (const unit of units) {
      const ahead = precompiled(unit.key);
      assert.ok(ahead, `${unit.key} is precompiled`);
      const runtime = new Ajv(AJV_OPTIONS);
      for (const schema of shared) runtime.addSchema(schema);
      const now = runtime.compile(unit.schema);
      for (const sample of samples) {
        assert.equal(ahead(sample), now(sample), unit.key);
        assert.deepEqual(JSON.parse(JSON.stringify(ahead.errors ?? null)), JSON.parse(JSON.stringify(now.errors ?? null)), unit.key);
      }
    }
  });

  // The bundles are built before the tests (npm test's pretest): the plugin of esbuild.mjs must have replaced both
  // modules of the sources in each, or every process would parse the packs and compile the schemas again.
  for (const bundle of ['server.js', 'cli.js']) {
    it(`are what dist/${bundle} carries`, () => {
      const text = readFileSync(path.join(DIST, bundle), 'utf8');
      assert.match(text, /compiledCatalog ?= ?\(\) ?=>[^\n]*JSON\.parse\(`\{"packs":\[\{/, 'the compiled catalog');
      assert.match(text, /precompiledValidator ?= ?\(?\w+\)? ?=>/, 'the precompiled validators');
    });
  }
});
