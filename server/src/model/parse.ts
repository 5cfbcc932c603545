/**
 * Text -> YAML document -> typed ThreatModel, with source spans. Hostile input is turned into diagnostics here:
 * nothing in this module throws on any input.
 */
import { type Alias, Composer, type Document, isAlias, isMap, isPair, isScalar, isSeq, Parser, type YAMLMap, YAMLParseError } from 'yaml';
import type { CST, Node as YamlNode, Pair, YAMLError } from 'yaml';
import { DEFAULT_SETTINGS } from '../shared/settings';
import { quoted } from '../shared/values';
import { type CoreDiagnostic, DiagnosticCode } from './diagnostics';
import { flatCopy } from './strings';
import {
  type Element,
  type ImportEntry,
  type Reference,
  SECTIONS,
  type SectionData,
  type SectionName,
  type Span,
  type SystemData,
  type ThreatModel,
} from './types';
import { isPlainObject } from '../shared/values';

export interface ParseOptions {
  /** Documents longer than this (in UTF-16 code units) are not analysed. */
  readonly maxLength?: number;
  /**
   * The most values (mappings, lists, scalars) the document may expand to through its aliases, checked before it is
   * expanded (rule packs: every evaluation walks the expanded conditions).
   */
  readonly maxValues?: number;
}

/** The `maxLength` for a size limit given in MB (threatcode.maxFileSizeMB, the CLI's --max-file-size). */
export function maxLengthForMB(mb: number): number {
  return Math.floor(mb * 1024 * 1024);
}

/** The default `threatcode.maxFileSizeMB`: large enough for a 5,000-component model (about 5 MB). */
export const DEFAULT_MAX_LENGTH = maxLengthForMB(DEFAULT_SETTINGS.maxFileSizeMB);

/** Nesting deeper than this is refused; real threat models need fewer than ten levels. */
export const MAX_DEPTH = 128;

/** YAML aliases resolved per document before we call it an alias bomb. */
const MAX_ALIAS_COUNT = 1000;

export interface ParsedDocument {
  readonly text: string;
  /** Undefined when the text was refused before parsing (binary, too large). */
  readonly doc: Document.Parsed | undefined;
  /** Undefined when the document has no usable root mapping. */
  readonly model: ThreatModel | undefined;
  /** Plain JS value of the whole document, used for schema validation. */
  readonly value: unknown;
  readonly diagnostics: CoreDiagnostic[];
  /**
   * True when the document has no anchors or aliases. Only such documents are updated item by item
   * (see incremental.ts): with an alias, one item's value can depend on another item's text.
   */
  readonly aliasFree?: boolean;
}

export interface ParsedYaml {
  readonly doc: Document.Parsed | undefined;
  /** The resolved value; undefined when the document could not be resolved safely. */
  readonly value: unknown;
  readonly diagnostics: CoreDiagnostic[];
  /** False when the text was refused or could not be resolved; `doc` and `value` are then not usable. */
  readonly ok: boolean;
  /** How many values the document holds with its aliases expanded, when `maxValues` was given. */
  readonly values?: number;
}

/**
 * Hardened YAML parsing shared by threat models and rule packs: size and binary checks, a depth limit measured
 * before composing, one document only, alias-expansion limit. Never throws.
 */
