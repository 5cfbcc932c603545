/**
 * Item-by-item reparsing. A keystroke inside one item of a section (one component, one flow, ...) reparses that item's
 * text alone and splices the result into the previous document, instead of reparsing the whole file: at 5,000
 * components a full parse takes seconds, one item well under a millisecond.
 *
 * The splice is only made when the item is provably isolated, so that it yields exactly what a full parse would:
 *  - the previous document parsed cleanly outside this item, has no anchors or aliases, and is a mapping;
 *  - the edit lies within the item's lines: from the line of its `-` to the line before the next item's `-` (or the
 *    next top-level key, or the end of the file);
 *  - the new text of those lines is one block-sequence item at the same indentation (or, for the section's last
 *    item, several: items typed or appended at the end of a section), and every other line in it is indented deeper
 *    than the `-` (or is a trailing comment), so nothing in it can end the section or start a key;
 *  - the new items parse without errors and have no anchors or aliases.
 * Anything else (items inserted before the last, edits between sections, `system:`, broken structure) falls back to a
 * full parse.
 * A property test compares both paths on random edits.
 *
 * The update consumes the previous document: its nodes after the edit are moved in place (cheaper than a copy), so
 * the previous ParsedDocument must not be used afterwards.
 */
import { type Document, isMap, isScalar, isSeq, Parser, type YAMLSeq } from 'yaml';
import type { Node as YamlNode, YAMLError, YAMLWarning } from 'yaml';
import { type CoreDiagnostic, shiftDiagnostic } from './diagnostics';
import {
  collectReferences,
  composeTokens,
  findTooDeep,
  hasAnchorOrAlias,
  indexById,
  makeElement,
  MAX_DEPTH,
  type ParsedDocument,
  refuseText,
  rootFacts,
  yamlProblems,
} from './parse';
import { type Element, type Reference, SECTIONS, type SectionName, type Span, type ThreatModel } from './types';

/** The one region where two texts differ: old[start, oldEnd) became new[start, newEnd). */
export interface TextChange {
  readonly start: number;
  readonly oldEnd: number;
  readonly newEnd: number;
}

/** Common prefix and suffix removed; undefined when the texts are equal. */
export function changedRegion(oldText: string, newText: string): TextChange | undefined {
  if (oldText === newText) return undefined;
  const max = Math.min(oldText.length, newText.length);
  // Compare whole blocks natively first (string equality is a memory compare), then characters in the last block.
  let start = 0;
  for (let block = 1 << 16; block >= 1; block >>= 4) {
    while (start + block <= max && oldText.slice(start, start + block) === newText.slice(start, start + block)) start += block;
  }
  let oldEnd = oldText.length;
  let newEnd = newText.length;
  for (let block = 1 << 16; block >= 1; block >>= 4) {
    while (
      oldEnd - block >= start &&
      newEnd - block >= start &&
      oldText.slice(oldEnd - block, oldEnd) === newText.slice(newEnd - block, newEnd)
    ) {
      oldEnd -= block;
      newEnd -= block;
    }
  }
  return { start, oldEnd, newEnd };
}

/** What an item update changed, for the analyses that follow to redo only what depends on it. */
export interface ItemUpdate {
  readonly section: SectionName;
  readonly index: number;
  /** The replaced lines, in the previous text. */
  readonly oldChunk: Span;
  /** New length of the text minus the old. */
  readonly delta: number;
  /** The element the item was before (undefined when it was not a valid element). */
  readonly oldElement: Element | undefined;
  /** The elements its lines hold now: one, or more when items were added at the end of the section. */
  readonly newElements: readonly Element[];
  /** How many items the lines hold now (valid elements or not). */
  readonly items: number;
}

const consumed = new WeakSet<ParsedDocument>();

/**
 * Reparses only the item that `text` changed relative to `previous.text`. Undefined when the change is not inside one
 * isolated item (the caller then parses the whole text).
 */
