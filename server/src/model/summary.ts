/**
 * The summary of a model file: what the workspace needs to know of a model it has not opened — the files it imports,
 * its elements' ids with their place and a one-line detail (for symbols), how many elements each section holds, and
 * whether it links code. A workspace holds hundreds of models: parsing each costs about 1 ms per kilobyte (36 ms for
 * 30 components), reading the summary with a line scan costs a hundredth of that.
 *
 * The scan reads the block style every model in the wild uses (what `threatcode init`, the importers and the editor
 * write). Anything it is not sure of — flow collections where a section or an item starts, anchors and aliases,
 * tags, quoted keys, several documents, an id that is not a plain id — and it parses the file instead: the summary
 * of a file is always the one its parse gives (`summaryOfParsed`), only sooner. A property test holds the two equal
 * on every model of the repository.
 */
import { parse } from 'yaml';
import { parseThreatModel, type ParsedDocument } from './parse';
import { SECTIONS, type SectionName, type Span } from './types';

export interface SymbolSummary {
  readonly section: SectionName;
  readonly id: string;
  /** The id's value in the text. */
  readonly idSpan: Span;
  /** Name (or title, or text), type, kind and status, as the outline shows them. */
  readonly detail: string;
}

export interface ModelSummary {
  /** The `imports:` entries as written (paths relative to the file). */
  readonly imports: readonly string[];
  readonly symbols: readonly SymbolSummary[];
  /** Elements per section, for sections the model has. */
  readonly counts: Readonly<Partial<Record<SectionName, number>>>;
  /** Some element has `code:` links. */
  readonly linksCode: boolean;
}

/** The summary of a model's text: scanned when the text allows, parsed otherwise. */
export function summarizeText(text: string, maxLength?: number): ModelSummary {
  const scanned = maxLength === undefined || text.length <= maxLength ? scanSummary(text) : undefined;
  return scanned ?? summaryOfParsed(parseThreatModel(text, { maxLength }));
}

/** The summary of a parsed model (an open document's, or a file the scan could not read). */
export function summaryOfParsed(parsed: ParsedDocument): ModelSummary {
  const model = parsed.model;
  if (!model) return { imports: [], symbols: [], counts: {}, linksCode: false };
  const value = parsed.value as Record<string, unknown>;
  const symbols: SymbolSummary[] = [];
  const counts: Partial<Record<SectionName, number>> = {};
  let linksCode = false;
  for (const section of SECTIONS) {
    if (!Array.isArray(value[section])) continue;
    counts[section] = model[section].length;
    for (const e of model[section]) {
      const data = e.data as Record<string, unknown>;
      if (data.code !== undefined) linksCode = true;
      symbols.push({ section, id: e.id, idSpan: e.idSpan ?? e.span, detail: detailOf(data) });
    }
  }
  const imports = Array.isArray(value.imports) ? value.imports.filter((i): i is string => typeof i === 'string') : [];
  // In the order of the text, as the outline and the scan list them.
  symbols.sort((a, b) => a.idSpan.start - b.idSpan.start);
  return { imports, symbols, counts, linksCode };
}

/** The outline's detail of an element: its name (or title, or text), type, kind and status, where they are text. */
export function detailOf(data: Readonly<Record<string, unknown>>): string {
  return [data.name ?? data.title ?? data.text, data.type, data.kind, data.status].filter((x) => typeof x === 'string').join(' · ');
}

const DETAIL_KEYS = new Set(['name', 'title', 'text', 'type', 'kind', 'status']);
const SECTION_SET: ReadonlySet<string> = new Set(SECTIONS);
/** A key the scan reads: letters, digits, `_` and `-`, unquoted. */
const KEY_LINE = /^([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]+(.*))?$/;
const PLAIN_ID = /^[A-Za-z][\w.-]*$/;
/** Plain scalars that YAML's core schema reads as something other than text. */
const NOT_TEXT =
  /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|0x[\da-fA-F]+|0o[0-7]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

