/**
 * Threat models in the workspace that are not open in the editor, for workspace-wide symbols. Files are found by a
 * bounded walk of the workspace folders and analysed once per modification time.
 */
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Analysis, analyzeText } from '../analysis/analyze';
import type { ImportResolver } from '../analysis/imports';
import type { RuleSet } from '../analysis/rules/types';
import type { ExcludePredicate } from '../files/excludes';
import { findModelFiles } from '../files/model-files';
import { readRegularFile } from '../files/regular-file';

const MAX_FILES = 500;

export class WorkspaceModels {
  private readonly cache = new Map<
    string,
    { mtime: number; uri: string; text: string; analysis: Analysis; dependsOn: ReadonlySet<string> | undefined }
  >();

  /** (uri, text, analysis) of every *.tm.yaml file under the folders, up to MAX_FILES. */
  list(
    folderUris: readonly string[],
    maxLength: number,
    rules: RuleSet,
    excluded?: ExcludePredicate,
    imports?: ImportResolver,
  ): { uri: string; text: string; analysis: Analysis }[] {
    const out: { uri: string; text: string; analysis: Analysis }[] = [];
    for (const folder of folderUris.filter((u) => u.startsWith('file:'))) {
      for (const file of findModelFiles(fileURLToPath(folder), { limit: MAX_FILES - out.length, excluded })) {
        const uri = pathToFileURL(file).toString();
        const entry = this.load(file, uri, maxLength, rules, imports);
        if (entry) out.push({ uri, ...entry });
      }
    }
    return out;
  }

  clear(): void {
    this.cache.clear();
  }

  /** Forget what was read of a file (it changed), and of the models that import it. */
  forget(uri: string): void {
    for (const [file, entry] of this.cache) if (entry.uri === uri || entry.dependsOn?.has(uri)) this.cache.delete(file);
  }

  private load(
    file: string,
    uri: string,
    maxLength: number,
    rules: RuleSet,
    imports: ImportResolver | undefined,
  ): { text: string; analysis: Analysis } | undefined {
    try {
      const stat = statSync(file);
      if (!stat.isFile() || stat.size > maxLength * 4) return undefined;
      const cached = this.cache.get(file);
      if (cached && cached.mtime === stat.mtimeMs) return cached;
      // Found by a walk that does not follow links; read as a regular file of bounded size all the same.
      const read = readRegularFile(file, path.dirname(file), maxLength * 4);
      if (!('bytes' in read)) return undefined;
      const text = read.bytes.toString('utf8');
      const analysis = analyzeText(text, { maxLength, rules, ...(imports && { imports: { uri, resolver: imports } }) });
      const entry = { mtime: stat.mtimeMs, uri, text, analysis, dependsOn: analysis.imports?.dependsOn };
      this.cache.set(file, entry);
      return entry;
    } catch {
      return undefined;
    }
  }
}
