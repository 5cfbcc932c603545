/**
 * `threatcode` command line: the same analysis as the language server, for CI pipelines and terminals.
 * Exit codes: 0 nothing reached the --fail-on threshold and every gate passed, 1 something did, 2 usage or I/O error.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { globSync, isDynamicPattern } from 'tinyglobby';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { buildDiagram } from './analysis/diagram';
import { computeMetrics, DEFAULT_GATES, Gates, Metrics } from './analysis/metrics';
import { rulesMarkdown } from './analysis/rules/docs';
import { discoverUserPacks } from './analysis/rules/discover';
import { builtinPackSources, builtinRuleSet, loadRuleSet } from './analysis/rules/ruleset';
import type { RuleSet } from './analysis/rules/types';
import { Analysis, analyzeText, localDate } from './model/analyze';
import { decodeModelBytes } from './model/decode';
import { maxLengthForMB } from './model/parse';
import type { CoreDiagnostic, DiagnosticSeverity } from './model/diagnostics';
import { htmlReport, markdownReport } from './report/report';
import { toSarif } from './report/sarif';

declare const SERVER_VERSION: string;

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

const MODEL_FILE = /\.tm\.ya?ml$/;
const SKIPPED_DIRS = new Set(['node_modules', '.git', 'dist', 'out', '.vscode-test']);
const SEVERITY_RANK: Record<DiagnosticSeverity, number> = { error: 3, warning: 2, info: 1, hint: 0 };
const RULE_SEVERITY_RANK: Record<string, number> = { low: 1, medium: 2, high: 3, critical: 4 };

type Out = (s: string) => void;
class UsageError extends Error {}

const HELP = `Usage: threatcode <command> [options]

Commands:
  check [paths...]     Analyse threat models (*.tm.yaml); default: all under the current folder.
  report <file>        Write a Markdown or self-contained HTML report of one model.
  diagram <file>       Print the model's data-flow diagram as Mermaid source.
  rules                List the built-in rules.
  init [file]          Write a starter threat model (default: threatmodel.tm.yaml).

Options:
  -h, --help           Show help (also: threatcode <command> --help).
  -v, --version        Print the version.

Exit codes: 0 success, 1 problems at or above the threshold or a failed gate, 2 usage or I/O error.
`;

const COMMON_OPTIONS = `  --rules <file>              Load an extra rule pack (repeatable). Packs in ./.threatcode/rules load too.
  --no-user-rules             Run the built-in rules only.
  --max-file-size <MB>        Do not analyse larger files (default: 8).`;

const CHECK_HELP = `Usage: threatcode check [paths...] [options]

Analyses each *.tm.yaml file (directories are searched recursively; quote globs such as 'models/**/*.tm.yaml')
and reports one problem per line:
  file:line:col severity code message

Options:
  --format <text|json|sarif>  Output format (default: text). JSON includes findings, completeness metrics and gates.
  --output <file>             Write the output to a file instead of standard output.
  --fail-on <level>           Exit 1 when a problem reaches this level: error, warning or info (diagnostic
                              severity), or critical, high, medium or low (rule severity of open findings; errors
                              always count). Default: error.
  --gate <name=value>         Set a completeness gate (repeatable), e.g. minFidelity=0.9, minStrideCoverage=0.8,
                              maxOpenHighWithoutMitigation=0, maxDaysSinceReview=180, acceptancesValid=true.
  --no-gates                  Do not evaluate gates (by default: no open high threat without a mitigation, and
                              valid acceptances). A failed gate exits 1.
  --delivery                  Scope completeness to the elements of system.release.
  --progress                  Report progress on standard error (on by default in a terminal).
${COMMON_OPTIONS}
  -h, --help                  Show this help.
`;

const REPORT_HELP = `Usage: threatcode report <file> [--format markdown|html] [--output <file>] [--delivery]

