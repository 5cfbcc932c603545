/** The file-system port (shared/file-system.ts) on Node.js: `file:` URIs only. */
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BytesRead, ExcludePredicate, FileStamp, FileSystem } from '../shared/file-system';
import { findModelFiles } from './model-files';
import { readRegularFile } from './regular-file';

/** The path of a `file:` URI; undefined for other schemes and URIs Node cannot convert. */
export function fileUriPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export const nodeFileSystem: FileSystem = {
  stat(uri: string): FileStamp | undefined {
    const file = fileUriPath(uri);
    if (!file) return undefined;
    try {
      const stat = statSync(file);
      return stat.isFile() ? { stamp: `${stat.mtimeMs}:${stat.size}`, size: stat.size } : undefined;
    } catch {
      return undefined;
    }
  },
  read(uri: string, within: string, maxBytes: number): BytesRead {
    const file = fileUriPath(uri);
    const root = fileUriPath(within);
    if (!file || !root) return { refused: 'only files on disk can be read.' };
    const read = readRegularFile(file, root, maxBytes);
    return 'refused' in read ? { refused: read.refused.replace(file, path.basename(file)) } : read;
  },
  findModels(folder: string, excluded: ExcludePredicate | undefined): string[] {
    const root = fileUriPath(folder);
    return root ? findModelFiles(root, { excluded }).map((f) => pathToFileURL(f).href) : [];
  },
};