export function updateItem(
  previous: ParsedDocument,
  text: string,
  maxLength: number,
): { parsed: ParsedDocument; update: ItemUpdate } | undefined {
  const { doc, model } = previous;
  if (!doc || !model || !previous.aliasFree || consumed.has(previous) || !isMap(doc.contents)) return undefined;
  const change = changedRegion(previous.text, text);
  if (!change || refuseText(text, maxLength)) return undefined;

  const delta = text.length - previous.text.length;
  let found: { target: Chunk; item: ParsedItem } | undefined;
  for (const target of findChunks(previous.text, doc, change)) {
    const { chunk, column } = target;
    // The text after the lines must be the old text after them. Beyond the change it is; a change that starts in
    // the indentation of the next item's line can still be an insertion of whole lines at this item's end.
    if (change.oldEnd > chunk.end && previous.text.slice(chunk.end, change.oldEnd) !== text.slice(chunk.end + delta, change.oldEnd + delta))
      continue;
    // Everything the previous parse complained about must be inside the replaced lines.
    if (previous.diagnostics.some((d) => d.span.start < chunk.start || d.span.end > chunk.end)) continue;
    const last = target.index === target.seq.items.length - 1;
    const item = parseChunk(text.slice(chunk.start, chunk.end + delta), column, chunk.end === previous.text.length, last);
    if (item) {
      found = { target, item };
      break;
    }
  }
  if (!found) return undefined;
  const { item } = found;
  const { section, seq, index, chunk } = found.target;

  // From here on the update cannot fail: move the nodes and splice the new item in.
  consumed.add(previous);
  const oldItem = seq.items[index];
  shiftAfter(doc, chunk.end, delta, oldItem);
  for (const node of item.nodes) shiftAll(node, chunk.start);
  seq.items.splice(index, 1, ...(item.nodes as typeof seq.items));
  // Items added after the old last one may end beyond the list's range: a parent's range must hold its children (the
  // walk above skips subtrees that end before an edit).
  const lastRange = item.nodes[item.nodes.length - 1].range;
  if (seq.range && lastRange) {
    seq.range[1] = Math.max(seq.range[1], lastRange[1]);
    seq.range[2] = Math.max(seq.range[2], lastRange[2]);
  }
  // The previous problems were all inside the replaced lines: the document's problems are now the item's.
  doc.errors.splice(0, doc.errors.length, ...item.errors.map((e) => shiftError(e, chunk.start)));
  doc.warnings.splice(0, doc.warnings.length, ...item.warnings.map((e) => shiftError(e, chunk.start)));

  const rootValue = previous.value as Record<string, unknown>;
  const sectionValue = [...(rootValue[section] as unknown[])];
  sectionValue.splice(index, 1, ...item.values);
  const value = { ...rootValue, [section]: sectionValue };

  const oldElement = findByIndex(model[section], index);
  const newElements = item.nodes.flatMap((node, i) => makeElement(doc, section, index + i, node, item.values[i]) ?? []);
  const diagnostics = item.problems.map((d) => shiftDiagnostic(d, chunk.start));
  const parsed: ParsedDocument = {
    text,
    doc,
    model: replaceElement(doc, model, value, section, oldElement, newElements),
    value,
    diagnostics,
    aliasFree: true,
  };
  return { parsed, update: { section, index, oldChunk: chunk, delta, oldElement, newElements, items: item.nodes.length } };
}

interface Chunk {
  readonly section: SectionName;
  readonly seq: YAMLSeq;
  readonly index: number;
  /** Line-aligned: from the start of the item's `-` line to the start of the line after its last line. */
  readonly chunk: Span;
  /** Column of the `-`. */
  readonly column: number;
}

/**
 * The section items whose lines hold the change, with those lines: the item whose lines hold its start, and, when
 * it starts in the indentation of an item's first line, also the item before (lines inserted between two items
 * belong to the end of the first; the common prefix of the texts may cut into the indentation).
 */
