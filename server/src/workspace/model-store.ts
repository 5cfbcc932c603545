/**
 * The workspace's model files, open in the editor or not, in one owner. For each file the store keeps what has been
 * asked of it, in tiers that cost more as they go: a summary (imports, ids, names, counts: a line scan), the parsed
 * model that importers read, and the full analysis. Each tier is kept with the state of the text it was made from —
 * an open document's version or the file's stamp on disk — so that a change needs no bookkeeping for the file itself:
 * the next question finds the state moved on. What a change must reach explicitly is the models that read the file
 * (`changed` returns them): their analyses are dropped.
 *
 * Who imports whom comes from summaries, so questions about the whole workspace ("is this model imported?", "which
 * models share this id?", symbols) never analyse every model. Files come through the file-system port; the store
 * does not touch Node's `fs`, and serves the language server and the CLI alike.
 */
import { type Analysis, analyzeChange, analyzeText } from '../analysis/analyze';
import { type ImportResolver, importTarget, type Loaded } from '../analysis/imports';
import type { RuleSet } from '../analysis/rules/types';
import { decodeModelBytes } from '../model/decode';
import { parseThreatModel } from '../model/parse';
import { type ModelSummary, summarizeText } from '../model/summary';
import type { ExcludePredicate, FileSystem } from '../shared/file-system';
import { lineStarts } from '../shared/lines';

/** Model files indexed per workspace; more are reported (`WorkspaceIndex.notIndexed`), never silently dropped. */
export const MAX_INDEXED_MODELS = 5000;
/**
 * Analyses of files that are not open, kept for the next question (references, code links, the system view). About
 * 1 MB each at 30 components: 500 of them were 482 MB.
 */
export const MAX_CLOSED_ANALYSES = 64;

export interface ModelStoreOptions {
  readonly fs: FileSystem;
  /** The workspace folders, as URIs: models are looked for, and imports resolve, inside them. */
  readonly roots: () => readonly string[];
  /** The largest model text read, in characters. */
  readonly maxLength: () => number;
  readonly rules: () => RuleSet;
  /** What the editor hides (files.exclude): not indexed. */
  readonly excluded?: () => ExcludePredicate | undefined;
  readonly maxIndexed?: number;
  /** YYYY-MM-DD for the analyses; tests pin it. */
  readonly today?: string;
}

/** An open document as the store needs it. */
export interface OpenDocument {
  readonly uri: string;
  readonly version: number;
  getText(): string;
}

export interface IndexedModel {
  readonly uri: string;
  readonly summary: ModelSummary;
  /** The offset at which each line of the text starts. */
  readonly lineStarts: readonly number[];
}

export interface WorkspaceIndex {
  /** Every indexed model with its summary (unreadable files left out). */
  readonly models: readonly IndexedModel[];
  /** Model files found beyond the limit and not indexed. */
  readonly notIndexed: number;
  readonly limit: number;
}

type TextRead = { readonly key: string; readonly text: string } | { readonly error: string };

interface Entry {
  open?: { readonly version: number; readonly text: string };
  /** The summary, with where the text's lines start (to place its ids without reading the file again). */
  summary?: { readonly key: string; readonly summary: ModelSummary; readonly lineStarts: readonly number[] };
  /** The parsed model, for the models that import this one. */
  source?: { readonly key: string; readonly loaded: Loaded };
  analysis?: { readonly key: string; readonly analysis: Analysis };
}

export class ModelStore {
  private readonly entries = new Map<string, Entry>();
  /** The model files of the workspace folders, found once and again after a file appears or disappears. */
  private found: { readonly uris: readonly string[]; readonly set: ReadonlySet<string>; readonly notIndexed: number } | undefined;
  /** Who imports whom; `stale` files' edges are read again when next asked. */
  private graph: { readonly imports: Map<string, Set<string>>; readonly importers: Map<string, Set<string>> } | undefined;
  private readonly stale = new Set<string>();
  /** Closed files with an analysis, least recently used first. */
  private readonly closedAnalyses = new Set<string>();
  /** How many analyses were computed (for threatcode/status and the tests). */
  computed = 0;

  constructor(private readonly options: ModelStoreOptions) {}

  // --- What changes ---------------------------------------------------------------------------------------------

  /**
   * An open document, as it is now. Returns the models that read it whose analyses were dropped (empty when the
   * version was known already).
   */
  opened(document: OpenDocument): string[] {
    const entry = this.entry(document.uri);
    if (entry.open?.version === document.version) return [];
    entry.open = { version: document.version, text: document.getText() };
    return this.changed(document.uri);
  }

