/**
 * Models across files (format 1.2): a model's `imports:` name other model files, and the model and everything it
 * imports, transitively, share one id namespace. This module resolves the imports of one model through a loader the
 * caller gives (the server reads open documents first and the disk otherwise, the CLI the disk): it stays pure, and
 * it never reads a file itself.
 *
 * Why one namespace: a service's flow `from: gateway` must mean the platform's gateway without a prefix that every
 * reference would have to repeat, and an id that meant two things in two files would make every reference to it a
 * guess. So a duplicate id across the files of one system is an error, as it is inside one file.
 */
import { type CoreDiagnostic, DiagnosticCode, FATAL_CODES } from '../model/diagnostics';
import type { ParsedDocument } from '../model/parse';
import { type Element, elementsOf, SECTION_NOUN, type SectionName, type ThreatModel } from '../model/types';
import { quoted, shown } from '../shared/values';

/** A model file as the loader found it. */
export interface ModelSource {
  readonly uri: string;
  readonly text: string;
  readonly parsed: ParsedDocument;
}

export type Loaded = ModelSource | { readonly error: string };

export interface ImportResolver {
  /** The workspace folders (URIs): an import must resolve inside one of them. */
  readonly roots: readonly string[];
  /** The file at `uri`, parsed; or why it cannot be read. */
  load(uri: string): Loaded;
  /** The most text (UTF-16 code units) all imported models may hold together; default MAX_IMPORTED_LENGTH. */
  readonly maxTotalLength?: number;
}

export interface ImportedElement {
  readonly element: Element;
  readonly source: ModelSource;
}

export interface ImportContext {
  /** The importing model's URI. */
  readonly from: string;
  /** Every model imported, directly or not, each once, in the order the imports name them. */
  readonly sources: readonly ModelSource[];
  /** The imported elements by id (the first definition wins, as in one file). */
  readonly byId: ReadonlyMap<string, ImportedElement>;
  /** Problems of the importing model's own `imports:` entries. */
  readonly diagnostics: readonly CoreDiagnostic[];
  /** Every file the result depends on, read or not (a missing file may appear): a change to one re-analyses. */
  readonly dependsOn: ReadonlySet<string>;
}

/** More imported files than this in one system is refused (a generated import list gone wrong). */
export const MAX_IMPORTED_MODELS = 1000;

/**
 * All imported models together hold at most this much text (64 Mi UTF-16 code units, eight models at the largest
 * file size): each file's own limit does not bound a thousand files.
 */
export const MAX_IMPORTED_LENGTH = 64 * 1024 * 1024;

/** The first format version that has `imports:`. */
export const IMPORTS_VERSION = 1.2;

/** The URI an import entry names, or why it is refused. */
export function importTarget(fromUri: string, entry: string, roots: readonly string[]): { uri: string } | { error: string } {
  if (/^[a-z][a-z0-9+.-]*:/i.test(entry) || entry.startsWith('/') || entry.startsWith('\\') || entry.includes('\\'))
    return {
      error: `${quoted(entry)} is not a relative path: imports name files beside this one, such as '../platform/platform.tm.yaml'.`,
    };
  if (!/\.tm\.ya?ml$/.test(entry)) return { error: `${quoted(entry)} is not a threat model file: imports name '*.tm.yaml' files.` };
  const uri = resolvedImport(fromUri, entry);
  if (uri === undefined) return { error: `${quoted(entry)} is not a path this file can import.` };
  const root = roots.find((r) => uri.startsWith(r.endsWith('/') ? r : `${r}/`));
  if (!root) return { error: `${quoted(entry)} is outside the workspace: a model imports only files of its own workspace.` };
  return { uri };
}

/** The URI a relative import path names from `fromUri` (each segment taken literally), or undefined. */
export function resolvedImport(fromUri: string, entry: string): string | undefined {
  try {
    return new URL(entry.split('/').map(encodeURIComponent).join('/'), fromUri).href;
  } catch {
    return undefined;
  }
}

/** `to` as a path relative to the folder of `from` (both URIs), for messages. */
export function relativeUri(from: string, to: string): string {
  const a = new URL(from).pathname.split('/').slice(0, -1);
  const b = new URL(to).pathname.split('/');
  let common = 0;
  while (common < a.length && common < b.length - 1 && a[common] === b[common]) common++;
  const up = a.slice(common).map(() => '..');
  return decodeURIComponent([...up, ...b.slice(common)].join('/'));
}