export function parseYamlText(text: string, options: ParseOptions = {}): ParsedYaml {
  const refused = refuseText(text, options.maxLength ?? DEFAULT_MAX_LENGTH);
  if (refused) {
    return { doc: undefined, value: undefined, diagnostics: [refused], ok: false };
  }

  // yaml's parser (text -> CST) is iterative, its composer (CST -> document) recursive. We measure the depth on the
  // CST and compose only documents of sane depth. Deep recursion must never be reached: besides stack overflows,
  // V8 aborts the whole process (it does not throw) when a regular expression is first compiled near the stack limit.
  const tokens = Array.from(new Parser().parse(text));
  const deep = findTooDeep(tokens, MAX_DEPTH);
  if (deep) {
    const diagnostic: CoreDiagnostic = {
      code: DiagnosticCode.TooDeep,
      severity: 'error',
      message: `This section is nested more than ${MAX_DEPTH} levels deep and is not analysed; a threat model needs only a few.`,
      span: deep,
    };
    return { doc: undefined, value: undefined, diagnostics: [diagnostic], ok: false };
  }

  const docs = composeTokens(tokens, text.length);
  const doc = docs[0];
  const diagnostics = yamlProblems(doc, text);
  if (docs.length > 1) {
    diagnostics.push({
      code: DiagnosticCode.MultipleDocuments,
      severity: 'error',
      message: 'A threat model file holds one YAML document; everything after the first `---` document is ignored.',
      span: { start: docs[1].range[0], end: docs[docs.length - 1].range[1] },
    });
  }

  const values = options.maxValues !== undefined ? expandedSize(doc, options.maxValues) : undefined;
  if (options.maxValues !== undefined && values! > options.maxValues) {
    const firstAlias = findFirstAlias(doc.contents);
    diagnostics.push({
      code: DiagnosticCode.AliasLimit,
      severity: 'error',
      message: `Through its YAML aliases this file expands to more than ${options.maxValues.toLocaleString('en-US')} values, so it is not loaded. Write the repeated parts out, or split the file.`,
      span: firstAlias ? spanOf(firstAlias) : { start: 0, end: 0 },
    });
    return { doc, value: undefined, diagnostics, ok: false };
  }

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    // A value inside its own anchor (`&p [xml, *p]`) becomes a structure that contains itself; everything that walks
    // values (rules, messages, JSON output) would loop. The inner reference is read as empty, and said so.
    if (cutCycles(value)) {
      const firstAlias = findFirstAlias(doc.contents);
      diagnostics.push({
        code: DiagnosticCode.YamlWarning,
        severity: 'warning',
        message: 'A value contains itself through a YAML alias; the inner reference is read as empty.',
        span: firstAlias ? spanOf(firstAlias) : { start: 0, end: 0 },
      });
    }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // An alias without its anchor is a mistake in the file, not an attack: say which one.
    const unresolved = /^Unresolved alias[^:]*: (.*)$/.exec(message);
    if (unresolved) {
      const alias = findAlias(doc.contents, (a) => a.source === unresolved[1]) ?? findFirstAlias(doc.contents);
      diagnostics.push({
        code: DiagnosticCode.YamlSyntax,
        severity: 'error',
        message: `The alias ${quoted(`*${unresolved[1]}`)} refers to no anchor before it (an anchor '&${unresolved[1].slice(0, 60)}' must come first), so the file is not analysed.`,
        span: alias ? spanOf(alias) : { start: 0, end: 0 },
      });
      return { doc, value: undefined, diagnostics, ok: false };
    }
    // yaml throws a ReferenceError when aliases expand beyond maxAliasCount (an alias bomb).
    const firstAlias = findFirstAlias(doc.contents);
    diagnostics.push({
      code: DiagnosticCode.AliasLimit,
      severity: 'error',
      message: `Too many YAML alias expansions (more than ${MAX_ALIAS_COUNT}): the document looks like an alias bomb and is not analysed. (${e instanceof Error ? e.message : String(e)})`,
      span: firstAlias ? spanOf(firstAlias) : { start: 0, end: 0 },
    });
    return { doc, value: undefined, diagnostics, ok: false };
  }

  return { doc, value, diagnostics, ok: true, ...(values !== undefined && { values }) };
}

export function parseThreatModel(text: string, options: ParseOptions = {}): ParsedDocument {
  const { doc, value, diagnostics, ok } = parseYamlText(text, options);
  if (!ok || !doc) return { text, doc, model: undefined, value: undefined, diagnostics };

  if (doc.contents === null || value === null || value === undefined) {
    if (!diagnostics.some((d) => d.severity === 'error')) {
      diagnostics.push({
        code: DiagnosticCode.EmptyDocument,
        severity: 'warning',
        message: 'Empty threat model. Start with `threatcode: 1` and a `system:` section.',
        span: { start: 0, end: 0 },
      });
    }
    return { text, doc, model: undefined, value, diagnostics };
  }

  if (!isMap(doc.contents)) {
    diagnostics.push({
      code: DiagnosticCode.RootNotMapping,
      severity: 'error',
      message: `A threat model must be a mapping of sections (threatcode, system, components, ...), not ${describeNode(doc.contents)}.`,
      span: spanOf(doc.contents),
    });
    return { text, doc, model: undefined, value, diagnostics };
  }

  const model = buildModel(doc, doc.contents, value as Record<string, unknown>);
  return { text, doc, model, value, diagnostics, aliasFree: !hasAnchorOrAlias(doc.contents) };
}

