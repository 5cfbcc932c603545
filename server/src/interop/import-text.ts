/**
 * One source text in, the model text out: the format detected (or named), parsed with the limits every model has, and
 * imported. Shared by `threatcode import` and the editor's Import command.
 */
import { parseYamlText } from '../model/parse';
import { detectFormat, FORMAT_NAMES, type ImportFormat, importerOf } from './formats';
import { type ImportResult, toModelText } from './imported';
import { importTmt } from './tmt';

/** Import sources are larger than models at times (diagram geometry): up to 32 MB. */
export const MAX_SOURCE_BYTES = 32 * 1024 * 1024;

export type ImportOutcome =
  | { readonly ok: true; readonly text: string; readonly result: ImportResult; readonly format: ImportFormat }
  | { readonly ok: false; readonly error: string };

export function importText(source: string, fileName: string, from?: ImportFormat): ImportOutcome {
  const fail = (error: string): ImportOutcome => ({ ok: false, error });
  const body = source.replace(/^\uFEFF/, '');
  let format: ImportFormat | undefined = from;
  let run: (() => ImportResult) | undefined;
  if (/^\s*</.test(body)) {
    if (from !== undefined && from !== 'tmt') return fail(`${fileName} is XML, not ${FORMAT_NAMES[from]}.`);
    format = 'tmt';
    run = () => importTmt(body);
  } else {
    // JSON is YAML: one parser, with the limits every model has (size, nesting, aliases).
    const parsed = parseYamlText(body, { maxLength: MAX_SOURCE_BYTES, maxValues: 2_000_000 });
    const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
    if (!parsed.ok || errors.length) return fail(`${fileName} is not valid JSON or YAML: ${errors[0]?.message ?? 'it cannot be read'}`);
    format ??= detectFormat(parsed.value);
    if (!format)
      return fail(`the format of ${fileName} is not one Threatcode reads (OTM, Threat Dragon, TMT, Threagile, Threat Composer, TM-BOM).`);
    const importer = importerOf(format);
    if (!importer) return fail(`${FORMAT_NAMES[format]} files are recognised but not imported yet.`);
    run = () => importer(parsed.value);
  }
  try {
    const result = run();
    // A source without a name of its own is named after its file.
    if (result.model.system.name === 'Imported model' || !result.model.system.name)
      result.model.system.name = fileName.replace(/(\.tc)?\.(json|ya?ml|tm7)$/i, '') || 'Imported model';
    return { ok: true, result, format, text: toModelText(result, `${FORMAT_NAMES[format]} (${fileName})`) };
  } catch (e) {
    return fail(`${fileName} is not a ${FORMAT_NAMES[format]} file Threatcode can read: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** "4 components, 2 flows, …" for a result. */
export function importCounts(result: ImportResult): string {
  const m = result.model;
  return `${m.components.length} components, ${m.flows.length} flows, ${m.boundaries.length} boundaries, ${m.threats.length} threats, ${m.mitigations.length} mitigations, ${m.assumptions.length} assumptions`;
}