Writes a report of one threat model: summary, completeness gauges and gates, the data-flow diagram (a mermaid
block in Markdown; rendered offline in HTML), open findings, threats and mitigations.
${COMMON_OPTIONS}
`;

const DIAGRAM_HELP = `Usage: threatcode diagram <file> [--output <file>] [--focus <boundary-id>]

Prints the data-flow diagram as Mermaid flowchart source. Large models get a boundary overview; --focus shows one
boundary and its neighbours.
${COMMON_OPTIONS}
`;

const RULES_HELP = `Usage: threatcode rules [--format text|json|markdown]

Lists the built-in rules: id, target, severity and title (text), everything (json), or the catalog page (markdown).
`;

const INIT_HELP = `Usage: threatcode init [file] [--force]

Writes a starter threat model to get going (default file: threatmodel.tm.yaml). Refuses to overwrite unless --force.
`;

export function main(argv: readonly string[], out: Out, err: Out): number {
  try {
    const [command, ...rest] = argv;
    switch (command) {
      case undefined:
        out(HELP);
        return EXIT_USAGE;
      case '-h':
      case '--help':
      case 'help':
        out(HELP);
        return EXIT_OK;
      case '-v':
      case '--version':
        out(`${SERVER_VERSION}\n`);
        return EXIT_OK;
      case 'check':
        return check(rest, out, err);
      case 'report':
        return report(rest, out, err);
      case 'diagram':
        return diagram(rest, out, err);
      case 'rules':
        return rules(rest, out);
      case 'init':
        return init(rest, out, err);
      default:
        throw new UsageError(`unknown command '${command}'. Run 'threatcode --help'.`);
    }
  } catch (e) {
    err(`threatcode: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT_USAGE;
  }
}

const commonOptions = {
  rules: { type: 'string', multiple: true },
  'no-user-rules': { type: 'boolean' },
  'max-file-size': { type: 'string' },
  output: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

interface Loaded {
  readonly file: string;
  readonly text: string;
  readonly analysis: Analysis | undefined;
  readonly diagnostics: readonly Positioned[];
}

type Positioned = CoreDiagnostic & { line: number; column: number; endLine: number; endColumn: number };

/** Rule packs: built-in, then the current folder's .threatcode/rules and --rules. Returns undefined on pack errors. */
function loadRules(values: { rules?: string[]; 'no-user-rules'?: boolean }, err: Out): RuleSet | undefined {
  const discovered = values['no-user-rules'] ? { sources: [], refused: [] } : discoverUserPacks(process.cwd(), values.rules ?? []);
  for (const reason of discovered.refused) err(`threatcode: ${reason}\n`);
  const { ruleSet, diagnostics } = loadRuleSet([...builtinPackSources(), ...discovered.sources]);
  let failed = discovered.refused.length > 0;
  for (const source of discovered.sources) {
    const document = TextDocument.create(source.uri, 'yaml', 0, source.text);
    for (const d of diagnostics.get(source.uri) ?? []) {
      const at = document.positionAt(d.span.start);
      err(`${path.relative(process.cwd(), fileURLToPath(source.uri))}:${at.line + 1}:${at.character + 1} ${d.severity} ${d.code} ${d.message}\n`);
      if (d.severity === 'error') failed = true;
    }
  }
  // A CI run must not silently skip rules: a broken pack is a usage error.
  return failed ? undefined : ruleSet;
}

function maxLengthOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const mb = Number(value);
  if (!Number.isFinite(mb) || mb <= 0) throw new UsageError('--max-file-size must be a positive number of MB.');
  return maxLengthForMB(mb);
}

