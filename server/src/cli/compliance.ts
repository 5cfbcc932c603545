/**
 * `threatcode compliance`: for each relevant control of a framework, what in the model evidences it, what is planned,
 * what is missing (with the open findings behind it) and what does not apply, with file and line.
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import { assessCompliance, type ComplianceItem, type ComplianceReport, type ControlResult } from '../analysis/compliance';
import { selectorsOf } from '../analysis/compliance-frameworks';
import { escapeMarkdown, markdownCode } from '../shared/escape';
import {
  collectFiles,
  COMMON_OPTIONS_HELP,
  commonOptions,
  emit,
  EXIT_FAILED,
  EXIT_OK,
  EXIT_USAGE,
  loadModel,
  loadRules,
  maxLengthOption,
  oneLine,
  type Out,
  parseCommand,
  UsageError,
} from './common';

export const COMPLIANCE_HELP = `Usage: threatcode compliance [paths...] [--framework <id>] [--format text|json|markdown] [--output <file>]

For each control of a compliance framework that the model makes relevant: evidenced (a control the model states, or
a mitigation implemented or verified for the threat), planned (a mitigation proposed, planned or in progress), a gap
(with the open findings behind it) or not applicable (with the reason recorded), each with file and line. A control
is relevant when a rule that applies suggests a mitigation that implements it.

  --framework <id>     A framework and level: asvs-5.0-L2, nist-800-53-r5-moderate (or a framework id alone for all
                       its controls). Default: the frameworks each model names in system.compliance.
  --format <format>    text (default), json, or markdown (for a CI job summary or a pull-request comment).
  --output <file>      Write to a file instead of standard output.
${COMMON_OPTIONS_HELP}

Exit codes: 0 reported, 1 a model could not be read, 2 usage error (an unknown framework, with the known ones).
`;

interface ModelCompliance {
  readonly file: string;
  readonly system: string;
  readonly reports: readonly (ComplianceReport & { readonly selector: string })[];
}

export function compliance(args: readonly string[], out: Out, err: Out): number {
  const { values, positionals } = parseCommand('compliance', args, {
    ...commonOptions,
    framework: { type: 'string', multiple: true },
    format: { type: 'string' },
  });
  if (values.help) {
    out(COMPLIANCE_HELP);
    return EXIT_OK;
  }
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'markdown')
    throw new UsageError(`--format must be text, json or markdown, not '${oneLine(format)}'.`);
  const ruleSet = loadRules(values, err);
  if (!ruleSet) return EXIT_USAGE;
  const files = collectFiles(positionals.length ? positionals : ['.']);
  if (files.length === 0) throw new UsageError('no threat models (*.tm.yaml) found.');
  const maxLength = maxLengthOption(values['max-file-size']);
  const results: ModelCompliance[] = [];
  let unreadable = false;
  let unnamed = false;
  for (const file of files) {
    const loaded = loadModel(file, ruleSet, maxLength, err);
    const model = loaded?.analysis?.parsed.model;
    if (!loaded?.analysis || !model) {
      err(`threatcode: ${oneLine(file)} could not be read as a threat model.\n`);
      unreadable = true;
      continue;
    }
    const named = Array.isArray(model.system?.compliance) ? model.system.compliance.filter((s): s is string => typeof s === 'string') : [];
    const selectors = values.framework ?? named;
    if (selectors.length === 0) {
      err(
        `threatcode: ${oneLine(file)} names no framework in system.compliance; say which with --framework (${selectorsOf(ruleSet.frameworks).join(', ')}).\n`,
      );
      unnamed = true;
      continue;
    }
    const document = TextDocument.create(file, 'threatmodel', 0, loaded.text);
    const reports: ModelCompliance['reports'][number][] = [];
    for (const selector of selectors) {
      const report = assessCompliance(loaded.analysis, ruleSet, selector);
      if ('error' in report) throw new UsageError(`${values.framework ? '--framework' : `${file}: system.compliance`}: ${report.error}`);
      reports.push({ selector, ...withLines(report, document) });
    }
    results.push({ file, system: typeof model.system?.name === 'string' ? model.system.name : file, reports });
  }
  // Nothing to report on because no model names a framework: the command line must say which.
  if (results.length === 0 && unnamed && !unreadable) return EXIT_USAGE;
  const written =
    format === 'json'
      ? `${JSON.stringify({ models: results }, null, 2)}\n`
      : format === 'markdown'
        ? results.map(markdown).join('\n')
        : results.map(text).join('\n');
  emit(written, values.output, out);
  return unreadable ? EXIT_FAILED : EXIT_OK;
}

/** Items with the 1-based line they start on, for people and for JSON readers alike. */
function withLines(report: ComplianceReport, document: TextDocument): ComplianceReport {
  const line = (item: ComplianceItem) => ({ ...item, line: document.positionAt(item.span.start).line + 1 });
  return {
    ...report,
    controls: report.controls.map((c) => ({
      ...c,
      evidence: c.evidence.map(line),
      planned: c.planned.map(line),
      gaps: c.gaps.map(line),
      notApplicable: c.notApplicable.map(line),
    })),
  };
}

