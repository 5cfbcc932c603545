/**
 * Finding threat models (`*.tm.yaml`, `*.tm.yml`) in a folder: one walk for the CLI and the language server. Folders
 * that hold dependencies, build output or version control are skipped, and so is anything the caller excludes.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';

export const MODEL_FILE = /\.tm\.ya?ml$/;

/** Folders never searched: dependencies, build output, version control, test installs. */
export const SKIPPED_FOLDERS: ReadonlySet<string> = new Set(['node_modules', '.git', 'dist', 'out', '.vscode-test']);

export interface FindOptions {
  /** Stop after this many files. */
  readonly limit?: number;
  /** Whether a path (relative to the root, with forward slashes) is excluded, e.g. by the editor's files.exclude. */
  readonly excluded?: (relative: string, isFolder: boolean) => boolean;
  /** Leave out what the `.gitignore` files of the searched folders ignore (as git would not commit it). */
  readonly gitignore?: boolean;
}

/** The rules of one folder's `.gitignore`, matched against paths relative to that folder. */
interface IgnoreRules {
  readonly base: string;
  readonly rules: Ignore;
}

function gitignoreOf(dir: string): IgnoreRules | undefined {
  let text: string;
  try {
    text = readFileSync(path.join(dir, '.gitignore'), 'utf8');
  } catch {
    return undefined;
  }
  return { base: dir, rules: ignore().add(text) };
}

/** The .gitignore rules of the folders above `root`, up to the top of its git work tree (none outside one). */
function gitignoresAbove(root: string): IgnoreRules[] {
  const chain: string[] = [];
  let dir = path.resolve(root);
  for (;;) {
    const parent = path.dirname(dir);
    // A folder or (in worktrees and submodules) a file.
    if (existsSync(path.join(dir, '.git'))) break;
    if (parent === dir) return []; // not inside a git work tree
    chain.unshift(parent);
    dir = parent;
  }
  return chain.map(gitignoreOf).filter((r): r is IgnoreRules => r !== undefined);
}

function isGitIgnored(full: string, isFolder: boolean, rules: readonly IgnoreRules[]): boolean {
  return rules.some((r) => {
    const relative = path.relative(r.base, full).split(path.sep).join('/');
    return relative !== '' && !relative.startsWith('..') && r.rules.ignores(isFolder ? `${relative}/` : relative);
  });
}

/** The model files under `root`, in the order of a depth-first walk with entries sorted by name. */
export function findModelFiles(root: string, options: FindOptions = {}): string[] {
  return walkFiles(root, { ...options, match: MODEL_FILE });
}

/** The files under `root` whose names match (all by default), depth first, entries sorted by name. */
export function walkFiles(root: string, options: FindOptions & { readonly match?: RegExp } = {}): string[] {
  const match = options.match ?? /(?:)/;
  const found: string[] = [];
  const limit = options.limit ?? Infinity;
  // Each folder carries the .gitignore rules of the folders above it (within the searched root) and its own.
  const stack: { dir: string; rules: readonly IgnoreRules[] }[] = [{ dir: root, rules: options.gitignore ? gitignoresAbove(root) : [] }];
  while (stack.length > 0 && found.length < limit) {
    const { dir, rules: above } = stack.pop()!;
    const own = options.gitignore ? gitignoreOf(dir) : undefined;
    const rules = own ? [...above, own] : above;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue; // unreadable folders are skipped, as an editor's search does
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const folders: string[] = [];
    for (const e of entries) {
      const full = path.join(dir, e.name);
      const relative = path.relative(root, full).split(path.sep).join('/');
      if (e.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(e.name) && !options.excluded?.(relative, true) && !isGitIgnored(full, true, rules)) folders.push(full);
      } else if (e.isFile() && match.test(e.name) && !options.excluded?.(relative, false) && !isGitIgnored(full, false, rules)) {
        found.push(full);
        if (found.length >= limit) break;
      }
    }
    // Reversed onto the stack so that folders are visited in name order.
    for (let i = folders.length - 1; i >= 0; i--) stack.push({ dir: folders[i], rules });
  }
  return found;
}
