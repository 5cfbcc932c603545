/**
 * Diagnostics while typing, delivered the way the client prefers:
 * - pushed (`textDocument/publishDiagnostics`): the first analysis of a document is immediate, later ones wait for a
 *   pause (`threatcode.validationDelay`), and a result is sent only if the document is still at the analysed version;
 * - pulled (LSP 3.17 `textDocument/diagnostic`, VS Code): the client asks for the documents it shows, when they open
 *   and as they change; the answer waits for the same pause (a request the client cancels meanwhile is dropped), and
 *   is "unchanged" when nothing the client holds has moved. What changes without an edit of the document itself (a
 *   model it imports, the repository, the settings) asks the client to pull again (`workspace/diagnostic/refresh`).
 * Either way at most `threatcode.maxDiagnosticsPerFile` are sent (see diagnostic-limit.ts).
 */
import {
  type CancellationToken,
  type Connection,
  type Diagnostic,
  type DocumentDiagnosticReport,
  DocumentDiagnosticReportKind,
  LSPErrorCodes,
  ResponseError,
  type TextDocuments,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Analysis } from '../analysis/analyze';
import type { CoreDiagnostic } from '../model/diagnostics';
import type { Publication } from '../shared/protocol';
import { errorDetail } from '../shared/errors';
import type { ModelStore } from '../workspace/model-store';
import { importedDocuments, toLspDiagnostic } from './convert';
import { limitDiagnostics } from './diagnostic-limit';

/** How diagnostics reach the client. */
export type Delivery = 'push' | 'pull';

/** What a pulled report was made from: the same inputs make the same report. */
interface Reported {
  readonly resultId: string;
  readonly analysis: Analysis;
  readonly extraKey: string;
  readonly limit: number;
}

export class Validation {
  private readonly pending = new Map<string, NodeJS.Timeout>();
  /** Documents analysed at least once. */
  private readonly opened = new Set<string>();
  /** What the extra diagnostics of each document were when last sent. */
  private readonly extraSent = new Map<string, string>();
  /** Pull: when each document last changed (its next report waits for the pause after it). */
  private readonly lastChange = new Map<string, number>();
  /** Pull: what the client was last given for each document. */
  private readonly reported = new Map<string, Reported>();
  private reports = 0;
  private refreshTimer: NodeJS.Timeout | undefined;
  /** The last diagnostics sent, for threatcode/status. */
  lastPublication: Publication | undefined;

  constructor(
    private readonly connection: Connection,
    private readonly documents: TextDocuments<TextDocument>,
    private readonly analyses: Pick<ModelStore, 'forgetAnalyses'> & { get(document: TextDocument): Analysis },
    private readonly settings: () => { readonly validationDelay: number; readonly maxDiagnosticsPerFile: number },
    /** Diagnostics from outside the text (code links: the repository's files and history). */
    private readonly extra: (document: TextDocument, analysis: Analysis) => readonly CoreDiagnostic[] = () => [],
    private readonly delivery: () => Delivery = () => 'push',
  ) {}

  /**
   * A document was opened or edited; or (`after` ms later than an edit's pause) a model it imports was: the edited
   * model's own diagnostics go out first, then its importers'.
   */
  changed(document: TextDocument, after = 0): void {
    if (this.delivery() === 'pull') {
      this.lastChange.set(document.uri, Date.now() + after);
      // The client pulls the document it edits; the models that import it are told to.
      if (after > 0) this.refresh(this.settings().validationDelay + after);
      return;
    }
    if (this.opened.has(document.uri)) {
      this.schedule(document, after);
    } else {
      this.opened.add(document.uri);
      this.validate(document);
    }
  }

