/**
 * The model meets the code: which files each component's `code:` globs link, which globs link nothing, which
 * components' code changed after their last review, and how much of the source is linked at all. Pure: the files and
 * the commits are facts handed in (files/repository.ts reads them from git); the same facts give the same answer in
 * the editor, the CLI and the tests.
 */
import { isScalar, isSeq } from 'yaml';
import { keySpanOf } from '../model/checks';
import { locateOffset } from '../model/locate';
import { boundDiagnostics, type CoreDiagnostic, DiagnosticCode, MAX_PER_KIND } from '../model/diagnostics';
import { spanOf } from '../model/parse';
import { suggest } from '../model/suggest';
import type { Component, Span } from '../model/types';
import { codeMatcher, normaliseCodeGlob, relativePath } from '../shared/code-links';
import { globMatcher } from '../shared/glob';
import { quoted, shown } from '../shared/values';
import { DEFAULT_SOURCE_FILES } from '../shared/settings';
import type { Analysis } from './analyze';

export interface CommitFacts {
  readonly hash: string;
  /** Committer date, YYYY-MM-DD (the committer's own calendar day, as people write review dates). */
  readonly date: string;
  readonly author: string;
  readonly subject: string;
  /** Paths the commit changed, relative to the facts' root. */
  readonly files: readonly string[];
}

/** What is known about the repository around a model. Paths are `/`-separated and relative to one root. */
export interface CodeFacts {
  /** Absolute, `/`-separated root the paths are relative to (the git work tree's top), when known. */
  readonly root?: string;
  /** The model's folder relative to the root ('' when the model is at the root). */
  readonly modelFolder: string;
  readonly files: readonly string[];
  /** The file listing stopped early: a glob that matches nothing may match a file not listed. */
  readonly filesTruncated?: boolean;
  /** Commits, newest first; undefined when history is not available (see `note`). */
  readonly commits?: readonly CommitFacts[];
  /** The commits are those of a range (`main..HEAD`), not all since the reviews. */
  readonly range?: string;
  /** Why history (or git) is not available, in plain words. */
  readonly note?: string;
  /** Globs of source files (relative to the model's folder) for the code coverage gauge. */
  readonly sourceGlobs?: readonly string[];
}

export interface LinkedGlob {
  readonly glob: string;
  readonly span: Span;
  /** Files it matches (relative to the root). */
  readonly matches: number;
}

export interface Staleness {
  /** The review date compared with, and whose it is. */
  readonly reviewed: string | undefined;
  readonly reviewOf: 'element' | 'system' | undefined;
  /** Commits after the review that changed the element's files, newest first. */
  readonly commits: readonly CommitFacts[];
  /** The globs whose files changed. */
  readonly globs: readonly string[];
  readonly message: string;
}

export interface ElementCode {
  readonly element: Component;
  readonly name: string;
  readonly globs: readonly LinkedGlob[];
  /** The files linked (relative to the root), at most MAX_LISTED_FILES of them. */
  readonly files: readonly string[];
  readonly fileCount: number;
  readonly stale?: Staleness;
}

export interface CodeLinks {
  readonly facts: CodeFacts;
  /** Components with `code:` links, in model order. */
  readonly elements: readonly ElementCode[];
  readonly diagnostics: readonly CoreDiagnostic[];
  /** Source folders under the model's folder (relative to it), and those no component's code links; undefined: none. */
  readonly coverage?: { readonly folders: number; readonly unlinked: readonly string[] };
  /** The files, sorted for searching (Go to Definition, completion). */
  readonly index: FileIndex;
}

const MAX_LISTED_FILES = 1000;
const MAX_COMMITS_PER_ELEMENT = 50;

