/**
 * Ids as symbols: go to definition, find references, rename, outline, and the per-component summary lens.
 */
import type { Analysis } from '../analysis/analyze';
import type { TextEdit } from '../edits/text-edits';
import { type Element, elementsOf, SECTION_NOUN, type SectionName, SECTIONS, type Span } from '../model/types';
import { isOpenThreatStatus } from '../shared/vocabulary';

export interface IdAt {
  readonly id: string;
  readonly span: Span;
  readonly element: Element | undefined;
}

const ID_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]*$/;

/** The id under the cursor: an element's own id or a reference to one. */
export function idAt(analysis: Analysis, offset: number): IdAt | undefined {
  const model = analysis.parsed.model;
  if (!model) return undefined;
  for (const e of elementsOf(model)) {
    if (e.idSpan && e.idSpan.start <= offset && offset <= e.idSpan.end) return { id: e.id, span: e.idSpan, element: model.byId.get(e.id) };
  }
  for (const r of model.references) {
    if (r.span.start <= offset && offset <= r.span.end) return { id: r.targetId, span: r.span, element: model.byId.get(r.targetId) };
  }
  return undefined;
}

export function definition(analysis: Analysis, offset: number): Span | undefined {
  const at = idAt(analysis, offset);
  return at?.element ? (at.element.idSpan ?? at.element.span) : undefined;
}

export function references(analysis: Analysis, offset: number, includeDeclaration: boolean): Span[] {
  const at = idAt(analysis, offset);
  const model = analysis.parsed.model;
  if (!at || !model) return [];
  const spans = model.references.filter((r) => r.targetId === at.id).map((r) => r.span);
  if (includeDeclaration) {
    for (const e of elementsOf(model)) if (e.id === at.id && e.idSpan) spans.unshift(e.idSpan);
  }
  return spans.sort((a, b) => a.start - b.start);
}

/** A place in a file of the workspace. */
export interface FileSpan {
  readonly uri: string;
  readonly span: Span;
}

/** A model of the workspace, analysed (with its imports). */
export interface ModelFile {
  readonly uri: string;
  readonly analysis: Analysis;
}

/** The file that defines `id` as `file`'s model sees it: the model itself or one it imports. */
function definingFile(file: ModelFile, id: string): FileSpan | undefined {
  const own = file.analysis.parsed.model?.byId.get(id);
  if (own) return { uri: file.uri, span: own.idSpan ?? own.span };
  const imported = file.analysis.imports?.byId.get(id);
  return imported && { uri: imported.source.uri, span: imported.element.idSpan ?? imported.element.span };
}

/** Where the id under the cursor is defined, in this file or in a model it imports. */
export function definitionAcross(file: ModelFile, offset: number): FileSpan | undefined {
  const at = idAt(file.analysis, offset);
  return at && definingFile(file, at.id);
}

/**
 * Every place that names the id under the cursor in the models that share its definition: the file that defines it,
 * and every model that imports that file (directly or not). Models that define an id of the same name on their own
 * are another namespace and are left alone.
 */
export function referencesAcross(files: readonly ModelFile[], current: ModelFile, offset: number, includeDeclaration: boolean): FileSpan[] {
  const at = idAt(current.analysis, offset);
  const home = at && definingFile(current, at.id);
  if (!at) return [];
  // An id defined nowhere: its uses in this file are all there is.
  if (!home) return references(current.analysis, offset, includeDeclaration).map((span) => ({ uri: current.uri, span }));
  const out: FileSpan[] = [];
  const seen = new Set<string>();
  for (const file of [current, ...files]) {
    if (seen.has(file.uri)) continue;
    seen.add(file.uri);
    const model = file.analysis.parsed.model;
    const there = definingFile(file, at.id);
    if (!model || !there || there.uri !== home.uri) continue;
    const spans = model.references.filter((r) => r.targetId === at.id).map((r) => r.span);
    if (includeDeclaration && file.uri === home.uri)
      for (const e of elementsOf(model)) if (e.id === at.id && e.idSpan) spans.push(e.idSpan);
    spans.sort((a, b) => a.start - b.start);
    for (const span of spans) out.push({ uri: file.uri, span });
  }
  return out;
}

