/**
 * What every command shares: exit codes, usage errors, the options for rules and file size, loading the rules in
 * force and one model file, and writing the output.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { globSync, isDynamicPattern } from 'tinyglobby';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { type Analysis, analyzeText } from '../analysis/analyze';
import { loadRuleSet } from '../analysis/rules/ruleset';
import type { RuleSet } from '../analysis/rules/types';
import { nodeFileSystem } from '../files/node-file-system';
import { ModelStore } from '../workspace/model-store';
import { findModelFiles, SKIPPED_FOLDERS } from '../files/model-files';
import { builtinPacks } from '../files/package-files';
import { type FileRead, readRegularFile } from '../files/regular-file';
import { discoverUserPacks } from '../files/rule-pack-files';
import { decodeModelBytes } from '../model/decode';
import { type CoreDiagnostic, DiagnosticCode } from '../model/diagnostics';
import { DEFAULT_MAX_LENGTH, maxLengthForMB, tooLargeMessage } from '../model/parse';
import { didYouMean, suggest } from '../model/suggest';
import { DEFAULT_SETTINGS } from '../shared/settings';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export type Out = (s: string) => void;

/** A mistake in the command line: reported in one line, exit code 2. */
export class UsageError extends Error {}

export const COMMON_OPTIONS_HELP = `  --rules <file|npm:package>  Load an extra rule pack (repeatable): a file, or the packs an npm package installed
                              in ./node_modules lists (npm:@acme/threat-rules). Packs in ./.threatcode/rules load too.
  --no-user-rules             Run the built-in rules only.
  --max-file-size <MB>        Do not analyse larger files (default: ${DEFAULT_SETTINGS.maxFileSizeMB}).`;

export const commonOptions = {
  rules: { type: 'string', multiple: true },
  'no-user-rules': { type: 'boolean' },
  'max-file-size': { type: 'string' },
  output: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * The command's arguments parsed (node:util's parseArgs); an unknown or misused option is a usage error that names
 * the closest known option.
 */
export function parseCommand<T extends NonNullable<ParseArgsConfig['options']>>(command: string, args: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...args], allowPositionals: true, strict: true, options });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const unknown = /Unknown option '(-{1,2}[^']+)'/.exec((e as Error).message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) {
      const known = Object.keys(options).map((o) => `--${o}`);
      throw new UsageError(
        `unknown option '${unknown}' for '${command}'.${didYouMean(suggest(unknown, known, 1))} Run 'threatcode ${command} --help'.`,
      );
    }
    if (code?.startsWith('ERR_PARSE_ARGS')) throw new UsageError(`${(e as Error).message} Run 'threatcode ${command} --help'.`);
    throw e;
  }
}

/** A diagnostic with 1-based line and column, as the CLI prints it. */
export type Positioned = CoreDiagnostic & {
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
};

export interface LoadedModel {
  readonly file: string;
  readonly text: string;
  readonly analysis: Analysis | undefined;
  readonly diagnostics: readonly Positioned[];
}

/** Rule packs: built-in, then the current folder's .threatcode/rules and --rules. Undefined on pack errors. */
export function loadRules(values: { rules?: string[]; 'no-user-rules'?: boolean }, err: Out): RuleSet | undefined {
  const { ruleSet, failed } = loadRulesReporting(values, err);
  return failed ? undefined : ruleSet;
}

/**
 * The rules in force, and whether a pack could not be loaded (said on standard error, with its file and line). The
 * other packs, the built-in ones included, are loaded all the same; `check` runs them and exits 2 at the end, so that a
 * CI run neither skips rules silently nor loses every result to one bad file.
 */
export function loadRulesReporting(
  values: { rules?: string[]; 'no-user-rules'?: boolean },
  err: Out,
): { ruleSet: RuleSet; failed: boolean } {
  const discovered = values['no-user-rules'] ? { sources: [], refused: [] } : discoverUserPacks(process.cwd(), values.rules ?? []);
  for (const reason of discovered.refused) err(`threatcode: ${oneLine(reason)}\n`);
  const { ruleSet, diagnostics } = loadRuleSet(discovered.sources, builtinPacks());
  let failed = discovered.refused.length > 0;
  for (const source of discovered.sources) {
    const document = TextDocument.create(source.uri, 'yaml', 0, source.text);
    for (const d of diagnostics.get(source.uri) ?? []) {
      const at = document.positionAt(d.span.start);
      err(
        `${oneLine(path.relative(process.cwd(), fileURLToPath(source.uri)))}:${at.line + 1}:${at.character + 1} ${d.severity} ${d.code} ${oneLine(d.message)}\n`,
      );
      if (d.severity === 'error') failed = true;
    }
  }
  return { ruleSet, failed };
}

/** The `maxLength` for --max-file-size, or undefined for the default. */
export function maxLengthOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const mb = Number(value);
  if (!Number.isFinite(mb) || mb <= 0) throw new UsageError('--max-file-size must be a positive number of MB.');
  return maxLengthForMB(mb);
}

/**
 * The models that models import, read once per run however many import them. The current folder is the workspace:
 * an import that leaves it is refused, as the editor refuses one that leaves the workspace folder.
 */
const stores = new Map<number, ModelStore>();

function importsFor(file: string, maxLength: number, rules: RuleSet): NonNullable<Parameters<typeof analyzeText>[1]['imports']> {
  let store = stores.get(maxLength);
  if (!store) {
    const root = pathToFileURL(process.cwd()).href;
    stores.set(
      maxLength,
      (store = new ModelStore({ fs: nodeFileSystem, roots: () => [root], maxLength: () => maxLength, rules: () => rules })),
    );
  }
  return { uri: pathToFileURL(path.resolve(file)).href, resolver: store.resolver() };
}

