/** `threatcode rules`: the built-in catalog as text, JSON or the Markdown page of docs/rules.md. */
import { rulesMarkdown } from '../analysis/rules/docs';
import { builtinRuleSet, peerCatalogs } from '../files/package-files';
import { EXIT_OK, type Out, UsageError, parseCommand } from './common';

export const RULES_HELP = `Usage: threatcode rules [--format text|json|markdown]

Lists the built-in rules: id, target, severity and title (text), everything (json), or the catalog page (markdown).
`;

export function rules(args: readonly string[], out: Out): number {
  const { values } = parseCommand('rules', args, { format: { type: 'string', default: 'text' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    out(RULES_HELP);
    return EXIT_OK;
  }
  const { ruleSet } = builtinRuleSet();
  switch (values.format) {
    case 'markdown':
      out(rulesMarkdown(ruleSet, peerCatalogs()));
      return EXIT_OK;
    case 'json':
      out(
        JSON.stringify(
          ruleSet.rules.map(({ source: _source, ...rule }) => rule),
          null,
          2,
        ) + '\n',
      );
      return EXIT_OK;
    case 'text':
      for (const r of ruleSet.rules) out(`${r.id.padEnd(8)} ${r.target.padEnd(10)} ${r.severity.padEnd(8)} ${r.title}\n`);
      return EXIT_OK;
    default:
      throw new UsageError(`--format must be text, json or markdown, not '${values.format}'.`);
  }
}
