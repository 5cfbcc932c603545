/**
 * Diagnostics while typing: the first analysis of a document is immediate, later ones wait for a pause
 * (`threatcode.validationDelay`). A result is published only if the document is still at the analysed version, and
 * at most `threatcode.maxDiagnosticsPerFile` of it (see diagnostic-limit.ts).
 */
import type { Connection, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Analysis } from '../analysis/analyze';
import type { CoreDiagnostic } from '../model/diagnostics';
import type { Publication } from '../shared/protocol';
import { errorDetail } from '../shared/errors';
import type { ModelStore } from '../workspace/model-store';
import { importedDocuments, toLspDiagnostic } from './convert';
import { limitDiagnostics } from './diagnostic-limit';

export class Validation {
  private readonly pending = new Map<string, NodeJS.Timeout>();
  /** Documents analysed at least once. */
  private readonly opened = new Set<string>();
  /** What the extra diagnostics of each document were when last published. */
  private readonly extraSent = new Map<string, string>();
  /** The last diagnostics sent, for threatcode/status. */
  lastPublication: Publication | undefined;

  constructor(
    private readonly connection: Connection,
    private readonly documents: TextDocuments<TextDocument>,
    private readonly analyses: Pick<ModelStore, 'forgetAnalyses'> & { get(document: TextDocument): Analysis },
    private readonly settings: () => { readonly validationDelay: number; readonly maxDiagnosticsPerFile: number },
    /** Diagnostics from outside the text (code links: the repository's files and history). */
    private readonly extra: (document: TextDocument, analysis: Analysis) => readonly CoreDiagnostic[] = () => [],
  ) {}

  /**
   * A document was opened or edited; or (`after` ms later than an edit's pause) a model it imports was: the edited
   * model's own diagnostics go out first, then its importers'.
   */
  changed(document: TextDocument, after = 0): void {
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
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  /** Analyses (or takes the cached analysis of) the document now and publishes the result. */
  validate(document: TextDocument): void {
    const uri = document.uri;
    const version = document.version;
    try {
      const t0 = performance.now();
      const analysis = this.analyses.get(document);
      // Drop the result if the document moved on (or closed) while we worked.
      const current = this.documents.get(uri);
      if (!current || current.version !== version) return;
      const extra = this.extra(document, analysis);
      this.extraSent.set(uri, extraKey(extra));
      const found = withExtra(analysis.diagnostics, extra);
      const t1 = performance.now();
      const others = importedDocuments(analysis.imports);
      const diagnostics = limitDiagnostics(found, this.settings().maxDiagnosticsPerFile).map((d) => toLspDiagnostic(document, d, others));
      this.lastPublication = {
        uri,
        version,
        analysisMs: t1 - t0,
        conversionMs: performance.now() - t1,
        diagnostics: diagnostics.length,
        diagnosticsFound: found.length,
        incremental: analysis.incremental === true,
      };
      void this.connection.sendDiagnostics({ uri, version, diagnostics });
    } catch (e) {
      // The core does not throw by design; if it ever does, keep serving every other document.
      this.connection.console.error(`Analysis of ${uri} failed: ${errorDetail(e)}`);
    }
  }

  /** Open documents whose extra diagnostics changed (the repository moved), published again; the others are not. */
  republishChanged(): void {
    for (const document of this.documents.all()) {
      if (!this.opened.has(document.uri) || this.pending.has(document.uri)) continue;
      const key = extraKey(this.extra(document, this.analyses.get(document)));
      if (key !== this.extraSent.get(document.uri)) this.validate(document);
    }
  }

  /** Every open document, analysed again from scratch (the rules in force changed). */
  revalidateAll(): void {
    this.analyses.forgetAnalyses();
    for (const document of this.documents.all()) this.validate(document);
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

function extraKey(extra: readonly CoreDiagnostic[]): string {
  return JSON.stringify(extra.map((d) => [d.code, d.span.start, d.span.end, d.message]));
}
