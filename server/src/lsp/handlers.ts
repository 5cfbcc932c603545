/**
 * LSP handlers for the editor features: each converts positions at the edge and delegates to a pure feature.
 */
import {
  type CodeAction,
  CodeActionKind,
  type CodeActionParams,
  type CodeLens,
  type CompletionItem,
  CompletionItemKind,
  type Connection,
  type Diagnostic,
  DocumentSymbol,
  ErrorCodes,
  InsertTextFormat,
  Location,
  MarkupKind,
  type Range,
  ResponseError,
  SymbolInformation,
  SymbolKind,
  type TextDocuments,
  TextDocumentEdit,
  TextEdit as LspTextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { RuleSet } from '../analysis/rules/types';
import { snippetAtLineStart, type TextEdit } from '../edits/text-edits';
import { bulkFindingActions, type CodeAction as CoreAction, codeActions, cursorActions, fixAll, menuOf } from '../features/code-actions';
import { MORE_ACTIONS_COMMAND, type MoreActionsArguments } from '../shared/protocol';
import { complete } from '../features/completion';
import { hover } from '../features/hover';
import {
  codeLenses,
  definitionAcross,
  outline,
  type OutlineSymbol,
  prepareRename,
  referencesAcross,
  renameAcross,
} from '../features/navigation';
import type { Analysis } from '../analysis/analyze';
import type { CoreDiagnostic } from '../model/diagnostics';
import type { SectionName } from '../model/types';
import type { CodeLinks } from '../analysis/code-links';
import { codeCompletion, codeDefinition } from './code-links';
import { importedDocuments, rangeInLines, toRange } from './convert';
import { withExtra } from './validation';
import { limitDiagnostics } from './diagnostic-limit';
import { FIX_ALL_KIND, RECORD_ALL_KIND } from './initialize';
import { localDate } from '../shared/dates';
import type { ModelStore } from '../workspace/model-store';

export interface FeatureContext {
  readonly documents: TextDocuments<TextDocument>;
  readonly analysisOf: (document: TextDocument) => Analysis;
  readonly rules: () => RuleSet;
  /** Every model of the workspace, open or not. */
  readonly store: ModelStore;
  /** threatcode.maxDiagnosticsPerFile: which diagnostics the editor was sent. */
  readonly diagnosticLimit: () => number;
  /** threatcode.maxOutlineItems: elements listed in the outline. */
  readonly outlineLimit: () => number;
  /** The client resolves code actions (`codeAction/resolve` for `edit`): edits are computed for the chosen one only. */
  readonly resolvesCodeActionEdits: () => boolean;
  /** The client shows disabled code actions with their reason; others do not get them. */
  readonly disabledCodeActions: () => boolean;
  /** The client applies snippet edits: quick fixes put the cursor where the user is to type. */
  readonly snippetEdits: () => boolean;
  /** The client runs MORE_ACTIONS_COMMAND: the fixes of several findings under the cursor are grouped per finding. */
  readonly moreActionsCommand: () => boolean;
  /** The model's links to the repository's files and history, when known. */
  readonly codeLinksOf: (document: TextDocument, analysis: Analysis) => CodeLinks | undefined;
  /** Who records a review (a quick fix writes the name). */
  readonly reviewer: () => string;
  /** Diagnostics from outside the text (code links, infrastructure drift), as published. */
  readonly extraDiagnosticsOf: (document: TextDocument, analysis: Analysis) => readonly CoreDiagnostic[];
  /** Draft components for unmodelled infrastructure resources. */
  readonly infraDrafts: (analysis: Analysis, addresses: readonly string[]) => Record<string, unknown>[];
}

const SYMBOL_KIND: Readonly<Record<SectionName | 'section', SymbolKind>> = {
  section: SymbolKind.Namespace,
  boundaries: SymbolKind.Package,
  components: SymbolKind.Class,
  data: SymbolKind.Field,
  flows: SymbolKind.Event,
  threatAgents: SymbolKind.Interface,
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
  let warnedNotIndexed = false;
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
      const files = codeDefinition(ctx.codeLinksOf(document, analysis), document.offsetAt(p.position));
      if (files) return files;
      const found = definitionAcross({ uri: document.uri, analysis }, document.offsetAt(p.position));
      if (!found) return null;
      const where =
        found.uri === document.uri ? document : (ctx.documents.get(found.uri) ?? importedDocuments(analysis.imports)(found.uri));
      return where ? Location.create(where.uri, toRange(where, found.span)) : null;
    }),
  );

  /**
   * The models that share an id namespace with this one (it, what it imports, what imports it), open or not, each
   * with a document to convert offsets in: references and renames look there, and only there.
   */
  const sharingModels = (document: TextDocument) => {
    const out = [{ uri: document.uri, document, analysis: ctx.analysisOf(document) }];
    for (const uri of ctx.store.namespaceOf(document.uri)) {
      if (uri === document.uri) continue;
      const open = ctx.documents.get(uri);
      if (open) {
        out.push({ uri, document: open, analysis: ctx.analysisOf(open) });
        continue;
      }
      const analysis = ctx.store.analysis(uri);
      if (analysis) out.push({ uri, document: TextDocument.create(uri, 'threatmodel', 0, analysis.parsed.text), analysis });
    }
    return out;
  };
  /** Says so when the workspace holds more models than are indexed: what they name is not seen. */
  const warnIfIncomplete = (what: string) => {
    const left = ctx.store.notIndexed();
    if (left > 0) {
      void connection.window.showWarningMessage(
        `${what} looked at the first ${ctx.store.files().length.toLocaleString('en-US')} model files of the workspace; ${left.toLocaleString('en-US')} more ${left === 1 ? 'was' : 'were'} not indexed and may also name this id.`,
      );
    }
  };

  connection.onReferences((p) =>
    withDoc(p.textDocument.uri, (document, analysis) => {
      const files = sharingModels(document);
      warnIfIncomplete('Find References');
      const documentOf = new Map(files.map((f) => [f.uri, f.document]));
      return referencesAcross(files, { uri: document.uri, analysis }, document.offsetAt(p.position), p.context.includeDeclaration).flatMap(
        ({ uri, span }) => {
          const where = uri === document.uri ? document : documentOf.get(uri);
          return where ? [Location.create(uri, toRange(where, span))] : [];
        },
      );
    }),
  );

  connection.onPrepareRename((p) =>
    withDoc(p.textDocument.uri, (document, analysis) => {
      const r = prepareRename(analysis, document.offsetAt(p.position));
      if ('error' in r) throw new ResponseError(ErrorCodes.InvalidRequest, r.error);
      return { range: toRange(document, r.span), placeholder: r.placeholder };
    }),
  );

  connection.onRenameRequest((p) =>
    withDoc(p.textDocument.uri, (document, analysis): WorkspaceEdit => {
      const files = sharingModels(document);
      warnIfIncomplete('Rename');
      const documentOf = new Map(files.map((f) => [f.uri, f.document]));
      documentOf.set(document.uri, document);
      const r = renameAcross(files, { uri: document.uri, analysis }, document.offsetAt(p.position), p.newName);
      if ('error' in r) throw new ResponseError(ErrorCodes.InvalidRequest, r.error);
      // One edit per file that names the id: the defining model and every model that imports it.
      const changes: Record<string, LspTextEdit[]> = {};
      for (const [uri, list] of r.edits) changes[uri] = edits(documentOf.get(uri)!, list);
      return { changes };
    }),
  );

  connection.onDocumentSymbol((p) =>
    withDoc(p.textDocument.uri, (document, analysis) => {
      const convert = (s: OutlineSymbol): DocumentSymbol =>
        DocumentSymbol.create(
          s.name,
          s.detail,
          SYMBOL_KIND[s.kind],
          toRange(document, s.span),
          toRange(document, s.selection),
          s.children.map(convert),
        );
      return outline(analysis, ctx.outlineLimit()).map(convert);
    }),
  );

  // Open models from their analyses (what the editor shows now), the others from their summaries: nothing is
  // analysed to list a workspace's symbols.
  connection.onWorkspaceSymbol((p) => {
    const query = p.query.toLowerCase();
    const matches = (name: string, detail: string) => !query || name.toLowerCase().includes(query) || detail.toLowerCase().includes(query);
    const out: SymbolInformation[] = [];
    const open = new Set<string>();
    for (const document of ctx.documents.all()) {
      open.add(document.uri);
      for (const section of outline(ctx.analysisOf(document))) {
        for (const s of section.children) {
          if (!matches(s.name, s.detail)) continue;
          out.push(SymbolInformation.create(s.name, SYMBOL_KIND[s.kind], toRange(document, s.selection), document.uri, section.name));
        }
      }
    }
    const index = ctx.store.index();
    for (const model of index.models) {
      if (open.has(model.uri)) continue;
      for (const s of model.summary.symbols) {
        if (!matches(s.id, s.detail)) continue;
        out.push(SymbolInformation.create(s.id, SYMBOL_KIND[s.section], rangeInLines(model.lineStarts, s.idSpan), model.uri, s.section));
      }
    }
    if (index.notIndexed > 0 && !warnedNotIndexed) {
      warnedNotIndexed = true;
      void connection.window.showWarningMessage(
        `Threatcode indexes the first ${index.limit.toLocaleString('en-US')} model files of the workspace; ${index.notIndexed.toLocaleString('en-US')} more ${index.notIndexed === 1 ? 'is' : 'are'} not indexed: their symbols are not listed, and references and renames do not see them.`,
      );
    }
    return out.slice(0, 1000);
  });

  connection.onCodeLens((p) =>
    withDoc(p.textDocument.uri, (document, analysis) =>
      codeLenses(analysis).map((l): CodeLens => ({ range: toRange(document, l.span), command: { title: l.title, command: '' } })),
    ),
  );

  connection.onCompletion((p) =>
    withDoc(
      p.textDocument.uri,
      (document, analysis) =>
        codeCompletion(document, analysis, ctx.codeLinksOf(document, analysis), document.offsetAt(p.position)) ??
        complete(analysis, document.offsetAt(p.position), ctx.rules()).map((c): CompletionItem => ({
          label: c.label,
          kind: COMPLETION_KIND[c.kind],
          detail: c.detail,
          documentation: c.documentation ? { kind: MarkupKind.PlainText, value: c.documentation } : undefined,
          textEdit: LspTextEdit.replace(toRange(document, c.replace), c.insertText),
          insertTextFormat: c.kind === 'snippet' ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
          sortText: c.kind === 'snippet' ? `0${c.label}` : undefined,
        })),
    ),
  );

  /** The actions offered for `range` with the client's diagnostics there, with their LSP kind. */
  const actionsAt = (
    document: TextDocument,
    analysis: Analysis,
    range: Range,
    clientDiagnostics: readonly Diagnostic[],
    only: readonly string[] | undefined,
  ) => {
    const wanted = (kind: string) => !only || only.some((k) => kind === k || kind.startsWith(`${k}.`));
    // Match the client's diagnostics to ours by code and range: ours carry the data the fixes need.
    const found = withExtra(analysis.diagnostics, ctx.extraDiagnosticsOf(document, analysis));
    const inRange = found.filter((d) => clientDiagnostics.some((c) => String(c.code) === d.code && sameRange(document, d, c)));
    // Findings the diagnostics limit kept from the editor have no squiggle: their fixes are offered where they are.
    inRange.push(...unsentAt(found, ctx.diagnosticLimit(), document.offsetAt(range.start), document.offsetAt(range.end)));
    const out: { action: CoreAction; kind: string }[] = [];
    if (wanted(CodeActionKind.QuickFix)) {
      const options = {
        today: localDate(new Date()),
        reviewer: ctx.reviewer(),
        infraDrafts: (addresses: readonly string[]) => ctx.infraDrafts(analysis, addresses),
      };
      const fixes = codeActions(analysis, inRange, options);
      // Where the cursor is, what no problem asks for but a reviewer would (a review of code never reviewed), once.
      const ids = new Set(fixes.map((a) => a.id));
      const here = cursorActions(analysis, document.offsetAt(range.start), document.offsetAt(range.end), options).filter(
        (a) => !ids.has(a.id),
      );
      out.push(...[...fixes, ...here].map((action) => ({ action, kind: CodeActionKind.QuickFix })));
    }
    // Actions over the whole file are asked for explicitly only (the Source Action menu asks for `source`, saving with
    // codeActionsOnSave for `source.fixAll`): never mixed into the quick fixes of one finding.
    const all = only?.length && wanted(CodeActionKind.SourceFixAll) ? fixAll(analysis) : undefined;
    if (all) out.push({ action: all, kind: FIX_ALL_KIND });
    if (only?.length && wanted(RECORD_ALL_KIND))
      out.push(...bulkFindingActions(analysis, inRange).map((action) => ({ action, kind: RECORD_ALL_KIND })));
    return out;
  };
  /** With snippet edits where the client takes them (the cursor on what to type), plain edits otherwise. */
  const workspaceEdit = (document: TextDocument, action: CoreAction): WorkspaceEdit => {
    if (!ctx.snippetEdits() || !action.edits.some((e) => e.snippet !== undefined))
      return { changes: { [document.uri]: edits(document, action.edits) } };
    const text = document.getText();
    return {
      documentChanges: [
        TextDocumentEdit.create(
          { uri: document.uri, version: document.version },
          action.edits
            .map((e) => snippetAtLineStart(text, e))
            .map((e) =>
              e.snippet !== undefined
                ? { range: toRange(document, e.span), snippet: { kind: 'snippet', value: e.snippet } }
                : LspTextEdit.replace(toRange(document, e.span), e.newText),
            ),
        ),
      ],
    };
  };

  connection.onCodeAction((p: CodeActionParams) =>
    withDoc(p.textDocument.uri, (document, analysis) => {
      const lazy = ctx.resolvesCodeActionEdits();
      const actions = actionsAt(document, analysis, p.range, p.context.diagnostics, p.context.only).filter(
        ({ action }) => !action.disabled || ctx.disabledCodeActions(),
      );
      const clientDiagnosticsOf = (ours: readonly CoreDiagnostic[]) =>
        p.context.diagnostics.filter((c) => ours.some((d) => String(c.code) === d.code && sameRange(document, d, c)));
      const resolveData = (action: CoreAction): ResolveData => ({
        id: action.id,
        uri: document.uri,
        range: p.range,
        diagnostics: p.context.diagnostics,
        only: p.context.only,
      });
      const toLsp = ({ action, kind }: { action: CoreAction; kind: string }): CodeAction => ({
        title: action.title,
        kind,
        isPreferred: action.isPreferred,
        ...(action.disabled !== undefined && { disabled: { reason: action.disabled } }),
        diagnostics: clientDiagnosticsOf(action.diagnostics),
        // A client that resolves actions gets the edit of the one chosen only: recording every finding of a rule at
        // once in a 5,000-component model writes 1,600 threats, a few hundred milliseconds for a lightbulb.
        ...(action.disabled !== undefined ? {} : lazy ? { data: resolveData(action) } : { edit: workspaceEdit(document, action) }),
      });
      if (!lazy || !ctx.moreActionsCommand()) return actions.map(toLsp);
      // Several findings here: each one's preferred fix, the rest behind "More actions for …" (a quick pick).
      const quickFixes = actions.filter((a) => a.kind === CodeActionKind.QuickFix).map((a) => a.action);
      const menu = menuOf(quickFixes).map((entry): CodeAction => {
        if ('action' in entry) return toLsp({ action: entry.action, kind: CodeActionKind.QuickFix });
        const { title, actions: rest, diagnostics } = entry.more;
        const args: MoreActionsArguments = {
          title,
          actions: rest.map((a) => ({
            title: a.title,
            kind: CodeActionKind.QuickFix,
            ...(a.disabled !== undefined && { disabled: a.disabled }),
          })),
          data: rest.map(resolveData),
        };
        return {
          title,
          kind: CodeActionKind.QuickFix,
          diagnostics: clientDiagnosticsOf(diagnostics),
          command: { title, command: MORE_ACTIONS_COMMAND, arguments: [args] },
        };
      });
      return [...menu, ...actions.filter((a) => a.kind !== CodeActionKind.QuickFix).map(toLsp)];
    }),
  );

  connection.onCodeActionResolve((unresolved: CodeAction): CodeAction => {
    const data = unresolved.data as ResolveData | undefined;
    const document = data && ctx.documents.get(data.uri);
    if (!data || !document) return unresolved;
    // Asked again at the document's current version: the same id names the same action.
    const match = actionsAt(document, ctx.analysisOf(document), data.range, data.diagnostics, data.only).find(
      (a) => a.action.id === data.id,
    );
    return match ? { ...unresolved, edit: workspaceEdit(document, match.action) } : unresolved;
  });
}

/** What a lazily sent code action carries to be resolved: its id and the request it answered. */
interface ResolveData {
  readonly id: string;
  readonly uri: string;
  readonly range: Range;
  readonly diagnostics: readonly Diagnostic[];
  readonly only?: readonly string[];
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
  return (
    r.start.line === c.range.start.line &&
    r.start.character === c.range.start.character &&
    r.end.line === c.range.end.line &&
    r.end.character === c.range.end.character
  );
}
