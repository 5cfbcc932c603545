/**
 * The core entry point: text in, model and diagnostics out. Pure and synchronous; the server, the CLI and the
 * tests all call this.
 */
import { Finding, runRules } from '../analysis/rules/engine';
import { builtinRuleSet } from '../analysis/rules/ruleset';
import type { RuleSet } from '../analysis/rules/types';
import { checkModel } from './checks';
import { CoreDiagnostic, DiagnosticCode } from './diagnostics';
import { parseThreatModel, ParsedDocument } from './parse';
import { validateAgainstSchema } from './schema';
import type { Span } from './types';

export interface AnalyzeOptions {
  readonly maxLength?: number;
  /** The rules in force; the built-in catalog when omitted. */
  readonly rules?: RuleSet;
  /** YYYY-MM-DD; defaults to the local date. Tests pin it. */
  readonly today?: string;
}

export interface Analysis {
  readonly parsed: ParsedDocument;
  readonly diagnostics: readonly CoreDiagnostic[];
  /** Every rule that applied, with its status (open, covered, addressed, disabled). */
  readonly findings: readonly Finding[];
}

export function analyzeText(text: string, options: AnalyzeOptions = {}): Analysis {
  const parsed = parseThreatModel(text, { maxLength: options.maxLength });
  const diagnostics = [...parsed.diagnostics];
  let findings: readonly Finding[] = [];
  try {
    if (parsed.doc && parsed.model) {
      diagnostics.push(...validateAgainstSchema(parsed.doc, parsed.value));
      diagnostics.push(...checkModel(parsed.model, { today: options.today ?? localDate(new Date()) }));
      const result = runRules(parsed.model, options.rules ?? builtinRuleSet().ruleSet, { modelSpan: parsed.model.systemSpan });
      findings = result.findings;
      diagnostics.push(...result.diagnostics);
    }
  } catch (e) {
    // A bug in a check must not take the whole document down: report it where the user sees it.
    diagnostics.push({
      code: DiagnosticCode.InternalError,
      severity: 'error',
      message: `Threatcode could not finish analysing this file: ${e instanceof Error ? e.message : String(e)}. Please report this.`,
      span: { start: 0, end: 0 },
    });
  }
  const tidy = diagnostics.map((d) => ({ ...d, span: tidySpan(text, d.span) }));
  tidy.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  return { parsed, diagnostics: tidy, findings };
}

export function localDate(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/**
 * Keeps every range inside the document and off trailing line breaks: YAML block collections end after their last
 * newline, which would make an editor underline the start of the next line.
 */
function tidySpan(text: string, span: Span): Span {
  const start = Math.min(Math.max(0, span.start), text.length);
  let end = Math.min(Math.max(start, span.end), text.length);
  let trimmed = end;
  while (trimmed > start && /\s/.test(text[trimmed - 1])) trimmed--;
  // A span that is only whitespace (a tab used as indentation) keeps its whitespace.
  if (trimmed > start) end = trimmed;
  return start === span.start && end === span.end ? span : { start, end };
}
