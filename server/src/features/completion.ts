/**
 * Completion: keys valid at the cursor, enum values, ids of the right kind for references, rule ids, and snippets
 * for new components, flows and threats. The document being typed is usually incomplete, so the cursor's place in
 * the YAML structure is found by parsing a copy with a placeholder at the cursor.
 */
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { RuleSet } from '../analysis/rules/types';
import { type Analysis, systemModel } from '../analysis/analyze';
import { relativeUri } from '../analysis/imports';
import { entryLinesAround, isIsolated, itemLinesAround } from '../model/incremental';
import { referenceFieldsOf } from '../model/parse';
import { deref, schemaAt } from '../model/schema';
import { type Element, SECTION_NOUN, type SectionName, SECTIONS, type Span, type ThreatModel } from '../model/types';
import { own } from '../shared/values';
import { COMPONENT_KINDS, isComponentType } from '../shared/vocabulary';

export interface Completion {
  readonly label: string;
  readonly kind: 'property' | 'value' | 'reference' | 'rule' | 'snippet';
  readonly detail?: string;
  readonly documentation?: string;
  /** Text to insert; a snippet (with $1 placeholders) when kind is 'snippet'. */
  readonly insertText: string;
  readonly replace: Span;
}

/** What completion puts in place of the word at the cursor to find where it is. */
export const PLACEHOLDER = '__threatcode_cursor__';
type Path = (string | number)[];

export function complete(analysis: Analysis, offset: number, ruleSet: RuleSet): Completion[] {
  const text = analysis.parsed.text;
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const prefix = text.slice(lineStart, offset);
  const word = /[A-Za-z0-9_.-]*$/.exec(prefix)![0];
  // Replace the whole word under the cursor, also the part after it.
  const rest = /^[A-Za-z0-9_.-]*/.exec(text.slice(offset))![0];
  const replace = { start: offset - word.length, end: offset + rest.length };

  // On an empty line where the next item of a section goes: the skeleton of a new item, nothing else fits there.
  const newItem = /^ *$/.test(prefix) && rest === '' ? sectionItemAt(text, lineStart, prefix.length) : undefined;
  if (newItem) return snippets(newItem, replace, analysis.parsed.model, '- ');

  const keyContext = /^\s*(-\s+)?[A-Za-z0-9_.-]*$/.test(prefix);
  if (keyContext) {
    const found = findPlaceholder(analysis, replace, `${PLACEHOLDER}: 0`);
    if (found?.asKey) {
      const { mapPath, siblings } = found.asKey;
      const parentIsList = typeof mapPath[mapPath.length - 1] === 'number';
      const listSchema = parentIsList ? deref(schemaAt(mapPath.slice(0, -1))) : undefined;
      // "- word" in a list of plain values (targets, data, ...) is a value, not a key.
      if (parentIsList && siblings.length === 0 && /^\s*-\s/.test(prefix) && deref(listSchema?.items)?.type !== 'object') {
        return valueCompletions(analysis, mapPath, replace, ruleSet, {});
      }
      const out = keyCompletions(mapPath, siblings, replace);
      if (parentIsList && siblings.length === 0 && mapPath.length === 2)
        out.push(...snippets(String(mapPath[0]), replace, analysis.parsed.model));
      return out;
    }
  }
  const found = findPlaceholder(analysis, replace, PLACEHOLDER);
  if (found?.asValue) return valueCompletions(analysis, found.asValue, replace, ruleSet, found.valueSiblings ?? {});
  return [];
}

/**
 * The list section whose next item goes at this column of this line: the nearest top-level key above is a section
 * whose items start with a dash at `column` (the file's own indentation, two spaces when the list is still empty).
 */