/** The one place the YAML options are set, so that a full parse and an incremental one read text alike. */
export function composeTokens(tokens: readonly CST.Token[], length: number): Document.Parsed[] {
  const docs = Array.from(
    new Composer({
      prettyErrors: false,
      // Checked below in one pass: yaml's own check compares each key with every earlier one (10,000 keys: 2 s).
      uniqueKeys: false,
      merge: true,
      // Version 1.2 core schema: dates stay strings, `yes`/`no` are not booleans.
      version: '1.2',
    }).compose(tokens, true, length),
  );
  const seen = new Map<string, string>();
  for (const doc of docs) {
    shareScalarStrings(doc.contents, seen, 0);
    reportDuplicateKeys(doc);
  }
  return docs;
}

/**
 * Duplicate keys, as yaml reports them (a DUPLICATE_KEY error at the later key), with one set of keys per mapping:
 * linear in the document. Scalar keys compare by type and value (`1` and `'1'` differ); merge keys (`<<`) may repeat.
 */
function reportDuplicateKeys(doc: Document.Parsed): void {
  const stack: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 0 }];
  while (stack.length) {
    const { node, depth } = stack.pop()!;
    if (depth > MAX_DEPTH) continue;
    if (isMap(node)) {
      const keys = new Set<string>();
      for (const pair of node.items) {
        const key = pair.key;
        // A merge key's value is a symbol (yaml's representation): merges may repeat.
        if (isScalar(key) && typeof key.value !== 'symbol' && key.value !== '<<') {
          const identity = `${typeof key.value}:${String(key.value)}`;
          if (keys.has(identity) && key.range)
            doc.errors.push(new YAMLParseError([key.range[0], key.range[1]], 'DUPLICATE_KEY', 'Map keys must be unique'));
          keys.add(identity);
        }
        stack.push({ node: pair.value, depth: depth + 1 });
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push({ node: item, depth: depth + 1 });
    }
  }
}

/** Longer texts (descriptions, rationales) are rarely repeated: copied, not shared. */
const SHARED_STRING_MAX = 64;

/**
 * Gives the scalars strings of their own, allocated after the parse, and lets scalars with the same text share one.
 * - Own: the parser's strings sit among the objects of its syntax tree (~240 MB at 5,000 components, garbage once
 *   the document is composed). A page of it that still holds one string the model keeps cannot be returned to the
 *   system: after opening such a model the server stayed at 540 MB instead of 320 MB.
 * - Shared: most scalars repeat, keys (`id`, `name`, `type`, ...) and values (`process`, `internal`, `true`); at
 *   5,000 components sharing saves ~15 MB.
 * Depth-limited like everything else that walks a document (deeper documents are refused anyway).
 */
function shareScalarStrings(node: unknown, seen: Map<string, string>, depth: number): void {
  if (depth > MAX_DEPTH) return;
  if (isScalar(node)) {
    const source = node.source;
    if (typeof source !== 'string') return;
    let own = source.length > SHARED_STRING_MAX ? undefined : seen.get(source);
    if (own === undefined) {
      own = flatCopy(source);
      if (source.length <= SHARED_STRING_MAX) seen.set(own, own);
    }
    if (node.value === source) node.value = own;
    node.source = own;
  } else if (isMap(node) || isSeq(node)) {
    for (const item of node.items as unknown[]) {
      if (isPair(item)) {
        shareScalarStrings(item.key, seen, depth + 1);
        shareScalarStrings(item.value, seen, depth + 1);
      } else {
        shareScalarStrings(item, seen, depth + 1);
      }
    }
  }
}

/** yaml's errors and warnings for a document parsed from `text`, as diagnostics. */
export function yamlProblems(doc: Document.Parsed, text: string): CoreDiagnostic[] {
  return [
    ...doc.errors.map((e) => yamlErrorToDiagnostic(doc, text, e, 'error')),
    ...doc.warnings.map((e) => yamlErrorToDiagnostic(doc, text, e, 'warning')),
  ];
}

/** The message of `file-too-large`, for a text measured here or a file measured before it was read. */
export function tooLargeMessage(size: number, maxLength: number): string {
  return `This file is ${formatSize(size)}, above the ${formatSize(maxLength)} limit (setting threatcode.maxFileSizeMB), so it is not analysed. Split it or raise the limit.`;
}

