/**
 * The rules in force for the workspace: built-in packs always; user packs (workspace `.threatcode/rules/*.yaml` and
 * `threatcode.rulePacks`) only in trusted workspaces. Problems in packs become diagnostics on the pack files.
 */
import { fileURLToPath } from 'node:url';
import { discoverUserPacks } from '../analysis/rules/discover';
import { builtinPackSources, loadRuleSet, PackSource } from '../analysis/rules/ruleset';
import type { RuleSet } from '../analysis/rules/types';
import type { CoreDiagnostic } from '../model/diagnostics';

export interface RulePackState {
  readonly ruleSet: RuleSet;
  /** Pack uri -> its text (for position conversion) and problems. */
  readonly packDiagnostics: ReadonlyMap<string, { text: string; diagnostics: readonly CoreDiagnostic[] }>;
  /** Packs that were not loaded, and why. */
  readonly refused: readonly string[];
}

export function loadWorkspaceRules(folderUris: readonly string[], extraPaths: readonly string[], trusted: boolean): RulePackState {
  const sources: PackSource[] = builtinPackSources();
  const refused: string[] = [];
  if (trusted) {
    for (const uri of folderUris) {
      if (!uri.startsWith('file:')) continue;
      const found = discoverUserPacks(fileURLToPath(uri), extraPaths);
      sources.push(...found.sources);
      refused.push(...found.refused);
    }
  }
  const { ruleSet, diagnostics } = loadRuleSet(sources);
  const packDiagnostics = new Map<string, { text: string; diagnostics: readonly CoreDiagnostic[] }>();
  for (const source of sources) packDiagnostics.set(source.uri, { text: source.text, diagnostics: diagnostics.get(source.uri) ?? [] });
  return { ruleSet, packDiagnostics, refused };
}