function findChunks(text: string, doc: Document.Parsed, change: TextChange): Chunk[] {
  const root = doc.contents as unknown as { items: { key: unknown; value: unknown }[] };
  for (let p = 0; p < root.items.length; p++) {
    const { key, value } = root.items[p];
    if (!isScalar(key) || typeof key.value !== 'string' || !SECTIONS.includes(key.value as SectionName)) continue;
    if (!isSeq(value) || value.flow || !value.range || value.items.length === 0) continue;
    const next = root.items[p + 1]?.key;
    const sectionEnd = next ? (isScalar(next) && next.range ? lineStart(text, next.range[0]) : -1) : text.length;
    if (sectionEnd < 0) return [];
    const firstDash = dashBefore(text, value.items[0]);
    if (firstDash === undefined || change.start < lineStart(text, firstDash) || change.start > sectionEnd) continue;
    // The last item whose lines start at or before the change.
    let lo = 0;
    let hi = value.items.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      const dash = dashBefore(text, value.items[mid]);
      if (dash === undefined) return [];
      if (lineStart(text, dash) <= change.start) lo = mid;
      else hi = mid - 1;
    }
    const candidates = [lo];
    const loDash = dashBefore(text, value.items[lo]);
    if (loDash !== undefined && lo > 0 && change.start <= loDash) candidates.push(lo - 1);
    const out: Chunk[] = [];
    for (const index of candidates) {
      const dash = dashBefore(text, value.items[index]);
      if (dash === undefined) continue;
      const start = lineStart(text, dash);
      const nextDash = index + 1 < value.items.length ? dashBefore(text, value.items[index + 1]) : undefined;
      if (index + 1 < value.items.length && nextDash === undefined) continue;
      const end = nextDash !== undefined ? lineStart(text, nextDash) : sectionEnd;
      if (start <= change.start && (change.oldEnd <= end || index === lo - 1)) {
        out.push({ section: key.value as SectionName, seq: value, index, chunk: { start, end }, column: dash - start });
      }
    }
    return out;
  }
  return [];
}

/**
 * The lines of the section item around `span` in `parsed`'s text, found as an incremental parse finds them: for a
 * feature that parses the text near the cursor (completion) instead of the whole document. Undefined when the span is
 * not inside the lines of a block-sequence item of a section.
 */
export function itemLinesAround(
  parsed: ParsedDocument,
  span: Span,
): { section: SectionName; index: number; lines: Span; column: number } | undefined {
  const { doc } = parsed;
  if (!doc || !isMap(doc.contents)) return undefined;
  const chunk = findChunks(parsed.text, doc, { start: span.start, oldEnd: span.end, newEnd: span.end }).find(
    (c) => c.chunk.end >= span.end,
  );
  return chunk && { section: chunk.section, index: chunk.index, lines: chunk.chunk, column: chunk.column };
}

/**
 * The lines of the top-level entry (`system:` and what is under it) around `span`, when `span` is on one of its
 * indented lines: from the key's line to the next top-level key's line. Undefined on a top-level key's own line.
 */
export function entryLinesAround(parsed: ParsedDocument, span: Span): { key: string; lines: Span } | undefined {
  const { doc, text } = parsed;
  if (!doc || !isMap(doc.contents)) return undefined;
  const items = doc.contents.items;
  const starts = items.map((p) => (isScalar(p.key) && p.key.range ? lineStart(text, p.key.range[0]) : -1));
  for (let i = 0; i < items.length; i++) {
    const key = items[i].key;
    const start = starts[i];
    const end = i + 1 < items.length ? starts[i + 1] : text.length;
    if (!isScalar(key) || typeof key.value !== 'string' || start < 0 || end < 0) return undefined;
    if (span.start < start || span.end > end) continue;
    // On the key's own line the entry's siblings matter, which its lines alone do not show.
    if (lineStart(text, span.start) === start) return undefined;
    return { key: key.value, lines: { start, end } };
  }
  return undefined;
}

/** The offset of the `-` that introduces a sequence item, when only spaces separate it from the item. */
function dashBefore(text: string, item: unknown): number | undefined {
  const range = item && typeof item === 'object' && 'range' in item ? (item as YamlNode).range : undefined;
  if (!range) return undefined;
  let i = range[0] - 1;
  while (i >= 0 && text[i] === ' ') i--;
  if (i < 0 || text[i] !== '-') return undefined;
  // Only spaces before the dash on its line.
  for (let j = i - 1; j >= 0 && text[j] !== '\n'; j--) if (text[j] !== ' ') return undefined;
  return i;
}

