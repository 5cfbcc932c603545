/**
 * What every command shares: exit codes, usage errors, the options for rules and file size, loading the rules in
 * force and one model file, and writing the output.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { type Analysis, analyzeText } from '../analysis/analyze';
import { loadRuleSet } from '../analysis/rules/ruleset';
import type { RuleSet } from '../analysis/rules/types';
import { builtinPackSources } from '../files/package-files';
import { discoverUserPacks } from '../files/rule-pack-files';
import { decodeModelBytes } from '../model/decode';
import type { CoreDiagnostic } from '../model/diagnostics';
import { maxLengthForMB } from '../model/parse';
import { DEFAULT_SETTINGS } from '../shared/settings';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export type Out = (s: string) => void;

/** A mistake in the command line: reported in one line, exit code 2. */
export class UsageError extends Error {}

export const COMMON_OPTIONS_HELP = `  --rules <file>              Load an extra rule pack (repeatable). Packs in ./.threatcode/rules load too.
  --no-user-rules             Run the built-in rules only.
  --max-file-size <MB>        Do not analyse larger files (default: ${DEFAULT_SETTINGS.maxFileSizeMB}).`;

export const commonOptions = {
  rules: { type: 'string', multiple: true },
  'no-user-rules': { type: 'boolean' },
  'max-file-size': { type: 'string' },
  output: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

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
  const discovered = values['no-user-rules'] ? { sources: [], refused: [] } : discoverUserPacks(process.cwd(), values.rules ?? []);
  for (const reason of discovered.refused) err(`threatcode: ${reason}\n`);
  const { ruleSet, diagnostics } = loadRuleSet([...builtinPackSources(), ...discovered.sources]);
  let failed = discovered.refused.length > 0;
  for (const source of discovered.sources) {
    const document = TextDocument.create(source.uri, 'yaml', 0, source.text);
    for (const d of diagnostics.get(source.uri) ?? []) {
      const at = document.positionAt(d.span.start);
      err(
        `${path.relative(process.cwd(), fileURLToPath(source.uri))}:${at.line + 1}:${at.character + 1} ${d.severity} ${d.code} ${d.message}\n`,
      );
      if (d.severity === 'error') failed = true;
    }
  }
  // A CI run must not silently skip rules: a broken pack is a usage error.
  return failed ? undefined : ruleSet;
}

/** The `maxLength` for --max-file-size, or undefined for the default. */
export function maxLengthOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const mb = Number(value);
  if (!Number.isFinite(mb) || mb <= 0) throw new UsageError('--max-file-size must be a positive number of MB.');
  return maxLengthForMB(mb);
}

/** Reads and analyses one model file; undefined (after saying why) when it cannot be read. */
export function loadModel(file: string, ruleSet: RuleSet, maxLength: number | undefined, err: Out): LoadedModel | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    err(`threatcode: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
    return undefined;
  }
  const decoded = decodeModelBytes(bytes);
  const text = decoded.text ?? '';
  const analysis = decoded.diagnostic ? undefined : analyzeText(text, { maxLength, rules: ruleSet });
  const diagnostics = decoded.diagnostic ? [decoded.diagnostic] : analysis!.diagnostics;
  const document = TextDocument.create(file, 'threatmodel', 0, text);
  return {
    file,
    text,
    analysis,
    diagnostics: diagnostics.map((d) => {
      const s = document.positionAt(d.span.start);
      const e = document.positionAt(d.span.end);
      return { ...d, line: s.line + 1, column: s.character + 1, endLine: e.line + 1, endColumn: e.character + 1 };
    }),
  };
}

/** `file:line:col severity code message`, the text format of every command. */
export function problemLine(file: string, d: Positioned): string {
  return `${file}:${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}\n`;
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