export function refuseText(text: string, maxLength: number): CoreDiagnostic | undefined {
  if (text.length > maxLength) {
    return {
      code: DiagnosticCode.FileTooLarge,
      severity: 'error',
      message: tooLargeMessage(text.length, maxLength),
      span: { start: 0, end: 0 },
    };
  }
  const nul = text.indexOf('\u0000');
  if (nul >= 0 || looksBinary(text)) {
    const at = nul >= 0 ? nul : firstControlCharacter(text);
    return {
      code: DiagnosticCode.BinaryContent,
      severity: 'error',
      message: 'This file contains binary data (NUL or control characters), not YAML text. It is not analysed.',
      span: { start: at, end: Math.min(text.length, at + 1) },
    };
  }
  return undefined;
}

/** Control characters other than tab, CR and LF are not allowed in YAML; a few percent of them means binary. */
function looksBinary(text: string): boolean {
  const sample = text.length > 8192 ? text.slice(0, 8192) : text;
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 0xfffd) control++;
  }
  return sample.length > 0 && control / sample.length > 0.02;
}

function firstControlCharacter(text: string): number {
  // Control characters other than NUL (refused earlier), tab, LF and CR; and the replacement character.
  const i = text.search(/(?![\t\n\r])[\p{Cc}\ufffd]/u);
  return i < 0 ? 0 : i;
}

function formatSize(units: number): string {
  return units >= 1024 * 1024 ? `${(units / (1024 * 1024)).toFixed(1)} MB` : `${Math.ceil(units / 1024)} KB`;
}

function yamlErrorToDiagnostic(doc: Document.Parsed, text: string, e: YAMLError, severity: 'error' | 'warning'): CoreDiagnostic {
  const [start, end] = e.pos;
  let code: string = severity === 'error' ? DiagnosticCode.YamlSyntax : DiagnosticCode.YamlWarning;
  let message = e.message;
  let span: Span = { start, end: Math.max(end, start) };
  switch (e.code) {
    case 'DUPLICATE_KEY':
      code = DiagnosticCode.DuplicateKey;
      message = 'Duplicate key: each key may appear only once in a mapping.';
      // yaml points at the key's first character; cover the whole key.
      span = keyStartingAt(doc.contents, start) ?? span;
      break;
    case 'TAB_AS_INDENT':
      message = 'Tabs are not allowed as indentation in YAML; indent with spaces.';
      break;
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'BLOCK_IN_FLOW': {
      // The most common YAML mistake in a model: a value with ": " in it (`description: Runs here: and there`).
      const value = unquotedValueWithColon(text, start, e.code === 'BLOCK_IN_FLOW' ? span : undefined);
      if (value) {
        const quotedValue = JSON.stringify(value.text);
        message = `A value with ": " in it must be quoted: write ${quotedValue}.`;
        return { code, severity, message, span: value.span, data: { suggestions: [quotedValue] } };
      }
      break;
    }
  }
  return { code, severity, message, span };
}

/**
 * The plain value around `offset` that holds ": " and so broke the line, with its span: in a block mapping the value
 * after the line's key, in a flow mapping the span the parser reported. Undefined when the line is something else.
 */