/** `/`-separated normalisation of `folder/glob` (`..` resolved), so globs are compared with root-relative paths. */
function rooted(modelFolder: string, glob: string): string {
  const parts: string[] = [];
  for (const part of `${modelFolder ? `${modelFolder}/` : ''}${glob}`.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

/** A matcher over root-relative paths for globs written relative to the model's folder, and the prefix every match has. */
function rootedMatcher(modelFolder: string, globs: readonly string[]): { matches: (p: string) => boolean; prefix: string } {
  const patterns = globs.flatMap(normaliseCodeGlob).map((g) => rooted(modelFolder, g));
  // The longest folder every pattern starts with: only files under it need the glob test (files are sorted).
  const bases = patterns.map((p) => {
    const wild = p.search(/[*?[{\\]/);
    const literal = wild < 0 ? p : p.slice(0, wild);
    return literal.slice(0, literal.lastIndexOf('/') + 1);
  });
  const prefix = bases.reduce((a, b) => {
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    return a.slice(0, a.lastIndexOf('/', i - 1) + 1);
  }, bases[0] ?? '');
  return { matches: codeMatcher(patterns), prefix };
}

/** Sorted files, searched by prefix. */
export class FileIndex {
  readonly sorted: readonly string[];
  constructor(files: readonly string[]) {
    this.sorted = [...files].sort();
  }
  /** Files under `prefix` ('' for all) that match. */
  *matching(prefix: string, matches: (p: string) => boolean): Generator<string> {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sorted[mid] < prefix) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.sorted.length && this.sorted[i].startsWith(prefix); i++) if (matches(this.sorted[i])) yield this.sorted[i];
  }
  folders(): string[] {
    const out = new Set<string>();
    for (const f of this.sorted) {
      for (let i = f.indexOf('/'); i > 0; i = f.indexOf('/', i + 1)) out.add(f.slice(0, i));
    }
    return [...out].sort();
  }
}

/** The `code:` globs of a component as written, with their spans. */
function globsOf(c: Component): { glob: string; span: Span }[] {
  const seq = c.node.get('code', true);
  if (!isSeq(seq)) return [];
  return seq.items.flatMap((item) =>
    isScalar(item) && typeof item.value === 'string' && item.value.trim() !== '' ? [{ glob: item.value, span: spanOf(item) }] : [],
  );
}

/** The component as messages name it: its name (or id), clipped (shared/values.ts). */
function nameOf(c: Component): string {
  return shown(typeof c.data.name === 'string' && c.data.name.trim() ? c.data.name : c.id);
}

function reviewDate(value: unknown): string | undefined {
  const date = (value as { date?: unknown } | undefined)?.date;
  if (date instanceof Date) return date.toISOString().slice(0, 10);
  return typeof date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(date) ? date : undefined;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function listGlobs(globs: readonly string[]): string {
  const named = globs.slice(0, 2).map((g) => shown(g));
  return globs.length <= 2 ? named.join(' and ') : `${named.join(', ')} and ${globs.length - 2} more`;
}

/**
 * The sorted index of a listing and the files each glob matched, kept as long as the listing is: an edit of the model
 * re-links its components without sorting 10,000 paths or testing them against every glob again.
 */
const indexes = new WeakMap<readonly string[], { index: FileIndex; matched: Map<string, readonly string[]> }>();

function indexOf(files: readonly string[]): { index: FileIndex; matched: Map<string, readonly string[]> } {
  let entry = indexes.get(files);
  if (!entry) indexes.set(files, (entry = { index: new FileIndex(files), matched: new Map() }));
  return entry;
}

const touchings = new WeakMap<readonly CommitFacts[], Map<string, readonly CommitFacts[]>>();

function touchingOf(commits: readonly CommitFacts[]): Map<string, readonly CommitFacts[]> {
  let map = touchings.get(commits);
  if (!map) touchings.set(commits, (map = new Map<string, readonly CommitFacts[]>()));
  return map;
}

/** The earliest review date of the model (its own or a component's): history before it cannot make anything stale. */
export function oldestReview(analysis: Analysis): string | undefined {
  const model = analysis.parsed.model;
  if (!model) return undefined;
  return [model.system?.reviewed, ...model.components.map((c) => c.data.reviewed)]
    .map(reviewDate)
    .filter((d): d is string => d !== undefined)
    .sort()[0];
}

export function linkCode(analysis: Analysis, facts: CodeFacts): CodeLinks | undefined {
  const model = analysis.parsed.model;
  if (!model) return undefined;
  const { index, matched } = indexOf(facts.files);
  const systemReview = reviewDate(model.system?.reviewed);
  const diagnostics: CoreDiagnostic[] = [];
  const elements: ElementCode[] = [];
  let folders: string[] | undefined;
  const inModelFolder = facts.modelFolder ? `${facts.modelFolder}/` : '';
  const candidates = () => (folders ??= index.folders());
  const linked = new Set<string>();
  let suggestionsLeft = MAX_PER_KIND;

  for (const c of model.components) {
    const written = globsOf(c);
    if (written.length === 0) continue;
    const name = nameOf(c);
    const files = new Set<string>();
    const globs: LinkedGlob[] = [];
    const matchers: { glob: string; matches: (p: string) => boolean; prefix: string }[] = [];
    for (const { glob, span } of written) {
      const refusal = globMatcher(normaliseCodeGlob(glob)).refused[0];
      if (refusal) {
        diagnostics.push({
          code: DiagnosticCode.CodeLinkRefused,
          severity: 'warning',
          message: `${name}'s code link ${quoted(glob)} links nothing: ${refusal.reason}.`,
          span,
          data: { element: c.id },
        });
        globs.push({ glob, span, matches: 0 });
        continue;
      }
      const m = rootedMatcher(facts.modelFolder, [glob]);
      matchers.push({ glob, ...m });
      const key = `${facts.modelFolder}\n${glob}`;
      let hits = matched.get(key);
      if (!hits) matched.set(key, (hits = [...index.matching(m.prefix, m.matches)]));
      const count = hits.length;
      for (const f of hits) {
        files.add(f);
        linked.add(f);
      }
      globs.push({ glob, span, matches: count });
      if (count === 0 && !facts.filesTruncated) {
        const outside = rooted(facts.modelFolder, glob).startsWith('..');
        // Suggestions only while the diagnostic can still be shown (boundDiagnostics keeps MAX_PER_KIND of a kind).
        const suggestions = outside || suggestionsLeft-- <= 0 ? [] : nearestPaths(glob, facts.modelFolder, candidates(), index);
        diagnostics.push({
          code: DiagnosticCode.DanglingCodeLink,
          severity: 'warning',
          message: outside
            ? `${name}'s code link ${quoted(glob)} points outside the repository.`
            : `${name}'s code link ${quoted(glob)} matches no file in the repository.${suggestions.length ? ` Did you mean ${suggestions.map((s) => quoted(s)).join(' or ')}?` : ''}`,
          span,
          data: { suggestions, element: c.id },
        });
      }
    }
    const stale = facts.commits ? staleness(c, name, matchers, facts, systemReview) : undefined;
    if (stale) {
      diagnostics.push({
        code: DiagnosticCode.CodeChangedSinceReview,
        severity: 'info',
        message: stale.message,
        span: keySpanOf(c, 'code') ?? c.idSpan ?? c.span,
        data: { element: c.id },
      });
    }
    const sorted = [...files].sort();
    elements.push({ element: c, name, globs, files: sorted.slice(0, MAX_LISTED_FILES), fileCount: sorted.length, ...(stale && { stale }) });
  }

  // The source files under the model's folder depend on the listing only: found once per listing.
  const sourceKey = `source\n${facts.modelFolder}\n${(facts.sourceGlobs ?? DEFAULT_SOURCE_FILES).join('\n')}`;
  let sources = matched.get(sourceKey);
  if (!sources) {
    const isSource = rootedMatcher(facts.modelFolder, facts.sourceGlobs ?? DEFAULT_SOURCE_FILES);
    matched.set(sourceKey, (sources = [...index.matching(inModelFolder, isSource.matches)]));
  }
  return { facts, elements, diagnostics: boundDiagnostics(diagnostics), coverage: coverageOf(sources, linked, inModelFolder), index };
}

/** Whether the element's code changed after its review (or, for a range, changed in it and was not reviewed since). */
function staleness(
  c: Component,
  name: string,
  matchers: readonly { glob: string; matches: (p: string) => boolean; prefix: string }[],
  facts: CodeFacts,
  systemReview: string | undefined,
): Staleness | undefined {
  const own = reviewDate(c.data.reviewed);
  const reviewed = own ?? systemReview;
  const reviewOf = own ? 'element' : systemReview ? 'system' : undefined;
  // Without a review date there is nothing to be stale against, except in a range: changed and never reviewed.
  if (!reviewed && !facts.range) return undefined;
  // The commits that touched each glob's files, newest first: found once per history (an edit of the model only
  // filters them by its review dates).
  const touching = touchingOf(facts.commits ?? []);
  const byCommit = new Map<CommitFacts, string[]>();
  for (const m of matchers) {
    const key = `${facts.modelFolder}\n${m.glob}`;
    let list = touching.get(key);
    if (!list) touching.set(key, (list = (facts.commits ?? []).filter((c) => c.files.some((f) => f.startsWith(m.prefix) && m.matches(f)))));
    // Same calendar day counts as reviewed: the review is what the day ends with.
    for (const c of list) if (!reviewed || c.date > reviewed) byCommit.set(c, [...(byCommit.get(c) ?? []), m.glob]);
  }
  const commits = (facts.commits ?? []).filter((c) => byCommit.has(c));
  const globs = new Set(commits.flatMap((c) => byCommit.get(c)!));
  if (commits.length === 0) return undefined;
  const latest = commits[0];
  const count = plural(commits.length, 'commit');
  const changed = `${count} ${facts.range ? `in ${facts.range} ` : ''}changed ${listGlobs([...globs])}`;
  const since = reviewed ? `since the review on ${reviewed}${reviewOf === 'system' ? ' (the model’s)' : ''}` : 'and it was never reviewed';
  return {
    reviewed,
    reviewOf,
    commits: commits.slice(0, MAX_COMMITS_PER_ELEMENT),
    globs: [...globs],
    message: `${name}: ${changed} ${since}; latest ${latest.date} by ${shown(latest.author)}: “${shown(latest.subject, 120)}”. Review the threats of ${name} and record the review.`,
  };
}

/** Paths like the glob that do exist: same last folder name, or close in spelling. Written as the glob was. */
function nearestPaths(glob: string, modelFolder: string, folders: readonly string[], index: FileIndex): string[] {
  const g = glob.trim().replace(/^(\.\/)+/, '');
  const wild = g.search(/[*?[{]/);
  const literal = (wild < 0 ? g : g.slice(0, wild)).replace(/\/+$/, '');
  const tail = wild < 0 ? '' : g.slice(literal.length).replace(/^\/?/, '/');
  // Candidates are written as the glob would be: relative to the model's folder (`../src/api` from `docs/`).
  const local = (p: string) => (modelFolder ? relativePath(modelFolder, p) : p);
  const paths = [...folders, ...(wild < 0 ? index.sorted : [])].map(local);
  if (!literal) return [];
  const last = literal.split('/').pop()!;
  const sameName = paths.filter((p) => p.split('/').pop() === last && p !== literal).slice(0, 3);
  const close = suggest(literal, paths, 3);
  return [...new Set([...sameName, ...close])].slice(0, 3).map((p) => `${p}${tail}`);
}

function coverageOf(sources: readonly string[], linked: ReadonlySet<string>, inModelFolder: string): CodeLinks['coverage'] {
  // Folder (relative to the root, with a trailing slash) → whether some file in it is linked.
  const sourceFolders = new Map<string, boolean>();
  for (const f of sources) {
    const folder = f.slice(0, f.lastIndexOf('/') + 1);
    sourceFolders.set(folder, (sourceFolders.get(folder) ?? false) || linked.has(f));
  }
  if (sourceFolders.size === 0) return undefined;
  const unlinked = [...sourceFolders]
    .filter(([, isLinked]) => !isLinked)
    .map(([folder]) => folder.slice(inModelFolder.length).replace(/\/$/, '') || '.')
    .sort();
  return { folders: sourceFolders.size, unlinked };
}

/** The `code:` glob at `offset` and the files it links (relative to the root). */
export function globAt(links: CodeLinks, offset: number): { glob: string; files: string[] } | undefined {
  for (const e of links.elements)
    for (const g of e.globs) {
      if (offset < g.span.start || offset > g.span.end) continue;
      const m = rootedMatcher(links.facts.modelFolder, [g.glob]);
      return { glob: g.glob, files: [...links.index.matching(m.prefix, m.matches)] };
    }
  return undefined;
}

/** Completion inside a `code:` list: what to replace, and the folders (as `folder/**`) and files one level down. */
export function codePathCompletions(
  analysis: Analysis,
  links: CodeLinks,
  offset: number,
): { replace: Span; items: { path: string; folder: boolean; files: number }[] } | undefined {
  const doc = analysis.parsed.doc;
  if (!doc || !analysis.parsed.model) return undefined;
  const here = locateOffset(doc, analysis.parsed.model, offset);
  if (here.path[0] !== 'components' || here.path[2] !== 'code' || here.onKey) return undefined;
  let typed = '';
  let replace: Span = { start: offset, end: offset };
  if (here.scalar && typeof here.scalar.value === 'string') {
    const raw = analysis.parsed.text.slice(here.scalar.span.start, here.scalar.span.end);
    const quote = /^["']/.test(raw) ? 1 : 0;
    replace = { start: here.scalar.span.start + quote, end: here.scalar.span.end - (quote && /["']$/.test(raw) ? 1 : 0) };
    typed = analysis.parsed.text.slice(replace.start, Math.max(replace.start, Math.min(offset, replace.end)));
  } else if (here.path.length !== 3 && typeof here.path[3] !== 'number') return undefined;
  const own = links.facts.modelFolder ? `${links.facts.modelFolder}/` : '';
  const dir = typed.slice(0, typed.lastIndexOf('/') + 1).replace(/^(\.\/)+/, '');
  if (/[*?[{]/.test(dir)) return undefined;
  const base = dir ? `${rooted(links.facts.modelFolder, dir)}/` : own;
  if (base.startsWith('..')) return undefined;
  const folders = new Map<string, number>();
  const files: string[] = [];
  for (const f of links.index.matching(base, () => true)) {
    const rest = f.slice(base.length);
    const slash = rest.indexOf('/');
    if (slash < 0) files.push(rest);
    else folders.set(rest.slice(0, slash), (folders.get(rest.slice(0, slash)) ?? 0) + 1);
  }
  const items = [
    ...[...folders].map(([name, count]) => ({ path: `${dir}${name}/**`, folder: true, files: count })),
    ...files.map((name) => ({ path: `${dir}${name}`, folder: false, files: 1 })),
  ].slice(0, 500);
  return { replace, items };
}
