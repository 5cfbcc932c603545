/** `threatcode check`: analyse models and report problems as text, JSON or SARIF; gates decide the exit code. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { localDate } from '../shared/dates';
import { type CodeFacts, type CodeLinks, linkCode, oldestReview } from '../analysis/code-links';
import { computeMetrics, type Metrics } from '../analysis/metrics';
import { gitExecutable } from '../files/git';
import { codeFactsOf, repositoryRoot, resolveRef, runSync } from '../files/repository';
import { readInfraFiles } from '../files/infrastructure-files';
import { infraDrift, type Inventory, inventoryOf } from '../interop/drift';
import { importInfra, infraSource } from '../interop/infra-sources';
import { didYouMean, suggest } from '../model/suggest';
import { isFindingDiagnostic } from '../model/diagnostics';
import { toSarif } from '../report/sarif';
import { lineOf, lineStarts } from '../shared/lines';
import { DEFAULT_SETTINGS } from '../shared/settings';
import {
  diagnosticWeight,
  GATE_KINDS,
  GATE_NAMES,
  type Gates,
  isDiagnosticSeverity,
  isGateName,
  SEVERITIES,
  severityWeight,
} from '../shared/vocabulary';
import {
  collectFiles,
  COMMON_OPTIONS_HELP,
  commonOptions,
  emit,
  EXIT_FAILED,
  EXIT_OK,
  EXIT_USAGE,
  type LoadedModel,
  loadModel,
  loadRulesReporting,
  maxLengthOption,
  oneLine,
  type Out,
  parseCommand,
  type Positioned,
  positioned,
  problemLine,
  UsageError,
} from './common';
import { type CheckedFile, githubAnnotations, gitlabCodeQuality, junitXml, markdownSummary } from './ci-formats';
import { type CheckJson, fileJson } from './json-output';

declare const SERVER_VERSION: string;

const FORMATS = ['text', 'json', 'sarif', 'github', 'junit', 'gitlab', 'markdown'] as const;
/** What --fail-on takes: a diagnostic severity, or a rule severity of open findings. */
const FAIL_ON_LEVELS = ['error', 'warning', 'info', ...SEVERITIES] as const;

export const CHECK_HELP = `Usage: threatcode check [paths...] [options]

Analyses each *.tm.yaml file (directories are searched recursively, leaving out what .gitignore ignores; quote
globs such as 'models/**/*.tm.yaml'; '-' reads one model from standard input) and reports one problem per line:
  file:line:col severity code message

What fails (exit 1) out of the box, so that a green check means the model is complete for this delivery: an
error in a model; an open high or critical risk (a threat, or a rule finding nobody has recorded) without a
mitigation; an accepted risk without an owner, a justification or an unexpired date. When the model names its
delivery (system.release), the gates measure that delivery's elements; --whole-model measures all of them.

Options:
  --format <format>           text (default), json (findings, completeness metrics and gates), sarif (code
                              scanning), github (workflow annotations), junit (test reports), gitlab (Code Quality)
                              or markdown (a summary for a CI job's page).
  --output <file>             Write the output to a file instead of standard output.
  --stdin-filename <name>     The name a model read from standard input ('-') is reported under.
  --fail-on <level>           Exit 1 when a problem reaches this level: error, warning or info (diagnostic
                              severity), or critical, high, medium or low (rule severity of open findings; errors
                              always count). Default: error.
  --gate <name=value>         Set a completeness gate (repeatable), e.g. minFidelity=0.9, minStrideCoverage=0.8,
                              maxOpenHighWithoutMitigation=0, maxDaysSinceReview=180, acceptancesValid=true,
                              maxStaleElements=0 (components whose code changed since their review).
  --no-gates                  Do not evaluate gates (by default: no open high threat without a mitigation, and
                              valid acceptances). A failed gate exits 1.
  --whole-model               Measure completeness and gates over the whole model, not only system.release.
  --delivery                  Measure this delivery (the default when the model names one).
  --include-imports           Measure completeness and gates over each model and the models it imports, as one
                              system (by default a model's own elements: imported ones are measured in their file).
  --infra <source>            Compare the model with its infrastructure (repeatable): a Terraform plan or state
                              as JSON (terraform show -json), a Compose file, or a folder of Kubernetes
                              manifests. Disagreements are infra-drift, resources no component stands for
                              (infra:) infra-unmodelled, addresses that are gone infra-missing.
  --changed-since <ref>       Code review in a pull request: report the components whose linked code (code:)
                              changed in <ref>..HEAD after their last review (code-changed-since-review), and
                              measure the gate maxStaleElements over that range. Needs the model in a git
                              repository; without it, history since each review is read only for that gate.
  --progress                  Report progress on standard error (on by default in a terminal).
${COMMON_OPTIONS_HELP}
  -h, --help                  Show this help.
`;