interface Item {
  id?: { value: string; span: Span };
  values: Map<string, string | undefined>;
  /** The last key read had a one-line value: a deeper line after it continues that value. */
  scalarKey?: string;
}

/** The summary by a line scan, or undefined when the text uses anything the scan does not read (exported for its test). */
export function scanSummary(text: string): ModelSummary | undefined {
  if (text.charCodeAt(0) === 0xfeff || text.includes('\t') || text.includes('\r')) return undefined;
  const symbols: SymbolSummary[] = [];
  const counts: Partial<Record<SectionName, number>> = {};
  const seenKeys = new Set<string>();
  let imports: string[] = [];
  let linksCode = false;
  /** The section being read, its items' indentation (once known), the item being read and its keys' column. */
  let section: SectionName | undefined;
  let itemIndent = -1;
  let item: Item | undefined;
  let keyColumn = -1;
  /** Lines of the `imports:` block, parsed on their own when it ends. */
  let importLines: string[] | undefined;

  const endItem = (): boolean => {
    if (!item || !section) return true;
    if (!item.id) return false; // the parse decides what an item without a plain id is
    const data: Record<string, unknown> = {};
    for (const [k, v] of item.values) data[k] = v;
    symbols.push({ section, id: item.id.value, idSpan: item.id.span, detail: detailOf(data) });
    counts[section] = (counts[section] ?? 0) + 1;
    item = undefined;
    return true;
  };
  const endImports = (): boolean => {
    if (!importLines) return true;
    let value: unknown;
    try {
      value = parse(importLines.join('\n'), { uniqueKeys: false });
    } catch {
      return false;
    }
    const list = (value as { imports?: unknown } | null)?.imports;
    if (list !== null && list !== undefined && !Array.isArray(list)) return false;
    imports = (list ?? []).filter((i): i is string => typeof i === 'string');
    importLines = undefined;
    return true;
  };

  let offset = 0;
  let first = true;
  while (offset <= text.length) {
    const newline = text.indexOf('\n', offset);
    const end = newline === -1 ? text.length : newline;
    const line = text.slice(offset, end);
    const lineStart = offset;
    offset = end + 1;
    const indent = line.length - line.trimStart().length;
    const content = line.slice(indent);
    if (content === '' || content.startsWith('#')) continue;
    if (first && (content === '---' || content.startsWith('--- '))) {
      first = false;
      continue;
    }
    first = false;
    if (/^(?:---|\.\.\.)(?:\s|$)/.test(line) || content.startsWith('%')) return undefined; // several documents, directives

    if (importLines && (indent > 0 || content.startsWith('-'))) {
      importLines.push(line);
      continue;
    }
    if (indent === 0 && !content.startsWith('-')) {
      // A key of the document's mapping: ends the section (or imports) being read.
      if (!endItem() || !endImports()) return undefined;
      section = undefined;
      const key = KEY_LINE.exec(content);
      if (!key || seenKeys.has(key[1])) return undefined; // quoted or complex keys, flow documents, duplicates
      seenKeys.add(key[1]);
      const inline = stripComment(key[2] ?? '');
      if (key[1] === 'imports') {
        importLines = [line];
      } else if (SECTION_SET.has(key[1])) {
        if (inline === '[]') counts[key[1] as SectionName] = 0;
        else if (inline !== '')
          return undefined; // a section written in flow style, or a scalar the schema refuses
        else {
          section = key[1] as SectionName;
          itemIndent = -1;
        }
      }
      continue;
    }
    if (!section) {
      if (indent === 0) return undefined; // a list at the top level outside a section
      continue; // inside `system:` and other mappings the summary does not read
    }
    if (content.startsWith('-') && (content.length === 1 || content[1] === ' ') && (itemIndent === -1 || indent === itemIndent)) {
      if (!endItem()) return undefined;
      itemIndent = indent;
      item = { values: new Map() };
      const rest = content.slice(1).trimStart();
      if (rest === '' || rest.startsWith('#')) {
        keyColumn = -1; // keys start on the next line
        continue;
      }
      keyColumn = indent + (content.length - rest.length);
      if (rest.startsWith('{')) {
        // A whole item on one line, `- { id: web, name: Web, … }`: common in hand-written models.
        if (!readFlowItem(item, rest, lineStart + keyColumn)) return undefined;
        if (item.values.has('code')) linksCode = true;
        keyColumn = Number.MAX_SAFE_INTEGER; // nothing more belongs to this item
        continue;
      }
      if (!readKey(item, rest, lineStart + keyColumn)) return undefined;
      if (item.values.has('code')) linksCode = true;
      continue;
    }
    if (!item) return undefined; // a section whose value is not a list of items
    if (keyColumn === Number.MAX_SAFE_INTEGER) return undefined; // a flow item continued on the next line
    if (keyColumn === -1 && indent > itemIndent) keyColumn = indent;
    if (indent === keyColumn) {
      if (!readKey(item, content, lineStart + indent)) return undefined;
      if (item.values.has('code')) linksCode = true;
      continue;
    }
    if (indent < keyColumn) return undefined; // indentation the scan does not follow
    // Deeper: the value of a key of the item (nested mappings and lists), not summarised; or the continuation of a
    // one-line value, which the parse joins to it.
    if (item.scalarKey === 'id' || (item.scalarKey !== undefined && DETAIL_KEYS.has(item.scalarKey))) return undefined;
  }
  if (!endItem() || !endImports()) return undefined;
  return { imports, symbols, counts, linksCode };
}