/**
 * The models `model` (at `uri`) imports, transitively. Problems of its own entries are diagnostics on the entry:
 * a path that is refused, a file not found or not a usable model, a cycle back to this file, and ids that two imported
 * files both define. Problems further down are reported in the file that has them, when it is analysed.
 */
export function resolveImports(uri: string, model: ThreatModel, resolver: ImportResolver): ImportContext {
  const diagnostics: CoreDiagnostic[] = [];
  const sources: ModelSource[] = [];
  const byId = new Map<string, ImportedElement>();
  const dependsOn = new Set<string>();
  const seen = new Set<string>([uri]);
  const size = { total: 0 };
  const named = new Set<string>();
  const version = typeof model.version === 'number' ? model.version : Number(model.version);
  if (model.imports.length > 0 && !(version >= IMPORTS_VERSION))
    diagnostics.push({
      code: DiagnosticCode.ImportRefused,
      severity: 'error',
      message: `'imports' needs format ${IMPORTS_VERSION}: write 'threatcode: ${IMPORTS_VERSION}' at the top of this file.`,
      span: model.imports[0].span,
    });

  for (const entry of model.imports) {
    const problem = (code: string, message: string) => diagnostics.push({ code, severity: 'error', message, span: entry.span });
    const target = importTarget(uri, entry.path, resolver.roots);
    if ('error' in target) {
      problem(DiagnosticCode.ImportRefused, target.error);
      continue;
    }
    // Named twice: once is enough (100,000 copies of one entry must not mean 100,000 reads).
    if (named.has(target.uri)) continue;
    named.add(target.uri);
    dependsOn.add(target.uri);
    if (target.uri === uri) {
      problem(DiagnosticCode.ImportCycle, `This file imports itself.`);
      continue;
    }
    if (seen.has(target.uri)) continue; // reached through an earlier import already

    const first = resolver.load(target.uri);
    if ('error' in first) {
      problem(DiagnosticCode.ImportNotFound, `Cannot import ${quoted(entry.path)}: ${first.error}`);
      continue;
    }
    // Walked without recursion: a chain of imports as long as the limit must not exhaust the stack.
    const before = sources.length;
    const { cycle, overBudget } = walk(first, uri, resolver, seen, sources, dependsOn, size);
    if (cycle) problem(DiagnosticCode.ImportCycle, `Import cycle: ${cycleText(uri, cycle)}.`);
    if (!usable(first))
      problem(
        DiagnosticCode.ImportNotFound,
        `Cannot import ${quoted(entry.path)}: it has errors that leave no model; fix them there first.`,
      );
    // What was read is registered even when a limit stopped the walk: every imported element has its id.
    const clashes: string[] = [];
    for (const source of sources.slice(before))
      for (const element of elementsOf(source.parsed.model!)) {
        const known = byId.get(element.id);
        if (!known) byId.set(element.id, { element, source });
        else if (known.source !== source && clashes.length < 3)
          clashes.push(`${quoted(element.id)} (${shown(relativeUri(uri, source.uri))} and ${shown(relativeUri(uri, known.source.uri))})`);
      }
    if (clashes.length > 0)
      problem(
        DiagnosticCode.DuplicateId,
        `Imported files define the same id: ${clashes.join(', ')}. A model and its imports share one namespace; rename one of them.`,
      );
    if (sources.length >= MAX_IMPORTED_MODELS) {
      problem(DiagnosticCode.ImportRefused, `More than ${MAX_IMPORTED_MODELS} models are imported; the rest are left out.`);
      break;
    }
    if (overBudget) {
      const mb = ((resolver.maxTotalLength ?? MAX_IMPORTED_LENGTH) / (1024 * 1024)).toLocaleString('en-US', { maximumFractionDigits: 1 });
      problem(DiagnosticCode.ImportRefused, `The imported models hold more than ${mb} MB of text together; the rest are left out.`);
      break;
    }
  }
  return { from: uri, sources, byId, diagnostics, dependsOn };
}

/** How many files a cycle's message names before it says how many more there are. */
const CYCLE_FILES_SHOWN = 6;

