/**
 * Finding user rule packs on disk: `.threatcode/rules/*.yaml` in a workspace folder, plus paths named in the
 * `threatcode.rulePacks` setting (or the CLI's --rules), and packs published as npm packages (`npm:@acme/threat-rules`:
 * the package installed in the workspace's node_modules lists its packs in its package.json, `threatcode.rulePacks`).
 * Packs are data files inside the workspace: a path that resolves outside it (through `..`, an absolute path or a
 * symbolic link), or outside its package, is refused. Nothing in a package is run.
 */
import { readdirSync, realpathSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MAX_PACK_LENGTH } from '../analysis/rules/load';
import type { PackSource } from '../analysis/rules/ruleset';
import { readRegularFile } from './regular-file';
import { NAME_LIMIT, quoted, shown } from '../shared/values';

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
  const add = (file: string, written: string, within = root) => {
    // The name as a message shows it: a package.json may list a name of any length.
    const named = shown(written, NAME_LIMIT);
    let real: string;
    try {
      real = realpathSync(file);
    } catch {
      refused.push(`Rule pack ${named} does not exist.`);
      return;
    }
    const relative = path.relative(root, real);
    if (relative.startsWith('..') || path.isAbsolute(relative)) {
      // The workspace's absolute path is left out: in CI it is the runner's checkout, and messages reach public logs.
      refused.push(`Rule pack ${named} is outside the workspace folder and was not loaded.`);
      return;
    }
    const inPackage = path.relative(within, real);
    if (inPackage.startsWith('..') || path.isAbsolute(inPackage)) {
      refused.push(`Rule pack ${named} is outside its package and was not loaded.`);
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
  for (const p of extraPaths) {
    if (!p.startsWith(NPM_PREFIX)) {
      add(path.resolve(root, p), p);
      continue;
    }
    const found = packagePacks(root, p.slice(NPM_PREFIX.length));
    if ('refused' in found) refused.push(found.refused);
    else for (const pack of found.packs) add(path.join(found.dir, pack), `${p.slice(NPM_PREFIX.length)}/${pack}`, found.dir);
  }
  return { sources, refused };
}

/** How a rule pack published as an npm package is named in the setting and on the command line. */
export const NPM_PREFIX = 'npm:';

/** npm's package names: `name` or `@scope/name`, lower case, no path steps. */
const PACKAGE_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

/** The packs an installed package lists (`threatcode.rulePacks` in its package.json), or why there are none. */
function packagePacks(root: string, name: string): { dir: string; packs: string[] } | { refused: string } {
  if (!PACKAGE_NAME.test(name)) return { refused: `Rule pack package ${quoted(name)} is not an npm package name.` };
  const dir = path.join(root, 'node_modules', ...name.split('/'));
  let real: string;
  try {
    real = realpathSync(dir);
  } catch {
    return { refused: `Rule pack package ${name} is not installed (no node_modules/${name} in the workspace folder): npm install it.` };
  }
  const manifest = readRegularFile(path.join(real, 'package.json'), real, 1024 * 1024);
  if (!('bytes' in manifest)) return { refused: `Rule pack package ${name} has no readable package.json.` };
  let packs: unknown;
  try {
    const json = JSON.parse(manifest.bytes.toString('utf8')) as { threatcode?: { rulePacks?: unknown } };
    packs = json.threatcode?.rulePacks;
  } catch {
    return { refused: `Rule pack package ${name}: its package.json is not valid JSON.` };
  }
  if (!Array.isArray(packs) || packs.length === 0 || !packs.every((x) => typeof x === 'string'))
    return { refused: `Rule pack package ${name} lists no packs: its package.json needs "threatcode": { "rulePacks": ["rules/x.yaml"] }.` };
  return { dir: real, packs: packs.slice(0, 50) };
}
