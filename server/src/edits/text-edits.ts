/**
 * Minimal, comment-preserving text edits on a model: append an item to a section, set a property of an element,
 * replace a value. Edits are computed on the text (never by re-serialising the document), keep the file's line
 * endings and indentation, and touch nothing outside the region they change.
 */
import { isMap, isScalar, isSeq, type Pair, stringify, type YAMLMap } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import type { ParsedDocument } from '../model/parse';
import { resolve } from '../model/parse';
import type { Element, SectionName, Span } from '../model/types';

export interface TextEdit {
  readonly span: Span;
  readonly newText: string;
}

export function eolOf(text: string): string {
  const i = text.indexOf('\n');
  return i > 0 && text[i - 1] === '\r' ? '\r\n' : '\n';
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

/** A mapping as block YAML lines ("key: value"), without a trailing line break. */
function blockLines(item: Record<string, unknown>, unit: number): string[] {
  return stringify(item, { lineWidth: 0, indent: unit }).trimEnd().split('\n');
}

function flowText(value: unknown): string {
  return stringify(value, { lineWidth: 0, collectionStyle: 'flow' }).trim();
}

/** A value on one line: scalars as YAML scalars (quoted when needed), collections in flow style. */
function inlineText(value: unknown): string {
  return typeof value === 'object' && value !== null ? flowText(value) : scalarText(value);
}

/** Appends a list item to a top-level section, creating the section when it is missing. */
export function appendToSection(parsed: ParsedDocument, section: SectionName, item: Record<string, unknown>): TextEdit {
  return appendAllToSection(parsed, section, [item]);
}

/** Appends list items to a top-level section in one edit, creating the section when it is missing. */
export function appendAllToSection(parsed: ParsedDocument, section: SectionName, items: readonly Record<string, unknown>[]): TextEdit {
  const text = parsed.text;
  const eol = eolOf(text);
  const unit = indentUnitOf(parsed);
  const root = parsed.doc?.contents;
  const pair = isMap(root) ? (root.items.find((p) => isScalar(p.key) && p.key.value === section) as Pair | undefined) : undefined;
  const asItems = (indent: string) =>
    items
      .map((item) =>
        blockLines(item, unit)
          .map((l, i) => (i === 0 ? `${indent}- ${l}` : `${indent}  ${l}`))
          .join(eol),
      )
      .join(eol);

  if (!pair || !isScalar(pair.key)) {
    // New section at the end of the document.
    const end = text.length;
    const needsEol = end > 0 && !text.endsWith('\n');
    return { span: { start: end, end }, newText: `${needsEol ? eol : ''}${section}:${eol}${asItems(' '.repeat(unit))}${eol}` };
  }
  const keyEnd = pair.key.range![1];
  const keyCol = columnOf(text, pair.key.range![0]);
  const seq = resolve(parsed.doc!, pair.value);
  if (isSeq(seq) && !seq.flow && seq.items.length > 0) {
    const first = seq.items[0] as YamlNode;
    const itemCol = columnOf(text, text.lastIndexOf('-', first.range![0]));
    const last = seq.items[seq.items.length - 1] as YamlNode;
    const at = endOfContentLine(text, last.range![1]);
    return { span: { start: at, end: at }, newText: `${eol}${asItems(' '.repeat(Math.max(0, itemCol)))}` };
  }
  if (isSeq(seq) && seq.flow && seq.items.length > 0) {
    // `[a, b]` -> `[a, b, {new}]`: stay in flow style.
    const bracket = text.lastIndexOf(']', seq.range![1]);
    return { span: { start: bracket, end: bracket }, newText: items.map((item) => `, ${flowText(item)}`).join('') };
  }
  // Empty flow list `[]`, or no value at all: turn into a block list under the key.
  const valueEnd = isSeq(seq) || isScalar(seq) ? (seq as YamlNode).range![1] : keyEnd + 1;
  const end = Math.max(valueEnd, keyEnd + 1);
  return { span: { start: keyEnd, end: endOfContentLine(text, end) }, newText: `:${eol}${asItems(' '.repeat(keyCol + unit))}` };
}

/** Sets `path` (e.g. ['controls', 'mfa']) on an element to `value`, replacing or inserting as little as possible. */
export function setProperty(parsed: ParsedDocument, element: Element, path: readonly string[], value: unknown): TextEdit {
  return setIn(parsed, element.node, path, value);
}

function setIn(parsed: ParsedDocument, map: YAMLMap, path: readonly string[], value: unknown): TextEdit {
  const text = parsed.text;
  const eol = eolOf(text);
  const unit = indentUnitOf(parsed);
  const [key, ...rest] = path;
  const pair = map.items.find((p): p is Pair => isScalar(p.key) && p.key.value === key);
  if (pair && isScalar(pair.key)) {
    const current = resolve(parsed.doc!, pair.value);
    if (rest.length > 0 && isMap(current)) return setIn(parsed, current, rest, value);
    const nested = rest.length > 0 ? nest(rest, value) : value;
    if (current && (current as YamlNode).range) {
      const range = (current as YamlNode).range!;
      const isCollection = isMap(current) || isSeq(current);
      const replacement = inlineText(nested);
      return { span: { start: range[0], end: isCollection ? endOfContentLine(text, range[1]) : range[1] }, newText: replacement };
    }
    const keyEnd = pair.key.range![1];
    const colon = text.indexOf(':', keyEnd);
    return { span: { start: colon + 1, end: endOfContentLine(text, colon + 1) }, newText: ` ${inlineText(nested)}` };
  }
  const nested = rest.length > 0 ? nest(rest, value) : value;
  if (map.flow) {
    const close = text.lastIndexOf('}', map.range![1]);
    const empty = map.items.length === 0;
    return { span: { start: close, end: close }, newText: `${empty ? ' ' : ', '}${key}: ${inlineText(nested)}${empty ? ' ' : ''}` };
  }
  // Block mapping: a new line after its last entry, at the column of its keys.
  const firstKey = map.items[0]?.key as YamlNode | undefined;
  const col = firstKey?.range ? columnOf(text, firstKey.range[0]) : unit;
  const last = map.items[map.items.length - 1];
  const lastEnd = ((last?.value as YamlNode | null)?.range ?? (last?.key as YamlNode | null)?.range)?.[1] ?? map.range![1];
  const at = endOfContentLine(text, lastEnd);
  const indent = ' '.repeat(col);
  let entry: string;
  if (rest.length > 0) {
    const lines = blockLines(nested as Record<string, unknown>, unit).map((l) => `${indent}${' '.repeat(unit)}${l}`);
    entry = `${indent}${key}:${eol}${lines.join(eol)}`;
  } else {
    entry = `${indent}${key}: ${inlineText(value)}`;
  }
  return { span: { start: at, end: at }, newText: `${eol}${entry}` };
}

function nest(path: readonly string[], value: unknown): Record<string, unknown> {
  return path.reduceRight<unknown>((acc, key) => ({ [key]: acc }), value) as Record<string, unknown>;
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
    if (same) out[out.indexOf(same)] = { span: same.span, newText: same.newText + e.newText };
    else out.push(e);
  }
  return out;
}
