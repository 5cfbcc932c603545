/**
 * The worker thread that drafts a model from a file for `threatcode/import` (lsp/import-request.ts starts one per
 * request): a 30 MB plan or a model of 20,000 elements takes seconds to convert, and on the server's thread every
 * diagnostic and hover would wait for it. Reads the file itself; answers with the model text or why not.
 */
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parentPort } from 'node:worker_threads';
import { readInfraFiles } from './files/infrastructure-files';
import { readRegularFile } from './files/regular-file';
import { importCounts, importText, MAX_SOURCE_BYTES } from './interop/import-text';
import { toModelText } from './interop/imported';
import { nameFromPath } from './interop/infra';
import { importInfra, INFRA_KIND_NAMES, infraSource } from './interop/infra-sources';
import { errorMessage } from './shared/errors';
import type { ImportResponse } from './shared/protocol';

parentPort?.on('message', (uri: string) => {
  let response: ImportResponse;
  try {
    response = importFile(uri);
  } catch (e) {
    response = { error: `The file could not be imported: ${errorMessage(e)}` };
  }
  parentPort?.postMessage(response);
});

/** The model text drafted from a file: read here (a regular file, bounded), converted by the importers. */
export function importFile(uri: string): ImportResponse {
  if (!uri.startsWith('file:')) return { error: 'Only files on disk can be imported.' };
  const file = fileURLToPath(uri);
  // Infrastructure as code (a Terraform JSON, a Compose file, a manifest or a folder of them) drafts a model.
  const infra = infraDraft(file);
  if (infra) return infra;
  const read = readRegularFile(file, path.dirname(file), MAX_SOURCE_BYTES);
  if ('refused' in read) return { error: read.refused };
  if ('tooLarge' in read) return { error: `${path.basename(file)} is over 32 MB; it is not imported.` };
  const outcome = importText(read.bytes.toString('utf8'), path.basename(file));
  if (!outcome.ok) return { error: outcome.error };
  return { text: outcome.text, notes: outcome.result.notes, format: outcome.format, counts: importCounts(outcome.result) };
}

/** A draft from infrastructure as code, or undefined when the file is not one (another tool's threat model, say). */
function infraDraft(file: string): ImportResponse | undefined {
  let files;
  try {
    files = readInfraFiles(file, path.dirname(file));
  } catch (e) {
    return statSync(file, { throwIfNoEntry: false })?.isDirectory() ? { error: errorMessage(e) } : undefined;
  }
  let source;
  try {
    source = infraSource(files.texts, path.basename(file));
  } catch {
    // Not infrastructure (or not readable as such): the threat-model importers say what it is.
    return statSync(file).isDirectory() ? { error: `${path.basename(file)} holds no Kubernetes manifests.` } : undefined;
  }
  try {
    const result = importInfra(source.kind, source.documents, nameFromPath(file));
    return {
      text: toModelText(result, `${INFRA_KIND_NAMES[source.kind]} (${path.basename(file)})`),
      notes: result.notes,
      format: INFRA_KIND_NAMES[source.kind],
      counts: importCounts(result),
    };
  } catch (e) {
    return { error: `${path.basename(file)}: ${errorMessage(e)}` };
  }
}
