/**
 * The core entry point: text in, model, diagnostics and findings out. Pure and synchronous (the rules in force are
 * passed in; nothing here reads a file); the server, the CLI and the tests all call this.
 */
import { checkModel } from '../model/checks';
import { boundDiagnostics, type CoreDiagnostic, DiagnosticCode, shiftDiagnostic } from '../model/diagnostics';
import { type ItemUpdate, updateItem } from '../model/incremental';
import { DEFAULT_MAX_LENGTH, parseThreatModel, type ParsedDocument } from '../model/parse';
import { validateAgainstSchema, validateSectionItem } from '../model/schema';
import type { Span, ThreatModel } from '../model/types';
import { errorMessage } from '../shared/errors';
import { localDate } from '../shared/dates';
import { type Finding, type RuleMemo, runRules } from './rules/engine';
import { keysWrittenBy } from './rules/facts';
import type { RuleSet } from './rules/types';
import { combinedModel, type ImportContext, type ImportResolver, originsOf, resolveImports } from './imports';
import { complianceDiagnostics } from './compliance-frameworks';

export interface AnalyzeOptions {
  readonly maxLength?: number;
  /** The rules in force (the built-in catalog, and the user's packs where trusted). */
  readonly rules: RuleSet;
  /** YYYY-MM-DD; defaults to the local date. Tests pin it. */
  readonly today?: string;
  /** Where the text comes from and how to read the models it imports (without it, `imports:` resolve to nothing). */
  readonly imports?: { readonly uri: string; readonly resolver: ImportResolver };
}

export interface Analysis {
  readonly parsed: ParsedDocument;
  readonly diagnostics: readonly CoreDiagnostic[];
  /** Every rule that applied, with its status (open, covered, addressed, disabled). */
  readonly findings: readonly Finding[];
  /** What the next analysis after an edit may reuse. */
  readonly memo?: AnalysisMemo;
  /** True when this analysis reparsed one item of the previous one instead of the whole text. */
  readonly incremental?: boolean;
  /** The models this one imports (format 1.2), when it has `imports:`. */
  readonly imports?: ImportContext;
  /**
   * With imports: the findings of every element of the system, imported ones included, as this model sees them
   * (computed when first asked, for completeness measured with the imports).
   */
  readonly systemFindings?: () => readonly Finding[];
}

interface AnalysisMemo {
  readonly rules: RuleMemo;
  /** Schema diagnostics as validated (before tidying). */
  readonly schema: readonly CoreDiagnostic[];
  readonly today: string;
}

export function analyzeText(text: string, options: AnalyzeOptions): Analysis {
  return analyze(text, parseThreatModel(text, { maxLength: options.maxLength }), options, undefined);
}

/**
 * The analysis of `text`, an edit of the text `previous` analysed. When the edit stays inside one section item, only
 * that item is reparsed and only the rule subjects that depend on it are evaluated again; the result equals
 * analyzeText(text). `previous` must not be used afterwards (its YAML nodes are reused and moved).
 */
export function analyzeChange(previous: Analysis, text: string, options: AnalyzeOptions): Analysis {
  if (text === previous.parsed.text) return previous;
  // A model with imports is analysed whole (its rules read other files' elements; the memo knows its own only). An
  // edit inside one item cannot add `imports:`, a top-level key, so a model without them stays incremental.
  if (previous.imports) return analyzeText(text, options);
  const today = options.today ?? localDate(new Date());
  // Without a memo of the same day nothing can be reused: do not consume the previous document for nothing.
  if (!previous.memo || previous.memo.today !== today) return analyzeText(text, options);
  const step = updateItem(previous.parsed, text, options.maxLength ?? DEFAULT_MAX_LENGTH);
  if (!step) return analyzeText(text, options);
  return analyze(text, step.parsed, { ...options, today }, { memo: previous.memo, update: step.update });
}

