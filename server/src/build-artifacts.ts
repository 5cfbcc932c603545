/**
 * What the bundles carry precompiled, made when they are built (esbuild.mjs runs this module, bundled, before the
 * bundles): the built-in rule catalog as data and the schema validators as Ajv standalone code. Each replaces a module
 * of the sources that holds none (files/compiled-catalog.ts, model/precompiled-validators.ts), so the bundles start
 * without parsing the packs or compiling a schema, and the tests, which run from the sources, exercise the loaders.
 */
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import './analysis/rules/load'; // registers the rule pack's validator
import { compileCatalog } from './files/package-files';
import { AJV_OPTIONS, precompilation } from './model/schema';

export interface BuildArtifacts {
  /** The source of the module that replaces files/compiled-catalog.ts. */
  readonly catalogModule: string;
  /** The source of the module that replaces model/precompiled-validators.ts. */
  readonly validatorsModule: string;
}

export function buildArtifacts(root: string): BuildArtifacts {
  // A string for JSON.parse loads faster than the same data as an object literal.
  // Parsed when first asked for, so that `--version` and `--help` do not pay for it.
  const catalogText = JSON.stringify(JSON.stringify(compileCatalog(root)));
  const catalogModule = `let catalog;\nexports.compiledCatalog = () => (catalog ??= JSON.parse(${catalogText}));\n`;
  // One Ajv for every unit, the definitions each validator's parts refer into added once: the parts share their
  // compiled definitions, as they do at run time. The module is made when a validator is first asked for.
  const { shared, units } = precompilation();
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
  for (const schema of shared) ajv.addSchema(schema);
  for (const { key, schema } of units) ajv.addSchema(schema, key);
  const code = standaloneCode(ajv, Object.fromEntries(units.map(({ key }) => [key, key])));
  const validatorsModule = [
    'let units;',
    'const load = () => {',
    '  const module = { exports: {} };',
    '  const exports = module.exports;',
    code,
    '  return module.exports;',
    '};',
    'exports.precompiledValidator = (key) => {',
    '  units ??= load();',
    '  return Object.hasOwn(units, key) ? units[key] : undefined;',
    '};',
    '',
  ].join('\n');
  return { catalogModule, validatorsModule };
}