export function check(args: readonly string[], out: Out, err: Out): number {
  const { values, positionals } = parseCommand('check', args, {
    ...commonOptions,
    format: { type: 'string', default: 'text' },
    'fail-on': { type: 'string', default: 'error' },
    gate: { type: 'string', multiple: true },
    'no-gates': { type: 'boolean' },
    delivery: { type: 'boolean' },
    'whole-model': { type: 'boolean' },
    'stdin-filename': { type: 'string', default: '<stdin>' },
    progress: { type: 'boolean' },
    'changed-since': { type: 'string' },
    infra: { type: 'string', multiple: true },
    'include-imports': { type: 'boolean' },
  });
  if (values.help) {
    out(CHECK_HELP);
    return EXIT_OK;
  }
  const format = values.format;
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be ${FORMATS.join(', ')}, not '${format}'.`);
  const failOn = values['fail-on'];
  if (!(FAIL_ON_LEVELS as readonly string[]).includes(failOn)) {
    throw new UsageError(`--fail-on must be ${FAIL_ON_LEVELS.join(', ')}, not '${failOn}'.`);
  }
  const gates = parseGates(values.gate, values['no-gates']);
  const maxLength = maxLengthOption(values['max-file-size']);
  const { ruleSet, failed: packsFailed } = loadRulesReporting(values, err);

  if (values.delivery && values['whole-model']) throw new UsageError('--delivery and --whole-model exclude each other.');
  const delivery = !values['whole-model'];
  const fromStdin = positionals.includes('-');
  if (fromStdin && positionals.length > 1) throw new UsageError("'-' (standard input) is the only model when it is given.");
  const files = fromStdin ? [values['stdin-filename']] : collectFiles(positionals.length ? positionals : ['.']);
  if (files.length === 0) {
    err(`threatcode: no threat models (*.tm.yaml) found in ${positionals.length ? positionals.join(', ') : 'the current folder'}.\n`);
    return EXIT_USAGE;
  }
  const changedSince = values['changed-since'];
  if (changedSince !== undefined) {
    if (fromStdin) throw new UsageError('--changed-since needs model files in a git repository, not standard input.');
    checkRef(files[0], changedSince);
  }
  const inventories = (values.infra ?? []).map(loadInventory);
  const progress = values.progress ?? process.stderr.isTTY === true;
  const results: (LoadedModel & { metrics: Metrics | undefined })[] = [];
  let ioError = false;
  const today = localDate(new Date());
  files.forEach((file, i) => {
    if (progress) err(`[${i + 1}/${files.length}] ${file}\n`);
    const loaded = loadModel(file, ruleSet, maxLength, err, fromStdin ? readFileSync(0) : undefined);
    if (!loaded) {
      ioError = true;
      return;
    }
    const code = loaded.analysis && !fromStdin ? codeLinksOf(file, loaded.analysis, changedSince, gates) : undefined;
    const drift = loaded.analysis ? infraDrift(loaded.analysis, inventories) : undefined;
    const metrics = loaded.analysis
      ? computeMetrics(loaded.analysis, {
          today,
          delivery,
          gates,
          code,
          infra: drift?.summary,
          includeImports: values['include-imports'] === true,
        })
      : undefined;
    const extra = [...(code?.diagnostics ?? []), ...(drift?.diagnostics ?? [])];
    const diagnostics = extra.length
      ? [...loaded.diagnostics, ...positioned(file, loaded.text, extra)].sort((a, b) => a.line - b.line || a.column - b.column)
      : loaded.diagnostics;
    results.push({ ...loaded, diagnostics, metrics });
  });

  const counts = { error: 0, warning: 0, info: 0, hint: 0 };
  for (const r of results) for (const d of r.diagnostics) counts[d.severity]++;
  const reaches = (d: Positioned): boolean => {
    if (isDiagnosticSeverity(failOn)) return diagnosticWeight(d.severity) >= diagnosticWeight(failOn);
    return d.severity === 'error' || (isFindingDiagnostic(d) && severityWeight(d.data.severity) >= severityWeight(failOn));
  };
  const failedDiagnostics = results.some((r) => r.diagnostics.some(reaches));
  const failedGates = results.flatMap((r) => (r.metrics?.gates ?? []).filter((g) => !g.passed).map((g) => ({ file: r.file, gate: g })));

  const relative = (file: string) => (fromStdin ? file : path.relative(process.cwd(), path.resolve(file)).split(path.sep).join('/'));
  const checked = (): CheckedFile[] =>
    results.map((r) => ({
      path: relative(r.file),
      text: r.text,
      diagnostics: r.diagnostics,
      gates: r.metrics?.gates ?? [],
      ...(r.metrics && { verdict: r.metrics.verdict.text }),
    }));
  if (format === 'github') emit(githubAnnotations(checked()), values.output, out);
  else if (format === 'junit') emit(junitXml(checked(), reaches, new Date()), values.output, out);
  else if (format === 'gitlab') emit(gitlabCodeQuality(checked()), values.output, out);
  else if (format === 'markdown') emit(markdownSummary(checked(), reaches), values.output, out);
  else if (format === 'sarif') {
    const sarif = toSarif(
      results.map((r) => ({
        uri: relative(r.file),
        text: r.text,
        diagnostics: r.diagnostics,
      })),
      ruleSet,
      SERVER_VERSION,
    );
    emit(JSON.stringify(sarif, null, 2) + '\n', values.output, out);
  } else if (format === 'json') {
    const json: CheckJson = {
      version: SERVER_VERSION,
      files: results.map(fileJson),
      summary: { files: results.length, ...counts, failedGates: failedGates.length, failed: failedDiagnostics || failedGates.length > 0 },
    };
    emit(JSON.stringify(json, null, 2) + '\n', values.output, out);
  } else {
    const lines: string[] = [];
    for (const r of results) for (const d of r.diagnostics) lines.push(problemLine(r.file, d));
    for (const { file, gate } of failedGates) lines.push(`${oneLine(file)}: gate failed: ${gate.title}: ${oneLine(gate.detail)}\n`);
    emit(lines.join(''), values.output, out);
    const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
    err(
      `${plural(results.length, 'model')} checked: ${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${counts.info} info${failedGates.length ? `, ${plural(failedGates.length, 'failed gate')}` : ''}.\n`,
    );
    // The verdict of each model, and for those not complete what to do next, with where.
    for (const r of results) {
      if (!r.metrics) continue;
      const { verdict } = r.metrics;
      err(`${oneLine(relative(r.file))}: ${oneLine(verdict.text)}\n`);
      // What could not be measured, as the completeness view says it (a shallow clone, no git).
      for (const note of r.metrics.notes) err(`  note: ${oneLine(note)}\n`);
      if (verdict.complete) continue;
      const starts = lineStarts(r.text);
      for (const step of verdict.next) {
        const where = step.uri ? relative(fileURLToPath(step.uri)) : `${relative(r.file)}:${lineOf(starts, step.span.start) + 1}`;
        err(`  next: ${oneLine(step.message)} (${oneLine(where)})\n`);
      }
    }
  }
  if (ioError || packsFailed) return EXIT_USAGE;
  return failedDiagnostics || failedGates.length > 0 ? EXIT_FAILED : EXIT_OK;
}

/** An infrastructure source as an inventory of resources; a usage error (exit 2) when it cannot be read. */
function loadInventory(source: string): Inventory {
  try {
    const read = infraSource(readInfraFiles(source, process.cwd()).texts, source);
    return inventoryOf(importInfra(read.kind, read.documents, path.basename(source)), source, read.kind);
  } catch (e) {
    throw new UsageError(`--infra ${oneLine(source)}: ${oneLine(e instanceof Error ? e.message : String(e))}`);
  }
}

/** A usage error unless `ref` names a commit of the repository around `file`. */
function checkRef(file: string, ref: string): void {
  const found = repositoryRoot(path.dirname(path.resolve(file)));
  if ('note' in found) throw new UsageError(`--changed-since needs a git repository: ${found.note}.`);
  if (!gitExecutable(found.repository)) throw new UsageError('--changed-since needs git, which is not installed (not on PATH).');
  if (!runSync(resolveRef(found.repository, ref)))
    throw new UsageError(`--changed-since: '${oneLine(ref)}' is not a commit in ${oneLine(found.root)}.`);
}

/**
 * The model's links to the repository, when there is something to look at: components with `code:`, a range to
 * review, or the gate on stale components. History is read since the oldest review, as the editor reads it, so that
 * a plain check says what the editor says: which components' code changed since their review.
 */
function codeLinksOf(
  file: string,
  analysis: NonNullable<LoadedModel['analysis']>,
  changedSince: string | undefined,
  gates: Gates,
): CodeLinks | undefined {
  const model = analysis.parsed.model;
  if (!model) return undefined;
  const links = model.components.some((c) => Array.isArray(c.data.code) && c.data.code.length > 0);
  if (!links && changedSince === undefined && gates.maxStaleElements === undefined) return undefined;
  const history: false | { since?: string } | { range: string } =
    changedSince !== undefined ? { range: `${changedSince}..HEAD` } : { since: oldestReview(analysis) };
  const facts: CodeFacts = runSync(codeFactsOf(file, { trusted: true, history }));
  return linkCode(analysis, facts);
}

/** The default gates, changed by --gate name=value; none with --no-gates. */
function parseGates(specs: readonly string[] | undefined, disabled: boolean | undefined): Gates {
  if (disabled) return {};
  const gates: Record<string, number | boolean> = { ...DEFAULT_SETTINGS.gates };
  for (const spec of specs ?? []) {
    const [name, raw] = spec.split('=');
    if (!isGateName(name) || raw === undefined)
      throw new UsageError(
        `--gate takes name=value with name one of ${GATE_NAMES.join(', ')}; got '${spec}'.${isGateName(name) ? '' : didYouMean(suggest(name, GATE_NAMES, 1))}`,
      );
    if (GATE_KINDS[name] === 'switch') {
      if (raw !== 'true' && raw !== 'false') throw new UsageError(`--gate ${name} takes true or false, not '${raw}'.`);
      gates[name] = raw === 'true';
    } else {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n) || n < 0)
        throw new UsageError(`--gate ${name} needs a non-negative number, not '${raw}'.`);
      if (GATE_KINDS[name] === 'ratio' && n > 1) throw new UsageError(`--gate ${name} is a ratio between 0 and 1, not '${raw}'.`);
      if ((GATE_KINDS[name] === 'count' || GATE_KINDS[name] === 'days') && !Number.isInteger(n))
        throw new UsageError(`--gate ${name} needs a whole number, not '${raw}'.`);
      gates[name] = n;
    }
  }
  return gates;
}
