/**
 * `threatcode` command line: the same analysis as the language server, for CI pipelines and terminals.
 * Exit codes: 0 nothing reached the --fail-on threshold and every gate passed, 1 something did, 2 usage or I/O error.
 */
import { didYouMean, suggest } from '../model/suggest';
import { errorMessage } from '../shared/errors';
import { check } from './check';
import { compliance } from './compliance';
import { EXIT_OK, EXIT_USAGE, type Out, UsageError } from './common';
import { diagram } from './diagram';
import { init } from './init';
import { exportCommand, importCommand } from './interop';
import { report } from './report';
import { rules } from './rules';

declare const SERVER_VERSION: string;

const COMMANDS = ['check', 'report', 'diagram', 'compliance', 'rules', 'init', 'import', 'export'];

const HELP = `Usage: threatcode <command> [options]

Commands:
  check [paths...]     Analyse threat models (*.tm.yaml); default: all under the current folder.
  report <file>        Write a Markdown or self-contained HTML report of one model.
  diagram <file>       Print the model's data-flow diagram as Mermaid source.
  compliance [paths...]
                       Per control of a framework (asvs-5.0-L2, nist-800-53-r5-moderate …): evidenced, planned, a
                       gap or not applicable, and where the model says so.
  rules                List the built-in rules.
  init [file]          Write a starter threat model (default: threatmodel.tm.yaml).
  import <file>        Bring in a model from another tool (OTM; see threatcode import --help).
  export <model>       Write a model as OTM or CSV (threatcode export --help).

Options:
  -h, --help           Show help (also: threatcode <command> --help).
  -v, --version        Print the version.

Exit codes: 0 success, 1 problems at or above the threshold or a failed gate, 2 usage or I/O error.
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
      case 'compliance':
        return compliance(rest, out, err);
      case 'rules':
        return rules(rest, out);
      case 'init':
        return init(rest, out, err);
      case 'import':
        return importCommand(rest, out, err);
      case 'export':
        return exportCommand(rest, out, err);
      default:
        throw new UsageError(`unknown command '${command}'.${didYouMean(suggest(command, COMMANDS, 1))} Run 'threatcode --help'.`);
    }
  } catch (e) {
    err(`threatcode: ${errorMessage(e)}\n`);
    return EXIT_USAGE;
  }
}

if (require.main === module) {
  // `threatcode check | head` closes the pipe early: stop quietly instead of crashing.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  process.exitCode = main(
    process.argv.slice(2),
    (s) => process.stdout.write(s),
    (s) => process.stderr.write(s),
  );
}