function unquotedValueWithColon(text: string, offset: number, flowSpan: Span | undefined): { text: string; span: Span } | undefined {
  if (flowSpan) {
    const raw = text.slice(flowSpan.start, flowSpan.end);
    const trimmed = raw.trim();
    if (!trimmed.includes(': ') || /^["']/.test(trimmed)) return undefined;
    const start = flowSpan.start + raw.indexOf(trimmed);
    return { text: trimmed, span: { start, end: start + trimmed.length } };
  }
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const lineEnd = text.indexOf('\n', offset);
  const line = text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd);
  const m = /^(\s*(?:-\s+)?[^\s:#'"][^:#]*:\s+)([^'"\s].*?)\s*$/.exec(line);
  if (!m || !m[2].includes(': ') || / #/.test(m[2])) return undefined;
  const start = lineStart + m[1].length;
  return { text: m[2], span: { start, end: start + m[2].length } };
}

function keyStartingAt(root: unknown, offset: number): Span | undefined {
  const stack: unknown[] = [root];
  while (stack.length) {
    const n = stack.pop();
    if (isMap(n)) {
      for (const p of n.items) {
        if (isScalar(p.key) && p.key.range?.[0] === offset) return spanOf(p.key);
        stack.push(p.value);
      }
    } else if (isSeq(n)) {
      stack.push(...n.items);
    }
  }
  return undefined;
}

export function spanOf(node: YamlNode | Pair | null | undefined): Span {
  const range = node && 'range' in node ? node.range : undefined;
  if (range) return { start: range[0], end: range[1] };
  return { start: 0, end: 0 };
}

export function describeNode(node: unknown): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isAlias(node)) return 'an alias';
  if (isScalar(node)) return node.value === null ? 'an empty value' : `the ${typeof node.value} ${quoted(node.value)}`;
  return 'nothing';
}

/**
 * Finds a collection nested deeper than MAX_DEPTH in the CST, without recursion. Returns the span of the top-level
 * key that holds it (or of the collection itself when the root is not a mapping).
 */
export function findTooDeep(tokens: readonly CST.Token[], maxDepth: number): Span | undefined {
  for (const token of tokens) {
    if (token.type !== 'document' || !token.value) continue;
    const root = token.value;
    const stack: { node: CST.Token | null | undefined; depth: number; topKey: CST.Token | undefined }[] = [
      { node: root, depth: 0, topKey: undefined },
    ];
    while (stack.length) {
      const { node, depth, topKey } = stack.pop()!;
      if (!node || (node.type !== 'block-map' && node.type !== 'block-seq' && node.type !== 'flow-collection')) continue;
      if (depth > maxDepth) {
        const at = topKey ?? node;
        const length = 'source' in at && typeof at.source === 'string' ? at.source.length : 1;
        return { start: at.offset, end: at.offset + Math.max(1, length) };
      }
      for (const item of node.items) {
        const key = node === root && node.type === 'block-map' && item.key ? item.key : topKey;
        stack.push({ node: item.value, depth: depth + 1, topKey: key });
        if ('key' in item) stack.push({ node: item.key, depth: depth + 1, topKey: key });
      }
    }
  }
  return undefined;
}

/** Whether any node below `root` is an alias or carries an anchor. Iterative: the tree may be deep. */
export function hasAnchorOrAlias(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length) {
    const n = stack.pop();
    if (isAlias(n)) return true;
    if (n && typeof n === 'object' && 'anchor' in n && (n as { anchor?: string }).anchor) return true;
    if (isMap(n)) for (const p of n.items) stack.push(p.key, p.value);
    else if (isSeq(n)) for (const it of n.items) stack.push(it);
  }
  return false;
}

/**
 * How many values the document holds once its aliases are expanded, without expanding them: each node is sized once
 * and an alias counts the size of what it names. Stops counting past `limit`.
 */
function expandedSize(doc: Document.Parsed, limit: number): number {
  // Each alias resolved in one walk in document order (yaml's Alias.resolve searches the whole document each time).
  const target = new Map<unknown, unknown>();
  const anchors = new Map<string, unknown>();
  const walk: unknown[] = [doc.contents];
  while (walk.length) {
    const n = walk.pop();
    if (isAlias(n)) {
      target.set(n, anchors.get(n.source));
      continue;
    }
    const anchor = (n as { anchor?: unknown } | null)?.anchor;
    if (typeof anchor === 'string') anchors.set(anchor, n);
    if (isMap(n)) for (let i = n.items.length - 1; i >= 0; i--) walk.push(n.items[i].value, n.items[i].key);
    else if (isSeq(n)) for (let i = n.items.length - 1; i >= 0; i--) walk.push(n.items[i]);
  }
  const size = new Map<unknown, number>();
  const visiting = new Set<unknown>();
  const measure = (node: unknown): number => {
    const known = size.get(node);
    if (known !== undefined) return known;
    // A value inside its own anchor: counted once, as yaml refuses to expand it further.
    if (visiting.has(node)) return 1;
    visiting.add(node);
    let n = 1;
    if (isAlias(node)) n = target.get(node) === undefined ? 1 : measure(target.get(node));
    else if (isMap(node))
      for (const p of node.items) {
        n += measure(p.key) + measure(p.value);
        if (n > limit) break;
      }
    else if (isSeq(node))
      for (const item of node.items) {
        n += measure(item);
        if (n > limit) break;
      }
    visiting.delete(node);
    size.set(node, n);
    return n;
  };
  return measure(doc.contents);
}

/** Replaces every reference from a value to one of its own ancestors by null; whether there was any. Iterative. */
function cutCycles(root: unknown): boolean {
  let cut = false;
  const onPath = new Set<object>();
  const done = new Set<object>();
  const stack: { node: object; keys: (string | number)[]; next: number }[] = [];
  const enter = (node: unknown) => {
    if (typeof node !== 'object' || node === null || done.has(node)) return;
    onPath.add(node);
    stack.push({ node, keys: Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node), next: 0 });
  };
  enter(root);
  while (stack.length) {
    const frame = stack[stack.length - 1];
    if (frame.next >= frame.keys.length) {
      stack.pop();
      onPath.delete(frame.node);
      done.add(frame.node);
      continue;
    }
    const key = frame.keys[frame.next++];
    const child = (frame.node as Record<string | number, unknown>)[key];
    if (typeof child === 'object' && child !== null && onPath.has(child)) {
      (frame.node as Record<string | number, unknown>)[key] = null;
      cut = true;
    } else enter(child);
  }
  return cut;
}

