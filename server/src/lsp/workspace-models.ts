/**
 * Threat models in the workspace that are not open in the editor, for workspace-wide symbols. Files are found by a
 * bounded walk of the workspace folders and analysed once per modification time.
 */
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Analysis, analyzeText } from '../analysis/analyze';
import type { RuleSet } from '../analysis/rules/types';
import type { ExcludePredicate } from '../files/excludes';
import { findModelFiles } from '../files/model-files';
import { readRegularFile } from '../files/regular-file';

const MAX_FILES = 500;

export class WorkspaceModels {
  private readonly cache = new Map<string, { mtime: number; text: string; analysis: Analysis }>();

  /** (uri, text, analysis) of every *.tm.yaml file under the folders, up to MAX_FILES. */
  list(
    folderUris: readonly string[],
    maxLength: number,
    rules: RuleSet,
    excluded?: ExcludePredicate,
  ): { uri: string; text: string; analysis: Analysis }[] {
    const out: { uri: string; text: string; analysis: Analysis }[] = [];
    for (const folder of folderUris.filter((u) => u.startsWith('file:'))) {
      for (const file of findModelFiles(fileURLToPath(folder), { limit: MAX_FILES - out.length, excluded })) {
        const entry = this.load(file, maxLength, rules);
        if (entry) out.push({ uri: pathToFileURL(file).toString(), ...entry });
      }
    }
    return out;
  }

  clear(): void {
    this.cache.clear();
  }

  private load(file: string, maxLength: number, rules: RuleSet): { text: string; analysis: Analysis } | undefined {
    try {
      const stat = statSync(file);
      if (!stat.isFile() || stat.size > maxLength * 4) return undefined;
      const cached = this.cache.get(file);
      if (cached && cached.mtime === stat.mtimeMs) return cached;
      // Found by a walk that does not follow links; read as a regular file of bounded size all the same.
      const read = readRegularFile(file, path.dirname(file), maxLength * 4);
      if (!('bytes' in read)) return undefined;
      const text = read.bytes.toString('utf8');
      const entry = { mtime: stat.mtimeMs, text, analysis: analyzeText(text, { maxLength, rules }) };
      this.cache.set(file, entry);
      return entry;
    } catch {
      return undefined;
    }
  }
}