/** "a.tm.yaml → b.tm.yaml → … (40 more) → a.tm.yaml": at most CYCLE_FILES_SHOWN files named, each clipped. */
function cycleText(uri: string, cycle: readonly string[]): string {
  const chain = [uri, ...cycle];
  const named = chain.slice(0, CYCLE_FILES_SHOWN).map((u) => shown(relativeUri(uri, u)));
  const rest = chain.length - named.length;
  return [...named, ...(rest > 0 ? [`… (${rest} more)`] : []), shown(relativeUri(uri, uri))].join(' → ');
}

/** A model to import: one that parsed to a model without errors that leave it unusable (broken YAML and the like). */
function usable(source: ModelSource): boolean {
  return source.parsed.model !== undefined && !source.parsed.diagnostics.some((d) => FATAL_CODES.has(d.code));
}

/**
 * The URIs an imported model's entries name (refused entries left out), worked out once per parse of the file: every
 * model of a system that imports the others walks the same files, and resolving each file's entries on every walk
 * was models × files × entries.
 */
const targetCache = new WeakMap<ModelSource, { roots: string; uris: string[] }>();

function targetsOf(source: ModelSource, roots: readonly string[]): string[] {
  const key = roots.join('\n');
  const hit = targetCache.get(source);
  if (hit && hit.roots === key) return hit.uris;
  const uris: string[] = [];
  for (const entry of source.parsed.model?.imports ?? []) {
    const target = importTarget(source.uri, entry.path, roots);
    if ('uri' in target) uris.push(target.uri);
  }
  targetCache.set(source, { roots: key, uris });
  return uris;
}

/**
 * Depth-first over the imports of `first`, adding each usable model to `sources` once. Returns the chain of URIs that
 * leads back to `rootUri` when there is one.
 */
function walk(
  first: ModelSource,
  rootUri: string,
  resolver: ImportResolver,
  seen: Set<string>,
  sources: ModelSource[],
  dependsOn: Set<string>,
  size: { total: number },
): { cycle: string[] | undefined; overBudget: boolean } {
  let cycle: string[] | undefined;
  const stack: { source: ModelSource; next: number }[] = [];
  const budget = resolver.maxTotalLength ?? MAX_IMPORTED_LENGTH;
  const enter = (source: ModelSource): boolean => {
    seen.add(source.uri);
    if (usable(source)) {
      if (size.total + source.text.length > budget) return false;
      size.total += source.text.length;
      sources.push(source);
    }
    stack.push({ source, next: 0 });
    return true;
  };
  if (!enter(first)) return { cycle, overBudget: true };
  while (stack.length > 0 && sources.length < MAX_IMPORTED_MODELS) {
    const top = stack[stack.length - 1];
    const targets = targetsOf(top.source, resolver.roots);
    if (top.next >= targets.length) {
      stack.pop();
      continue;
    }
    const target = { uri: targets[top.next++] };
    dependsOn.add(target.uri);
    if (target.uri === rootUri) {
      cycle ??= stack.map((s) => s.source.uri);
      continue;
    }
    if (seen.has(target.uri)) continue;
    const loaded = resolver.load(target.uri);
    if ('error' in loaded) continue;
    if (!enter(loaded)) return { cycle, overBudget: true };
  }
  return { cycle, overBudget: false };
}

/**
 * The model rules see: the importing model's elements first, then the imported ones, in one namespace. The importing
 * model's own facts (version, system, disabled rules) are kept; references are its own (imported files check theirs).
 */
export function combinedModel(own: ThreatModel, context: ImportContext): ThreatModel {
  if (context.sources.length === 0) return own;
  const sections = {} as { [S in SectionName]: Element<S>[] };
  for (const section of Object.keys(SECTION_NOUN) as SectionName[]) {
    const list: Element[] = [...own[section]];
    for (const source of context.sources) list.push(...source.parsed.model![section]);
    (sections as Record<SectionName, Element[]>)[section] = list;
  }
  const byId = new Map<string, Element>(own.byId);
  for (const [id, imported] of context.byId) if (!byId.has(id)) byId.set(id, imported.element);
  return { ...own, ...sections, byId };
}

/** The file each imported element comes from; undefined for the importing model's own elements. */
export function originsOf(context: ImportContext): (element: Element | undefined) => string | undefined {
  if (context.sources.length === 0) return () => undefined;
  const origin = new Map<Element, string>();
  for (const source of context.sources) for (const element of elementsOf(source.parsed.model!)) origin.set(element, source.uri);
  return (element) => (element ? origin.get(element) : undefined);
}