function sectionItemAt(text: string, lineStart: number, column: number): SectionName | undefined {
  let end = lineStart - 1;
  let dashColumn: number | undefined;
  while (end > 0) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    const line = text.slice(start, end);
    const top = /^([A-Za-z][\w-]*):\s*(#.*)?$/.exec(line);
    if (top) {
      const section = top[1];
      if (!(SECTIONS as readonly string[]).includes(section)) return undefined;
      return column === (dashColumn ?? (column === 0 ? 0 : 2)) ? (section as SectionName) : undefined;
    }
    if (/^\S/.test(line) && !line.startsWith('#')) return undefined;
    const dash = /^( *)- /.exec(line);
    if (dash) dashColumn = dash[1].length;
    end = start - 1;
  }
  return undefined;
}

export interface Found {
  readonly asKey?: { mapPath: Path; siblings: string[] };
  readonly asValue?: Path;
  /** The other scalar values of the mapping the value is in (a component's `type` beside its `kind`). */
  readonly valueSiblings?: Readonly<Record<string, unknown>>;
}

/**
 * Where `placeholder`, put in place of the word at the cursor, ends up in the YAML structure. Parsing the whole text
 * takes seconds in a large model (about 5 s at 5,000 components), so the lines of the section item around the cursor
 * are parsed alone when they stand on their own, the way an incremental analysis reads an edited item.
 */
function findPlaceholder(analysis: Analysis, replace: Span, placeholder: string): Found | undefined {
  return placeholderNearby(analysis, replace, placeholder) ?? placeholderInText(analysis.parsed.text, replace, placeholder);
}

/**
 * The placeholder's place found from the lines around it alone (a section item, else a top-level entry such as
 * `system`); undefined when they do not stand alone.
 */
export function placeholderNearby(analysis: Analysis, replace: Span, placeholder: string): Found | undefined {
  return placeholderInItem(analysis, replace, placeholder) ?? placeholderInEntry(analysis, replace, placeholder);
}

function placeholderInEntry(analysis: Analysis, replace: Span, placeholder: string): Found | undefined {
  const entry = entryLinesAround(analysis.parsed, replace);
  if (!entry) return undefined;
  const root = parseLocally(probeText(analysis.parsed.text, entry.lines, replace, placeholder));
  // The lines must read as that one entry.
  if (!isMap(root) || root.items.length !== 1) return undefined;
  const key = root.items[0].key;
  if (!isScalar(key) || key.value !== entry.key) return undefined;
  const found = searchPlaceholder(root);
  // A placeholder at the top level would need the other entries (siblings) too.
  if (found?.asKey && found.asKey.mapPath.length === 0) return undefined;
  return found;
}

function placeholderInItem(analysis: Analysis, replace: Span, placeholder: string): Found | undefined {
  const item = itemLinesAround(analysis.parsed, replace);
  if (!item) return undefined;
  const lines = probeText(analysis.parsed.text, item.lines, replace, placeholder);
  // Lines inserted between items at the item's column start further items; anything shallower ends the section.
  if (!isIsolated(lines, item.column, true)) return undefined;
  const root = parseLocally(lines);
  if (!isSeq(root)) return undefined;
  const found = searchPlaceholder(root);
  const inSection = (path: Path): Path => [item.section, item.index + (path[0] as number), ...path.slice(1)];
  if (found?.asKey && found.asKey.mapPath.length > 0) return { asKey: { ...found.asKey, mapPath: inSection(found.asKey.mapPath) } };
  if (found?.asValue) return { ...found, asValue: inSection(found.asValue) };
  return undefined;
}

/** The placeholder's place found by parsing the whole text. */
export function placeholderInText(text: string, replace: Span, placeholder: string): Found | undefined {
  return searchPlaceholder(
    parseDocument(probeText(text, { start: 0, end: text.length }, replace, placeholder), { uniqueKeys: false }).contents,
  );
}

/** The text of `lines` with `placeholder` in place of `replace`. */
function probeText(text: string, lines: Span, replace: Span, placeholder: string): string {
  return text.slice(lines.start, replace.start) + placeholder + text.slice(replace.end, lines.end);
}