/** Where the line holding `offset` starts. A lone CR ends a line in YAML too. */
function lineStart(text: string, offset: number): number {
  return Math.max(text.lastIndexOf('\n', offset - 1), text.lastIndexOf('\r', offset - 1)) + 1;
}

interface ParsedItem {
  /** One node, or several when items were added after the section's last one. */
  readonly nodes: readonly YamlNode[];
  readonly values: readonly unknown[];
  readonly problems: CoreDiagnostic[];
  readonly errors: readonly YAMLError[];
  readonly warnings: readonly YAMLWarning[];
}

function shiftError<E extends YAMLError>(e: E, offset: number): E {
  e.pos = [e.pos[0] + offset, e.pos[1] + offset];
  return e;
}

/**
 * Parses the new text of an item's lines on its own; undefined unless it is provably one isolated item (or, when
 * `lastOfSection`, isolated items).
 */
function parseChunk(chunkText: string, column: number, atEnd: boolean, lastOfSection: boolean): ParsedItem | undefined {
  if (!atEnd && !chunkText.endsWith('\n') && !chunkText.endsWith('\r')) return undefined;
  if (!isIsolated(chunkText, column, lastOfSection)) return undefined;
  const tokens = Array.from(new Parser().parse(chunkText));
  // The item sits two levels below the root (root mapping, section list).
  if (findTooDeep(tokens, MAX_DEPTH - 2)) return undefined;
  const docs = composeTokens(tokens, chunkText.length);
  if (docs.length !== 1) return undefined;
  const chunkDoc = docs[0];
  // A YAML error can mean the item's text runs on into the next item (an unclosed quote): only a full parse knows.
  if (chunkDoc.errors.length > 0) return undefined;
  const seq = chunkDoc.contents;
  if (!isSeq(seq) || seq.flow || seq.items.length === 0 || !seq.range || seq.range[0] !== column) return undefined;
  if (seq.items.length > 1 && !lastOfSection) return undefined;
  const nodes = seq.items as unknown[];
  if (nodes.some((node) => !node || typeof node !== 'object' || !('range' in node) || hasAnchorOrAlias(node))) return undefined;
  let values: unknown[];
  try {
    values = chunkDoc.toJS() as unknown[];
  } catch {
    return undefined;
  }
  return {
    nodes: nodes as YamlNode[],
    values,
    problems: yamlProblems(chunkDoc, chunkText),
    errors: chunkDoc.errors,
    warnings: chunkDoc.warnings,
  };
}

/**
 * The first line is `<column spaces>-`; every later line that is not blank is indented deeper, except comment lines
 * after the last content line and, when `moreItems`, the `-` lines of further items at the same column. Tabs in
 * indentation are left to the full parse.
 */
export function isIsolated(chunkText: string, column: number, moreItems: boolean): boolean {
  const lines = chunkText.split(/\r\n|\r|\n/);
  const first = lines[0];
  if (first.length <= column || first[column] !== '-' || !/^ *$/.test(first.slice(0, column))) return false;
  const after = first[column + 1];
  if (after !== undefined && after !== ' ') return false;
  // Walk up from the end: shallow comment lines are allowed only below the item's last deeper line.
  let seenContent = false;
  for (let i = lines.length - 1; i >= 1; i--) {
    const line = lines[i];
    const indent = line.length - line.trimStart().length;
    const rest = line.slice(indent);
    if (/^ *$/.test(line)) continue;
    if (line.slice(0, indent).includes('\t')) return false;
    if (indent > column) {
      seenContent = true;
      continue;
    }
    if (!seenContent && rest.startsWith('#')) continue;
    if (moreItems && indent === column && /^-( |$)/.test(rest)) {
      seenContent = true;
      continue;
    }
    return false;
  }
  return true;
}

/**
 * Adds `delta` to every offset at or after `from`, in the whole document except the subtree being replaced. This walk
 * is the largest fixed cost of an incremental update (every node after the edit moves), so it is written for speed:
 * one plain loop, collections told apart by their items, and subtrees that end before the edit skipped.
 */
