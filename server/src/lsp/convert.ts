/** The edge between the offset-based core and LSP's line/UTF-16-character positions. */
import { Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, Range } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { CoreDiagnostic, DiagnosticSeverity as CoreSeverity } from '../model/diagnostics';
import type { Span } from '../model/types';
import { DIAGNOSTIC_SOURCE } from '../protocol';

const SEVERITY: Record<CoreSeverity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toRange(document: TextDocument, span: Span): Range {
  return { start: document.positionAt(span.start), end: document.positionAt(span.end) };
}

export function toLspDiagnostic(document: TextDocument, d: CoreDiagnostic): Diagnostic {
  const diagnostic: Diagnostic = {
    range: toRange(document, d.span),
    severity: SEVERITY[d.severity],
    code: d.code,
    source: DIAGNOSTIC_SOURCE,
    message: d.message,
  };
  if (d.related?.length) {
    diagnostic.relatedInformation = d.related.map((r) =>
      DiagnosticRelatedInformation.create(Location.create(document.uri, toRange(document, r.span)), r.message),
    );
  }
  if (d.data) diagnostic.data = wireData(d.data);
  return diagnostic;
}

/**
 * What a finding's diagnostic carries to the client: its identity only. The quick fixes are computed from the
 * server's own analysis (matched by code and range), so the mitigations and controls stay here; sending them made
 * each publish of a large model megabytes long.
 */
function wireData(data: NonNullable<CoreDiagnostic['data']>): unknown {
  const finding = data as { findingId?: unknown; rule?: unknown; element?: unknown };
  if (typeof finding.findingId !== 'string') return data;
  return { findingId: finding.findingId, rule: finding.rule, element: finding.element };
}