function loadFile(file: string, ruleSet: RuleSet, maxLength: number | undefined, err: Out): Loaded | undefined {
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

function parseGates(specs: readonly string[] | undefined, disabled: boolean | undefined): Gates {
  if (disabled) return {};
  const gates: Record<string, number | boolean> = { ...DEFAULT_GATES };
  for (const spec of specs ?? []) {
    const [name, raw] = spec.split('=');
    const known = ['maxOpenHighWithoutMitigation', 'minFidelity', 'minElementCoverage', 'minStrideCoverage', 'minFindingTriage', 'acceptancesValid', 'maxDaysSinceReview'];
    if (!known.includes(name) || raw === undefined) throw new UsageError(`--gate takes name=value with name one of ${known.join(', ')}; got '${spec}'.`);
    if (name === 'acceptancesValid') gates[name] = raw === 'true';
    else {
      const n = Number(raw);
      if (!Number.isFinite(n) || n < 0) throw new UsageError(`--gate ${name} needs a non-negative number, not '${raw}'.`);
      gates[name] = n;
    }
  }
  return gates as Gates;
}

function emit(text: string, output: string | undefined, out: Out): void {
  if (output) writeFileSync(output, text);
  else out(text);
}

function check(args: readonly string[], out: Out, err: Out): number {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      ...commonOptions,
      format: { type: 'string', default: 'text' },
      'fail-on': { type: 'string', default: 'error' },
      gate: { type: 'string', multiple: true },
      'no-gates': { type: 'boolean' },
      delivery: { type: 'boolean' },
      progress: { type: 'boolean' },
    },
  });
  if (values.help) {
    out(CHECK_HELP);
    return EXIT_OK;
  }
  const format = values.format;
  if (format !== 'text' && format !== 'json' && format !== 'sarif') throw new UsageError(`--format must be text, json or sarif, not '${format}'.`);
  const failOn = values['fail-on'];
  if (!['error', 'warning', 'info', 'critical', 'high', 'medium', 'low'].includes(failOn)) {
    throw new UsageError(`--fail-on must be error, warning, info, critical, high, medium or low, not '${failOn}'.`);
  }
  const gates = parseGates(values.gate, values['no-gates']);
  const maxLength = maxLengthOf(values['max-file-size']);
  const ruleSet = loadRules(values, err);
  if (!ruleSet) return EXIT_USAGE;

  const files = collectFiles(positionals.length ? positionals : ['.']);
  if (files.length === 0) {
    err(`threatcode: no threat models (*.tm.yaml) found in ${positionals.length ? positionals.join(', ') : 'the current folder'}.\n`);
    return EXIT_USAGE;
  }
  const progress = values.progress ?? process.stderr.isTTY === true;
  const results: (Loaded & { metrics: Metrics | undefined })[] = [];
  let ioError = false;
  const today = localDate(new Date());
  files.forEach((file, i) => {
    if (progress) err(`[${i + 1}/${files.length}] ${file}\n`);
    const loaded = loadFile(file, ruleSet, maxLength, err);
    if (!loaded) {
      ioError = true;
      return;
    }
    const metrics = loaded.analysis ? computeMetrics(loaded.analysis, { today, delivery: values.delivery, gates }) : undefined;
    results.push({ ...loaded, metrics });
  });

  const counts = { error: 0, warning: 0, info: 0, hint: 0 };
  for (const r of results) for (const d of r.diagnostics) counts[d.severity]++;
  const reaches = (d: Positioned): boolean => {
    if (failOn in SEVERITY_RANK) return SEVERITY_RANK[d.severity] >= SEVERITY_RANK[failOn as DiagnosticSeverity];
    const ruleSeverity = (d.data as { severity?: string; findingId?: string } | undefined)?.findingId ? (d.data as { severity: string }).severity : undefined;
    return d.severity === 'error' || (ruleSeverity !== undefined && RULE_SEVERITY_RANK[ruleSeverity] >= RULE_SEVERITY_RANK[failOn]);
  };
  const failedDiagnostics = results.some((r) => r.diagnostics.some(reaches));
  const failedGates = results.flatMap((r) => (r.metrics?.gates ?? []).filter((g) => !g.passed).map((g) => ({ file: r.file, gate: g })));

  if (format === 'sarif') {
    const sarif = toSarif(
      results.map((r) => ({ uri: path.relative(process.cwd(), path.resolve(r.file)).split(path.sep).join('/'), text: r.text, diagnostics: r.diagnostics })),
      ruleSet,
      SERVER_VERSION,
    );
    emit(JSON.stringify(sarif, null, 2) + '\n', values.output, out);
  } else if (format === 'json') {
    const json = {
      version: SERVER_VERSION,
      files: results.map((r) => ({
        file: r.file,
        diagnostics: r.diagnostics.map((d) => ({
          code: d.code,
          severity: d.severity,
          message: d.message,
          range: { start: { line: d.line, column: d.column }, end: { line: d.endLine, column: d.endColumn } },
          offset: d.span,
          ...((d.data as { findingId?: string } | undefined)?.findingId ? { finding: (d.data as { findingId: string }).findingId } : {}),
        })),
        findings: (r.analysis?.findings ?? []).map((f) => ({
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
        metrics: r.metrics
          ? {
              scope: r.metrics.scope,
              gauges: r.metrics.gauges.map((g) => ({ id: g.id, title: g.title, done: g.done, total: g.total, ratio: g.ratio, missing: g.missing.map((m) => m.message) })),
              residualRisk: r.metrics.residualRisk,
              freshness: r.metrics.freshness,
              gates: r.metrics.gates,
            }
          : undefined,
      })),
      summary: { files: results.length, ...counts, failedGates: failedGates.length, failed: failedDiagnostics || failedGates.length > 0 },
    };
    emit(JSON.stringify(json, null, 2) + '\n', values.output, out);
  } else {
    const lines: string[] = [];
    for (const r of results) for (const d of r.diagnostics) lines.push(`${r.file}:${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}\n`);
    for (const { file, gate } of failedGates) lines.push(`${file}: gate failed: ${gate.title}: ${gate.detail}\n`);
    emit(lines.join(''), values.output, out);
    const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
    err(
      `${plural(results.length, 'model')} checked: ${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${counts.info} info${failedGates.length ? `, ${plural(failedGates.length, 'failed gate')}` : ''}.\n`,
    );
  }
  if (ioError) return EXIT_USAGE;
  return failedDiagnostics || failedGates.length > 0 ? EXIT_FAILED : EXIT_OK;
}

function oneModel(command: string, positionals: string[], help: string): string {
  if (positionals.length !== 1) throw new UsageError(`${command} takes exactly one model file.\n\n${help}`);
  const file = positionals[0];
  if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
  return file;
}

function report(args: readonly string[], out: Out, err: Out): number {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { ...commonOptions, format: { type: 'string', default: 'markdown' }, delivery: { type: 'boolean' } },
  });
  if (values.help) {
    out(REPORT_HELP);
    return EXIT_OK;
  }
  if (values.format !== 'markdown' && values.format !== 'html') throw new UsageError(`--format must be markdown or html, not '${values.format}'.`);
  const file = oneModel('report', positionals, REPORT_HELP);
  const ruleSet = loadRules(values, err);
  if (!ruleSet) return EXIT_USAGE;
  const loaded = loadFile(file, ruleSet, maxLengthOf(values['max-file-size']), err);
  if (!loaded) return EXIT_USAGE;
  const metrics = loaded.analysis && computeMetrics(loaded.analysis, { today: localDate(new Date()), delivery: values.delivery });
  if (!loaded.analysis || !metrics) {
    for (const d of loaded.diagnostics) err(`${file}:${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}\n`);
    err(`threatcode: ${file} is not a threat model that can be reported on.\n`);
    return EXIT_FAILED;
  }
  const input = { file, analysis: loaded.analysis, metrics, diagram: buildDiagram(loaded.analysis) };
  if (values.format === 'html') {
    const mermaid = readFileSync(path.join(__dirname, 'mermaid.min.js'), 'utf8');
    emit(htmlReport(input, mermaid), values.output, out);
  } else {
    emit(markdownReport(input), values.output, out);
  }
  return EXIT_OK;
}