  /** A document closed: the file on disk is what the workspace holds again. */
  closed(uri: string): string[] {
    const entry = this.entries.get(uri);
    if (!entry?.open) return [];
    entry.open = undefined;
    if (entry.analysis?.key.startsWith('open:')) entry.analysis = undefined;
    return this.changed(uri);
  }

  /**
   * A file changed, appeared or disappeared on disk (or in an editor). Its own tiers are renewed when next asked; the
   * analyses of the models that read it are dropped, and their URIs returned.
   */
  changed(uri: string): string[] {
    if (this.found && /\.tm\.ya?ml$/.test(uri)) {
      const exists = this.entries.get(uri)?.open !== undefined || this.options.fs.stat(uri) !== undefined;
      if (this.found.set.has(uri) !== exists) {
        this.found = undefined;
        this.graph = undefined;
      }
    }
    this.stale.add(uri);
    const dependants: string[] = [];
    for (const [other, entry] of this.entries) {
      if (other === uri || !entry.analysis?.analysis.imports?.dependsOn.has(uri)) continue;
      entry.analysis = undefined;
      this.closedAnalyses.delete(other);
      dependants.push(other);
    }
    return dependants;
  }

  /** The rules, limits or folders changed: everything derived is made again when asked. */
  clear(): void {
    for (const entry of this.entries.values()) {
      entry.summary = undefined;
      entry.source = undefined;
      entry.analysis = undefined;
    }
    this.closedAnalyses.clear();
    this.found = undefined;
    this.graph = undefined;
    this.stale.clear();
  }

  /**
   * The size limit changed: what was read of files on disk is read again when asked. An open document's analysis
   * stands when it read no other file (the settings arrive after the first documents are open, and analysing a large
   * model twice at start-up cost as much as the first analysis); the caller drops the documents whose own size
   * crossed the limit (`clear`).
   */
  limitChanged(): void {
    for (const entry of this.entries.values()) {
      const analysis = entry.analysis?.analysis;
      const readsNothingElse = entry.open !== undefined && analysis !== undefined && !analysis.imports?.dependsOn.size;
      entry.summary = undefined;
      entry.source = undefined;
      if (!readsNothingElse) entry.analysis = undefined;
    }
    this.closedAnalyses.clear();
    this.found = undefined;
    this.graph = undefined;
    this.stale.clear();
  }

  /**
   * The rules in force changed: every analysis is made again when asked. Summaries and parsed models stand (they
   * depend on the text alone), and so does what was found of the workspace.
   */
  forgetAnalyses(): void {
    for (const entry of this.entries.values()) entry.analysis = undefined;
    this.closedAnalyses.clear();
  }

  /** Other files may be models of the workspace now (the editor's excludes changed): find them again. */
  reindex(): void {
    this.found = undefined;
    this.graph = undefined;
  }

  // --- What is asked ----------------------------------------------------------------------------------------------

  /** The analysis of an open document at its version: from the previous version's when one edit separates them. */
  analysisOf(document: OpenDocument): Analysis {
    this.opened(document);
    return this.analysis(document.uri) as Analysis;
  }

  /** The analysis of a model, open or on disk; undefined when there is no readable file. */
  analysis(uri: string): Analysis | undefined {
    const entry = this.entry(uri);
    const read = this.read(uri, entry);
    if ('error' in read) return undefined;
    if (entry.analysis?.key === read.key) {
      if (this.closedAnalyses.delete(uri)) this.closedAnalyses.add(uri);
      return entry.analysis.analysis;
    }
    const options = {
      maxLength: this.options.maxLength(),
      rules: this.options.rules(),
      imports: { uri, resolver: this.resolver() },
      ...(this.options.today && { today: this.options.today }),
    };
    // Only an open document's previous analysis is consumed by the next: nobody else holds it.
    const previous = entry.analysis?.key.startsWith('open:') && read.key.startsWith('open:') ? entry.analysis.analysis : undefined;
    const analysis = previous ? analyzeChange(previous, read.text, options) : analyzeText(read.text, options);
    this.computed++;
    entry.analysis = { key: read.key, analysis };
    if (read.key.startsWith('open:')) this.closedAnalyses.delete(uri);
    else this.keepClosed(uri);
    return analysis;
  }

