/** `threatcode diagram`: the model's data-flow diagram as Mermaid source. */
import { buildDiagram } from '../analysis/diagram';
import {
  COMMON_OPTIONS_HELP,
  commonOptions,
  emit,
  EXIT_FAILED,
  EXIT_OK,
  EXIT_USAGE,
  loadModel,
  loadRules,
  maxLengthOption,
  oneModel,
  type Out,
  parseCommand,
} from './common';

export const DIAGRAM_HELP = `Usage: threatcode diagram <file> [--output <file>] [--focus <boundary-id>]

Prints the data-flow diagram as Mermaid flowchart source. Large models get a boundary overview; --focus shows one
boundary and its neighbours.
${COMMON_OPTIONS_HELP}
`;

export function diagram(args: readonly string[], out: Out, err: Out): number {
  const { values, positionals } = parseCommand('diagram', args, { ...commonOptions, focus: { type: 'string' } });
  if (values.help) {
    out(DIAGRAM_HELP);
    return EXIT_OK;
  }
  const file = oneModel('diagram', positionals, DIAGRAM_HELP);
  const ruleSet = loadRules(values, err);
  if (!ruleSet) return EXIT_USAGE;
  const loaded = loadModel(file, ruleSet, maxLengthOption(values['max-file-size']), err);
  if (!loaded?.analysis?.parsed.model) {
    err(`threatcode: ${file} could not be read as a threat model.\n`);
    return EXIT_FAILED;
  }
  emit(buildDiagram(loaded.analysis, { focusBoundary: values.focus }).mermaid + '\n', values.output, out);
  return EXIT_OK;
}