function findFirstAlias(root: unknown): Alias | undefined {
  return findAlias(root, () => true);
}

/** The first alias in document order that `matches`. */
function findAlias(root: unknown, matches: (a: Alias) => boolean): Alias | undefined {
  // Iterative walk: the document may be very deep.
  const stack: unknown[] = [root];
  while (stack.length) {
    const n = stack.pop();
    if (isAlias(n) && matches(n)) return n;
    if (isMap(n)) for (const p of [...n.items].reverse()) stack.push(p.value, p.key);
    else if (isSeq(n)) for (const it of [...n.items].reverse()) stack.push(it);
  }
  return undefined;
}

/**
 * Builds the typed model from the AST (for spans) and the resolved JS value (for data, aliases expanded).
 * Items that are not mappings or have no string id are skipped here; the schema validation reports them.
 */
function buildModel(doc: Document.Parsed, root: YAMLMap, value: Record<string, unknown>): ThreatModel {
  const sections = {} as { [S in SectionName]: Element<S>[] };
  const references: Reference[] = [];

  for (const section of SECTIONS) {
    const list: Element[] = [];
    const seqNode = resolve(doc, root.get(section, true));
    const seqValue = value[section];
    if (isSeq(seqNode) && Array.isArray(seqValue)) {
      seqNode.items.forEach((itemNode, index) => {
        const element = makeElement(doc, section, index, itemNode, seqValue[index]);
        if (!element) return;
        list.push(element);
        collectReferences(doc, element, references);
      });
    }
    (sections as Record<SectionName, Element[]>)[section] = list;
  }
  return { ...sections, ...rootFacts(doc, root, value), byId: indexById(sections), references };
}

/**
 * The element for one section item, or undefined when the item is not a mapping with a string id (the schema
 * validation reports those). Spans are read from the YAML nodes when asked for, so that an incremental update can
 * move the nodes after an edit without rebuilding the elements that hold them.
 */
export function makeElement(
  doc: Document.Parsed,
  section: SectionName,
  index: number,
  itemNode: unknown,
  data: unknown,
): Element | undefined {
  const node = resolve(doc, itemNode);
  if (!isMap(node) || !isPlainObject(data) || typeof data.id !== 'string') return undefined;
  return new ModelElement(section, index, data.id, data as unknown as SectionData[SectionName], node, node.get('id', true));
}

/** A class, not object literals with getters: every element then shares one hidden class and property reads stay fast. */
class ModelElement implements Element {
  constructor(
    readonly section: SectionName,
    readonly index: number,
    readonly id: string,
    readonly data: SectionData[SectionName],
    readonly node: YAMLMap,
    private readonly idNode: YamlNode | undefined,
  ) {}

  get span(): Span {
    return spanOf(this.node);
  }

  get idSpan(): Span | undefined {
    return this.idNode ? spanOf(this.idNode) : undefined;
  }
}

class ModelReference implements Reference {
  constructor(
    readonly from: Element,
    private readonly field: string,
    /** The position in a list of references (`targets: [a, b]`), undefined for a single one (`from: a`). */
    private readonly position: number | undefined,
    readonly targetId: string,
    readonly expected: readonly SectionName[],
    private readonly node: YamlNode,
  ) {}

