/**
 * Infrastructure sources as draft models: the text of Compose files, Kubernetes manifests and Terraform JSON, parsed
 * with the limits every model has, their kind recognised from the content, imported. Pure: files/infrastructure-files.ts
 * reads the files.
 */
import { DiagnosticCode } from '../model/diagnostics';
import { parseYamlText } from '../model/parse';
import { isPlainObject } from '../shared/values';
import type { ImportResult } from './imported';
import { importCompose, importKubernetes } from './infra';
import { importTerraform, isTerraformJson } from './terraform';

export type InfraKind = 'compose' | 'kubernetes' | 'terraform';
export const INFRA_KIND_NAMES: Readonly<Record<InfraKind, string>> = {
  compose: 'Docker Compose',
  kubernetes: 'Kubernetes manifests',
  terraform: 'Terraform (terraform show -json)',
};

/** Sources are bounded like imported models: 32 MB, and 2 million values for the whole source, aliases expanded. */
export const MAX_INFRA_BYTES = 32 * 1024 * 1024;
export const MAX_INFRA_VALUES = 2_000_000;

/**
 * The documents of one file's text: a JSON value, or every YAML document of a manifest. Throws with a clear message.
 * `budget` is shared by every document of a source: 400 documents that each expand to the limit through aliases were
 * 400 times the limit.
 */
export function infraDocuments(text: string, file: string, budget = { values: MAX_INFRA_VALUES }): unknown[] {
  const documents: unknown[] = [];
  // Manifests hold several documents; each is parsed alone, with the limits every model has.
  for (const part of text.split(/^---[ \t]*$/m)) {
    if (!part.trim() || /^\s*(#.*)?$/s.test(part.replace(/^\s*#.*$/gm, ''))) continue;
    const parsed = parseYamlText(part, { maxLength: MAX_INFRA_BYTES, maxValues: budget.values });
    const error = parsed.diagnostics.find((d) => d.severity === 'error');
    if (error?.code === DiagnosticCode.AliasLimit)
      throw new Error(
        `${file}: the source expands to more than ${MAX_INFRA_VALUES.toLocaleString('en-US')} values through its YAML aliases; write the repeated parts out, or import fewer files at once`,
      );
    if (!parsed.ok || error)
      throw new Error(`${file} is not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${error?.message ?? 'it cannot be read'}`);
    budget.values -= parsed.values ?? 0;
    documents.push(parsed.value);
  }
  return documents;
}

/** What the documents are, from their content. */
export function detectInfraKind(documents: readonly unknown[]): InfraKind | undefined {
  if (documents.length === 1 && isTerraformJson(documents[0])) return 'terraform';
  if (documents.length === 1 && isPlainObject(documents[0]) && isPlainObject(documents[0].services)) return 'compose';
  if (documents.some((d) => isPlainObject(d) && typeof d.kind === 'string' && typeof d.apiVersion === 'string')) return 'kubernetes';
  return undefined;
}

/** The documents of a source's texts and their kind (the one expected, or the one recognised); throws with a message. */
export function infraSource(
  texts: readonly { readonly name: string; readonly text: string }[],
  target: string,
  expected?: InfraKind,
): { kind: InfraKind; documents: unknown[] } {
  const budget = { values: MAX_INFRA_VALUES };
  const documents = texts.flatMap((t) => infraDocuments(t.text, t.name, budget));
  const kind = expected ?? detectInfraKind(documents);
  if (!kind) throw new Error(`${target} is not a Compose file, Kubernetes manifests or the JSON of terraform show -json`);
  return { kind, documents };
}

export function importInfra(kind: InfraKind, documents: readonly unknown[], name: string): ImportResult {
  switch (kind) {
    case 'compose':
      return importCompose(documents[0], name);
    case 'kubernetes':
      return importKubernetes(documents, name);
    case 'terraform':
      return importTerraform(documents[0], name);
  }
}
