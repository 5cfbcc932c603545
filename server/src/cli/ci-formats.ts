/**
 * Output formats for CI systems that have no SARIF: GitHub workflow annotations (shown on the pull request without
 * code scanning), JUnit XML (test reports of Jenkins, GitLab, Azure and others), GitLab Code Quality (the merge request
 * widget), and a Markdown summary for a job's summary page. Every model string is escaped for the format it lands in:
 * a name may hold a newline, `::`, `<` or `%`, and must never forge a line, an annotation or an element.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { GateResult } from '../analysis/metrics';
import { isFindingDiagnostic } from '../model/diagnostics';
import type { Positioned } from './common';

export interface CheckedFile {
  /** The path as the CI system shows it: relative to the working folder, with forward slashes. */
  readonly path: string;
  readonly text: string;
  readonly diagnostics: readonly Positioned[];
  readonly gates: readonly GateResult[];
  /** Is what was measured complete, in one line (absent when the model could not be measured). */
  readonly verdict?: string;
}

/** Whether a diagnostic fails the run (reaches --fail-on). */
export type Fails = (d: Positioned) => boolean;

// ---- GitHub Actions workflow commands ---------------------------------------------------------------------------

/**
 * https://docs.github.com/actions/reference/workflow-commands-for-github-actions: data escapes %, CR and LF. The other
 * control characters are shown as escapes (`\u001b`): GitHub passes them to the log raw, where a terminal reading it
 * (`gh run view --log`) would obey ESC and BEL sequences from a model's names or a file's name.
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what must not reach the log raw
const CONTROL_BUT_LINE_BREAKS = /[\u0000-\u0009\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029]/g;

function ghData(s: string): string {
  return s
    .replace(CONTROL_BUT_LINE_BREAKS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/%/g, '%25')
    .replace(/\r/g, '%0D')
    .replace(/\n/g, '%0A');
}

/** Property values escape also `:` and `,`, which separate properties. */
function ghProperty(s: string): string {
  return ghData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

const GITHUB_LEVEL = { error: 'error', warning: 'warning', info: 'notice', hint: 'notice' } as const;

export function githubAnnotations(files: readonly CheckedFile[]): string {
  const lines: string[] = [];
  for (const f of files) {
    for (const d of f.diagnostics) {
      const props = [
        `file=${ghProperty(f.path)}`,
        `line=${d.line}`,
        `endLine=${d.endLine}`,
        // GitHub takes columns only within one line.
        ...(d.line === d.endLine ? [`col=${d.column}`, `endColumn=${d.endColumn}`] : []),
        `title=${ghProperty(`${d.code} (threatcode)`)}`,
      ];
      lines.push(`::${GITHUB_LEVEL[d.severity]} ${props.join(',')}::${ghData(d.message)}\n`);
    }
    for (const g of f.gates.filter((x) => !x.passed)) {
      lines.push(
        `::error file=${ghProperty(f.path)},title=${ghProperty(`Gate failed: ${g.title}`)}::${ghData(`${g.title}: ${g.detail}`)}\n`,
      );
    }
  }
  return lines.join('');
}

// ---- JUnit XML ----------------------------------------------------------------------------------------------------

/** XML 1.0 text: the five entities, and characters XML cannot carry at all replaced. */
function xml(s: string): string {
  return (
    s
      // eslint-disable-next-line no-control-regex -- control characters are exactly what XML 1.0 forbids
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

/**
 * One test suite per model; one test case per problem (a failure when it reaches --fail-on, a passing case with the
 * message as output otherwise) and per gate; a model without problems has one passing case. The layout is the
 * strict Ant JUnit schema's, which every JUnit reader accepts.
 */
export function junitXml(files: readonly CheckedFile[], fails: Fails, now: Date): string {
  const timestamp = now.toISOString().slice(0, 19);
  const host = xml(hostname() || 'localhost');
  const suites = files.map((f, id) => {
    const cases: string[] = [];
    let failures = 0;
    for (const d of f.diagnostics) {
      const name = xml(`${d.code} at ${d.line}:${d.column}`);
      const where = `${f.path}:${d.line}:${d.column}`;
      if (fails(d)) {
        failures++;
        cases.push(
          `    <testcase name="${name}" classname="${xml(f.path)}" time="0">\n      <failure message="${xml(d.message)}" type="${xml(d.severity)}">${xml(`${where} ${d.severity} ${d.code} ${d.message}`)}</failure>\n    </testcase>\n`,
        );
      } else {
        cases.push(`    <testcase name="${name}" classname="${xml(f.path)}" time="0"/>\n`);
      }
    }
    for (const g of f.gates) {
      const name = xml(`gate ${g.id}`);
      if (g.passed) cases.push(`    <testcase name="${name}" classname="${xml(f.path)}" time="0"/>\n`);
      else {
        failures++;
        cases.push(
          `    <testcase name="${name}" classname="${xml(f.path)}" time="0">\n      <failure message="${xml(`${g.title}: ${g.detail}`)}" type="gate">${xml(`${f.path}: gate failed: ${g.title}: ${g.detail}`)}</failure>\n    </testcase>\n`,
        );
      }
    }
    if (cases.length === 0) cases.push(`    <testcase name="no problems" classname="${xml(f.path)}" time="0"/>\n`);
    // Problems below the failing level are listed in the suite's output, where a reader of the report finds them.
    const notes = f.diagnostics
      .filter((d) => !fails(d))
      .map((d) => `${f.path}:${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}\n`);
    return (
      `  <testsuite package="threatcode" id="${id}" name="${xml(f.path)}" timestamp="${timestamp}" hostname="${host}" ` +
      `tests="${cases.length}" failures="${failures}" errors="0" skipped="0" time="0">\n` +
      `    <properties/>\n${cases.join('')}    <system-out>${xml(notes.join(''))}</system-out>\n    <system-err/>\n  </testsuite>\n`
    );
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n${suites.join('')}</testsuites>\n`;
}

// ---- GitLab Code Quality ------------------------------------------------------------------------------------------

const GITLAB_SEVERITY = { error: 'major', warning: 'minor', info: 'info', hint: 'info' } as const;

/**
 * https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format: description, check_name, fingerprint
 * (stable across commits: the finding id where there is one), severity, location.path and location.lines.begin.
 */
export function gitlabCodeQuality(files: readonly CheckedFile[]): string {
  const issues = files.flatMap((f) => [
    ...f.diagnostics.map((d) => {
      const identity = isFindingDiagnostic(d) ? d.data.findingId : `${d.code}\0${f.text.slice(d.span.start, d.span.end)}\0${d.message}`;
      return {
        type: 'issue',
        description: d.message,
        check_name: d.code,
        fingerprint: createHash('md5').update(`${f.path}\0${identity}`).digest('hex'),
        severity:
          isFindingDiagnostic(d) && (d.data.severity === 'critical' || d.data.severity === 'high')
            ? 'critical'
            : GITLAB_SEVERITY[d.severity],
        location: { path: f.path, lines: { begin: d.line, end: d.endLine } },
      };
    }),
    ...f.gates
      .filter((g) => !g.passed)
      .map((g) => ({
        type: 'issue',
        description: `Gate failed: ${g.title}: ${g.detail}`,
        check_name: `gate-${g.id}`,
        fingerprint: createHash('md5').update(`${f.path}\0gate\0${g.id}`).digest('hex'),
        severity: 'blocker',
        location: { path: f.path, lines: { begin: 1 } },
      })),
  ]);
  return JSON.stringify(issues, null, 2) + '\n';
}

// ---- Markdown summary ---------------------------------------------------------------------------------------------

/** A table cell: pipes, backticks, HTML and line breaks would change the table; they are escaped. */
function cell(s: string): string {
  return s
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\|`*_[\]])/g, '\\$1');
}

/** For a CI job's summary page: one row per model, then the failed gates and the problems that fail the run. */
export function markdownSummary(files: readonly CheckedFile[], fails: Fails): string {
  const out: string[] = [
    '## Threat models\n\n',
    '| model | verdict | errors | warnings | info | gates |\n| --- | --- | --: | --: | --: | --- |\n',
  ];
  for (const f of files) {
    const n = (s: string) => f.diagnostics.filter((d) => d.severity === s).length;
    const failed = f.gates.filter((g) => !g.passed);
    const gates = f.gates.length === 0 ? '–' : failed.length === 0 ? '✅ all passed' : `❌ ${failed.map((g) => cell(g.title)).join('; ')}`;
    out.push(`| ${cell(f.path)} | ${f.verdict ? cell(f.verdict) : '–'} | ${n('error')} | ${n('warning')} | ${n('info')} | ${gates} |\n`);
  }
  const failing = files.flatMap((f) => f.diagnostics.filter(fails).map((d) => ({ f, d })));
  if (failing.length) {
    out.push('\n### Problems that fail this run\n\n| where | code | problem |\n| --- | --- | --- |\n');
    for (const { f, d } of failing.slice(0, 200)) out.push(`| ${cell(`${f.path}:${d.line}`)} | ${cell(d.code)} | ${cell(d.message)} |\n`);
    if (failing.length > 200) out.push(`\n…and ${failing.length - 200} more.\n`);
  }
  return out.join('');
}