function shiftAfter(doc: Document.Parsed, from: number, delta: number, skip: unknown): void {
  if (delta === 0) return;
  if (doc.range) shiftRange(doc.range, from, delta);
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const n = stack.pop() as { range?: [number, number, number]; items?: unknown[] } | null;
    if (!n || n === skip) continue;
    const range = n.range;
    // Children lie inside their parent's range: a subtree that ends before the edit has nothing to move.
    if (range) {
      if (range[2] < from) continue;
      shiftRange(range, from, delta);
    }
    const items = n.items;
    if (!items) continue;
    if (isMap(n)) {
      for (let i = 0; i < items.length; i++) {
        const pair = items[i] as { key: unknown; value: unknown };
        stack.push(pair.key, pair.value);
      }
    } else {
      for (let i = 0; i < items.length; i++) stack.push(items[i]);
    }
  }
}

function shiftRange(range: [number, number, number], from: number, delta: number): void {
  if (range[0] >= from) range[0] += delta;
  if (range[1] >= from) range[1] += delta;
  if (range[2] >= from) range[2] += delta;
}

/** Adds `offset` to every offset in a subtree parsed on its own. */
function shiftAll(root: unknown, offset: number): void {
  const stack: unknown[] = [root];
  while (stack.length) {
    const n = stack.pop();
    if (!n || typeof n !== 'object') continue;
    const range = 'range' in n ? (n as YamlNode).range : undefined;
    if (range) for (let k = 0; k < 3; k++) range[k] += offset;
    if (isMap(n)) for (const pair of n.items) stack.push(pair.key, pair.value);
    else if (isSeq(n)) for (const it of n.items) stack.push(it);
  }
}

function findByIndex(list: readonly Element[], index: number): Element | undefined {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].index === index) return list[mid];
    if (list[mid].index < index) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/** A new model that shares every element but the replaced one. */
function replaceElement(
  doc: Document.Parsed,
  model: ThreatModel,
  value: Record<string, unknown>,
  section: SectionName,
  oldElement: Element | undefined,
  newElements: readonly Element[],
): ThreatModel {
  const list = model[section].filter((e) => e !== oldElement) as Element[];
  if (newElements.length > 0) {
    let at = list.findIndex((e) => e.index > newElements[0].index);
    if (at < 0) at = list.length;
    list.splice(at, 0, ...newElements);
  }
  const sections = { ...pickSections(model), [section]: list } as unknown as { [S in SectionName]: Element<S>[] };

  const references: Reference[] = oldElement ? model.references.filter((r) => r.from !== oldElement) : [...model.references];
  if (newElements.length > 0) {
    const added: Reference[] = [];
    for (const e of newElements) collectReferences(doc, e, added);
    const order = (e: Element) => SECTIONS.indexOf(e.section) * 2 ** 32 + e.index;
    const mine = order(newElements[0]);
    let at = references.findIndex((r) => order(r.from) > mine);
    if (at < 0) at = references.length;
    references.splice(at, 0, ...added);
  }
  return {
    ...model,
    ...sections,
    ...rootFacts(doc, doc.contents as never, value),
    byId: newElements.length === 1 ? updateById(model.byId, sections, oldElement, newElements[0]) : indexById(sections),
    references,
  };
}

/** byId after one element changed: updated in place when the id stayed (the previous model is consumed anyway). */
function updateById(
  byId: ReadonlyMap<string, Element>,
  sections: { [S in SectionName]: readonly Element<S>[] },
  oldElement: Element | undefined,
  newElement: Element | undefined,
): ReadonlyMap<string, Element> {
  if (!oldElement || !newElement || oldElement.id !== newElement.id) return indexById(sections);
  if (byId.get(oldElement.id) === oldElement) (byId as Map<string, Element>).set(newElement.id, newElement);
  return byId;
}

function pickSections(model: ThreatModel): { [S in SectionName]: readonly Element<S>[] } {
  const out = {} as Record<SectionName, readonly Element[]>;
  for (const s of SECTIONS) out[s] = model[s];
  return out as { [S in SectionName]: readonly Element<S>[] };
}
