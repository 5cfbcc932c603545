/**
 * The shape of `threatcode check --format json`: a public interface that CI scripts parse, so it is typed here and
 * reviewed as one piece. Lines and columns are 1-based; offsets are UTF-16 code units.
 */
import type { Finding, FindingStatus } from '../analysis/rules/engine';
import type { Metrics } from '../analysis/metrics';
import { isFindingDiagnostic } from '../model/diagnostics';
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
  readonly gates: Metrics['gates'];
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

export function metricsJson(m: Metrics): MetricsJson {
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
    gates: m.gates,
  };
}

export function fileJson(r: LoadedModel & { readonly metrics: Metrics | undefined }): FileJson {
  return {
    file: r.file,
    diagnostics: r.diagnostics.map(diagnosticJson),
    findings: (r.analysis?.findings ?? []).map(findingJson),
    metrics: r.metrics ? metricsJson(r.metrics) : undefined,
  };
}
