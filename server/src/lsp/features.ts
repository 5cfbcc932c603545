/**
 * LSP handlers for the editor features: each converts positions at the edge and delegates to a pure feature.
 */
import {
  CodeAction,
  CodeActionKind,
  CodeActionParams,
  CodeLens,
  CompletionItem,
  CompletionItemKind,
  Connection,
  Diagnostic,
  DocumentSymbol,
  InsertTextFormat,
  Location,
  MarkupKind,
  ResponseError,
  SymbolInformation,
  SymbolKind,
  TextDocuments,
  TextEdit as LspTextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { RuleSet } from '../analysis/rules/types';
import type { TextEdit } from '../edits/text-edits';
import { CodeAction as CoreAction, codeActions, fixAll } from '../features/code-actions';
import { complete } from '../features/completion';
import { hover } from '../features/hover';
import { codeLenses, definition, outline, OutlineSymbol, prepareRename, references, rename } from '../features/navigation';
import type { Analysis } from '../model/analyze';
import { limitDiagnostics } from '../model/diagnostic-limit';
import type { CoreDiagnostic } from '../model/diagnostics';
import type { SectionName } from '../model/types';
import { toRange } from './convert';

export interface FeatureContext {
  readonly documents: TextDocuments<TextDocument>;
  readonly analysisOf: (document: TextDocument) => Analysis;
  readonly rules: () => RuleSet;
  /** Models in the workspace that are not open (uri, text, analysis). */
  readonly workspaceModels: () => { uri: string; text: string; analysis: Analysis }[];
  /** threatcode.maxDiagnosticsPerFile: which diagnostics the editor was sent. */
  readonly diagnosticLimit: () => number;
}

const SYMBOL_KIND: Readonly<Record<SectionName | 'section', SymbolKind>> = {
  section: SymbolKind.Namespace,
  boundaries: SymbolKind.Package,
  components: SymbolKind.Class,
  data: SymbolKind.Field,
  flows: SymbolKind.Event,
  threats: SymbolKind.Constant,
  mitigations: SymbolKind.Method,
  assumptions: SymbolKind.String,
};

const COMPLETION_KIND = {
  property: CompletionItemKind.Property,
  value: CompletionItemKind.EnumMember,
  reference: CompletionItemKind.Reference,
  rule: CompletionItemKind.Constant,
  snippet: CompletionItemKind.Snippet,
} as const;

export function registerFeatures(connection: Connection, ctx: FeatureContext): void {
  const withDoc = <T>(uri: string, fn: (document: TextDocument, analysis: Analysis) => T): T | null => {
    const document = ctx.documents.get(uri);
    return document ? fn(document, ctx.analysisOf(document)) : null;
  };
  const edits = (document: TextDocument, list: readonly TextEdit[]): LspTextEdit[] =>
    list.map((e) => LspTextEdit.replace(toRange(document, e.span), e.newText));

  connection.onHover((p) =>
    withDoc(p.textDocument.uri, (document, analysis) => {
      const h = hover(analysis, document.offsetAt(p.position), ctx.rules());
      return h ? { contents: { kind: MarkupKind.Markdown, value: h.markdown }, range: toRange(document, h.span) } : null;
    }),
  );

  connection.onDefinition((p) =>
    withDoc(p.textDocument.uri, (document, analysis) => {
      const span = definition(analysis, document.offsetAt(p.position));
      return span ? Location.create(document.uri, toRange(document, span)) : null;
    }),
  );

  connection.onReferences((p) =>
    withDoc(p.textDocument.uri, (document, analysis) =>
      references(analysis, document.offsetAt(p.position), p.context.includeDeclaration).map((s) => Location.create(document.uri, toRange(document, s))),
    ),
  );

  connection.onPrepareRename((p) =>
    withDoc(p.textDocument.uri, (document, analysis) => {
      const r = prepareRename(analysis, document.offsetAt(p.position));
      if ('error' in r) throw new ResponseError(0, r.error);
      return { range: toRange(document, r.span), placeholder: r.placeholder };
    }),
  );

  connection.onRenameRequest((p) =>
    withDoc(p.textDocument.uri, (document, analysis): WorkspaceEdit => {
      const r = rename(analysis, document.offsetAt(p.position), p.newName);
      if ('error' in r) throw new ResponseError(0, r.error);
      return { changes: { [document.uri]: edits(document, r.edits) } };
    }),
  );

  connection.onDocumentSymbol((p) =>
    withDoc(p.textDocument.uri, (document, analysis) => {
      const convert = (s: OutlineSymbol): DocumentSymbol =>
        DocumentSymbol.create(s.name, s.detail, SYMBOL_KIND[s.kind], toRange(document, s.span), toRange(document, s.selection), s.children.map(convert));
      return outline(analysis).map(convert);
    }),
  );

  connection.onWorkspaceSymbol((p) => {
    const query = p.query.toLowerCase();
    const out: SymbolInformation[] = [];
    const open = ctx.documents.all().map((document) => ({ document, analysis: ctx.analysisOf(document) }));
    const openUris = new Set(open.map((o) => o.document.uri));
    const closed = ctx
      .workspaceModels()
      .filter((m) => !openUris.has(m.uri))
      .map((m) => ({ document: TextDocument.create(m.uri, 'threatmodel', 0, m.text), analysis: m.analysis }));
    for (const { document, analysis } of [...open, ...closed]) {
      for (const section of outline(analysis)) {
        for (const s of section.children) {
          if (query && !s.name.toLowerCase().includes(query) && !s.detail.toLowerCase().includes(query)) continue;
          out.push(SymbolInformation.create(s.name, SYMBOL_KIND[s.kind], toRange(document, s.selection), document.uri, section.name));
        }
      }
    }
    return out.slice(0, 1000);
  });

  connection.onCodeLens((p) =>
    withDoc(p.textDocument.uri, (document, analysis) =>
      codeLenses(analysis).map((l): CodeLens => ({ range: toRange(document, l.span), command: { title: l.title, command: '' } })),
    ),
  );

  connection.onCompletion((p) =>
    withDoc(p.textDocument.uri, (document, analysis) =>
      complete(analysis, document.offsetAt(p.position), ctx.rules()).map(
        (c): CompletionItem => ({
          label: c.label,
          kind: COMPLETION_KIND[c.kind],
          detail: c.detail,
          documentation: c.documentation ? { kind: MarkupKind.PlainText, value: c.documentation } : undefined,
          textEdit: LspTextEdit.replace(toRange(document, c.replace), c.insertText),
          insertTextFormat: c.kind === 'snippet' ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
          sortText: c.kind === 'snippet' ? `0${c.label}` : undefined,
        }),
      ),
    ),
  );

  connection.onCodeAction((p: CodeActionParams) =>
    withDoc(p.textDocument.uri, (document, analysis) => {
      const only = p.context.only;
      const wanted = (kind: string) => !only || only.some((k) => kind === k || kind.startsWith(`${k}.`));
      // Match the client's diagnostics to ours by code and range: ours carry the data the fixes need.
      const inRange = analysis.diagnostics.filter((d) =>
        p.context.diagnostics.some((c: Diagnostic) => String(c.code) === d.code && sameRange(document, d, c)),
      );
      // Findings the diagnostics limit kept from the editor have no squiggle: their fixes are offered where they are.
      inRange.push(...unsentAt(analysis.diagnostics, ctx.diagnosticLimit(), document.offsetAt(p.range.start), document.offsetAt(p.range.end)));
      const toLsp = (a: CoreAction, kind: string): CodeAction => ({
        title: a.title,
        kind,
        isPreferred: a.isPreferred,
        diagnostics: p.context.diagnostics.filter((c) => a.diagnostics.some((d) => String(c.code) === d.code && sameRange(document, d, c))),
        edit: { changes: { [document.uri]: edits(document, a.edits) } },
      });
      const out: CodeAction[] = [];
      if (wanted(CodeActionKind.QuickFix)) out.push(...codeActions(analysis, inRange).map((a) => toLsp(a, CodeActionKind.QuickFix)));
      const all = fixAll(analysis);
      if (all && wanted(CodeActionKind.SourceFixAll) && (only || inRange.some((d) => all.diagnostics.includes(d)))) {
        out.push(toLsp(all, `${CodeActionKind.SourceFixAll}.threatcode`));
      }
      return out;
    }),
  );
}

/** The diagnostics not sent to the editor (above the limit) that touch the offsets start..end. */
function unsentAt(diagnostics: readonly CoreDiagnostic[], limit: number, start: number, end: number): CoreDiagnostic[] {
  const sent = limitDiagnostics(diagnostics, limit);
  if (sent === diagnostics) return [];
  const wasSent = new Set(sent);
  return diagnostics.filter((d) => !wasSent.has(d) && d.span.start <= end && d.span.end >= start);
}

function sameRange(document: TextDocument, d: CoreDiagnostic, c: Diagnostic): boolean {
  const r = toRange(document, d.span);
  return r.start.line === c.range.start.line && r.start.character === c.range.start.character && r.end.line === c.range.end.line && r.end.character === c.range.end.character;
}
