/** The edge between the offset-based core and LSP's line/UTF-16-character positions. */
import { type Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, type Range } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { type CoreDiagnostic, type DiagnosticSeverity as CoreSeverity, isFindingDiagnostic } from '../model/diagnostics';
import type { Span } from '../model/types';
import { lineOf } from '../shared/lines';
import { DIAGNOSTIC_SOURCE } from '../shared/protocol';

const SEVERITY: Record<CoreSeverity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toRange(document: TextDocument, span: Span): Range {
  return { start: document.positionAt(span.start), end: document.positionAt(span.end) };
}

/** A span of a text known only by where its lines start (a model summarised, not opened). */
export function rangeInLines(starts: readonly number[], span: Span): Range {
  const position = (offset: number) => {
    const line = lineOf(starts, offset);
    return { line, character: offset - starts[line] };
  };
  return { start: position(span.start), end: position(span.end) };
}

/**
 * `documentOf` gives the other files a diagnostic's related locations are in (elements of imported models); a related
 * location in a file it does not know is left out rather than pointed at the wrong place.
 */
export function toLspDiagnostic(
  document: TextDocument,
  d: CoreDiagnostic,
  documentOf: (uri: string) => TextDocument | undefined = () => undefined,
): Diagnostic {
  const diagnostic: Diagnostic = {
    range: toRange(document, d.span),
    severity: SEVERITY[d.severity],
    code: d.code,
    source: DIAGNOSTIC_SOURCE,
    message: d.message,
  };
  if (d.related?.length) {
    diagnostic.relatedInformation = d.related.flatMap((r) => {
      const where = r.uri === undefined ? document : documentOf(r.uri);
      return where ? [DiagnosticRelatedInformation.create(Location.create(where.uri, toRange(where, r.span)), r.message)] : [];
    });
  }
  if (isFindingDiagnostic(d) && d.data.docs) diagnostic.codeDescription = { href: d.data.docs };
  if (d.data) diagnostic.data = wireData(d);
  return diagnostic;
}

/**
 * What a diagnostic carries to the client. A finding carries its identity only: the quick fixes are computed from
 * the server's own analysis (matched by code and range), so the mitigations and controls stay here; sending them made
 * each publish of a large model megabytes long.
 */
function wireData(d: CoreDiagnostic): unknown {
  if (!isFindingDiagnostic(d)) return d.data;
  const { findingId, rule, element } = d.data;
  return { findingId, rule, element };
}

/** The documents of the models an analysis imported, made when first asked for (to place related locations). */
export function importedDocuments(imports: { readonly sources: readonly { uri: string; text: string }[] } | undefined) {
  const made = new Map<string, TextDocument>();
  return (uri: string): TextDocument | undefined => {
    let document = made.get(uri);
    if (!document) {
      const source = imports?.sources.find((s) => s.uri === uri);
      if (!source) return undefined;
      made.set(uri, (document = TextDocument.create(uri, 'threatmodel', 0, source.text)));
    }
    return document;
  };
}