/** Reads `key: value` of an item into it; false when the line is one the scan must not guess at. */
function readKey(item: Item, content: string, at: number): boolean {
  const key = KEY_LINE.exec(content);
  if (!key) return false;
  if (key[1] !== 'id' && !DETAIL_KEYS.has(key[1])) {
    // Not summarised: only whether it is there (`code:`); its value may be anything, on as many lines as it takes.
    if (key[1] === 'code') item.values.set('code', undefined);
    item.scalarKey = undefined;
    return true;
  }
  if (item.values.has(key[1]) || (key[1] === 'id' && item.id)) return false; // a duplicate key: the parse reports it
  const raw = key[2] ?? '';
  const value = valueOf(raw);
  if (value === false) return false;
  item.scalarKey = value === '' ? undefined : key[1];
  if (key[1] === 'id') {
    if (!PLAIN_ID.test(value) || NOT_TEXT.test(value)) return false;
    const start = at + (content.length - raw.length);
    item.id = { value, span: { start, end: start + value.length } };
    return true;
  }
  if (value === '') {
    item.values.set(key[1], undefined); // a nested value, or null
    return true;
  }
  item.values.set(key[1], scalarText(value));
  return true;
}

/**
 * Reads a one-line flow mapping `{ key: value, … }` into the item: plain and quoted scalars, and lists of plain
 * scalars (`[a, b]`); false for anything else (nested mappings, escapes, a mapping continued on the next line).
 */
