/**
 * Reads an infrastructure source named by the user (`check --infra`, `threatcode.infrastructure`, `import terraform`):
 * a file, or a folder of manifests (its YAML and JSON files, not its subfolders). Regular files only, inside `root`,
 * bounded; the content is data (parsed, never run).
 */
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { readRegularFile } from './regular-file';

/** Sources are bounded like imported models: 32 MB a file. */
const MAX_INFRA_BYTES = 32 * 1024 * 1024;

/** At most this many files of a folder are read. */
const MAX_FOLDER_FILES = 500;

/** The texts of a source: one file, or a folder's YAML and JSON files (not its subfolders), sorted. */
export interface InfraFiles {
  readonly texts: readonly { readonly name: string; readonly text: string }[];
  /** The files read (for the cache: their modification times). */
  readonly files: readonly string[];
}

/** Reads the files of a source; throws an Error with a message for the user. */
export function readInfraFiles(target: string, root: string): InfraFiles {
  let stat;
  try {
    stat = statSync(target);
  } catch {
    throw new Error(`no such file or folder: ${target}`);
  }
  const files = stat.isDirectory()
    ? readdirSync(target, { withFileTypes: true })
        .filter((e) => e.isFile() && /\.(ya?ml|json)$/i.test(e.name))
        .map((e) => path.join(target, e.name))
        .sort()
        .slice(0, MAX_FOLDER_FILES)
    : [target];
  if (files.length === 0) throw new Error(`no YAML or JSON files in ${target}`);
  const texts = files.map((file) => {
    const read = readRegularFile(file, root, MAX_INFRA_BYTES);
    if ('refused' in read) throw new Error(read.refused);
    if ('tooLarge' in read) throw new Error(`${file} is over 32 MB; it is not read`);
    return { name: path.basename(file), text: read.bytes.toString('utf8') };
  });
  return { texts, files };
}

/** A stamp of the files' sizes and modification times: the source changed when it changed. */
export function sourceStamp(files: readonly string[]): string {
  return files
    .map((f) => {
      try {
        const s = statSync(f);
        return `${s.size}:${s.mtimeMs}`;
      } catch {
        return '-';
      }
    })
    .join('|');
}
