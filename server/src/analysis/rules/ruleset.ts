/**
 * Assembling the rules in force from pack texts: the built-in catalog first, then user packs. Built-in packs go
 * through the same loader and checks as user packs. Reading the packs from disk is the edge's job (files/).
 */
import { type CoreDiagnostic, DiagnosticCode } from '../../model/diagnostics';
import { errorMessage } from '../../shared/errors';
import { loadRulePack } from './load';
import { type CatalogMitigation, type ComplianceFramework, type Rule, type RulePack, type RuleSet } from './types';

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

/**
 * Loads packs in order, after the packs already loaded (`base`: the built-in catalog, compiled when the bundles were
 * built); later packs may use mitigations of earlier ones but not redefine their rules.
 */
export function loadRuleSet(sources: readonly PackSource[], base: readonly RulePack[] = []): LoadedRuleSet {
  const packs: RulePack[] = [...base];
  const diagnostics = new Map<string, CoreDiagnostic[]>();
  const knownMitigations = new Set(base.flatMap((p) => p.mitigations.map((m) => m.id)));
  const knownFrameworks = new Map(base.flatMap((p) => p.frameworks.map((f) => [f.id, f] as const)));
  const definedRules = new Map(base.flatMap((p) => p.rules.map((r) => [r.id, p.id] as const)));
  for (const source of sources) {
    // One pack that trips over a defect must not take the others (the built-in ones included) with it.
    let loaded: ReturnType<typeof loadRulePack>;
    try {
      loaded = loadRulePack(source.text, { uri: source.uri, builtin: source.builtin, knownMitigations, knownFrameworks, definedRules });
    } catch (e) {
      loaded = {
        pack: undefined,
        diagnostics: [
          {
            code: DiagnosticCode.InternalError,
            severity: 'error',
            message: `This rule pack could not be loaded (${errorMessage(e)}); the other packs are. Please report this.`,
            span: { start: 0, end: 0 },
          },
        ],
      };
    }
    diagnostics.set(source.uri, [...loaded.diagnostics]);
    if (!loaded.pack) continue;
    packs.push(loaded.pack);
    for (const m of loaded.pack.mitigations) knownMitigations.add(m.id);
    for (const f of loaded.pack.frameworks) if (!knownFrameworks.has(f.id)) knownFrameworks.set(f.id, f);
    for (const r of loaded.pack.rules) definedRules.set(r.id, loaded.pack.id);
  }
  return { ruleSet: ruleSetOf(packs), diagnostics };
}

export function ruleSetOf(packs: readonly RulePack[]): RuleSet {
  const rules: Rule[] = packs.flatMap((p) => p.rules);
  const mitigations = new Map<string, CatalogMitigation>();
  for (const p of packs) for (const m of p.mitigations) if (!mitigations.has(m.id)) mitigations.set(m.id, m);
  const frameworks = new Map<string, ComplianceFramework>();
  for (const p of packs) for (const f of p.frameworks) if (!frameworks.has(f.id)) frameworks.set(f.id, f);
  return { rules, byId: new Map(rules.map((r) => [r.id, r])), mitigations, frameworks, packs };
}
