/** `threatcode init`: writes the starter model (server/templates/starter.tm.yaml). */
import { existsSync, writeFileSync } from 'node:fs';
import { MODEL_FILE } from '../files/model-files';
import { starterModel } from '../files/package-files';
import { localDate } from '../shared/dates';
import { starterText } from '../shared/starter';
import { EXIT_OK, EXIT_USAGE, type Out, UsageError, parseCommand } from './common';

export const INIT_HELP = `Usage: threatcode init [file] [--force]

Writes a starter threat model to get going (default file: threatmodel.tm.yaml). Refuses to overwrite unless --force.
`;

export function init(args: readonly string[], out: Out, err: Out): number {
  const { values, positionals } = parseCommand('init', args, { force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    out(INIT_HELP);
    return EXIT_OK;
  }
  const file = positionals[0] ?? 'threatmodel.tm.yaml';
  if (!MODEL_FILE.test(file))
    throw new UsageError(`the file name must end in .tm.yaml so that editors and 'threatcode check' find it: ${file}`);
  if (existsSync(file) && !values.force) {
    err(`threatcode: ${file} exists; use --force to overwrite it.\n`);
    return EXIT_USAGE;
  }
  writeFileSync(file, starterText(starterModel(), localDate(new Date())));
  out(`Wrote ${file}. Open it in VS Code with the Threatcode extension, or run: threatcode check ${file}\n`);
  return EXIT_OK;
}
