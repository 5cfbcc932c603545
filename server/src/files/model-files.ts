/**
 * Finding threat models (`*.tm.yaml`, `*.tm.yml`) in a folder: one walk for the CLI and the language server. Folders
 * that hold dependencies, build output or version control are skipped, and so is anything the caller excludes.
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';

export const MODEL_FILE = /\.tm\.ya?ml$/;

/** Folders never searched: dependencies, build output, version control, test installs. */
export const SKIPPED_FOLDERS: ReadonlySet<string> = new Set(['node_modules', '.git', 'dist', 'out', '.vscode-test']);

export interface FindOptions {
  /** Stop after this many files. */
  readonly limit?: number;
  /** Whether a path (relative to the root, with forward slashes) is excluded, e.g. by the editor's files.exclude. */
  readonly excluded?: (relative: string, isFolder: boolean) => boolean;
}

/** The model files under `root`, in the order of a depth-first walk with entries sorted by name. */
export function findModelFiles(root: string, options: FindOptions = {}): string[] {
  const found: string[] = [];
  const limit = options.limit ?? Infinity;
  const stack = [root];
  while (stack.length > 0 && found.length < limit) {
    const dir = stack.pop()!;
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
        if (!SKIPPED_FOLDERS.has(e.name) && !options.excluded?.(relative, true)) folders.push(full);
      } else if (e.isFile() && MODEL_FILE.test(e.name) && !options.excluded?.(relative, false)) {
        found.push(full);
        if (found.length >= limit) break;
      }
    }
    // Reversed onto the stack so that folders are visited in name order.
    for (let i = folders.length - 1; i >= 0; i--) stack.push(folders[i]);
  }
  return found;
}