  /** The text of a model: the open document's, or the file's. */
  text(uri: string): string | undefined {
    const read = this.read(uri, this.entry(uri));
    return 'text' in read ? read.text : undefined;
  }

  /** The summary of a model; undefined when there is no readable file. */
  summary(uri: string): ModelSummary | undefined {
    return this.summarised(uri)?.summary;
  }

  private summarised(uri: string): Entry['summary'] {
    const entry = this.entry(uri);
    const key = this.keyOf(uri, entry);
    if (key === undefined) return undefined;
    if (entry.summary?.key === key) return entry.summary;
    const read = this.read(uri, entry);
    if ('error' in read) return undefined;
    entry.summary = { key: read.key, summary: summarizeText(read.text, this.options.maxLength()), lineStarts: lineStarts(read.text) };
    return entry.summary;
  }

  /** The model files of the workspace folders that are indexed (found once; nothing is read to answer). */
  files(): readonly string[] {
    return (this.found ??= this.find()).uris;
  }

  /** The models of the workspace folders, each with its summary, and how many were left out. */
  index(): WorkspaceIndex {
    const models: IndexedModel[] = [];
    for (const uri of this.files()) {
      const summarised = this.summarised(uri);
      if (summarised) models.push({ uri, summary: summarised.summary, lineStarts: summarised.lineStarts });
    }
    return { models, notIndexed: this.notIndexed(), limit: this.limit };
  }

  /**
   * Reads every summary the index will need, a few files at a time, yielding between them (`pause`): started when the
   * workspace opens, so that the first question that needs the whole workspace finds it read, and so that reading a
   * large workspace never holds up the diagnostics or hovers of the model being typed in. Stops early when the
   * workspace changed under it (it is started again then).
   */
  async warm(pause: () => Promise<void>, perStep = 25): Promise<void> {
    const found = (this.found ??= this.find());
    for (let i = 0; i < found.uris.length; i += perStep) {
      if (this.found !== found) return;
      for (const uri of found.uris.slice(i, i + perStep)) this.summarised(uri);
      await pause();
    }
  }

  /** Model files found beyond the limit, and not indexed. */
  notIndexed(): number {
    return (this.found ??= this.find()).notIndexed;
  }

  /** The models that import `uri`, directly or through others. */
  importersOf(uri: string): string[] {
    return this.reach(uri, this.importGraph().importers);
  }

  /**
   * The models that share an id namespace with `uri`: it, what it imports and what imports it, transitively in both
   * directions. References and renames look in these and nowhere else.
   */
  namespaceOf(uri: string): string[] {
    const { imports, importers } = this.importGraph();
    const seen = new Set([uri]);
    const queue = [uri];
    while (queue.length > 0) {
      const at = queue.pop()!;
      for (const next of [...(imports.get(at) ?? []), ...(importers.get(at) ?? [])]) {
        if (seen.has(next)) continue;
        seen.add(next);
        queue.push(next);
      }
    }
    return [...seen];
  }

  /** How analyses read the models they import: open documents first, then the files, each parsed once per state. */
  resolver(): ImportResolver {
    const roots = this.options.roots();
    return { roots, load: (uri) => this.load(uri) };
  }

  get size(): number {
    let analysed = 0;
    for (const entry of this.entries.values()) if (entry.analysis) analysed++;
    return analysed;
  }

  // --- Inside -----------------------------------------------------------------------------------------------------

  private get limit(): number {
    return this.options.maxIndexed ?? MAX_INDEXED_MODELS;
  }

  private entry(uri: string): Entry {
    let entry = this.entries.get(uri);
    if (!entry) this.entries.set(uri, (entry = {}));
    return entry;
  }

  /** The state of the file's text: `open:<version>`, `disk:<stamp>`, or undefined when there is no file. */
  private keyOf(uri: string, entry: Entry): string | undefined {
    if (entry.open) return `open:${entry.open.version}`;
    const stat = this.options.fs.stat(uri);
    return stat && `disk:${stat.stamp}`;
  }