const SECTIONS: readonly { status: ControlResult['status']; title: string }[] = [
  { status: 'gap', title: 'Gaps' },
  { status: 'planned', title: 'Planned' },
  { status: 'evidenced', title: 'Evidenced' },
  { status: 'not-applicable', title: 'Not applicable' },
];

function text(model: ModelCompliance): string {
  const lines: string[] = [];
  for (const report of model.reports) {
    const { framework, level, counts } = report;
    const scope = level !== undefined ? `level ${level}` : 'all controls';
    lines.push(
      `${oneLine(model.file)}: ${oneLine(model.system)} against ${framework.title}${framework.version ? ` (${framework.version})` : ''}, ${scope} (${report.inScope} controls)`,
      `  ${counts.evidenced} evidenced · ${counts.planned} planned · ${counts.gap} ${counts.gap === 1 ? 'gap' : 'gaps'} · ${counts['not-applicable']} not applicable · ${report.untouched} not described by the model`,
    );
    for (const { status, title } of SECTIONS) {
      const controls = report.controls.filter((c) => c.status === status);
      if (controls.length === 0) continue;
      lines.push('', `  ${title}`);
      for (const c of controls) {
        lines.push(`    ${c.id}  ${oneLine(c.title)}`);
        const { items, more } = itemsOf(c, 6);
        for (const [kind, item] of items) lines.push(`      ${oneLine(model.file)}:${item.line ?? 1} ${kind}: ${oneLine(item.text)}`);
        if (more > 0) lines.push(`      … and ${more} more (--format json lists all)`);
      }
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** The items of a control, what is missing first, at most `max` of them; and how many more there are. */
function itemsOf(c: ControlResult, max: number): { items: (readonly [string, ComplianceItem & { line?: number }])[]; more: number } {
  const all = [
    ...c.gaps.map((i) => ['missing', i] as const),
    ...c.planned.map((i) => ['planned', i] as const),
    ...c.evidence.map((i) => ['evidence', i] as const),
    ...c.notApplicable.map((i) => ['n/a', i] as const),
  ];
  return { items: all.slice(0, max), more: Math.max(0, all.length - max) };
}

/**
 * For a CI job summary or a pull-request comment: the counts, then a table per status (gaps open, the rest folded), each
 * control with what the model says and the line it says it on. Every string from the model is escaped.
 */
function markdown(model: ModelCompliance): string {
  const out: string[] = [];
  for (const report of model.reports) {
    const { framework, level, counts } = report;
    const version = framework.version ? ` (${escapeMarkdown(framework.version)})` : '';
    out.push(
      `## Compliance of ${escapeMarkdown(model.system)} with ${escapeMarkdown(framework.title)}${version}, ${level !== undefined ? `level ${escapeMarkdown(level)}` : 'all controls'}`,
      '',
      `${markdownCode(model.file)} · ${report.inScope} controls: **${counts.evidenced} evidenced · ${counts.planned} planned · ${counts.gap} ${counts.gap === 1 ? 'gap' : 'gaps'}** · ${counts['not-applicable']} not applicable · ${report.untouched} not described by the model`,
      '',
    );
    for (const { status, title } of SECTIONS) {
      const controls = report.controls.filter((c) => c.status === status);
      if (controls.length === 0) continue;
      out.push(`<details${status === 'gap' ? ' open' : ''}><summary>${title} (${controls.length})</summary>`, '');
      out.push('| control | title | what the model says |', '| --- | --- | --- |');
      for (const c of controls) {
        const { items, more } = itemsOf(c, 4);
        const said = items.map(([kind, item]) => `${kind}: ${escapeMarkdown(item.text)} (line ${item.line ?? 1})`);
        if (more > 0) said.push(`… and ${more} more`);
        out.push(`| ${escapeMarkdown(c.id)} | ${escapeMarkdown(c.title)} | ${said.join('<br>')} |`);
      }
      out.push('', '</details>', '');
    }
  }
  return out.join('\n');
}