/** Reads and analyses one model file; undefined (after saying why) when it cannot be read. */
export function loadModel(
  file: string,
  ruleSet: RuleSet,
  maxLength: number | undefined,
  err: Out,
  content?: Buffer,
): LoadedModel | undefined {
  let bytes: Buffer;
  if (content) bytes = content;
  else {
    let read: FileRead;
    try {
      // A UTF-8 character is at most 4 bytes: a file above 4x the limit in characters is too large unread.
      read = readRegularFile(file, process.cwd(), (maxLength ?? DEFAULT_MAX_LENGTH) * 4);
    } catch (e) {
      err(`threatcode: cannot read ${oneLine(file)}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
      return undefined;
    }
    if ('refused' in read) {
      err(`threatcode: ${oneLine(read.refused)}\n`);
      return undefined;
    }
    if ('tooLarge' in read) {
      const limit = maxLength ?? DEFAULT_MAX_LENGTH;
      const d = {
        code: DiagnosticCode.FileTooLarge,
        severity: 'error' as const,
        message: tooLargeMessage(read.tooLarge, limit),
        span: { start: 0, end: 0 },
      };
      return { file, text: '', analysis: undefined, diagnostics: [{ ...d, line: 1, column: 1, endLine: 1, endColumn: 1 }] };
    }
    bytes = read.bytes;
  }
  const decoded = decodeModelBytes(bytes);
  const text = decoded.text ?? '';
  const imports = importsFor(content ? path.join(process.cwd(), 'standard-input.tm.yaml') : file, maxLength ?? DEFAULT_MAX_LENGTH, ruleSet);
  const analysis = decoded.diagnostic ? undefined : analyzeText(text, { maxLength, rules: ruleSet, imports });
  const diagnostics = decoded.diagnostic ? [decoded.diagnostic] : analysis!.diagnostics;
  return { file, text, analysis, diagnostics: positioned(file, text, diagnostics) };
}

/**
 * The models named (files, folders, globs; default: the current folder), each analysed with its imports, for the
 * commands that take several models as one system. Undefined (after saying why) when none can be read.
 */
export function loadSystem(
  paths: readonly string[],
  ruleSet: RuleSet,
  maxLength: number | undefined,
  err: Out,
): { uri: string; file: string; analysis: Analysis }[] | undefined {
  const out: { uri: string; file: string; analysis: Analysis }[] = [];
  for (const file of collectFiles(paths.length ? paths : ['.'])) {
    const loaded = loadModel(file, ruleSet, maxLength, err);
    if (!loaded?.analysis?.parsed.model) {
      err(`threatcode: ${oneLine(file)} is not a threat model; left out of the system.\n`);
      continue;
    }
    out.push({
      uri: pathToFileURL(path.resolve(file)).href,
      file: path.relative(process.cwd(), path.resolve(file)) || file,
      analysis: loaded.analysis,
    });
  }
  if (out.length === 0) {
    err('threatcode: no threat model to report on.\n');
    return undefined;
  }
  return out;
}

/**
 * Files named on the command line are taken as they are; directories are searched for *.tm.yaml; anything else is
 * a glob (quoted in CI scripts so the shell leaves it alone). Sorted, without duplicates.
 */
export function collectFiles(paths: readonly string[]): string[] {
  const found = new Set<string>();
  for (const p of paths) {
    let stat;
    try {
      stat = statSync(p);
    } catch {
      stat = undefined;
    }
    if (stat?.isDirectory()) for (const f of findModelFiles(p, { gitignore: true })) found.add(f);
    else if (stat) found.add(p);
    else if (isDynamicPattern(p)) {
      const matches = globSync(p, { ignore: [...SKIPPED_FOLDERS].map((d) => `**/${d}/**`), onlyFiles: true, followSymbolicLinks: false });
      if (matches.length === 0) throw new UsageError(`no files match ${p}`);
      for (const m of matches) found.add(m);
    } else throw new UsageError(`no such file or directory: ${p}`);
  }
  return [...found].sort();
}

/** Diagnostics with 1-based lines and columns, as terminals and CI formats show them. */
export function positioned(file: string, text: string, diagnostics: readonly CoreDiagnostic[]): Positioned[] {
  const document = TextDocument.create(file, 'threatmodel', 0, text);
  return diagnostics.map((d) => {
    const s = document.positionAt(d.span.start);
    const e = document.positionAt(d.span.end);
    return { ...d, line: s.line + 1, column: s.character + 1, endLine: e.line + 1, endColumn: e.character + 1 };
  });
}

/**
 * Text for one line of a terminal or CI log: line breaks and other control characters (escape sequences that move the
 * cursor or recolour a log) shown as escapes, so that no name in a model can forge a line or hide one.
 */
export function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must not reach the log raw
  return s.replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g, (c) => {
    const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** `file:line:col severity code message`, the text format of every command. */
export function problemLine(file: string, d: Positioned): string {
  return `${oneLine(file)}:${d.line}:${d.column} ${d.severity} ${oneLine(d.code)} ${oneLine(d.message)}\n`;
}

/** Writes to --output, or to standard output. */
export function emit(text: string, output: string | undefined, out: Out): void {
  if (output) writeFileSync(output, text);
  else out(text);
}

/** The one model file a command takes. */
export function oneModel(command: string, positionals: readonly string[], help: string): string {
  if (positionals.length !== 1) throw new UsageError(`${command} takes exactly one model file.\n\n${help}`);
  const file = positionals[0];
  if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
  return file;
}