  private read(uri: string, entry: Entry): TextRead {
    if (entry.open) return { key: `open:${entry.open.version}`, text: entry.open.text };
    const stat = this.options.fs.stat(uri);
    if (!stat) return { error: 'no such file.' };
    // Bytes, not characters: a model of `maxLength` characters takes up to four bytes each.
    const maxBytes = this.options.maxLength() * 4;
    if (stat.size > maxBytes) return { error: `it is larger than the file size limit (${stat.size.toLocaleString('en-US')} bytes).` };
    const root = this.options.roots().find((r) => uri.startsWith(r.endsWith('/') ? r : `${r}/`)) ?? new URL('.', uri).href;
    const bytes = this.options.fs.read(uri, root, maxBytes);
    if ('refused' in bytes) return { error: bytes.refused };
    if ('tooLarge' in bytes) return { error: `it is larger than the file size limit (${bytes.tooLarge.toLocaleString('en-US')} bytes).` };
    const decoded = decodeModelBytes(bytes.bytes);
    if (decoded.text === undefined) return { error: 'it is not valid UTF-8 text.' };
    return { key: `disk:${stat.stamp}`, text: decoded.text };
  }

  private load(uri: string): Loaded {
    const entry = this.entry(uri);
    if (!uri.startsWith('file:') && !entry.open) return { error: 'only files on disk can be imported.' };
    const key = this.keyOf(uri, entry);
    if (key === undefined) return { error: 'no such file.' };
    if (entry.source?.key === key) return entry.source.loaded;
    const read = this.read(uri, entry);
    const loaded: Loaded =
      'error' in read
        ? { error: read.error }
        : { uri, text: read.text, parsed: parseThreatModel(read.text, { maxLength: this.options.maxLength() }) };
    entry.source = { key: 'key' in read ? read.key : key, loaded };
    return loaded;
  }

  private keepClosed(uri: string): void {
    this.closedAnalyses.delete(uri);
    this.closedAnalyses.add(uri);
    if (this.closedAnalyses.size <= MAX_CLOSED_ANALYSES) return;
    const oldest = this.closedAnalyses.values().next().value as string;
    this.closedAnalyses.delete(oldest);
    const entry = this.entries.get(oldest);
    if (entry) entry.analysis = undefined;
  }

  private find(): { uris: string[]; set: Set<string>; notIndexed: number } {
    const excluded = this.options.excluded?.();
    const all = new Set<string>();
    for (const root of this.options.roots()) for (const uri of this.options.fs.findModels(root, excluded)) all.add(uri);
    const uris = [...all].slice(0, this.limit);
    return { uris, set: new Set(uris), notIndexed: Math.max(0, all.size - this.limit) };
  }

  /**
   * Who imports whom, from the summaries of the indexed models and of the open documents; after a change, only the
   * changed files' edges are read again (an edit must not stat the whole workspace).
   */
  private importGraph(): { imports: Map<string, Set<string>>; importers: Map<string, Set<string>> } {
    if (!this.graph) {
      this.graph = { imports: new Map(), importers: new Map() };
      this.stale.clear();
      for (const { uri, summary } of this.index().models) this.link(uri, summary.imports);
      for (const [uri, entry] of this.entries) if (entry.open && !this.found?.set.has(uri)) this.stale.add(uri);
    }
    for (const uri of this.stale) {
      for (const target of this.graph.imports.get(uri) ?? []) this.graph.importers.get(target)?.delete(uri);
      this.graph.imports.delete(uri);
      this.link(uri, this.importsOf(uri));
    }
    this.stale.clear();
    return this.graph;
  }

  /** The import entries of a model: from its analysis when it is current (an open document), else its summary. */
  private importsOf(uri: string): readonly string[] {
    const entry = this.entry(uri);
    const key = this.keyOf(uri, entry);
    if (key === undefined) return [];
    if (entry.analysis?.key === key) return entry.analysis.analysis.parsed.model?.imports.map((i) => i.path) ?? [];
    return this.summary(uri)?.imports ?? [];
  }

  private link(uri: string, entries: readonly string[]): void {
    const graph = this.graph!;
    const roots = this.options.roots();
    for (const entry of entries) {
      const target = importTarget(uri, entry, roots);
      if ('error' in target) continue;
      if (!graph.imports.has(uri)) graph.imports.set(uri, new Set());
      graph.imports.get(uri)!.add(target.uri);
      if (!graph.importers.has(target.uri)) graph.importers.set(target.uri, new Set());
      graph.importers.get(target.uri)!.add(uri);
    }
  }

  private reach(from: string, edges: ReadonlyMap<string, ReadonlySet<string>>): string[] {
    const seen = new Set<string>([from]);
    const queue = [from];
    while (queue.length > 0) {
      for (const next of edges.get(queue.pop()!) ?? []) {
        if (seen.has(next)) continue;
        seen.add(next);
        queue.push(next);
      }
    }
    seen.delete(from);
    return [...seen];
  }
}
