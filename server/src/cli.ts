/**
 * `threatcode` command line: the same analysis as the language server, for CI pipelines and terminals.
 * Exit codes: 0 nothing at or above the --fail-on threshold, 1 something is, 2 usage or I/O error.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { discoverUserPacks } from './analysis/rules/discover';
import { rulesMarkdown } from './analysis/rules/docs';
import { builtinPackSources, builtinRuleSet, loadRuleSet } from './analysis/rules/ruleset';
import { analyzeText } from './model/analyze';
import { decodeModelBytes } from './model/decode';
import type { CoreDiagnostic, DiagnosticSeverity } from './model/diagnostics';

declare const SERVER_VERSION: string;

const EXIT_OK = 0;
const EXIT_FINDINGS = 1;
const EXIT_USAGE = 2;

const MODEL_FILE = /\.tm\.ya?ml$/;
const SKIPPED_DIRS = new Set(['node_modules', '.git', 'dist', 'out', '.vscode-test']);
const SEVERITY_RANK: Record<DiagnosticSeverity, number> = { error: 3, warning: 2, info: 1, hint: 0 };

class UsageError extends Error {}

const HELP = `Usage: threatcode <command> [options]

Commands:
  check [paths...]   Analyse threat models (*.tm.yaml); default: all under the current folder.
  rules              List the built-in rules (--format text|json|markdown).

Options:
  -h, --help         Show help (also: threatcode <command> --help).
  -v, --version      Print the version.
`;

const CHECK_HELP = `Usage: threatcode check [paths...] [options]

Analyses each *.tm.yaml file (directories are searched recursively) and prints one line per problem:
  file:line:col severity code message

Options:
  --format <text|json>        Output format (default: text).
  --fail-on <error|warning|info>
                              Exit with 1 when a problem of this severity or worse is found (default: error).
  --max-file-size <MB>        Skip analysing larger files (default: 8).
  --rules <file>              Load an extra rule pack (repeatable). Packs in ./.threatcode/rules load too.
  --no-user-rules             Run the built-in rules only.
  -h, --help                  Show this help.

Exit codes: 0 nothing reached the threshold, 1 something did, 2 usage or I/O error.
`;

interface FileResult {
  readonly file: string;
  readonly findings: readonly Record<string, unknown>[];
  readonly diagnostics: readonly (CoreDiagnostic & { line: number; column: number; endLine: number; endColumn: number })[];
}

export function main(argv: readonly string[], out: (s: string) => void, err: (s: string) => void): number {
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
      out(HELP);
      return command === undefined ? EXIT_USAGE : EXIT_OK;
    }
    if (command === '-v' || command === '--version') {
      out(`${SERVER_VERSION}\n`);
      return EXIT_OK;
    }
    if (command === 'check') return check(rest, out, err);
    if (command === 'rules') return rules(rest, out);
    throw new UsageError(`unknown command '${command}'. Run 'threatcode --help'.`);
  } catch (e) {
    if (e instanceof UsageError || (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'))) {
      err(`threatcode: ${e.message}\n`);
      return EXIT_USAGE;
    }
    err(`threatcode: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT_USAGE;
  }
}

function check(args: readonly string[], out: (s: string) => void, err: (s: string) => void): number {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'text' },
      'fail-on': { type: 'string', default: 'error' },
      'max-file-size': { type: 'string' },
      rules: { type: 'string', multiple: true },
      'no-user-rules': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    out(CHECK_HELP);
    return EXIT_OK;
  }
  const format = values.format;
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not '${format}'.`);
  const failOn = values['fail-on'] as DiagnosticSeverity;
  if (!(failOn in SEVERITY_RANK) || failOn === 'hint') throw new UsageError(`--fail-on must be error, warning or info, not '${failOn}'.`);
  let maxLength: number | undefined;
  if (values['max-file-size'] !== undefined) {
    const mb = Number(values['max-file-size']);
    if (!Number.isFinite(mb) || mb <= 0) throw new UsageError(`--max-file-size must be a positive number of MB.`);
    maxLength = Math.floor(mb * 1024 * 1024);
  }

  // Rule packs: built-in, then the current folder's .threatcode/rules and --rules. Broken packs are reported and
  // make the run fail (exit 2): a CI run must not silently skip rules.
  const discovered = values['no-user-rules'] ? { sources: [], refused: [] } : discoverUserPacks(process.cwd(), values.rules ?? []);
  for (const reason of discovered.refused) err(`threatcode: ${reason}\n`);
  const { ruleSet, diagnostics: packDiagnostics } = loadRuleSet([...builtinPackSources(), ...discovered.sources]);
  let packError = discovered.refused.length > 0;
  for (const source of discovered.sources) {
    const document = TextDocument.create(source.uri, 'yaml', 0, source.text);
    for (const d of packDiagnostics.get(source.uri) ?? []) {
      const at = document.positionAt(d.span.start);
      err(`${path.relative(process.cwd(), fileURLToPath(source.uri))}:${at.line + 1}:${at.character + 1} ${d.severity} ${d.code} ${d.message}\n`);
      if (d.severity === 'error') packError = true;
    }
  }

  const files = collectFiles(positionals.length ? positionals : ['.']);
  if (files.length === 0) {
    err(`threatcode: no threat models (*.tm.yaml) found in ${positionals.length ? positionals.join(', ') : 'the current folder'}.\n`);
    return EXIT_USAGE;
  }

  const results: FileResult[] = [];
  let ioError = false;
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (e) {
      err(`threatcode: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
      ioError = true;
      continue;
    }
    const decoded = decodeModelBytes(bytes);
    const text = decoded.text ?? '';
    const analysis = decoded.diagnostic ? undefined : analyzeText(text, { maxLength, rules: ruleSet });
    const diagnostics = decoded.diagnostic ? [decoded.diagnostic] : analysis!.diagnostics;
    const document = TextDocument.create(file, 'threatmodel', 0, text);
    results.push({
      file,
      findings: (analysis?.findings ?? []).map((f) => ({
        id: f.id,
        rule: f.rule.id,
        element: f.elementId,
        status: f.status,
        severity: f.rule.severity,
        title: f.title,
        because: f.because,
        ...(f.threat ? { threat: f.threat.id } : {}),
        ...(f.disabledReason ? { disabledReason: f.disabledReason } : {}),
      })),
      diagnostics: diagnostics.map((d) => {
        const s = document.positionAt(d.span.start);
        const e = document.positionAt(d.span.end);
        return { ...d, line: s.line + 1, column: s.character + 1, endLine: e.line + 1, endColumn: e.character + 1 };
      }),
    });
  }

  const counts = { error: 0, warning: 0, info: 0, hint: 0 };
  for (const r of results) for (const d of r.diagnostics) counts[d.severity]++;
  const failed = results.some((r) => r.diagnostics.some((d) => SEVERITY_RANK[d.severity] >= SEVERITY_RANK[failOn]));

  if (format === 'json') {
    out(
      JSON.stringify(
        {
          version: SERVER_VERSION,
          files: results.map((r) => ({
            file: r.file,
            findings: r.findings,
            diagnostics: r.diagnostics.map((d) => ({
              code: d.code,
              severity: d.severity,
              message: d.message,
              range: { start: { line: d.line, column: d.column }, end: { line: d.endLine, column: d.endColumn } },
              offset: d.span,
            })),
          })),
          summary: { files: results.length, ...counts, failed },
        },
        null,
        2,
      ) + '\n',
    );
  } else {
    for (const r of results) {
      for (const d of r.diagnostics) out(`${r.file}:${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}\n`);
    }
    const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
    err(
      `${plural(results.length, 'model')} checked: ${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${counts.info} info.\n`,
    );
  }
  if (ioError || packError) return EXIT_USAGE;
  return failed ? EXIT_FINDINGS : EXIT_OK;
}

const RULES_HELP = `Usage: threatcode rules [--format text|json|markdown]

Lists the built-in rules: id, target, severity and title (text), everything (json), or the catalog page (markdown).
`;

function rules(args: readonly string[], out: (s: string) => void): number {
  const { values } = parseArgs({ args: [...args], options: { format: { type: 'string', default: 'text' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    out(RULES_HELP);
    return EXIT_OK;
  }
  const { ruleSet } = builtinRuleSet();
  switch (values.format) {
    case 'markdown':
      out(rulesMarkdown(ruleSet));
      return EXIT_OK;
    case 'json':
      out(JSON.stringify(ruleSet.rules.map(({ source: _source, ...rule }) => rule), null, 2) + '\n');
      return EXIT_OK;
    case 'text':
      for (const r of ruleSet.rules) out(`${r.id.padEnd(8)} ${r.target.padEnd(10)} ${r.severity.padEnd(8)} ${r.title}\n`);
      return EXIT_OK;
    default:
      throw new UsageError(`--format must be text, json or markdown, not '${values.format}'.`);
  }
}

/** Files named on the command line are taken as they are; directories are searched for *.tm.yaml. Sorted output. */
function collectFiles(paths: readonly string[]): string[] {
  const found = new Set<string>();
  for (const p of paths) {
    let stat;
    try {
      stat = statSync(p);
    } catch {
      throw new UsageError(`no such file or directory: ${p}`);
    }
    if (stat.isDirectory()) walk(p, found);
    else found.add(p);
  }
  return [...found].sort();
}

function walk(dir: string, found: Set<string>): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) walk(full, found);
    } else if (entry.isFile() && MODEL_FILE.test(entry.name)) {
      found.add(full);
    }
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), (s) => process.stdout.write(s), (s) => process.stderr.write(s));
}
