/**
 * The schema is what hover and completion explain: every property must describe itself. The manifest must point at
 * files that exist.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { deref, type JsonSchema, schemaAt, threatModelSchema } from '../../server/src/model/schema';
import { FACTS, QUANTIFIERS } from '../../server/src/analysis/rules/types';
import { COMPONENT_KINDS } from '../../server/src/shared/vocabulary';
import { REPO_ROOT } from '../support/paths';

describe('threat model JSON Schema', () => {
  it('describes every property, at every depth', () => {
    const missing: string[] = [];
    const seen = new Set<JsonSchema>();
    const visit = (schema: JsonSchema | undefined, where: string) => {
      const s = deref(schema);
      if (!s || seen.has(s)) return;
      seen.add(s);
      for (const [name, prop] of Object.entries(s.properties ?? {})) {
        if (!deref(prop)?.description) missing.push(`${where}.${name}`);
        visit(prop, `${where}.${name}`);
      }
      if (s.items) visit(s.items, `${where}[]`);
    };
    visit(threatModelSchema, '$');
    assert.deepEqual(missing, []);
  });

  it('resolves the schema at a model path, keeping the description written beside a $ref', () => {
    assert.deepEqual(schemaAt(['threats', 0, 'status'])?.enum?.slice(0, 2), ['open', 'in-progress']);
    assert.match(String(schemaAt(['components', 0, 'boundary'])?.description), /trust boundary/);
    assert.deepEqual(schemaAt(['components', 0, 'controls', 'mfa'])?.enum, [true, false, 'unknown']);
    assert.equal(schemaAt(['nope']), undefined);
  });

  it('offers exactly the component kinds the vocabulary knows (hover, completion and the kind-type check agree)', () => {
    assert.deepEqual([...(schemaAt(['components', 0, 'kind'])?.enum ?? [])].sort(), Object.keys(COMPONENT_KINDS).sort());
    // Every kind is explained in the description hover shows.
    const description = String(schemaAt(['components', 0, 'kind'])?.description);
    const missing = Object.keys(COMPONENT_KINDS).filter((k) => k !== 'other' && !description.includes(k));
    assert.deepEqual(missing, []);
  });

  it('is contributed to VS Code and the YAML extension from files that exist', () => {
    const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      contributes: {
        languages: { id: string; filenamePatterns: string[]; configuration: string }[];
        grammars: { path: string }[];
        yamlValidation: { url: string }[];
      };
    };
    const { languages, grammars, yamlValidation } = manifest.contributes;
    assert.equal(languages[0].id, 'threatmodel');
    assert.ok(languages[0].filenamePatterns.includes('*.tm.yaml'));
    for (const file of [languages[0].configuration, ...grammars.map((g) => g.path), yamlValidation[0].url]) {
      assert.ok(existsSync(path.join(REPO_ROOT, file)), file);
    }
  });
});

describe('rule pack JSON Schema', () => {
  const schema = JSON.parse(readFileSync(path.join(REPO_ROOT, 'rules/rulepack.schema.json'), 'utf8')) as {
    definitions: { condition: { properties: Record<string, { enum?: string[] }> } };
  };
  const condition = schema.definitions.condition.properties;

  it('offers exactly the facts the engine computes', () => {
    assert.deepEqual([...(condition.fact.enum ?? [])].sort(), Object.keys(FACTS).sort());
  });

  it('offers exactly the quantifiers the engine evaluates', () => {
    const operators = ['all', 'any', 'not', 'prop', 'fact', 'eq', 'ne', 'in', 'notIn', 'gte', 'lte', 'exists', 'contains', 'containsAny'];
    const quantifiers = Object.keys(condition).filter((k) => !operators.includes(k));
    assert.deepEqual(quantifiers.sort(), [...QUANTIFIERS].sort());
  });
});