/** Rename across the models that share the id's definition: one edit list per file. */
export function renameAcross(
  files: readonly ModelFile[],
  current: ModelFile,
  offset: number,
  newName: string,
): { readonly edits: ReadonlyMap<string, TextEdit[]> } | { readonly error: string } {
  const at = idAt(current.analysis, offset);
  if (!at)
    return {
      error: 'Only ids of boundaries, components, data, flows, threat agents, threats, mitigations and assumptions can be renamed.',
    };
  const home = definingFile(current, at.id);
  if (!home) return { error: `'${at.id}' is not defined in this model or the models it imports.` };
  if (!ID_PATTERN.test(newName))
    return { error: `'${newName}' is not a valid id: start with a letter; use letters, digits, '_', '.' and '-'.` };
  const places = referencesAcross(files, current, offset, true);
  const textOf = new Map<string, string>();
  for (const file of [current, ...files]) if (!textOf.has(file.uri)) textOf.set(file.uri, file.analysis.parsed.text);
  if (newName !== at.id)
    for (const uri of new Set(places.map((p) => p.uri))) {
      const file = uri === current.uri ? current : files.find((f) => f.uri === uri)!;
      const clash = file.analysis.parsed.model?.byId.get(newName) ?? file.analysis.imports?.byId.get(newName)?.element;
      if (clash) return { error: `'${newName}' is already the id of ${SECTION_NOUN[clash.section]} '${clash.id}'.` };
    }
  const edits = new Map<string, TextEdit[]>();
  for (const { uri, span } of places) {
    // Keep the quoting the user wrote.
    const current = textOf.get(uri)!.slice(span.start, span.end);
    const quote = /^["']/.test(current) ? current[0] : '';
    const list = edits.get(uri) ?? [];
    list.push({ span, newText: `${quote}${newName}${quote}` });
    edits.set(uri, list);
  }
  return { edits };
}

export type RenameResult = { readonly edits: TextEdit[] } | { readonly error: string };

export function prepareRename(analysis: Analysis, offset: number): { span: Span; placeholder: string } | { error: string } {
  const at = idAt(analysis, offset);
  if (!at)
    return {
      error: 'Only ids of boundaries, components, data, flows, threat agents, threats, mitigations and assumptions can be renamed.',
    };
  if (!at.element && !analysis.imports?.byId.has(at.id))
    return { error: `'${at.id}' is not defined in this model or the models it imports.` };
  return { span: at.span, placeholder: at.id };
}

export function rename(analysis: Analysis, offset: number, newName: string): RenameResult {
  const prepared = prepareRename(analysis, offset);
  if ('error' in prepared) return prepared;
  const model = analysis.parsed.model!;
  if (!ID_PATTERN.test(newName))
    return { error: `'${newName}' is not a valid id: start with a letter; use letters, digits, '_', '.' and '-'.` };
  const clash = model.byId.get(newName);
  if (clash && newName !== prepared.placeholder)
    return { error: `'${newName}' is already the id of ${SECTION_NOUN[clash.section]} '${clash.id}'.` };
  const text = analysis.parsed.text;
  return {
    edits: references(analysis, offset, true).map((span) => {
      // Keep the quoting the user wrote.
      const current = text.slice(span.start, span.end);
      const quote = /^["']/.test(current) ? current[0] : '';
      return { span, newText: `${quote}${newName}${quote}` };
    }),
  };
}

export interface OutlineSymbol {
  readonly name: string;
  readonly detail: string;
  readonly kind: SectionName | 'section';
  readonly span: Span;
  readonly selection: Span;
  readonly children: readonly OutlineSymbol[];
}

/** Sections with their elements, in document order. */
/**
 * The sections and their elements. At most `maxElements` elements are listed, in document order (the sections say how
 * many they hold): an editor's outline of tens of thousands of symbols costs it more than it is worth.
 */
export function outline(analysis: Analysis, maxElements = Number.POSITIVE_INFINITY): OutlineSymbol[] {
  const model = analysis.parsed.model;
  const root = analysis.parsed.doc?.contents;
  if (!model || !root || !('items' in root)) return [];
  const out: OutlineSymbol[] = [];
  const pairs = (root.items as { key: { value?: unknown; range?: number[] }; value: { range?: number[] } | null }[])
    .filter((p) => (SECTIONS as readonly unknown[]).includes(p.key?.value) && p.key.range)
    .sort((a, b) => a.key.range![0] - b.key.range![0]);
  let budget = maxElements;
  for (const pair of pairs) {
    const section = pair.key.value as SectionName;
    if (pairs.find((p) => p.key.value === section) !== pair) continue;
    const elements = model[section] as readonly Element[];
    const listed = elements.slice(0, Math.max(0, budget));
    budget -= listed.length;
    const start = pair.key.range![0];
    const end = pair.value?.range?.[1] ?? pair.key.range![1];
    out.push({
      name: section,
      detail: listed.length === elements.length ? `${elements.length}` : `${elements.length} (${listed.length} listed)`,
      kind: 'section',
      span: { start, end },
      selection: { start, end: pair.key.range![1] },
      children: listed.map((e) => ({
        name: e.id,
        detail: outlineDetail(e),
        kind: section,
        span: e.span,
        selection: e.idSpan ?? e.span,
        children: [],
      })),
    });
  }
  return out;
}

function outlineDetail(e: Element): string {
  const d = e.data as Record<string, unknown>;
  const parts = [d.name ?? d.title ?? d.text, d.type, d.kind, d.status].filter((x) => typeof x === 'string');
  return parts.join(' · ');
}

export interface Lens {
  readonly span: Span;
  readonly title: string;
  readonly elementId: string;
}

/** Over each component: how many threats target it, how many of those are open, and its open findings. */
export function codeLenses(analysis: Analysis): Lens[] {
  const model = analysis.parsed.model;
  if (!model) return [];
  const threats = new Map<string, { total: number; open: number }>();
  for (const t of model.threats) {
    for (const target of Array.isArray(t.data.targets) ? t.data.targets : []) {
      const entry = threats.get(target) ?? { total: 0, open: 0 };
      entry.total++;
      if (isOpenThreatStatus(t.data.status)) entry.open++;
      threats.set(target, entry);
    }
  }
  const findings = new Map<string, number>();
  for (const f of analysis.findings) if (f.status === 'open') findings.set(f.elementId, (findings.get(f.elementId) ?? 0) + 1);
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  return model.components.map((c) => {
    const t = threats.get(c.id) ?? { total: 0, open: 0 };
    return {
      span: c.idSpan ?? c.span,
      elementId: c.id,
      title: `${plural(t.total, 'threat')} · ${t.open} open · ${plural(findings.get(c.id) ?? 0, 'finding')}`,
    };
  });
}
