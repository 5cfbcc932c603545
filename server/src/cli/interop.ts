/** `threatcode import` and `threatcode export`: other tools' threat models in, ours out. */
import * as path from 'node:path';
import { readRegularFile } from '../files/regular-file';
import { exportCsv } from '../interop/csv';
import { IMPORT_FORMATS, type ImportFormat } from '../interop/formats';
import { toModelText } from '../interop/imported';
import { nameFromPath } from '../interop/infra';
import { importInfra, INFRA_KIND_NAMES, type InfraKind, infraSource } from '../interop/infra-sources';
import { readInfraFiles } from '../files/infrastructure-files';
import { importCounts, importText, MAX_SOURCE_BYTES } from '../interop/import-text';
import { exportOtm } from '../interop/otm';
import { exportThreatDragon } from '../interop/threat-dragon';
import {
  EXIT_FAILED,
  EXIT_OK,
  emit,
  loadModel,
  loadRules,
  maxLengthOption,
  oneLine,
  oneModel,
  type Out,
  parseCommand,
  problemLine,
  UsageError,
} from './common';

export const IMPORT_HELP = `Usage: threatcode import <file> [--from <format>] [--output model.tm.yaml]
       threatcode import compose <docker-compose.yml> [--output model.tm.yaml]
       threatcode import kubernetes <folder|manifest.yaml> [--output model.tm.yaml]
       threatcode import terraform <plan.json|state.json> [--output model.tm.yaml]   (terraform show -json)

Reads a threat model made with another tool and writes it as a Threatcode model (to standard output without
--output). Every threat, mitigation, status and justification of the source is kept; what has no place in the
format, and every choice the import made, is listed in a comment at the top of the model and on standard error.

Formats (--from; detected from the content when absent): ${IMPORT_FORMATS.join(', ')}.
Read today: otm (OTM 0.2, JSON or YAML), threat-dragon (v1 and v2 JSON, every diagram merged), tmt (.tm7
XML: stencils, flows, boundary boxes, every threat with its state and justification), threagile (YAML: assets,
links, boundaries, individual risks and risk tracking), threat-composer (.tc.json: threat statements,
mitigations, assumptions and their links; impacted assets become data assets the threats target), tm-bom (OWASP
TM-BOM JSON; its threats name no element and target one component standing for the system).
`;

export const EXPORT_HELP = `Usage: threatcode export <model> --to <otm|threat-dragon|csv> [--output file]

  otm   Open Threat Model 0.2 JSON, for IriusRisk and other OTM tools (Threat Dragon reads it too). OTM applies
        threats to components and dataflows: a threat on a boundary or a data asset is in its threat list only.
  threat-dragon  Threat Dragon v2 JSON, laid out to open readably in Threat Dragon.
  csv   Threats and open findings, one row each, for issue trackers and spreadsheets.
`;

export function importCommand(args: readonly string[], out: Out, err: Out): number {
  const { values, positionals } = parseCommand('import', args, {
    from: { type: 'string' },
    output: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    out(IMPORT_HELP);
    return EXIT_OK;
  }
  if (positionals[0] === 'compose' || positionals[0] === 'kubernetes' || positionals[0] === 'terraform')
    return importInfrastructure(positionals[0], positionals.slice(1), values.output, out, err);
  if (positionals.length !== 1) throw new UsageError(`import takes exactly one file.\n\n${IMPORT_HELP}`);
  const file = positionals[0];
  if (values.from !== undefined && !(IMPORT_FORMATS as readonly string[]).includes(values.from))
    throw new UsageError(`--from must be one of ${IMPORT_FORMATS.join(', ')}, not '${values.from}'.`);
  const read = readRegularFile(file, process.cwd(), MAX_SOURCE_BYTES);
  if ('refused' in read) throw new UsageError(read.refused);
  if ('tooLarge' in read)
    throw new UsageError(`${file} is ${Math.round(read.tooLarge / 1048576)} MB; sources over 32 MB are not imported.`);
  const outcome = importText(read.bytes.toString('utf8'), path.basename(file), values.from as ImportFormat | undefined);
  if (!outcome.ok) throw new UsageError(oneLine(outcome.error));
  emit(outcome.text, values.output, out);
  for (const n of outcome.result.notes) err(`threatcode: review: ${oneLine(n)}\n`);
  err(`threatcode: imported ${importCounts(outcome.result)}; ${outcome.result.notes.length} notes to review.\n`);
  return EXIT_OK;
}

/** Infrastructure as code as a draft model: a Compose file, Kubernetes manifests (a folder's files), a Terraform JSON. */
function importInfrastructure(kind: InfraKind, paths: readonly string[], output: string | undefined, out: Out, err: Out): number {
  if (paths.length !== 1)
    throw new UsageError(`import ${kind} takes one ${kind === 'kubernetes' ? 'folder or manifest' : 'file'}.\n\n${IMPORT_HELP}`);
  const target = paths[0];
  let result;
  try {
    const source = infraSource(readInfraFiles(target, process.cwd()).texts, target, kind);
    result = importInfra(kind, source.documents, nameFromPath(target));
  } catch (e) {
    throw new UsageError(`${oneLine(target)}: ${oneLine(e instanceof Error ? e.message : String(e))}`);
  }
  emit(toModelText(result, `${INFRA_KIND_NAMES[kind]} (${path.basename(target)})`), output, out);
  for (const n of result.notes) err(`threatcode: review: ${oneLine(n)}\n`);
  err(`threatcode: imported ${importCounts(result)}; ${result.notes.length} notes to review.\n`);
  return EXIT_OK;
}

export function exportCommand(args: readonly string[], out: Out, err: Out): number {
  const { values, positionals } = parseCommand('export', args, {
    to: { type: 'string' },
    output: { type: 'string' },
    'max-file-size': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    out(EXPORT_HELP);
    return EXIT_OK;
  }
  if (values.to !== 'otm' && values.to !== 'csv' && values.to !== 'threat-dragon')
    throw new UsageError(`--to must be otm, threat-dragon or csv, not '${values.to ?? ''}'.`);
  const file = oneModel('export', positionals, EXPORT_HELP);
  const ruleSet = loadRules({}, err);
  if (!ruleSet) return EXIT_FAILED;
  const loaded = loadModel(file, ruleSet, maxLengthOption(values['max-file-size']), err);
  if (!loaded) return EXIT_FAILED;
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (!loaded.analysis?.parsed.model || errors.length) {
    for (const d of errors) err(problemLine(file, d));
    err(`threatcode: ${oneLine(file)} has errors; fix them before exporting.\n`);
    return EXIT_FAILED;
  }
  const analysis = loaded.analysis;
  const exported =
    values.to === 'csv'
      ? exportCsv(analysis)
      : `${JSON.stringify(values.to === 'otm' ? exportOtm(analysis) : exportThreatDragon(analysis), null, 2)}\n`;
  emit(exported, values.output, out);
  return EXIT_OK;
}
