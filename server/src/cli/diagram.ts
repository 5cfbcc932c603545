/** `threatcode diagram`: the model's data-flow diagram as Mermaid source. */
import { buildDiagram } from '../analysis/diagram';
import { buildSystemDiagram } from '../analysis/system-diagram';
import {
  COMMON_OPTIONS_HELP,
  commonOptions,
  emit,
  EXIT_FAILED,
  EXIT_OK,
  EXIT_USAGE,
  loadModel,
  loadRules,
  loadSystem,
  maxLengthOption,
  oneModel,
  type Out,
  parseCommand,
} from './common';

export const DIAGRAM_HELP = `Usage: threatcode diagram <file> [--output <file>] [--focus <boundary-id>]
       threatcode diagram --system [<file|dir>...] [--output <file>]

Prints the data-flow diagram as Mermaid flowchart source. Large models get a boundary overview; --focus shows one
boundary and its neighbours. --system draws the models named (default: the current folder) as one system: each model
a node, the flows that cross from one model into another between them, imports without a flow dotted.
${COMMON_OPTIONS_HELP}
`;

export function diagram(args: readonly string[], out: Out, err: Out): number {
  const { values, positionals } = parseCommand('diagram', args, {
    ...commonOptions,
    focus: { type: 'string' },
    system: { type: 'boolean' },
  });
  if (values.help) {
    out(DIAGRAM_HELP);
    return EXIT_OK;
  }
  if (values.system) {
    const ruleSet = loadRules(values, err);
    if (!ruleSet) return EXIT_USAGE;
    const system = loadSystem(positionals, ruleSet, maxLengthOption(values['max-file-size']), err);
    if (!system) return EXIT_USAGE;
    emit(buildSystemDiagram(system).mermaid + '\n', values.output, out);
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