function analyze(
  text: string,
  parsed: ParsedDocument,
  options: AnalyzeOptions,
  previous: { memo: AnalysisMemo; update: ItemUpdate } | undefined,
): Analysis {
  let diagnostics: CoreDiagnostic[] = [...parsed.diagnostics];
  const today = options.today ?? localDate(new Date());
  let findings: readonly Finding[] = [];
  let memo: Analysis['memo'];
  /** A bug in one stage must not take the others' diagnostics down with it: it is reported where the user sees it. */
  const stage = <T>(run: () => T, fallback: T): T => {
    try {
      return run();
    } catch (e) {
      diagnostics.push({
        code: DiagnosticCode.InternalError,
        severity: 'error',
        message: `Threatcode could not finish analysing this file: ${errorMessage(e)}. Please report this.`,
        span: { start: 0, end: 0 },
      });
      return fallback;
    }
  };
  let imports: ImportContext | undefined;
  let systemFindings: Analysis['systemFindings'];
  if (parsed.doc && parsed.model) {
    const { doc } = parsed;
    let model = parsed.model;
    const schema = stage(
      () => (previous && schemaAfterUpdate(parsed, previous.memo.schema, previous.update)) ?? validateAgainstSchema(doc, parsed.value),
      [],
    );
    const source = options.imports;
    if (source && model.imports.length > 0) imports = stage(() => resolveImports(source.uri, model, source.resolver), undefined);
    const checks = stage(() => checkModel(model, { today, imported: imports?.byId }), []);
    const frameworks = stage(() => complianceDiagnostics(doc, model, options.rules), []);
    diagnostics = diagnostics.concat(schema, checks, frameworks, imports?.diagnostics ?? []);
    const importedFrom = imports && originsOf(imports);
    if (imports) {
      const system = (model = combinedModel(model, imports));
      let all: readonly Finding[] | undefined;
      systemFindings = () => (all ??= runRules(system, options.rules, { modelSpan: system.systemSpan }).findings);
    }
    const changed =
      previous && new Set([previous.update.oldElement, ...previous.update.newElements].flatMap((e) => (e ? keysWrittenBy(e) : [])));
    const result = stage(
      () =>
        runRules(model, options.rules, {
          modelSpan: model.systemSpan,
          importedFrom,
          previous:
            previous && changed
              ? {
                  memo: previous.memo.rules,
                  changed,
                  removed: previous.update.oldElement,
                  added: previous.update.newElements,
                }
              : undefined,
        }),
      undefined,
    );
    if (result) {
      findings = result.findings;
      memo = { rules: result.memo, schema, today };
      // concat, not push(...): a large model has tens of thousands of findings, too many for call arguments.
      diagnostics = diagnostics.concat(result.diagnostics);
    }
  }
  const tidy = boundDiagnostics(diagnostics).map((d) => {
    const span = tidySpan(text, d.span);
    return span === d.span ? d : { ...d, span };
  });
  tidy.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  return { parsed, diagnostics: tidy, findings, memo, incremental: previous !== undefined, ...(imports && { imports, systemFindings }) };
}

/**
 * The schema diagnostics after one item changed: the item validated alone, every other diagnostic kept (moved by the
 * edit's length when after it). Undefined when a diagnostic straddles the item (the whole document is validated).
 */
function schemaAfterUpdate(parsed: ParsedDocument, before: readonly CoreDiagnostic[], update: ItemUpdate): CoreDiagnostic[] | undefined {
  const { oldChunk, delta, section, index } = update;
  const item: CoreDiagnostic[] = [];
  for (let i = index; i < index + update.items; i++) {
    const value = (parsed.value as Record<string, unknown[]>)[section]?.[i];
    const found = parsed.doc && validateSectionItem(parsed.doc, section, i, value);
    if (!found) return undefined;
    item.push(...found);
  }
  const head: CoreDiagnostic[] = [];
  const tail: CoreDiagnostic[] = [];
  for (const d of before) {
    const spans = [d.span, ...(d.related ?? []).map((r) => r.span)];
    if (spans.every((s) => s.end <= oldChunk.start)) head.push(d);
    else if (spans.every((s) => s.start >= oldChunk.end)) tail.push(shiftDiagnostic(d, delta));
    else if (!spans.every((s) => s.start >= oldChunk.start && s.end <= oldChunk.end)) return undefined;
  }
  return [...head, ...item, ...tail];
}

const systems = new WeakMap<Analysis, ThreatModel>();

/**
 * The model with the elements of the models it imports (its own first): what flows into a component, which threats
 * target it, what a reference means. Undefined when the text has no usable model.
 */
export function systemModel(analysis: Analysis): ThreatModel | undefined {
  const own = analysis.parsed.model;
  if (!own || !analysis.imports) return own;
  let combined = systems.get(analysis);
  if (!combined) systems.set(analysis, (combined = combinedModel(own, analysis.imports)));
  return combined;
}

/** Space, tab, CR, LF: what YAML ends a block with. */
function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/**
 * Keeps every range inside the document and off trailing line breaks: YAML block collections end after their last
 * newline, which would make an editor underline the start of the next line.
 */
function tidySpan(text: string, span: Span): Span {
  const start = Math.min(Math.max(0, span.start), text.length);
  let end = Math.min(Math.max(start, span.end), text.length);
  let trimmed = end;
  while (trimmed > start && isSpace(text.charCodeAt(trimmed - 1))) trimmed--;
  // A span that is only whitespace (a tab used as indentation) keeps its whitespace.
  if (trimmed > start) end = trimmed;
  return start === span.start && end === span.end ? span : { start, end };
}