function diagram(args: readonly string[], out: Out, err: Out): number {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { ...commonOptions, focus: { type: 'string' } } });
  if (values.help) {
    out(DIAGRAM_HELP);
    return EXIT_OK;
  }
  const file = oneModel('diagram', positionals, DIAGRAM_HELP);
  const ruleSet = loadRules(values, err);
  if (!ruleSet) return EXIT_USAGE;
  const loaded = loadFile(file, ruleSet, maxLengthOf(values['max-file-size']), err);
  if (!loaded?.analysis?.parsed.model) {
    err(`threatcode: ${file} could not be read as a threat model.\n`);
    return EXIT_FAILED;
  }
  emit(buildDiagram(loaded.analysis, { focusBoundary: values.focus }).mermaid + '\n', values.output, out);
  return EXIT_OK;
}

function rules(args: readonly string[], out: Out): number {
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

export const STARTER_MODEL = `# Threat model — see https://github.com/threatcode/threatcode/blob/main/docs/format.md
# Describe the parts of your system and how data moves between them; Threatcode suggests the threats.
threatcode: 1
system:
  name: My service
  description: What the service does, in a sentence.
  owner: my-team
  release: "1.0"

boundaries:
  - id: internet
    name: Internet
    trust: untrusted
  - id: cloud
    name: Our cloud account
    trust: internal

components:
  - id: user
    name: User
    type: external
    kind: human
    boundary: internet
  - id: api
    name: API
    type: process
    kind: api
    boundary: cloud
    exposure: internet
    authentication: oidc
    authorization: rbac
  - id: db
    name: Database
    type: datastore
    kind: sql
    boundary: cloud
    stores: [user-data]
    encryptionAtRest: platform

data:
  - id: user-data
    name: User profiles
    classification: confidential
    pii: personal

flows:
  - id: user-api
    from: user
    to: api
    protocol: https
    authentication: oidc
    data: [user-data]
  - id: api-db
    from: api
    to: db
    protocol: sql-tls
    authentication: password
    data: [user-data]

threats: []
mitigations: []
assumptions: []
`;

function init(args: readonly string[], out: Out, err: Out): number {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    out(INIT_HELP);
    return EXIT_OK;
  }
  const file = positionals[0] ?? 'threatmodel.tm.yaml';
  if (!MODEL_FILE.test(file)) throw new UsageError(`the file name must end in .tm.yaml so that editors and 'threatcode check' find it: ${file}`);
  if (existsSync(file) && !values.force) {
    err(`threatcode: ${file} exists; use --force to overwrite it.\n`);
    return EXIT_USAGE;
  }
  writeFileSync(file, STARTER_MODEL);
  out(`Wrote ${file}. Open it in VS Code with the Threatcode extension, or run: threatcode check ${file}\n`);
  return EXIT_OK;
}

/**
 * Files named on the command line are taken as they are; directories are searched for *.tm.yaml; anything else is
 * a glob (quoted in CI scripts so the shell leaves it alone). Sorted, without duplicates.
 */
function collectFiles(paths: readonly string[]): string[] {
  const found = new Set<string>();
  for (const p of paths) {
    let stat;
    try {
      stat = statSync(p);
    } catch {
      stat = undefined;
    }
    if (stat?.isDirectory()) walk(p, found);
    else if (stat) found.add(p);
    else if (isDynamicPattern(p)) {
      const matches = globSync(p, { ignore: [...SKIPPED_DIRS].map((d) => `**/${d}/**`), onlyFiles: true });
      if (matches.length === 0) throw new UsageError(`no files match ${p}`);
      for (const m of matches) found.add(m);
    } else throw new UsageError(`no such file or directory: ${p}`);
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
  // `threatcode check | head` closes the pipe early: stop quietly instead of crashing.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  process.exitCode = main(process.argv.slice(2), (s) => process.stdout.write(s), (s) => process.stderr.write(s));
}
