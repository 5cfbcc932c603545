/**
 * Threat models in the workspace that are not open in the editor, for workspace-wide symbols. Files are found by a
 * bounded walk of the workspace folders and analysed once per modification time.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Analysis, analyzeText } from '../model/analyze';
import type { RuleSet } from '../analysis/rules/types';

const MAX_FILES = 500;
const SKIP = new Set(['node_modules', '.git', 'dist', 'out', '.vscode-test']);

export class WorkspaceModels {
  private readonly cache = new Map<string, { mtime: number; text: string; analysis: Analysis }>();

  /** (uri, text, analysis) of every *.tm.yaml file under the folders, up to MAX_FILES. */
  list(folderUris: readonly string[], maxLength: number, rules: RuleSet): { uri: string; text: string; analysis: Analysis }[] {
    const out: { uri: string; text: string; analysis: Analysis }[] = [];
    const stack = folderUris.filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u));
    while (stack.length && out.length < MAX_FILES) {
      const dir = stack.pop()!;
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const e of entries) {
        const full = path.join(dir, e.name);
        if (e.isDirectory() && !SKIP.has(e.name)) stack.push(full);
        else if (e.isFile() && /\.tm\.ya?ml$/.test(e.name) && out.length < MAX_FILES) {
          const entry = this.load(full, maxLength, rules);
          if (entry) out.push({ uri: pathToFileURL(full).toString(), ...entry });
        }
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
      if (stat.size > maxLength * 4) return undefined;
      const cached = this.cache.get(file);
      if (cached && cached.mtime === stat.mtimeMs) return cached;
      const text = readFileSync(file, 'utf8');
      const entry = { mtime: stat.mtimeMs, text, analysis: analyzeText(text, { maxLength, rules }) };
      this.cache.set(file, entry);
      return entry;
    } catch {
      return undefined;
    }
  }
}
