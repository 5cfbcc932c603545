/**
 * What every importer produces: a model in our format (plain data, checked by the schema like any model), and notes
 * on what the source said that has no home here, so that the user sees what to review. The writer turns it into a
 * `.tm.yaml` text with the notes as a comment block at the top.
 */
import { Document } from 'yaml';
import { SECTIONS } from '../model/types';
import { quoted } from '../shared/values';

export interface ImportedModel {
  readonly system: Record<string, unknown>;
  readonly boundaries: Record<string, unknown>[];
  readonly components: Record<string, unknown>[];
  readonly data: Record<string, unknown>[];
  readonly flows: Record<string, unknown>[];
  readonly threatAgents: Record<string, unknown>[];
  readonly threats: Record<string, unknown>[];
  readonly mitigations: Record<string, unknown>[];
  readonly assumptions: Record<string, unknown>[];
}

export interface ImportResult {
  readonly model: ImportedModel;
  /** Source fields with no home in the format, and choices the import made that a person should check. */
  readonly notes: readonly string[];
  /** Infrastructure imports: each property value the source states, with what stated it (for the drift check). */
  readonly stated?: readonly StatedFact[];
}

/** A model property an infrastructure resource states: `encryptionAtRest: none` because `storage_encrypted = false`. */
export interface StatedFact {
  /** The draft component it was written to. */
  readonly component: string;
  /** The resource's address (what `infra:` records). */
  readonly address: string;
  readonly path: readonly string[];
  readonly value: unknown;
  /** The attribute and value that state it, as the source writes them. */
  readonly source: string;
}

export function emptyModel(name: string): ImportedModel {
  return {
    system: { name },
    boundaries: [],
    components: [],
    data: [],
    flows: [],
    threatAgents: [],
    threats: [],
    mitigations: [],
    assumptions: [],
  };
}

/**
 * Readable, unique ids made from names (`Web Client` → `web-client`), remembered per source id so that references
 * translate. An id the source gives that is already readable is kept.
 */
export class IdMaker {
  private readonly used = new Set<string>();
  private readonly bySource = new Map<string, string>();
  /** The next number to try after each base: 10,000 elements named "Process" counted up from 2 each time. */
  private readonly nextSuffix = new Map<string, number>();

  /** The id for `sourceId`, made from `name` the first time. */
  id(sourceId: string, name: string | undefined, prefix = ''): string {
    const known = this.bySource.get(sourceId);
    if (known !== undefined) return known;
    const readable = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(sourceId) && !/^[0-9a-f-]{20,}$/i.test(sourceId) ? sourceId : undefined;
    // The prefix keeps its case (T-, M-, zone-): ids read like the ones people write.
    const named = slug(name ?? '');
    const base = readable ?? (named ? `${prefix}${named}` : `${prefix || 'item-'}${this.used.size + 1}`.replace(/^[^A-Za-z]+/, ''));
    let id = base;
    if (this.used.has(id)) {
      let i = this.nextSuffix.get(base) ?? 2;
      while (this.used.has(`${base}-${i}`)) i++;
      id = `${base}-${i}`;
      this.nextSuffix.set(base, i + 1);
    }
    this.used.add(id);
    this.bySource.set(sourceId, id);
    return id;
  }

  /** The id already given to `sourceId`, if any. */
  known(sourceId: string): string | undefined {
    return this.bySource.get(sourceId);
  }
}

function slug(text: string): string | undefined {
  const s = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  return s || undefined;
}

/**
 * How many flows one relation of a source (a security group's ingress from another group, a network policy rule, the
 * services one environment names) draws: beyond it, the relation is a note instead, so that 1,000 members on each
 * side are not a million flows. Every importer's output stays linear in its input.
 */
export const MAX_FLOWS_PER_RELATION = 64;

/** STRIDE categories as the other tools write them in words ("Information disclosure"), lower-cased. */
export const STRIDE_WORDS: Readonly<Record<string, string>> = {
  spoofing: 'spoofing',
  tampering: 'tampering',
  repudiation: 'repudiation',
  'information disclosure': 'information-disclosure',
  'denial of service': 'denial-of-service',
  'elevation of privilege': 'elevation-of-privilege',
};

/** Any source value as text for a message or an id: strings as they are, other scalars printed, structures as JSON. */
export function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v === undefined || v === null) return '';
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '[…]';
  }
}

/** Text from a source value: strings trimmed, empty as undefined. */
export function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

/** The first line (up to 120 characters) of a text, for a title. */
export function firstLine(v: string): string {
  const line = v.split(/\r?\n/)[0].trim();
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}

/** Drops undefined values (the writer would print them as null). */
export function compact(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0)));
}

/** The `.tm.yaml` text of an import: a header naming the source, the notes to review, then the model. */
export function toModelText(result: ImportResult, source: string): string {
  const model = result.model;
  const body: Record<string, unknown> = { threatcode: 1.1, system: model.system };
  for (const section of SECTIONS) {
    const list = model[section];
    if (list.length) body[section] = list;
  }
  const doc = new Document(body);
  const header = [
    ` Imported by threatcode import from ${source}.`,
    ...(result.notes.length
      ? [
          ' Review: what the source said that has no place in this format, and choices the import made:',
          ...result.notes.map((n) => `   - ${n.replace(/[\r\n]+/g, ' ')}`),
        ]
      : [' Everything the source said has a place in this model.']),
  ];
  doc.commentBefore = header.join('\n');
  return doc.toString({ lineWidth: 0 });
}

/** A note naming a source field that was not mapped. */
export function unmapped(where: string, field: string, value: unknown): string {
  return `${where}: ${field} = ${quoted(typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)))} (no place in this format)`;
}
