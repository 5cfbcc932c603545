/**
 * Links between a model's components and the repository's files (`code:` globs), as one matcher shared by the server
 * (dangling links, staleness, coverage, Go to Definition) and the extension (the CodeLens in source files). Globs are
 * relative to the model's folder, so a model and its code move together and mean the same with or without git.
 */
import { globMatcher, isGlob } from './glob';

/** A glob as written, made usable: `./src/x` is `src/x`, a folder without wildcards stands for everything in it. */
export function normaliseCodeGlob(glob: string): string[] {
  const g = glob
    .trim()
    .replace(/\\/g, '/')
    .replace(/^(\.\/)+/, '');
  if (g === '' || g === '.' || g === './') return ['**'];
  const bare = g.replace(/\/+$/, '');
  // `src/payments` and `src/payments/` mean the folder: its files are linked, as a person reading it would expect.
  return isGlob(bare) ? [bare] : [bare, `${bare}/**`];
}

/**
 * Whether a path (relative to the model's folder, `/`-separated) matches one of the globs. Dot files and folders count
 * (`.github/**`); `..` steps out of the model's folder only when the glob says so. Matching is linear (shared/glob.ts):
 * globs come from models anyone can write. A glob the matcher refuses matches nothing (linkCode says why).
 */
export function codeMatcher(globs: readonly string[]): (relative: string) => boolean {
  const patterns = globs.flatMap(normaliseCodeGlob);
  if (patterns.length === 0) return () => false;
  return globMatcher(patterns).matches;
}

/** `/`-separated path of `file` relative to `folder` (both absolute and `/`-separated), `../` when outside. */
export function relativePath(folder: string, file: string): string {
  const a = folder.replace(/\/+$/, '').split('/');
  const b = file.split('/');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return [...a.slice(i).map(() => '..'), ...b.slice(i)].join('/');
}

/** What a source file's CodeLens says about one element linked to it. */
export interface CodeLinkElement {
  readonly id: string;
  readonly name: string;
  /** The `code:` globs as written. */
  readonly globs: readonly string[];
  /** Where the element is defined in its model (0-based line), for "reveal". */
  readonly line: number;
  readonly openThreats: readonly { readonly id: string; readonly title: string; readonly severity?: string }[];
  readonly openFindings: readonly { readonly rule: string; readonly title: string; readonly severity: string }[];
  /** "3 commits changed services/auth/** since the review on 2026-09-30", when the code changed after the review. */
  readonly stale?: string;
  /** The review date the code changed after (absent for code changed in a range and never reviewed). */
  readonly staleSince?: string;
}

/** The links of one model, for the extension's CodeLens: the model's folder is the globs' base. */
export interface CodeLinkModel {
  readonly uri: string;
  /** Absolute, `/`-separated path of the model's folder. */
  readonly folder: string;
  readonly elements: readonly CodeLinkElement[];
}

/** Every model of the workspace that links code, compiled once for matching many files. */
export class CodeLinkIndex {
  private readonly compiled: { model: CodeLinkModel; element: CodeLinkElement; matches: (relative: string) => boolean }[];

  constructor(readonly models: readonly CodeLinkModel[]) {
    this.compiled = models.flatMap((model) => model.elements.map((element) => ({ model, element, matches: codeMatcher(element.globs) })));
  }

  /** The elements linked to a file (absolute, `/`-separated), in model order. */
  elementsFor(file: string): { model: CodeLinkModel; element: CodeLinkElement }[] {
    const out: { model: CodeLinkModel; element: CodeLinkElement }[] = [];
    const relative = new Map<string, string>();
    for (const c of this.compiled) {
      let r = relative.get(c.model.folder);
      if (r === undefined) relative.set(c.model.folder, (r = relativePath(c.model.folder, file)));
      if (c.matches(r)) out.push({ model: c.model, element: c.element });
    }
    return out;
  }
}
