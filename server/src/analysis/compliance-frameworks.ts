/**
 * Naming a compliance framework: `asvs-5.0-L2` is OWASP ASVS 5.0 at level L2, `nist-800-53-r5` every control of SP
 * 800-53. Read by the analysis (a warning on a `system.compliance` entry that names none) and by the compliance report.
 */
import type { Document } from 'yaml';
import { type CoreDiagnostic, DiagnosticCode } from '../model/diagnostics';
import { spanOf } from '../model/parse';
import { didYouMean, suggest } from '../model/suggest';
import type { ThreatModel } from '../model/types';
import type { ComplianceFramework, RuleSet } from './rules/types';

/** `asvs-5.0-L2` → ASVS 5.0 at level L2; `nist-800-53-r5` → every control of SP 800-53; unknown → why. */
export function resolveFramework(
  selector: string,
  frameworks: ReadonlyMap<string, ComplianceFramework>,
): { framework: ComplianceFramework; level?: string } | { error: string } {
  const exact = frameworks.get(selector);
  if (exact) return { framework: exact };
  // The longest framework id the selector starts with, the rest a level of it.
  const candidates = [...frameworks.values()].filter((f) => selector.startsWith(`${f.id}-`)).sort((a, b) => b.id.length - a.id.length);
  for (const framework of candidates) {
    const level = selector.slice(framework.id.length + 1);
    if (Object.hasOwn(framework.levels, level)) return { framework, level };
    const levels = Object.keys(framework.levels);
    return {
      error: `${framework.title} has no level '${level}'${levels.length ? `: its levels are ${levels.join(', ')}` : ''}.`,
    };
  }
  return { error: `Unknown compliance framework '${selector}'. Known: ${selectorsOf(frameworks).join(', ')}.` };
}

/**
 * `system.compliance` entries that name no framework or level of the rules in force: a warning on each, with the ones
 * that exist. Read from the plain data first: the YAML node of an entry is looked up only for an unknown one.
 */
export function complianceDiagnostics(doc: Document.Parsed, model: ThreatModel, ruleSet: RuleSet): CoreDiagnostic[] {
  const entries = model.system?.compliance;
  if (!Array.isArray(entries)) return [];
  const out: CoreDiagnostic[] = [];
  entries.forEach((entry: unknown, i) => {
    if (typeof entry !== 'string') return;
    const resolved = resolveFramework(entry, ruleSet.frameworks);
    if (!('error' in resolved)) return;
    const node = doc.getIn(['system', 'compliance', i], true);
    const suggestions = suggest(entry, selectorsOf(ruleSet.frameworks));
    out.push({
      code: DiagnosticCode.UnknownFramework,
      severity: 'warning',
      message: `${resolved.error}${didYouMean(suggestions)}`,
      span: spanOf(node as never),
      data: { suggestions },
    });
  });
  return out;
}

/** Every name a model may give: each framework alone, and with each of its levels. */
export function selectorsOf(frameworks: ReadonlyMap<string, ComplianceFramework>): string[] {
  return [...frameworks.values()].flatMap((f) => [f.id, ...Object.keys(f.levels).map((l) => `${f.id}-${l}`)]);
}