/**
 * Lines parsed on their own. The text being typed seldom parses cleanly, and the whole-text parse tolerates that too;
 * but an unclosed quote or bracket would run on into the lines after them there: undefined then.
 */
function parseLocally(lines: string): unknown {
  const doc = parseDocument(lines, { uniqueKeys: false });
  return doc.errors.some((e) => e.code === 'MISSING_CHAR') ? undefined : doc.contents;
}

function searchPlaceholder(root: unknown): Found | undefined {
  const stack: { node: unknown; path: Path }[] = [{ node: root, path: [] }];
  while (stack.length) {
    const { node, path } = stack.pop()!;
    if (isMap(node)) {
      for (const p of node.items) {
        const key = isScalar(p.key) ? String(p.key.value) : undefined;
        if (key === PLACEHOLDER) {
          const siblings = node.items.map((x) => (isScalar(x.key) ? String(x.key.value) : '')).filter((k) => k !== PLACEHOLDER);
          return { asKey: { mapPath: path, siblings } };
        }
        if (isScalar(p.value) && p.value.value === PLACEHOLDER && key !== undefined) {
          const valueSiblings: Record<string, unknown> = {};
          for (const x of node.items)
            if (isScalar(x.key) && isScalar(x.value) && x !== p) valueSiblings[String(x.key.value)] = x.value.value;
          return { asValue: [...path, key], valueSiblings };
        }
        if (key !== undefined) stack.push({ node: p.value, path: [...path, key] });
      }
    } else if (isSeq(node)) {
      for (let i = 0; i < node.items.length; i++) {
        const item = node.items[i];
        if (isScalar(item) && item.value === PLACEHOLDER) return { asValue: [...path, i] };
        stack.push({ node: item, path: [...path, i] });
      }
    }
  }
  return undefined;
}

function keyCompletions(mapPath: Path, siblings: readonly string[], replace: Span): Completion[] {
  const schema = deref(schemaAt(mapPath));
  const out: Completion[] = [];
  for (const [key, prop] of Object.entries(schema?.properties ?? {})) {
    if (siblings.includes(key)) continue;
    const p = deref(prop);
    const isBlock = p?.type === 'array' || p?.type === 'object' || (!!p?.properties && !p.enum);
    out.push({
      label: key,
      kind: 'property',
      detail: schema?.required?.includes(key) ? 'required' : undefined,
      documentation: p?.description,
      insertText: isBlock ? `${key}:` : `${key}: `,
      replace,
    });
  }
  // Required keys first, then the rest in schema order.
  return out.sort((a, b) => Number(b.detail === 'required') - Number(a.detail === 'required'));
}

function valueCompletions(
  analysis: Analysis,
  path: Path,
  replace: Span,
  ruleSet: RuleSet,
  siblings: Readonly<Record<string, unknown>>,
): Completion[] {
  const model = analysis.parsed.model;
  const property = [...path].reverse().find((s): s is string => typeof s === 'string');
  const section = path[0];
  if (property === 'rule') {
    return ruleSet.rules.map((r) => ({
      label: r.id,
      kind: 'rule' as const,
      detail: r.title,
      documentation: r.rationale,
      insertText: r.id,
      replace,
    }));
  }
  if (typeof section === 'string' && (SECTIONS as readonly string[]).includes(section) && property && path.length >= 3) {
    const expected = own(referenceFieldsOf(section as SectionName), property);
    // Ids of this model and of the models it imports (one namespace); an imported one says where it comes from.
    const system = systemModel(analysis);
    if (expected && model && system) {
      return expected.flatMap((s) =>
        (system[s] as readonly Element[]).map((e) => {
          const imported = analysis.imports?.byId.get(e.id);
          const from = imported?.element === e ? ` · ${relativeUri(analysis.imports!.from, imported.source.uri)}` : '';
          return {
            label: e.id,
            kind: 'reference' as const,
            detail: `${SECTION_NOUN[s]}${nameOf(e) ? ` · ${nameOf(e)}` : ''}${from}`,
            insertText: e.id,
            replace,
          };
        }),
      );
    }
  }
  const schema = deref(schemaAt(path));
  let values = schema?.enum ?? [];
  // A component's kind: the kinds that fit its type (a datastore is not an api).
  if (section === 'components' && property === 'kind' && path.length === 3 && isComponentType(siblings.type)) {
    const type = siblings.type;
    values = values.filter(
      (v) => (COMPONENT_KINDS[v as keyof typeof COMPONENT_KINDS] as readonly string[] | undefined)?.includes(type) ?? true,
    );
  }
  return values.map((v) => ({
    label: String(v),
    kind: 'value' as const,
    documentation: schema?.description,
    insertText: String(v),
    replace,
  }));
}

