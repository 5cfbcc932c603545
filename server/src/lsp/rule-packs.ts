/**
 * The rules in force for the workspace: built-in packs always; user packs (workspace `.threatcode/rules/*.yaml` and
 * `threatcode.rulePacks`) only in trusted workspaces. Problems in packs become diagnostics on the pack files.
 */
import { fileURLToPath } from 'node:url';
import type { Connection } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { loadRuleSet, type PackSource } from '../analysis/rules/ruleset';
import type { RuleSet } from '../analysis/rules/types';
import { builtinPacks } from '../files/package-files';
import { discoverUserPacks } from '../files/rule-pack-files';
import type { CoreDiagnostic } from '../model/diagnostics';
import { toLspDiagnostic } from './convert';

export interface RulePackState {
  readonly ruleSet: RuleSet;
  /** Pack uri -> its text (for position conversion) and problems. */
  readonly packDiagnostics: ReadonlyMap<string, { text: string; diagnostics: readonly CoreDiagnostic[] }>;
  /** Packs that were not loaded, and why. */
  readonly refused: readonly string[];
}

export function loadWorkspaceRules(folderUris: readonly string[], extraPaths: readonly string[], trusted: boolean): RulePackState {
  const sources: PackSource[] = [];
  const refused: string[] = [];
  if (trusted) {
    for (const uri of folderUris) {
      if (!uri.startsWith('file:')) continue;
      const found = discoverUserPacks(fileURLToPath(uri), extraPaths);
      sources.push(...found.sources);
      refused.push(...found.refused);
    }
  }
  const { ruleSet, diagnostics } = loadRuleSet(sources, builtinPacks());
  const packDiagnostics = new Map<string, { text: string; diagnostics: readonly CoreDiagnostic[] }>();
  for (const source of sources) packDiagnostics.set(source.uri, { text: source.text, diagnostics: diagnostics.get(source.uri) ?? [] });
  return { ruleSet, packDiagnostics, refused };
}

/** Publishes the problems found in the packs now loaded, and clears them on packs no longer loaded. */
export function publishPackDiagnostics(connection: Connection, previous: RulePackState | undefined, next: RulePackState): void {
  for (const reason of next.refused) connection.console.warn(reason);
  for (const [uri, { text, diagnostics }] of next.packDiagnostics) {
    const document = TextDocument.create(uri, 'yaml', 0, text);
    void connection.sendDiagnostics({ uri, diagnostics: diagnostics.map((d) => toLspDiagnostic(document, d)) });
  }
  // Packs that are gone: deleted, or no longer loaded after a trust or setting change.
  for (const uri of previous?.packDiagnostics.keys() ?? []) {
    if (!next.packDiagnostics.has(uri)) void connection.sendDiagnostics({ uri, diagnostics: [] });
  }
}
