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
import { AJV_OPTIONS, precompilationUnits } from './model/schema';

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
  // One Ajv per unit, as at run time: units share `$id`s (the model's schema and its sections-only variant), which
  // one instance would refuse. Each unit's standalone module runs in a function scope of its own.
  const units = precompilationUnits().map(({ key, schema }) => {
    const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
    const code = standaloneCode(ajv, ajv.compile(schema));
    return `  ${JSON.stringify(key)}: () => {\n    const module = { exports: {} };\n    const exports = module.exports;\n${code}\n    return module.exports;\n  },`;
  });
  // Each made when first asked for: a process that validates no rule pack never builds the pack's validator.
  const validatorsModule = `const units = {\n${units.join('\n')}\n};\nexports.precompiledValidator = (key) => (Object.hasOwn(units, key) ? units[key]() : undefined);\n`;
  return { catalogModule, validatorsModule };
}
