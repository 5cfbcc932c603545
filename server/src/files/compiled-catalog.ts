/**
 * The built-in rule packs as loaded and checked when the bundles were built: parsing them with positions and checking
 * them against the pack schema cost about half a second in every process (every CLI call, pre-commit run and Action
 * step). In the sources there is none and the packs are loaded from rules/builtin/; the bundles replace this module
 * with the catalog that `compileCatalog` (server/src/build-artifacts.ts) produced, the packs' URIs relative to the
 * package root.
 */
import type { RulePack } from '../analysis/rules/types';

export interface CompiledCatalog {
  readonly packs: readonly RulePack[];
}

/** The catalog compiled at build time, if the bundle carries one. */
export function compiledCatalog(): CompiledCatalog | undefined {
  return undefined;
}