function readFlowItem(item: Item, text: string, at: number): boolean {
  let i = 1;
  const skipSpaces = () => {
    while (text[i] === ' ') i++;
  };
  for (;;) {
    skipSpaces();
    if (text[i] === '}') break;
    const key = /^([A-Za-z_][\w-]*)[ ]*:[ ]+/.exec(text.slice(i));
    if (!key) return false;
    i += key[0].length;
    const name = key[1];
    const start = i;
    let value: string | undefined;
    if (name !== 'id' && !DETAIL_KEYS.has(name)) {
      // Not summarised: skipped whole, nested collections and quotes included.
      const end = flowValueEnd(text, i);
      if (end === -1) return false;
      if (name === 'code') item.values.set('code', undefined);
      i = end;
    } else if (text[i] === '"' || text[i] === "'") {
      const close = closingQuote(text.slice(i));
      if (close === -1) return false;
      value = scalarText(text.slice(i, i + close + 1));
      i += close + 1;
    } else if (text[i] === '[') {
      const close = text.indexOf(']', i);
      if (close === -1 || /[[{"']/.test(text.slice(i + 1, close))) return false;
      value = undefined; // a list: not text
      i = close + 1;
    } else {
      const end = text.slice(i).search(/[,}]|\s#/);
      if (end === -1) return false;
      const plain = text.slice(i, i + end).trimEnd();
      if (plain === '' || /^[&*!{[|>@`%]/.test(plain) || /^[-?:](?:\s|$)/.test(plain) || /:(?:\s|$)/.test(plain)) return false;
      value = scalarText(plain);
      i += end;
      if (name === 'id') {
        if (!PLAIN_ID.test(plain) || NOT_TEXT.test(plain)) return false;
        if (item.id) return false;
        item.id = { value: plain, span: { start: at + start, end: at + start + plain.length } };
      }
    }
    if (name === 'id' && !item.id) return false; // a quoted or listed id: the parse reads it
    if (name !== 'id' && DETAIL_KEYS.has(name)) {
      if (item.values.has(name)) return false;
      item.values.set(name, value);
    }
    skipSpaces();
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text[i] !== '}') return false;
    break;
  }
  const rest = text.slice(i + 1);
  return rest.trim() === '' || /^\s+#/.test(rest);
}

/** Where a flow value starting at `from` ends (at the `,` or `}` after it), nested collections skipped; -1 if not on this line. */
function flowValueEnd(text: string, from: number): number {
  let depth = 0;
  /** A quote opens a quoted scalar only where a scalar starts: `it's` is plain text. */
  let scalarStart = true;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    const starts = scalarStart;
    scalarStart = c === ' ' ? scalarStart : c === '[' || c === '{' || c === ',' || c === ':';
    if ((c === '"' || c === "'") && starts) {
      const close = closingQuote(text.slice(i));
      if (close === -1) return -1;
      i += close;
    } else if (c === '[' || c === '{') depth++;
    else if (c === ']' || (c === '}' && depth > 0)) depth--;
    else if (depth === 0 && (c === ',' || c === '}')) return i;
    else if (c === '#' && text[i - 1] === ' ') return -1;
  }
  return -1;
}

/**
 * A one-line value without its trailing comment and spaces (quotes kept), or false for what the scan does not read:
 * anchors, aliases, tags, flow collections, block scalars, reserved indicators, and plain text holding `: ` (an error
 * the parse reports).
 */
function valueOf(raw: string): string | false {
  if (raw.startsWith('"') || raw.startsWith("'")) {
    const close = closingQuote(raw);
    if (close === -1) return false;
    const rest = raw.slice(close + 1);
    return rest.trim() === '' || /^\s+#/.test(rest) ? raw.slice(0, close + 1) : false;
  }
  const value = stripComment(raw);
  if (/^[&*![\]{}|>@`%,]/.test(value) || /^[-?:](?:\s|$)/.test(value) || value.includes(': ')) return false;
  return value;
}

/** Where the quoted scalar starting `raw` closes (-1 when not on this line, or with escapes the scan leaves to the parse). */
function closingQuote(raw: string): number {
  const quote = raw[0];
  for (let i = 1; i < raw.length; i++) {
    if (quote === '"' && raw[i] === '\\') return -1;
    if (raw[i] !== quote) continue;
    if (quote === "'" && raw[i + 1] === "'") {
      i++;
      continue;
    }
    return i;
  }
  return -1;
}

/** The text of a one-line scalar (from `valueOf`), undefined when YAML reads it as something other than text. */
function scalarText(value: string): string | undefined {
  if (value.startsWith("'")) return value.slice(1, -1).replace(/''/g, "'");
  if (value.startsWith('"')) return value.slice(1, -1);
  return NOT_TEXT.test(value) ? undefined : value;
}

/** A value without its trailing comment (` #` starts one in YAML) and spaces. */
function stripComment(raw: string): string {
  if (raw.startsWith('#')) return '';
  const hash = raw.search(/\s#/);
  return (hash === -1 ? raw : raw.slice(0, hash)).trimEnd();
}