function nameOf(e: Element): string | undefined {
  const d = e.data as Record<string, unknown>;
  const n = d.name ?? d.title;
  return typeof n === 'string' ? n : undefined;
}

/** A snippet choice of what exists (ids, kinds): picked with the keyboard; an empty tab stop to type into when many. */
const MAX_CHOICES = 30;
function choice(n: number, values: readonly string[], fallback: string): string {
  const usable = values.filter((v) => /^[^,|$}\\\s]+$/.test(v));
  if (usable.length === 0) return `\${${n}:${fallback}}`;
  if (usable.length > MAX_CHOICES) return `\${${n}:${fallback}}`;
  return `\${${n}|${usable.join(',')}|}`;
}

const ids = (model: ThreatModel | undefined, section: SectionName): string[] => (model?.[section] ?? []).map((e: Element) => e.id);

const SNIPPETS: Partial<Record<SectionName, { label: string; body: (model: ThreatModel | undefined) => string }>> = {
  boundaries: {
    label: 'New boundary',
    body: () => 'id: ${1:boundary-id}\n  name: ${2:Boundary name}\n  trust: ${3|internal,untrusted,dmz,restricted,partner|}',
  },
  components: {
    label: 'New component',
    body: (m) =>
      // The kind is typed after the type is chosen: its completion then offers the kinds that fit that type.
      `id: \${1:component-id}\n  name: \${2:Component name}\n  type: \${3|process,external,datastore|}\n  kind: \${4:service}\n  boundary: ${choice(5, ids(m, 'boundaries'), 'boundary-id')}`,
  },
  data: {
    label: 'New data asset',
    body: () => 'id: ${1:data-id}\n  name: ${2:What the data is}\n  classification: ${3|confidential,internal,public,restricted,secret|}',
  },
  flows: {
    label: 'New flow',
    body: (m) => {
      const components = ids(m, 'components');
      return `id: \${1:flow-id}\n  from: ${choice(2, components, 'source-id')}\n  to: ${choice(3, components, 'target-id')}\n  protocol: \${4|https,grpc-tls,sql-tls,http,custom|}\n  data: [${choice(5, ids(m, 'data'), 'data-id')}]`;
    },
  },
  threats: {
    label: 'New threat',
    body: () =>
      'id: ${1:T-id}\n  title: ${2:What could go wrong}\n  category: ${3|spoofing,tampering,repudiation,information-disclosure,denial-of-service,elevation-of-privilege|}\n  targets: [${4:element-id}]\n  severity: ${5|high,critical,medium,low|}\n  status: open',
  },
  mitigations: {
    label: 'New mitigation',
    body: () => 'id: ${1:M-id}\n  title: ${2:What is done}\n  status: ${3|proposed,planned,in-progress,implemented,verified|}',
  },
};

function snippets(section: string, replace: Span, model: ThreatModel | undefined, lead = ''): Completion[] {
  const s = SNIPPETS[section as SectionName];
  if (!s) return [];
  const body = s.body(model);
  return [
    {
      label: s.label,
      kind: 'snippet',
      detail: `${SECTION_NOUN[section as SectionName]} skeleton`,
      // The editor indents the lines after the first as the line it inserts into: they align under the dash's content.
      insertText: lead + body,
      replace,
    },
  ];
}
