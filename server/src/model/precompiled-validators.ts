/**
 * Schema validators compiled when the bundles are built. In the sources there are none and each schema is compiled
 * on first use; the bundles replace this module with Ajv's standalone code for every unit of
 * `precompilation()` (esbuild.mjs, server/src/build-artifacts.ts), keyed as its units are.
 */
import type { ValidateFunction } from 'ajv';

/** The validator compiled at build time for `key`, if the bundle carries one. */
export function precompiledValidator(key: string): ValidateFunction | undefined {
  void key;
  return undefined;
}
