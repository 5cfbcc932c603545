/**
 * The files Threatcode ships beside its bundles: the built-in rule packs (rules/builtin/*.yaml) and the starter
 * model. Found from the running bundle's folder upwards, so the same code works in the repository, in the packaged
 * extension and in the npm package.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { type LoadedRuleSet, loadRuleSet, type PackSource } from '../analysis/rules/ruleset';
import { PEER_CATALOGS, type PeerCatalogItems } from '../analysis/rules/types';

/** The folder that holds rules/ (the repository root, or the installed extension's or package's folder). */
export function packageRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    if (existsSync(path.join(dir, 'rules', 'builtin'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`Threatcode's rules/ folder was not found above ${from}`);
    dir = parent;
  }
}

export function builtinPackSources(root: string = packageRoot()): PackSource[] {
  const dir = path.join(root, 'rules', 'builtin');
  // Sorted: the mitigation catalog (00-) loads first, and the order of findings is stable.
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ uri: pathToFileURL(path.join(dir, f)).toString(), text: readFileSync(path.join(dir, f), 'utf8'), builtin: true }));
}

let builtin: LoadedRuleSet | undefined;

/** The built-in catalog, loaded once per process. */
export function builtinRuleSet(): LoadedRuleSet {
  builtin ??= loadRuleSet(builtinPackSources());
  return builtin;
}

/**
 * The public catalogs the rules are measured against (rules/catalogs/*.yaml), in PEER_CATALOGS order; none when the
 * folder is not shipped. They are our own data files: a malformed one is a packaging bug and throws.
 */
export function peerCatalogs(root: string = packageRoot()): PeerCatalogItems[] {
  const dir = path.join(root, 'rules', 'catalogs');
  if (!existsSync(dir)) return [];
  const catalogs = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => {
      const data = parse(readFileSync(path.join(dir, f), 'utf8')) as Partial<PeerCatalogItems> | null;
      const known = (PEER_CATALOGS as readonly string[]).includes(String(data?.catalog));
      if (!data || !known || typeof data.title !== 'string' || typeof data.url !== 'string' || !Array.isArray(data.items)) {
        throw new Error(`rules/catalogs/${f}: not a catalog of ${PEER_CATALOGS.join(', ')}`);
      }
      return data as PeerCatalogItems;
    });
  return catalogs.sort((a, b) => PEER_CATALOGS.indexOf(a.catalog) - PEER_CATALOGS.indexOf(b.catalog));
}

/** The starter model `threatcode init` and "New Threat Model" write. */
export function starterModel(root: string = packageRoot()): string {
  return readFileSync(path.join(root, 'server', 'templates', 'starter.tm.yaml'), 'utf8');
}
