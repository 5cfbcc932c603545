/**
 * The shape of `threatcode check --format json`: a public interface that CI scripts parse, so it is typed here and
 * reviewed as one piece. Lines and columns are 1-based; offsets are UTF-16 code units.
 */
import type { Finding, FindingStatus } from '../analysis/rules/engine';
import type { Metrics } from '../analysis/metrics';
import { isFindingDiagnostic } from '../model/diagnostics';
import { lineOf, lineStarts } from '../shared/lines';
import type { DiagnosticSeverity, Severity } from '../shared/vocabulary';
import type { LoadedModel, Positioned } from './common';

export interface CheckJson {
  readonly version: string;
  readonly files: readonly FileJson[];
  readonly summary: SummaryJson;
}

export interface FileJson {
  readonly file: string;
  readonly diagnostics: readonly DiagnosticJson[];
  readonly findings: readonly FindingJson[];
  readonly metrics: MetricsJson | undefined;
}

export interface DiagnosticJson {
  readonly code: string;
  readonly severity: DiagnosticSeverity;
  readonly message: string;
  readonly range: { readonly start: { line: number; column: number }; readonly end: { line: number; column: number } };
  readonly offset: { readonly start: number; readonly end: number };
  /** The finding's id, when the diagnostic is an open rule finding. */
  readonly finding?: string;
}

export interface FindingJson {
  readonly id: string;
  readonly rule: string;
  readonly element: string;
  readonly status: FindingStatus;
  readonly severity: Severity;
  readonly title: string;
  readonly because: readonly string[];
  readonly threat?: string;
  readonly disabledReason?: string;
}

export interface MetricsJson {
  readonly scope: string;
  readonly gauges: readonly { id: string; title: string; done: number; total: number; ratio: number | null; missing: readonly string[] }[];
  readonly residualRisk: Metrics['residualRisk'];
  readonly unrecordedRisks: number;
  readonly freshness: Metrics['freshness'];
  readonly gates: readonly GateJson[];
  readonly verdict: VerdictJson;
}

export interface GateJson {
  readonly id: string;
  readonly title: string;
  readonly passed: boolean;
  readonly detail: string;
  readonly reason?: string;
  /** What would make it pass, first things first. */
  readonly fix: readonly string[];
}

export interface VerdictJson {
  readonly complete: boolean;
  readonly text: string;
  /** The next three things to do, each with its 1-based line in the model, or the file of the imported model it is in. */
  readonly next: readonly { readonly message: string; readonly line?: number; readonly file?: string }[];
}

export interface SummaryJson {
  readonly files: number;
  readonly error: number;
  readonly warning: number;
  readonly info: number;
  readonly hint: number;
  readonly failedGates: number;
  readonly failed: boolean;
}

export function diagnosticJson(d: Positioned): DiagnosticJson {
  return {
    code: d.code,
    severity: d.severity,
    message: d.message,
    range: { start: { line: d.line, column: d.column }, end: { line: d.endLine, column: d.endColumn } },
    offset: d.span,
    ...(isFindingDiagnostic(d) ? { finding: d.data.findingId } : {}),
  };
}

export function findingJson(f: Finding): FindingJson {
  return {
    id: f.id,
    rule: f.rule.id,
    element: f.elementId,
    status: f.status,
    severity: f.rule.severity,
    title: f.title,
    because: f.because.map((r) => r.text),
    ...(f.threat ? { threat: f.threat.id } : {}),
    ...(f.disabledReason ? { disabledReason: f.disabledReason } : {}),
  };
}

/** `lineAt` places an offset of the model's own text (1-based); items in imported models name their file. */
export function metricsJson(m: Metrics, lineAt: (offset: number) => number): MetricsJson {
  return {
    scope: m.scope,
    gauges: m.gauges.map((g) => ({
      id: g.id,
      title: g.title,
      done: g.done,
      total: g.total,
      ratio: g.ratio,
      missing: g.missing.map((x) => x.message),
    })),
    residualRisk: m.residualRisk,
    unrecordedRisks: m.unrecordedRisks,
    freshness: m.freshness,
    gates: m.gates.map((g) => ({ ...g, fix: g.fix.map((x) => x.message) })),
    verdict: {
      complete: m.verdict.complete,
      text: m.verdict.text,
      next: m.verdict.next.map((x) => (x.uri ? { message: x.message, file: x.uri } : { message: x.message, line: lineAt(x.span.start) })),
    },
  };
}

export function fileJson(r: LoadedModel & { readonly metrics: Metrics | undefined }): FileJson {
  return {
    file: r.file,
    diagnostics: r.diagnostics.map(diagnosticJson),
    findings: (r.analysis?.findings ?? []).map(findingJson),
    metrics: r.metrics ? metricsJson(r.metrics, lineFinder(r.text)) : undefined,
  };
}

function lineFinder(text: string): (offset: number) => number {
  const starts = lineStarts(text);
  return (offset) => lineOf(starts, offset) + 1;
}
