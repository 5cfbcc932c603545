/**
 * Finding user rule packs on disk: `.threatcode/rules/*.yaml` in a workspace folder, plus paths named in the
 * `threatcode.rulePacks` setting (or the CLI's --rules). Packs are data files inside the workspace: a path that
 * resolves outside it (through `..`, an absolute path or a symbolic link) is refused.
 */
import { readdirSync, realpathSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MAX_PACK_LENGTH } from '../analysis/rules/load';
import type { PackSource } from '../analysis/rules/ruleset';
import { readRegularFile } from './regular-file';

export const WORKSPACE_PACK_DIR = path.join('.threatcode', 'rules');

export interface DiscoveredPacks {
  readonly sources: PackSource[];
  /** Human-readable reasons for packs that were not loaded (shown as warnings). */
  readonly refused: string[];
}

export function discoverUserPacks(folder: string, extraPaths: readonly string[] = []): DiscoveredPacks {
  const sources: PackSource[] = [];
  const refused: string[] = [];
  let root: string;
  try {
    root = realpathSync(folder);
  } catch {
    return { sources, refused: [`Workspace folder ${folder} cannot be read.`] };
  }
  const seen = new Set<string>();
  const add = (file: string, named: string) => {
    let real: string;
    try {
      real = realpathSync(file);
    } catch {
      refused.push(`Rule pack ${named} does not exist.`);
      return;
    }
    const relative = path.relative(root, real);
    if (relative.startsWith('..') || path.isAbsolute(relative)) {
      refused.push(`Rule pack ${named} is outside the workspace folder ${folder} and was not loaded.`);
      return;
    }
    if (seen.has(real)) return;
    seen.add(real);
    // A folder named `x.yaml`, a device or a pipe is refused by name; the other packs still load.
    const read = readRegularFile(real, root, MAX_PACK_LENGTH * 4);
    if ('refused' in read) {
      refused.push(`Rule pack ${named} is not a regular file and was not loaded.`);
      return;
    }
    if ('tooLarge' in read) {
      refused.push(`Rule pack ${named} is ${Math.round(read.tooLarge / 1024)} KB; packs over ${MAX_PACK_LENGTH / 1024} KB are not loaded.`);
      return;
    }
    sources.push({ uri: pathToFileURL(real).toString(), text: read.bytes.toString('utf8'), builtin: false });
  };

  const dir = path.join(root, WORKSPACE_PACK_DIR);
  let entries: string[] = [];
  try {
    entries = readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort();
  } catch {
    // no workspace packs
  }
  for (const f of entries) add(path.join(dir, f), path.join(WORKSPACE_PACK_DIR, f));
  for (const p of extraPaths) add(path.resolve(root, p), p);
  return { sources, refused };
}
