/**
 * Assembling the rules in force: the built-in catalog (rules/builtin/*.yaml, shipped with the extension), then user
 * packs. Built-in packs go through the same loader and checks as user packs.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CoreDiagnostic } from '../../model/diagnostics';
import { loadRulePack } from './load';
import { CatalogMitigation, Rule, RulePack, RuleSet } from './types';

export interface PackSource {
  readonly uri: string;
  readonly text: string;
  readonly builtin: boolean;
}

export interface LoadedRuleSet {
  readonly ruleSet: RuleSet;
  /** Problems per pack file; a pack with problems still contributes its valid rules. */
  readonly diagnostics: ReadonlyMap<string, readonly CoreDiagnostic[]>;
}

/** Loads packs in order; later packs may use mitigations of earlier ones but not redefine their rules. */
export function loadRuleSet(sources: readonly PackSource[]): LoadedRuleSet {
  const packs: RulePack[] = [];
  const diagnostics = new Map<string, CoreDiagnostic[]>();
  const knownMitigations = new Set<string>();
  const definedRules = new Map<string, string>();
  for (const source of sources) {
    const loaded = loadRulePack(source.text, { uri: source.uri, builtin: source.builtin, knownMitigations, definedRules });
    diagnostics.set(source.uri, [...loaded.diagnostics]);
    if (!loaded.pack) continue;
    packs.push(loaded.pack);
    for (const m of loaded.pack.mitigations) knownMitigations.add(m.id);
    for (const r of loaded.pack.rules) definedRules.set(r.id, loaded.pack.id);
  }
  return { ruleSet: ruleSetOf(packs), diagnostics };
}

export function ruleSetOf(packs: readonly RulePack[]): RuleSet {
  const rules: Rule[] = packs.flatMap((p) => p.rules);
  const mitigations = new Map<string, CatalogMitigation>();
  for (const p of packs) for (const m of p.mitigations) if (!mitigations.has(m.id)) mitigations.set(m.id, m);
  return { rules, byId: new Map(rules.map((r) => [r.id, r])), mitigations, packs };
}

export const EMPTY_RULE_SET: RuleSet = ruleSetOf([]);

/** The folder that holds rules/ (the repository root, or the installed extension's folder). */
export function packageRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    if (existsSync(path.join(dir, 'rules', 'builtin'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`Threatcode's rules/ folder was not found above ${from}`);
    dir = parent;
  }
}

export function builtinPackSources(root: string = packageRoot()): PackSource[] {
  const dir = path.join(root, 'rules', 'builtin');
  // Sorted: the mitigation catalog (00-) loads first, and the order of findings is stable.
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ uri: pathToFileURL(path.join(dir, f)).toString(), text: readFileSync(path.join(dir, f), 'utf8'), builtin: true }));
}

let builtin: LoadedRuleSet | undefined;

/** The built-in catalog, loaded once per process. */
export function builtinRuleSet(): LoadedRuleSet {
  builtin ??= loadRuleSet(builtinPackSources());
  return builtin;
}
