/**
 * The files Threatcode ships beside its bundles: the built-in rule packs (rules/builtin/*.yaml) and the starter
 * model. Found from the running bundle's folder upwards, so the same code works in the repository, in the packaged
 * extension and in the npm package.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { type LoadedRuleSet, loadRuleSet, type PackSource, ruleSetOf } from '../analysis/rules/ruleset';
import { PEER_CATALOGS, type PeerCatalogItems, type RulePack } from '../analysis/rules/types';
import { type CompiledCatalog, compiledCatalog } from './compiled-catalog';

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
  // Sorted: the compliance frameworks and the mitigation catalog (00-) load first, and the order of findings is stable.
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ uri: pathToFileURL(path.join(dir, f)).toString(), text: readFileSync(path.join(dir, f), 'utf8'), builtin: true }));
}

let builtin: LoadedRuleSet | undefined;

/**
 * The built-in catalog, once per process: compiled when the bundle was built, or (from the sources) loaded from
 * rules/builtin/ with the same checks as any pack.
 */
export function builtinRuleSet(): LoadedRuleSet {
  if (!builtin) {
    const compiled = compiledCatalog();
    builtin = compiled
      ? { ruleSet: ruleSetOf(withRoot(compiled, packageRoot())), diagnostics: new Map() }
      : loadRuleSet(builtinPackSources());
  }
  return builtin;
}

/** The built-in packs, for user packs to be loaded after. */
export function builtinPacks(): readonly RulePack[] {
  return builtinRuleSet().ruleSet.packs;
}

/**
 * The built-in catalog as data, its pack URIs relative to `root`, for the bundles to carry. The build fails when a
 * built-in pack has a problem: they are ours.
 */
export function compileCatalog(root: string = packageRoot()): CompiledCatalog {
  const { ruleSet, diagnostics } = loadRuleSet(builtinPackSources(root));
  const problems = [...diagnostics].flatMap(([uri, list]) => list.map((d) => `${uri}: ${d.message}`));
  if (problems.length > 0) throw new Error(`The built-in rule packs have problems:\n${problems.join('\n')}`);
  const prefix = `${pathToFileURL(root).href}/`;
  const relative = (uri: string) => (uri.startsWith(prefix) ? uri.slice(prefix.length) : uri);
  return { packs: ruleSet.packs.map((p) => rebase(p, relative)) };
}

function withRoot(catalog: CompiledCatalog, root: string): RulePack[] {
  const prefix = `${pathToFileURL(root).href}/`;
  return catalog.packs.map((p) => rebase(p, (uri) => prefix + uri));
}

function rebase(pack: RulePack, uri: (uri: string) => string): RulePack {
  return { ...pack, uri: uri(pack.uri), rules: pack.rules.map((r) => ({ ...r, source: { ...r.source, uri: uri(r.source.uri) } })) };
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
