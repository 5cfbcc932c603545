/**
 * Code links over the protocol: the index the extension's CodeLens matches source files against
 * (`threatcode/codeLinks`), Go to Definition from a `code:` glob to its files, and completion of paths in `code:`.
 */
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type CompletionItem, CompletionItemKind, type Connection, type Location, type TextDocuments } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Analysis } from '../analysis/analyze';
import { codePathCompletions, type CodeLinks, globAt } from '../analysis/code-links';
import { isOpenThreatStatus } from '../shared/vocabulary';
import type { CodeLinkElement, CodeLinkModel } from '../shared/code-links';
import { CodeLinksRequest } from '../shared/protocol';
import type { ModelStore } from '../workspace/model-store';
import { toRange } from './convert';

/** At most this many files are offered by Go to Definition on one glob (a picker beyond a few). */
const MAX_DEFINITION_FILES = 200;

export interface CodeLinkSources {
  readonly documents: TextDocuments<TextDocument>;
  readonly analysisOf: (document: TextDocument) => Analysis;
  /** The workspace's models: those that are not open are analysed only when their summary says they link code. */
  readonly store: Pick<ModelStore, 'index' | 'analysis'>;
  readonly linksOf: (uri: string, analysis: Analysis) => CodeLinks | undefined;
}

/** What one model links, for the CodeLens of the files it links. */
export function codeLinkModel(document: TextDocument, analysis: Analysis, links: CodeLinks | undefined): CodeLinkModel | undefined {
  const model = analysis.parsed.model;
  if (!model || !document.uri.startsWith('file:')) return undefined;
  const elements: CodeLinkElement[] = [];
  for (const c of model.components) {
    const globs = Array.isArray(c.data.code) ? c.data.code.filter((g): g is string => typeof g === 'string' && g.trim() !== '') : [];
    if (globs.length === 0) continue;
    const threats = model.threats.filter((t) => (t.data.targets ?? []).includes(c.id) && isOpenThreatStatus(t.data.status));
    const findings = analysis.findings.filter((f) => f.elementId === c.id && f.status === 'open');
    const staleness = links?.elements.find((e) => e.element.id === c.id)?.stale;
    const stale = staleness?.message;
    elements.push({
      id: c.id,
      name: typeof c.data.name === 'string' && c.data.name.trim() ? c.data.name : c.id,
      globs,
      line: document.positionAt((c.idSpan ?? c.span).start).line,
      openThreats: threats.map((t) => ({
        id: t.id,
        title: String(t.data.title ?? t.id),
        ...(typeof t.data.severity === 'string' && { severity: t.data.severity }),
      })),
      openFindings: findings.map((f) => ({ rule: f.rule.id, title: f.title, severity: f.rule.severity })),
      ...(stale && { stale }),
      ...(staleness?.reviewed && { staleSince: staleness.reviewed }),
    });
  }
  if (elements.length === 0) return undefined;
  const folder = path.dirname(fileURLToPath(document.uri)).split(path.sep).join('/');
  return { uri: document.uri, folder, elements };
}

export function registerCodeLinks(connection: Connection, sources: CodeLinkSources): void {
  connection.onRequest(CodeLinksRequest, () => {
    const out: CodeLinkModel[] = [];
    const open = sources.documents.all();
    const openUris = new Set(open.map((d) => d.uri));
    for (const document of open) {
      const analysis = sources.analysisOf(document);
      const m = codeLinkModel(document, analysis, sources.linksOf(document.uri, analysis));
      if (m) out.push(m);
    }
    for (const { uri, summary } of sources.store.index().models) {
      if (openUris.has(uri) || !summary.linksCode) continue;
      const analysis = sources.store.analysis(uri);
      if (!analysis) continue;
      const document = TextDocument.create(uri, 'threatmodel', 0, analysis.parsed.text);
      const m = codeLinkModel(document, analysis, sources.linksOf(uri, analysis));
      if (m) out.push(m);
    }
    return out;
  });
}

/** Go to Definition on a `code:` glob: the files it links (undefined when the cursor is not on one). */
export function codeDefinition(links: CodeLinks | undefined, offset: number): Location[] | undefined {
  if (!links?.facts.root) return undefined;
  const hit = globAt(links, offset);
  if (!hit) return undefined;
  const root = links.facts.root;
  const start = { line: 0, character: 0 };
  return hit.files
    .slice(0, MAX_DEFINITION_FILES)
    .map((f) => ({ uri: pathToFileURL(path.join(root, f)).toString(), range: { start, end: start } }));
}

/** Completion of paths inside a `code:` item: folders (as `folder/**`) and files under what is typed. */
export function codeCompletion(
  document: TextDocument,
  analysis: Analysis,
  links: CodeLinks | undefined,
  offset: number,
): CompletionItem[] | undefined {
  if (!links) return undefined;
  const result = codePathCompletions(analysis, links, offset);
  if (!result) return undefined;
  const range = toRange(document, result.replace);
  return result.items.map((item, i) => ({
    label: item.path,
    kind: item.folder ? CompletionItemKind.Folder : CompletionItemKind.File,
    detail: item.folder ? `${item.files} ${item.files === 1 ? 'file' : 'files'}` : undefined,
    textEdit: { range, newText: item.path },
    sortText: String(i).padStart(5, '0'),
    filterText: item.path,
  }));
}