  closed(uri: string): void {
    clearTimeout(this.pending.get(uri));
    this.pending.delete(uri);
    this.opened.delete(uri);
    this.extraSent.delete(uri);
    this.lastChange.delete(uri);
    this.reported.delete(uri);
    // A client that pulls forgets a closed document's diagnostics itself.
    if (this.delivery() === 'push') void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  /** The document's diagnostics as they are now, sent (push) or asked for again (pull). */
  validate(document: TextDocument): void {
    if (this.delivery() === 'pull') return this.refresh(0);
    const uri = document.uri;
    const version = document.version;
    try {
      const t0 = performance.now();
      const analysis = this.analyses.get(document);
      const analysisMs = performance.now() - t0;
      // Drop the result if the document moved on (or closed) while we worked.
      const current = this.documents.get(uri);
      if (!current || current.version !== version) return;
      const diagnostics = this.diagnosticsOf(document, analysis, analysisMs);
      void this.connection.sendDiagnostics({ uri, version, diagnostics });
    } catch (e) {
      // The core does not throw by design; if it ever does, keep serving every other document.
      this.connection.console.error(`Analysis of ${uri} failed: ${errorDetail(e)}`);
    }
  }

  /**
   * `textDocument/diagnostic`: the document's diagnostics once it has paused for `validationDelay` since its last
   * change, or "unchanged" when the client's `previousResultId` still describes them.
   */
  async report(uri: string, previousResultId: string | undefined, token: CancellationToken): Promise<DocumentDiagnosticReport> {
    const wait = this.opened.has(uri) ? (this.lastChange.get(uri) ?? 0) + this.settings().validationDelay - Date.now() : 0;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    // The client cancels a pull when the document changes again, and pulls anew.
    if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'The document changed again.');
    const document = this.documents.get(uri);
    if (!document) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
    this.opened.add(uri);
    try {
      const t0 = performance.now();
      const analysis = this.analyses.get(document);
      const analysisMs = performance.now() - t0;
      const limit = this.settings().maxDiagnosticsPerFile;
      const extraKey = keyOf(this.extra(document, analysis));
      const last = this.reported.get(uri);
      if (last && last.resultId === previousResultId && last.analysis === analysis && last.extraKey === extraKey && last.limit === limit) {
        return { kind: DocumentDiagnosticReportKind.Unchanged, resultId: last.resultId };
      }
      const diagnostics = this.diagnosticsOf(document, analysis, analysisMs);
      const resultId = String(++this.reports);
      this.reported.set(uri, { resultId, analysis, extraKey, limit });
      return { kind: DocumentDiagnosticReportKind.Full, resultId, items: diagnostics };
    } catch (e) {
      this.connection.console.error(`Analysis of ${uri} failed: ${errorDetail(e)}`);
      return { kind: DocumentDiagnosticReportKind.Full, items: [] };
    }
  }

  /** Open documents whose extra diagnostics changed (the repository moved), sent again; the others are not. */
  republishChanged(): void {
    for (const document of this.documents.all()) {
      if (!this.opened.has(document.uri) || this.pending.has(document.uri)) continue;
      const key = keyOf(this.extra(document, this.analyses.get(document)));
      if (key !== this.extraSent.get(document.uri)) this.validate(document);
    }
  }

  /** Every open document, analysed again from scratch (the rules in force changed). */
  revalidateAll(): void {
    this.analyses.forgetAnalyses();
    for (const document of this.documents.all()) this.validate(document);
  }

  /** The analysis's diagnostics and the extra ones as the client is sent them; recorded for threatcode/status. */
  private diagnosticsOf(document: TextDocument, analysis: Analysis, analysisMs: number): Diagnostic[] {
    const t0 = performance.now();
    const extra = this.extra(document, analysis);
    this.extraSent.set(document.uri, keyOf(extra));
    const found = withExtra(analysis.diagnostics, extra);
    const others = importedDocuments(analysis.imports);
    const diagnostics = limitDiagnostics(found, this.settings().maxDiagnosticsPerFile).map((d) => toLspDiagnostic(document, d, others));
    this.lastPublication = {
      uri: document.uri,
      version: document.version,
      analysisMs,
      conversionMs: performance.now() - t0,
      diagnostics: diagnostics.length,
      diagnosticsFound: found.length,
      incremental: analysis.incremental === true,
    };
    return diagnostics;
  }

  /** Pull: asks the client to pull every document it shows again, once for changes that come together. */
  private refresh(after: number): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      void this.connection.languages.diagnostics.refresh().catch(() => undefined);
    }, after);
  }

  private schedule(document: TextDocument, after = 0): void {
    clearTimeout(this.pending.get(document.uri));
    this.pending.set(
      document.uri,
      setTimeout(() => {
        this.pending.delete(document.uri);
        const current = this.documents.get(document.uri);
        if (current) this.validate(current);
      }, this.settings().validationDelay + after),
    );
  }
}

/** The analysis's diagnostics and the extra ones, in one list (the same list when there are no extra ones). */
export function withExtra(diagnostics: readonly CoreDiagnostic[], extra: readonly CoreDiagnostic[]): readonly CoreDiagnostic[] {
  return extra.length === 0 ? diagnostics : [...diagnostics, ...extra];
}

function keyOf(extra: readonly CoreDiagnostic[]): string {
  return JSON.stringify(extra.map((d) => [d.code, d.span.start, d.span.end, d.message]));
}
