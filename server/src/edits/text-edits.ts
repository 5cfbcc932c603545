/**
 * Minimal, comment-preserving text edits on a model: append an item to a section, set a property of an element,
 * replace a value. Edits are computed on the text (never by re-serialising the document), keep the file's line
 * endings and indentation, and touch nothing outside the region they change.
 */
import { Document, isAlias, isMap, isScalar, isSeq, type Pair, type Scalar, stringify, visit, type YAMLMap } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import type { ParsedDocument } from '../model/parse';
import type { Element, SectionName, Span } from '../model/types';

export interface TextEdit {
  readonly span: Span;
  readonly newText: string;
  /**
   * The same text as a snippet, for editors that take snippet edits: tab stops where the user is to type (a
   * justification), and the final cursor on what was inserted, so that the editor shows it.
   */
  readonly snippet?: string;
}

export function eolOf(text: string): string {
  const i = text.indexOf('\n');
  return i > 0 && text[i - 1] === '\r' ? '\r\n' : '\n';
}

/** The offset of the end of the line `offset` is on (before its line break). */
function endOfLine(text: string, offset: number): number {
  const n = text.indexOf('\n', offset);
  const end = n < 0 ? text.length : n;
  return text[end - 1] === '\r' ? end - 1 : end;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function columnOf(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

/** End of the last non-blank content at or before `offset`, moved to the end of its line (before the line break). */
function endOfContentLine(text: string, offset: number): number {
  let end = Math.min(offset, text.length);
  while (end > 0 && /\s/.test(text[end - 1])) end--;
  const nl = text.indexOf('\n', end);
  const lineEnd = nl < 0 ? text.length : nl;
  return lineEnd > 0 && text[lineEnd - 1] === '\r' ? lineEnd - 1 : lineEnd;
}

/** The indentation step of the document: the column of the first nested key, 2 when there is none. */
export function indentUnitOf(parsed: ParsedDocument): number {
  const root = parsed.doc?.contents;
  if (isMap(root)) {
    for (const pair of root.items) {
      const value = pair.value as YamlNode | null;
      if ((isMap(value) || isSeq(value)) && !value.flow && value.range) {
        const col = columnOf(parsed.text, value.range[0]);
        if (col > 0) return col;
      }
    }
  }
  return 2;
}

function scalarText(value: unknown): string {
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

/** Top-level keys that hold a list of items: the sections, and the model's disabled rules. */
type ListKey = SectionName | 'disabledRules';

/** Keys whose values are prose: they follow the file's quoting, where ids and enum values stay plain. */
const PROSE_KEYS: ReadonlySet<string> = new Set(['title', 'name', 'description', 'justification', 'reason', 'text']);

/** How the items of a section are written, so that an inserted item looks like its neighbours. */
export interface ItemStyle {
  /** Lists inside items in flow style (`targets: [a, b]`) rather than as block lists. */
  readonly flowLists: boolean;
  /** Block lists indented under their key, or (`key:` then `- a` at the key's column) not. */
  readonly indentLists: boolean;
  /** Mappings inside items in flow style (`controls: { mfa: true }`) rather than as block mappings. */
  readonly flowMaps: boolean;
  /** Flow lists written with spaces inside the brackets: `[ a, b ]`. */
  readonly padSeqs: boolean;
  /** Flow mappings written with spaces inside the braces: `{ a: b }` (Prettier's default), or `{a: b}`. */
  readonly padMaps: boolean;
  /** How prose values are quoted. */
  readonly quote: Scalar.Type;
}

const DEFAULT_STYLE: ItemStyle = { flowLists: false, indentLists: true, flowMaps: false, padSeqs: false, padMaps: true, quote: 'PLAIN' };

/**
 * The style of a section's items, read from the first few (then from the other sections when it has none): the
 * majority of lists inside items decides flow or block, the majority of prose values their quoting.
 */
export function itemStyleOf(parsed: ParsedDocument, section: ListKey): ItemStyle {
  const root = parsed.doc?.contents;
  if (!isMap(root)) return DEFAULT_STYLE;
  const count = { flow: 0, block: 0, indented: 0, flush: 0, flowMaps: 0, blockMaps: 0, seqs: 0, paddedSeqs: 0, maps: 0, paddedMaps: 0 };
  const padding = (node: YamlNode) => {
    const seq = isSeq(node);
    count[seq ? 'seqs' : 'maps']++;
    if (node.range && /^[[{] /.test(parsed.text.slice(node.range[0], node.range[0] + 2))) count[seq ? 'paddedSeqs' : 'paddedMaps']++;
  };
  const quotes = new Map<Scalar.Type, number>();
  const scan = (name: string) => {
    const seq = root.items.find((p) => isScalar(p.key) && p.key.value === name)?.value;
    if (!isSeq(seq)) return;
    for (const item of seq.items.slice(0, 20)) {
      if (!isMap(item)) continue;
      if (item.flow) padding(item);
      for (const pair of item.items) {
        if (!isScalar(pair.key) || !pair.key.range) continue;
        const value = pair.value;
        if (isSeq(value) && value.items.length > 0) {
          if (value.flow) {
            count.flow++;
            padding(value);
          } else {
            count.block++;
            // The list's range starts at its first dash.
            const dash = value.range ? value.range[0] : -1;
            if (dash >= 0) count[columnOf(parsed.text, dash) > columnOf(parsed.text, pair.key.range[0]) ? 'indented' : 'flush']++;
          }
        } else if (isMap(value) && value.items.length > 0) {
          if (value.flow) {
            count.flowMaps++;
            padding(value);
          } else count.blockMaps++;
        } else if (isScalar(value) && typeof value.value === 'string' && PROSE_KEYS.has(String(pair.key.value)) && value.type) {
          quotes.set(value.type, (quotes.get(value.type) ?? 0) + 1);
        }
      }
    }
  };
  scan(section);
  if (count.flow + count.block + count.flowMaps + count.blockMaps === 0 && quotes.size === 0)
    for (const other of ['threats', 'components', 'flows', 'mitigations']) scan(other);
  const quote = [...quotes].sort((a, b) => b[1] - a[1])[0]?.[0];
  return {
    flowLists: count.flow > count.block,
    indentLists: count.flush <= count.indented,
    flowMaps: count.flowMaps > count.blockMaps,
    padSeqs: count.paddedSeqs * 2 > count.seqs,
    padMaps: count.maps === 0 ? DEFAULT_STYLE.padMaps : count.paddedMaps * 2 > count.maps,
    quote: quote === 'QUOTE_DOUBLE' || quote === 'QUOTE_SINGLE' ? quote : 'PLAIN',
  };
}

/** A mapping as block YAML lines ("key: value") in the given style, without a trailing line break. */
function blockLines(item: Record<string, unknown>, unit: number, style: ItemStyle = DEFAULT_STYLE): string[] {
  const doc = new Document(item);
  visit(doc, {
    Seq(_, node) {
      node.flow = style.flowLists;
    },
    Pair(_, pair) {
      if (isScalar(pair.key) && isScalar(pair.value) && typeof pair.value.value === 'string' && PROSE_KEYS.has(String(pair.key.value)))
        pair.value.type = style.quote;
    },
  });
  return doc
    .toString({ lineWidth: 0, indent: unit, indentSeq: style.indentLists, flowCollectionPadding: style.padSeqs })
    .trimEnd()
    .split('\n');
}

/**
 * A collection in flow style, lists and mappings padded as the file pads them (the YAML library pads both or
 * neither). Scalars are written as YAML writes them inside a flow collection: quoted when a comma or bracket would
 * end them.
 */
function flowText(value: unknown, style: Pick<ItemStyle, 'padSeqs' | 'padMaps'> = DEFAULT_STYLE): string {
  if (Array.isArray(value)) {
    const inner = value.map((v) => flowText(v, style)).join(', ');
    return inner && style.padSeqs ? `[ ${inner} ]` : `[${inner}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const inner = Object.entries(value)
      .map(([k, v]) => `${flowScalar(k)}: ${flowText(v, style)}`)
      .join(', ');
    return inner && style.padMaps ? `{ ${inner} }` : `{${inner}}`;
  }
  return flowScalar(value);
}

function flowScalar(value: unknown): string {
  return stringify([value], { lineWidth: 0, collectionStyle: 'flow', flowCollectionPadding: false }).trim().slice(1, -1);
}

/** A value on one line: scalars as YAML scalars (quoted when needed), collections in flow style. */
function inlineText(value: unknown, style: Pick<ItemStyle, 'padSeqs' | 'padMaps'> = DEFAULT_STYLE): string {
  return typeof value === 'object' && value !== null ? flowText(value, style) : scalarText(value);
}

/** Appends a list item to a top-level section, creating the section when it is missing. */
/**
 * An edit that would damage the file in a shape it does not handle: an anchored value other elements share, a map
 * that inherits through a merge key, a second document. The quick fix is then offered disabled, with this reason.
 */
export class EditRefused extends Error {}

/** The value of `pair`, refusing when it is an alias: editing it would edit the element that owns the anchor. */
function ownValue(pair: Pair, what: string): unknown {
  const value: unknown = pair.value;
  if (isAlias(value)) throw new EditRefused(`${what} is a YAML alias of another value (*${value.source}): edit it by hand.`);
  return value;
}

/** Where a new top-level section goes: after the first document's content, before a `...` or a second document. */
function documentEnd(parsed: ParsedDocument): number {
  const text = parsed.text;
  const root = parsed.doc?.contents as YamlNode | null | undefined;
  const end = root?.range?.[1];
  if (end === undefined || !/\S/.test(text.slice(end).replace(/#.*$/gm, ''))) return text.length;
  return end;
}

/** Items as block-list lines at `indent`, in the file's style. */
function blockItems(items: readonly Record<string, unknown>[], indent: string, unit: number, style: ItemStyle, eol: string): string {
  return items
    .map((item) =>
      blockLines(item, unit, style)
        .map((l, i) => (i === 0 ? `${indent}- ${l}` : `${indent}  ${l}`))
        .join(eol),
    )
    .join(eol);
}

export function appendToSection(parsed: ParsedDocument, section: ListKey, item: Record<string, unknown>): TextEdit {
  return appendAllToSection(parsed, section, [item]);
}

/** Appends list items to a top-level section in one edit, creating the section when it is missing. */
export function appendAllToSection(parsed: ParsedDocument, section: ListKey, items: readonly Record<string, unknown>[]): TextEdit {
  const text = parsed.text;
  const eol = eolOf(text);
  const unit = indentUnitOf(parsed);
  const style = itemStyleOf(parsed, section);
  const root = parsed.doc?.contents;
  const pair = isMap(root) ? (root.items.find((p) => isScalar(p.key) && p.key.value === section) as Pair | undefined) : undefined;
  const asItems = (indent: string) => blockItems(items, indent, unit, style, eol);

  if (!pair || !isScalar(pair.key)) {
    // New section at the end of the document (before a `...` end marker or a second document).
    const end = documentEnd(parsed);
    const needsEol = end > 0 && text[end - 1] !== '\n';
    return { span: { start: end, end }, newText: `${needsEol ? eol : ''}${section}:${eol}${asItems(' '.repeat(unit))}${eol}` };
  }
  return appendItems(parsed, pair, items, style, `'${section}'`);
}

/**
 * Appends items to the list that is `pair`'s value: after its last item in the list's own style (block or flow), or,
 * when it is empty or absent, as a block list under the key, keeping a comment after the key.
 */
function appendItems(
  parsed: ParsedDocument,
  pair: Pair,
  items: readonly Record<string, unknown>[],
  style: ItemStyle,
  what: string,
): TextEdit {
  const text = parsed.text;
  const eol = eolOf(text);
  const unit = indentUnitOf(parsed);
  const key = pair.key as YamlNode;
  const keyEnd = key.range![1];
  const keyCol = columnOf(text, key.range![0]);
  const seq = ownValue(pair, what);
  if (isSeq(seq) && seq.anchor)
    throw new EditRefused(`${what} is anchored (&${seq.anchor}) and may be used elsewhere: add the item by hand.`);
  const asItems = (indent: string) => blockItems(items, indent, unit, style, eol);
  if (isSeq(seq) && !seq.flow && seq.items.length > 0) {
    // The column of the list's first dash (a `-` in a comment before the first item is not it).
    const itemCol = columnOf(text, seq.range![0]);
    const last = seq.items[seq.items.length - 1] as YamlNode;
    const at = endOfContentLine(text, last.range![1]);
    return { span: { start: at, end: at }, newText: `${eol}${asItems(' '.repeat(Math.max(0, itemCol)))}` };
  }
  if (isSeq(seq) && seq.flow && seq.items.length > 0) {
    // `[a, b]` -> `[a, b, {new}]`: stay in flow style, after the last item (a trailing comma stays where it is).
    const lastEnd = (seq.items[seq.items.length - 1] as YamlNode).range![1];
    return { span: { start: lastEnd, end: lastEnd }, newText: items.map((item) => `, ${flowText(item, style)}`).join('') };
  }
  if (isSeq(seq) || isScalar(seq) || seq === null || seq === undefined) {
    // Empty flow list `[]`, or no value at all: a block list under the key; a comment after the key stays on its line.
    const valueEnd = seq && (seq as YamlNode).range ? (seq as YamlNode).range![1] : keyEnd + 1;
    const lineEnd = endOfLine(text, Math.max(valueEnd, keyEnd + 1));
    const comment = /#.*$/.exec(text.slice(Math.max(valueEnd, keyEnd + 1), lineEnd))?.[0];
    return {
      span: { start: keyEnd, end: lineEnd },
      newText: `:${comment ? ` ${comment.trimEnd()}` : ''}${eol}${asItems(' '.repeat(keyCol + unit))}`,
    };
  }
  throw new EditRefused(`${what} is not a list: fix it first.`);
}

/**
 * Adds an item to a list property of an element (`disabledRules`), after the items it has: other entries, their reasons
 * and comments stay. A new list when there is none.
 */
export function addToList(parsed: ParsedDocument, element: Element, key: string, item: Record<string, unknown>): TextEdit {
  const map = element.node;
  refuseMerged(map, key, element.id);
  const pair = map.items.find((p): p is Pair => isScalar(p.key) && p.key.value === key);
  if (!pair) return setProperty(parsed, element, [key], [item]);
  return appendItems(parsed, pair, [item], itemStyleOf(parsed, element.section), `'${key}' of '${element.id}'`);
}

/** A map that inherits `key` through `<<:` would lose the inherited value if a new `key` were written in it. */
function refuseMerged(map: YAMLMap, key: string, owner: string): void {
  const hasOwn = map.items.some((p) => isScalar(p.key) && p.key.value === key);
  // yaml represents a merge key as a scalar whose value is a symbol.
  const merges = map.items.some((p) => isScalar(p.key) && (typeof p.key.value === 'symbol' || p.key.value === '<<'));
  if (merges && !hasOwn)
    throw new EditRefused(
      `'${owner}' inherits values through a YAML merge key (<<): a new '${key}' would replace what it inherits. Edit it by hand.`,
    );
}

/** Sets `path` (e.g. ['controls', 'mfa']) on an element to `value`, replacing or inserting as little as possible. */
export function setProperty(parsed: ParsedDocument, element: Element, path: readonly string[], value: unknown): TextEdit {
  return setIn(parsed, element.node, path, value, itemStyleOf(parsed, element.section));
}

function setIn(parsed: ParsedDocument, map: YAMLMap, path: readonly string[], value: unknown, style: ItemStyle): TextEdit {
  const text = parsed.text;
  const eol = eolOf(text);
  const unit = indentUnitOf(parsed);
  const [key, ...rest] = path;
  refuseMerged(map, key, key);
  const pair = map.items.find((p): p is Pair => isScalar(p.key) && p.key.value === key);
  if (pair && isScalar(pair.key)) {
    const current = ownValue(pair, `'${key}'`);
    if (rest.length > 0 && isMap(current)) return setIn(parsed, current, rest, value, style);
    const nested = rest.length > 0 ? nest(rest, value) : value;
    if (current && (current as YamlNode).range) {
      const range = (current as YamlNode).range!;
      const isCollection = isMap(current) || isSeq(current);
      const replacement = inlineText(nested, style);
      return { span: { start: range[0], end: isCollection ? endOfContentLine(text, range[1]) : range[1] }, newText: replacement };
    }
    const keyEnd = pair.key.range![1];
    const colon = text.indexOf(':', keyEnd);
    return { span: { start: colon + 1, end: endOfContentLine(text, colon + 1) }, newText: ` ${inlineText(nested, style)}` };
  }
  const nested = rest.length > 0 ? nest(rest, value) : value;
  if (map.flow) {
    const entry = `${key}: ${inlineText(nested, style)}`;
    const last = map.items[map.items.length - 1];
    const lastEnd = ((last?.value as YamlNode | null)?.range ?? (last?.key as YamlNode | null)?.range)?.[1];
    // After the last entry, keeping whatever spacing the file has before the closing brace.
    if (lastEnd !== undefined) return { span: { start: lastEnd, end: lastEnd }, newText: `, ${entry}` };
    const close = text.lastIndexOf('}', map.range![1]);
    return { span: { start: close, end: close }, newText: style.padMaps ? ` ${entry} ` : entry };
  }
  // Block mapping: a new line after its last entry, at the column of its keys.
  const firstKey = map.items[0]?.key as YamlNode | undefined;
  const col = firstKey?.range ? columnOf(text, firstKey.range[0]) : unit;
  const last = map.items[map.items.length - 1];
  const lastEnd = ((last?.value as YamlNode | null)?.range ?? (last?.key as YamlNode | null)?.range)?.[1] ?? map.range![1];
  const at = endOfContentLine(text, lastEnd);
  const indent = ' '.repeat(col);
  let entry: string;
  if (rest.length > 0 && !style.flowMaps) {
    const lines = blockLines(nested as Record<string, unknown>, unit, style).map((l) => `${indent}${' '.repeat(unit)}${l}`);
    entry = `${indent}${key}:${eol}${lines.join(eol)}`;
  } else {
    entry = `${indent}${key}: ${inlineText(nested, style)}`;
  }
  return { span: { start: at, end: at }, newText: `${eol}${entry}` };
}

function nest(path: readonly string[], value: unknown): Record<string, unknown> {
  return path.reduceRight<unknown>((acc, key) => ({ [key]: acc }), value) as Record<string, unknown>;
}

/**
 * A value to stand in an inserted item where the user is to type: plain YAML in any position, replaced by
 * `withTabStops` with the default text (plain edit) or a tab stop around it (snippet).
 */
export function tabStop(n: number): string {
  return `TCTABSTOP${n}X`;
}

/** Snippet syntax treats `$`, `}` and `\` specially. */
function escapeSnippet(text: string): string {
  return text.replace(/[\\$}]/g, (c) => `\\${c}`);
}

/**
 * The edit with its tab stops filled in: `newText` gets each stop's default text, `snippet` a `${n:default}` tab
 * stop, and the final cursor (`$0`) right after `cursorAfter` when there is no tab stop, so that the editor reveals
 * the inserted item. Defaults must be plain YAML scalars (no quotes, colons or hashes).
 */
export function withTabStops(
  edit: TextEdit,
  stops: readonly { readonly n: number; readonly text: string }[],
  cursorAfter?: string,
): TextEdit {
  let plain = edit.newText;
  let snippet = escapeSnippet(edit.newText);
  for (const stop of stops) {
    plain = plain.split(tabStop(stop.n)).join(stop.text);
    snippet = snippet.split(tabStop(stop.n)).join(`\${${stop.n}:${escapeSnippet(stop.text)}}`);
  }
  if (stops.length === 0 && cursorAfter !== undefined) {
    const needle = escapeSnippet(cursorAfter);
    const at = snippet.indexOf(needle);
    if (at >= 0) snippet = `${snippet.slice(0, at + needle.length)}$0${snippet.slice(at + needle.length)}`;
  }
  return { span: edit.span, newText: plain, snippet };
}

/**
 * The same edit, inserted at the start of the next line when it begins with that line break. Editors indent every
 * line of a snippet after the first by the whitespace before the insertion point (VS Code does); an item appended
 * after the last line of an indented list would get that indentation twice. At a line's start there is none.
 */
export function snippetAtLineStart(text: string, edit: TextEdit): TextEdit {
  if (edit.snippet === undefined || edit.span.start !== edit.span.end) return edit;
  const eol = text.startsWith('\r\n', edit.span.start) ? '\r\n' : text.startsWith('\n', edit.span.start) ? '\n' : undefined;
  if (!eol || !edit.newText.startsWith(eol) || !edit.snippet.startsWith(eol)) return edit;
  const at = edit.span.start + eol.length;
  return { span: { start: at, end: at }, newText: edit.newText.slice(eol.length) + eol, snippet: edit.snippet.slice(eol.length) + eol };
}

/** Applies non-overlapping edits to a text (used by tests and by the CLI's future --fix). */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.span.start - a.span.start || b.span.end - a.span.end);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.span.start) + e.newText + out.slice(e.span.end);
  return out;
}

/** Merges edits that insert at the same offset (two appends to a missing section both land at the end). */
export function mergeEdits(edits: readonly TextEdit[]): TextEdit[] {
  const out: TextEdit[] = [];
  for (const e of edits) {
    const same = out.find((o) => o.span.start === e.span.start && o.span.end === e.span.end && e.span.start === e.span.end);
    if (same) {
      const snippet =
        same.snippet !== undefined || e.snippet !== undefined
          ? (same.snippet ?? escapeSnippet(same.newText)) + (e.snippet ?? escapeSnippet(e.newText))
          : undefined;
      out[out.indexOf(same)] = { span: same.span, newText: same.newText + e.newText, ...(snippet !== undefined ? { snippet } : {}) };
    } else out.push(e);
  }
  return out;
}