  /** Built when asked: a model has tens of thousands of references and few are ever asked for their path. */
  get path(): readonly (string | number)[] {
    return this.position === undefined ? [this.field] : [this.field, this.position];
  }

  /** Read from the node, like element spans: the node moves when an edit before it changes the text. */
  get span(): Span {
    return spanOf(this.node);
  }
}

/** Every element by id; the first definition (in section order) wins. */
export function indexById(sections: { readonly [S in SectionName]: readonly Element<S>[] }): Map<string, Element> {
  const byId = new Map<string, Element>();
  for (const section of SECTIONS) for (const e of sections[section]) if (!byId.has(e.id)) byId.set(e.id, e);
  return byId;
}

/** What the model takes from outside the sections: version, system, model-wide disabled rules. */
export function rootFacts(
  doc: Document.Parsed,
  root: YAMLMap,
  value: Record<string, unknown>,
): Pick<ThreatModel, 'version' | 'imports' | 'system' | 'disabledRules' | 'disabledRuleEntries' | 'systemSpan'> {
  const imports: ImportEntry[] = [];
  const importsNode = resolve(doc, root.get('imports', true));
  if (isSeq(importsNode))
    for (const item of importsNode.items)
      if (isScalar(item) && typeof item.value === 'string') imports.push({ path: item.value, span: spanOf(item) });
  const system = isPlainObject(value.system) ? (value.system as SystemData) : undefined;
  const disabledRuleEntries: { rule: string; span: Span; reason: unknown; reasonSpan: Span | undefined }[] = [];
  const disabledNode = resolve(doc, root.get('disabledRules', true));
  if (isSeq(disabledNode)) {
    for (const item of disabledNode.items) {
      const entry = resolve(doc, item);
      const ruleNode = isMap(entry) ? entry.get('rule', true) : undefined;
      const reasonNode = isMap(entry) ? entry.get('reason', true) : undefined;
      if (isScalar(ruleNode) && typeof ruleNode.value === 'string')
        disabledRuleEntries.push({
          rule: ruleNode.value,
          span: spanOf(ruleNode),
          reason: isScalar(reasonNode) ? reasonNode.value : undefined,
          reasonSpan: isScalar(reasonNode) ? spanOf(reasonNode) : undefined,
        });
    }
  }
  const systemPair = root.items.find((p) => isScalar(p.key) && p.key.value === 'system');
  const systemSpan = systemPair && isScalar(systemPair.key) ? spanOf(systemPair.key) : { start: 0, end: 0 };
  return { version: value.threatcode, imports, system, disabledRules: value.disabledRules, disabledRuleEntries, systemSpan };
}

/** Which properties hold ids, and which sections those ids may point into. */
const REFERENCE_FIELDS: { readonly [S in SectionName]?: Readonly<Record<string, readonly SectionName[]>> } = {
  boundaries: { parent: ['boundaries'] },
  components: { boundary: ['boundaries'], stores: ['data'] },
  flows: { from: ['components'], to: ['components'], data: ['data'] },
  threatAgents: { reaches: ['components', 'boundaries'] },
  threats: { targets: ['components', 'flows', 'boundaries', 'data'], mitigations: ['mitigations'], agents: ['threatAgents'] },
};

export function referenceFieldsOf(section: SectionName): Readonly<Record<string, readonly SectionName[]>> {
  return REFERENCE_FIELDS[section] ?? {};
}

export function collectReferences(doc: Document.Parsed, element: Element, out: Reference[]): void {
  const fields = REFERENCE_FIELDS[element.section];
  if (!fields) return;
  for (const [key, expected] of Object.entries(fields)) {
    const valueNode = resolve(doc, element.node.get(key, true));
    if (isScalar(valueNode) && typeof valueNode.value === 'string') {
      out.push(new ModelReference(element, key, undefined, valueNode.value, expected, valueNode));
    } else if (isSeq(valueNode)) {
      valueNode.items.forEach((item, i) => {
        const n = resolve(doc, item);
        if (isScalar(n) && typeof n.value === 'string') out.push(new ModelReference(element, key, i, n.value, expected, n));
      });
    }
  }
}

/** Follows an alias to its anchored node (aliases in a model are rare but legal). */
export function resolve(doc: Document.Parsed, node: unknown): unknown {
  if (isAlias(node)) return node.resolve(doc);
  return node;
}
