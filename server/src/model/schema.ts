/**
 * Schema validation: the JSON Schema in schemas/ is the single source of truth for the format's shape. Ajv checks
 * the resolved document; each Ajv error is mapped back to the exact YAML node and rewritten as a message a
 * threat modeller understands, with "did you mean" suggestions.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { type Document, isMap, isScalar, isSeq, type Pair, type YAMLMap } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import schemaJson from '../../../schemas/threatmodel.schema.json';
import { type CoreDiagnostic, DiagnosticCode } from './diagnostics';
import { precompiledValidator } from './precompiled-validators';
import { describeNode, resolve, spanOf } from './parse';
import { didYouMean, suggest } from './suggest';
import { SECTION_NOUN, type SectionName, type Span } from './types';
import { isPlainObject, own, quoted } from '../shared/values';

export const threatModelSchema = schemaJson as JsonSchema;

export interface JsonSchema {
  $ref?: string;
  description?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
  definitions?: Record<string, JsonSchema>;
  pattern?: string;
  [keyword: string]: unknown;
}

type Segment = string | number;

/** Names the thing at a path for messages, e.g. "component 'web'". */
export type OwnerNamer = (doc: Document.Parsed, path: readonly Segment[]) => string;

/** Ajv's options: the same for validators compiled at run time and for those compiled when the bundles are built. */
export const AJV_OPTIONS = { allErrors: true, verbose: true, strict: true } as const;

/** A schema a validator compiles, named so that a validator compiled at build time can stand in for it. */
export interface PrecompilationUnit {
  readonly key: string;
  readonly schema: JsonSchema;
}

const validators: YamlSchemaValidator[] = [];

/**
 * What the bundles compile ahead of time: every validator's whole schema and the parts it validates items against
 * (`units`), and the definitions the parts refer into (`shared`, by `$id`).
 */
export function precompilation(): { shared: (JsonSchema & { $id: string })[]; units: PrecompilationUnit[] } {
  return { shared: validators.map((v) => v.definitions()), units: validators.flatMap((v) => v.precompilationUnits()) };
}

/**
 * Validates YAML documents against a JSON Schema and reports each error at the offending YAML node. Compiling a
 * schema costs about 0.2 s, paid by every process that validates anything: the bundles carry validators compiled when
 * they were built (`precompiledValidator`, by key); without them (the tests run from the sources) a schema is
 * compiled once, on first use.
 */
export class YamlSchemaValidator {
  private ajv: Ajv | undefined;
  private compiled: ValidateFunction | undefined;
  private readonly parts = new Map<string, ValidateFunction>();

  constructor(
    /** Unique among validators: the key of its precompiled functions. */
    readonly name: string,
    readonly schema: JsonSchema,
    private readonly ownerName: OwnerNamer,
    /** What to compile ahead of time: the whole schema, and the parts (`#/definitions/…`) validated alone. */
    private readonly ahead: { readonly whole: boolean; readonly parts: readonly string[] } = { whole: true, parts: [] },
  ) {
    validators.push(this);
  }

  validate(doc: Document.Parsed, value: unknown): CoreDiagnostic[] {
    this.compiled ??= precompiledValidator(this.name) ?? this.compiler().compile(this.schema);
    return this.report(doc, this.compiled, value, '');
  }

  /**
   * Validates one value of the document (at `path`) against a part of the schema (`pointer`, e.g.
   * `#/definitions/component`): what an incremental analysis needs after one item changed.
   */
  validatePart(doc: Document.Parsed, path: readonly Segment[], value: unknown, pointer: string): CoreDiagnostic[] {
    let part = this.parts.get(pointer);
    if (!part) {
      part = precompiledValidator(this.name + pointer) ?? this.compiler().compile(this.partSchema(pointer));
      this.parts.set(pointer, part);
    }
    return this.report(doc, part, value, path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join(''));
  }

  precompilationUnits(): PrecompilationUnit[] {
    return [
      ...(this.ahead.whole ? [{ key: this.name, schema: this.schema }] : []),
      ...this.ahead.parts.map((pointer) => ({ key: this.name + pointer, schema: this.partSchema(pointer) })),
    ];
  }

  /** The schema's definitions as a schema of their own, which every part refers into: compiled once for all parts. */
  definitions(): JsonSchema & { $id: string } {
    return { $id: `${this.name}-definitions`, definitions: this.schema.definitions };
  }

  private partSchema(pointer: string): JsonSchema {
    return { $ref: `${this.name}-definitions${pointer}` };
  }

  private compiler(): Ajv {
    if (!this.ajv) {
      this.ajv = new Ajv(AJV_OPTIONS);
      this.ajv.addSchema(this.definitions());
    }
    return this.ajv;
  }

