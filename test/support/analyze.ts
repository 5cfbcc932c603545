/** Analysis with the built-in rules, as the CLI and the server run it: what most tests want. */
import { type Analysis, type AnalyzeOptions, analyzeChange, analyzeText } from '../../server/src/analysis/analyze';
import { builtinRuleSet } from '../../server/src/files/package-files';

export const BUILTIN_RULES = builtinRuleSet().ruleSet;

export function analyze(text: string, options: Partial<AnalyzeOptions> = {}): Analysis {
  return analyzeText(text, { rules: BUILTIN_RULES, ...options });
}

/** @public Used by the memory test's child process, which requires the compiled module by path. */
export function analyzeEdit(previous: Analysis, text: string, options: Partial<AnalyzeOptions> = {}): Analysis {
  return analyzeChange(previous, text, { rules: BUILTIN_RULES, ...options });
}