  private report(doc: Document.Parsed, validate: ValidateFunction, value: unknown, prefix: string): CoreDiagnostic[] {
    if (validate(value)) return [];
    const out: CoreDiagnostic[] = [];
    const seen = new Set<string>();
    for (const raw of validate.errors ?? []) {
      const error = prefix ? { ...raw, instancePath: prefix + raw.instancePath } : raw;
      const d = toDiagnostic(doc, error, this.ownerName);
      const key = `${d.code}:${d.span.start}:${d.span.end}:${d.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(d);
    }
    return out;
  }
}

/** The sections whose items have a schema of their own (`$ref`), validated item by item. */
const ITEM_SCHEMAS: readonly (readonly [string, string])[] = Object.entries(threatModelSchema.properties ?? {}).flatMap(([section, p]) =>
  typeof p.items?.$ref === 'string' ? [[section, p.items.$ref] as const] : [],
);

/**
 * The model's schema with those sections' items left to their own validation: the top level of a document. Kept as
 * one more definition, so that it shares the compiled definitions with the item schemas.
 */
const SECTIONS_ONLY = '#/definitions/threatcode-sections-only';
const sectionsOnly: JsonSchema = Object.fromEntries(
  Object.entries({
    ...threatModelSchema,
    properties: Object.fromEntries(
      Object.entries(threatModelSchema.properties ?? {}).map(([section, p]) => [
        section,
        typeof p.items?.$ref === 'string' ? { ...p, items: {} } : p,
      ]),
    ),
  }).filter(([key]) => !['$id', '$schema', 'definitions'].includes(key)),
);

const threatModelValidator = new YamlSchemaValidator(
  'threatmodel',
  { ...threatModelSchema, definitions: { ...threatModelSchema.definitions, [SECTIONS_ONLY.split('/').pop()!]: sectionsOnly } },
  threatModelOwnerName,
  // Documents are validated section by section (below), never whole.
  { whole: false, parts: [SECTIONS_ONLY, ...ITEM_SCHEMAS.map(([, ref]) => ref)] },
);

/**
 * The whole document against the schema: the top level, then each section item alone. One validation of everything
 * costs the square of the number of errors (Ajv concatenates the errors of every `$ref` into one growing list: 100,000
 * empty items took 86 s); item by item, each list stays short.
 */
export function validateAgainstSchema(doc: Document.Parsed, value: unknown): CoreDiagnostic[] {
  const out = threatModelValidator.validatePart(doc, [], value, SECTIONS_ONLY);
  if (!isPlainObject(value)) return out;
  for (const [section, ref] of ITEM_SCHEMAS) {
    const items = own(value, section);
    if (!Array.isArray(items)) continue;
    for (let i = 0; i < items.length; i++) for (const d of threatModelValidator.validatePart(doc, [section, i], items[i], ref)) out.push(d);
  }
  return out;
}

/** Validates the item at `section[index]` alone, against that section's item schema (undefined if it has none). */
export function validateSectionItem(
  doc: Document.Parsed,
  section: SectionName,
  index: number,
  value: unknown,
): CoreDiagnostic[] | undefined {
  const items = threatModelSchema.properties?.[section]?.items;
  return items?.$ref ? threatModelValidator.validatePart(doc, [section, index], value, items.$ref) : undefined;
}

export function parsePointer(pointer: string): Segment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

interface NodeAtPath {
  /** The deepest node found on the path (the target itself when the path exists in the AST). */
  node: unknown;
  /** The pair holding `node` as its value, when `node` is a mapping value. */
  pair: Pair | undefined;
  /** True when the whole path was found (false for values that come from merge keys). */
  exact: boolean;
}

export function nodeAtPath(doc: Document.Parsed, path: readonly Segment[]): NodeAtPath {
  let node: unknown = doc.contents;
  let pair: Pair | undefined;
  for (const seg of path) {
    node = resolve(doc, node);
    let next: unknown;
    let nextPair: Pair | undefined;
    if (isMap(node) && typeof seg === 'string') {
      nextPair = node.items.find((p): p is Pair => isScalar(p.key) && String(p.key.value) === seg);
      next = nextPair?.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      next = node.items[seg];
    }
    if (next === undefined || next === null) return { node, pair, exact: false };
    node = next;
    pair = nextPair;
  }
  return { node: resolve(doc, node), pair, exact: true };
}

/** What to call the thing at `path` in a message: "component 'web'", "system", "the threat model". */
function threatModelOwnerName(doc: Document.Parsed, path: readonly Segment[]): string {
  if (path.length === 0) return 'the threat model';
  const [section, index] = path;
  if (section === 'system') return 'system';
  if (typeof section === 'string' && section in SECTION_NOUN && typeof index === 'number') {
    const noun = SECTION_NOUN[section as SectionName];
    const item = nodeAtPath(doc, [section, index]).node;
    const id = isMap(item) ? item.get('id') : undefined;
    return typeof id === 'string' ? `${noun} ${quoted(id)}` : noun;
  }
  return quoted(String(path[path.length - 1]));
}

/** The property a value belongs to: 'severity' for /threats/0/severity, 'targets' for /threats/0/targets/2. */
function propertyName(path: readonly Segment[]): string {
  for (let i = path.length - 1; i >= 0; i--) {
    if (typeof path[i] === 'string') return String(path[i]);
  }
  return 'value';
}

const TYPE_NOUN: Record<string, string> = {
  array: 'a list',
  object: 'a mapping',
  string: 'text',
  boolean: 'true or false',
  integer: 'a whole number',
  number: 'a number',
  null: 'empty',
};

function keySpan(pair: Pair): Span {
  return spanOf(pair.key as YamlNode);
}

/** A short, readable span for a mapping: its first entry ("id: web"), or the whole mapping when it is empty. */
function headSpan(node: unknown, pair: Pair | undefined): Span {
  if (pair && pair.key) return keySpan(pair);
  if (isMap(node) && node.items.length > 0) {
    const first = node.items[0];
    const start = spanOf(first.key as YamlNode).start;
    const end = first.value ? spanOf(first.value as YamlNode).end : spanOf(first.key as YamlNode).end;
    return { start, end: Math.max(start, end) };
  }
  return spanOf(node as YamlNode);
}

/** A value in a message: quoted and clipped (see `quoted`); lists and maps that contain themselves are safe. */
function formatValue(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return quoted(v);
}

/**
 * A mapping's pairs by key, and the schema's keys a mapping lacks, computed once per mapping: a mapping with 10,000
 * unknown keys gets 10,000 errors, and looking each key up anew made that quadratic (21 s).
 */
const pairIndex = new WeakMap<object, Map<string, Pair>>();
function pairsByKey(map: YAMLMap): Map<string, Pair> {
  let index = pairIndex.get(map);
  if (!index) {
    index = new Map();
    for (const p of map.items) if (isScalar(p.key) && !index.has(String(p.key.value))) index.set(String(p.key.value), p);
    pairIndex.set(map, index);
  }
  return index;
}

const absentIndex = new WeakMap<object, WeakMap<object, string[]>>();
function absentKeys(schema: Record<string, unknown>, data: Record<string, unknown>): string[] {
  let bySchema = absentIndex.get(data);
  if (!bySchema) absentIndex.set(data, (bySchema = new WeakMap()));
  let absent = bySchema.get(schema);
  if (!absent) {
    const properties = isPlainObject(schema.properties) ? Object.keys(schema.properties) : [];
    absent = properties.filter((k) => !Object.prototype.hasOwnProperty.call(data, k));
    bySchema.set(schema, absent);
  }
  return absent;
}

function toDiagnostic(doc: Document.Parsed, error: ErrorObject, ownerName: OwnerNamer): CoreDiagnostic {
  const path = parsePointer(error.instancePath);
  const located = nodeAtPath(doc, path);
  const valueSpan = spanOf(located.node as YamlNode);
  const prop = propertyName(path);

  switch (error.keyword) {
    case 'additionalProperties': {
      const extra = String((error.params as { additionalProperty: string }).additionalProperty);
      const map = located.node;
      const pair = isMap(map) ? pairsByKey(map).get(extra) : undefined;
      // Suggest only keys the mapping does not have yet: renaming to an existing key would duplicate it.
      const parent: unknown = error.parentSchema;
      const allowed = isPlainObject(error.data) && isPlainObject(parent) ? absentKeys(parent, error.data) : [];
      const suggestions = suggest(extra, allowed);
      return {
        code: DiagnosticCode.UnknownKey,
        severity: 'error',
        message: `Unknown property ${quoted(extra)} in ${ownerName(doc, path)}.${didYouMean(suggestions)}`,
        span: pair ? keySpan(pair) : headSpan(map, located.pair),
        data: { suggestions, property: extra },
      };
    }
    case 'required': {
      const missing = String((error.params as { missingProperty: string }).missingProperty);
      return {
        code: DiagnosticCode.MissingRequired,
        severity: 'error',
        message: `Missing required property '${missing}' in ${ownerName(doc, path)}.`,
        span: headSpan(located.node, located.pair),
        data: { property: missing },
      };
    }
    case 'type': {
      const expected = String((error.params as { type: string }).type)
        .split(',')
        .map((t) => TYPE_NOUN[t] ?? t)
        .join(' or ');
      return {
        code: DiagnosticCode.WrongType,
        severity: 'error',
        message: `'${prop}' must be ${expected}, not ${describeNode(located.node)}.`,
        span: valueSpan,
      };
    }
    case 'enum': {
      const allowed = ((error.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => String(v));
      if (prop === 'threatcode' && path.length === 1) {
        return {
          code: DiagnosticCode.BadValue,
          severity: 'error',
          message: `Unsupported format version ${formatValue(error.data)}: this version of Threatcode reads formats ${allowed.slice(0, -1).join(', ')} and ${allowed[allowed.length - 1]}.`,
          span: valueSpan,
          data: { suggestions: [allowed[allowed.length - 1]] },
        };
      }
      const actual = String(error.data);
      const suggestions = suggest(actual, allowed);
      const noun = typeof path[path.length - 1] === 'number' ? `value in '${prop}'` : `value for '${prop}'`;
      return {
        code: DiagnosticCode.BadEnum,
        severity: 'error',
        message: `${formatValue(error.data)} is not a valid ${noun}.${didYouMean(suggestions)} Allowed: ${allowed.join(', ')}.`,
        span: valueSpan,
        data: { suggestions, allowed },
      };
    }
    case 'const': {
      const expected = (error.params as { allowedValue: unknown }).allowedValue;
      return {
        code: DiagnosticCode.BadValue,
        severity: 'error',
        message: `'${prop}' must be ${formatValue(expected)}.`,
        span: valueSpan,
      };
    }
    case 'pattern': {
      const schemaPath = error.schemaPath;
      if (schemaPath.includes('/definitions/id/')) {
        return {
          code: DiagnosticCode.InvalidId,
          severity: 'error',
          message: `${formatValue(error.data)} is not a valid id: an id starts with a letter and has only letters, digits, '_', '.' and '-'.`,
          span: valueSpan,
        };
      }
      if (schemaPath.includes('/definitions/date/')) {
        return {
          code: DiagnosticCode.InvalidDate,
          severity: 'error',
          message: `${formatValue(error.data)} is not a date: write it as YYYY-MM-DD.`,
          span: valueSpan,
        };
      }
      return {
        code: DiagnosticCode.BadValue,
        severity: 'error',
        message: `${formatValue(error.data)} does not match the pattern for '${prop}'.`,
        span: valueSpan,
      };
    }
    case 'minItems': {
      const limit = (error.params as { limit: number }).limit;
      return {
        code: DiagnosticCode.BadValue,
        severity: 'error',
        message: `'${prop}' needs at least ${limit} item${limit === 1 ? '' : 's'}.`,
        span: located.exact && located.pair ? keySpan(located.pair) : valueSpan,
      };
    }
    case 'maxItems': {
      const limit = (error.params as { limit: number }).limit;
      return {
        code: DiagnosticCode.BadValue,
        severity: 'error',
        message: `'${prop}' has more than the allowed ${limit} items.`,
        span: located.exact && located.pair ? keySpan(located.pair) : valueSpan,
      };
    }
    case 'minLength': {
      return {
        code: DiagnosticCode.BadValue,
        severity: 'error',
        message: `'${prop}' must not be empty.`,
        span: valueSpan,
      };
    }
    case 'minimum': {
      const limit = (error.params as { limit: number }).limit;
      return {
        code: DiagnosticCode.BadValue,
        severity: 'error',
        message: `'${prop}' must be at least ${limit}.`,
        span: valueSpan,
      };
    }
    default:
      return {
        code: DiagnosticCode.BadValue,
        severity: 'error',
        message: `'${prop}' ${error.message ?? 'is invalid'}.`,
        span: valueSpan,
      };
  }
}

/**
 * The schema that describes the value at `path` (used by hover and completion). Follows $ref within this schema.
 */
export function schemaAt(path: readonly Segment[], root: JsonSchema = threatModelSchema): JsonSchema | undefined {
  let current: JsonSchema | undefined = deref(root, root);
  for (const seg of path) {
    if (!current) return undefined;
    if (typeof seg === 'number') current = deref(current.items, root);
    else current = deref(own(current.properties, seg), root);
  }
  return current;
}

/** Resolves a local $ref, keeping a description written beside the $ref (it is more specific than the target's). */
export function deref(schema: JsonSchema | undefined, root: JsonSchema = threatModelSchema): JsonSchema | undefined {
  let s = schema;
  let description = s?.description;
  for (let hops = 0; s?.$ref && hops < 10; hops++) {
    const name = s.$ref.replace('#/definitions/', '');
    s = root.definitions?.[name];
    description ??= s?.description;
  }
  return s && description !== s.description ? { ...s, description } : s;
}
