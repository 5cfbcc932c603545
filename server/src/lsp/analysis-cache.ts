/**
 * Analysis results per open document, computed at most once per document version. Every feature asks here instead
 * of parsing again. A new version is analysed from the previous one (analyzeChange): an edit inside one item
 * reparses that item only.
 *
 * Models import other models (format 1.2): the cache keeps which files each analysis read, so that a change to one
 * of them (an edit in the editor, a save or checkout on disk) finds the models to analyse again.
 */
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { RuleSet } from '../analysis/rules/types';
import { type Analysis, analyzeChange, analyzeText } from '../analysis/analyze';
import type { ImportResolver } from '../analysis/imports';

export class AnalysisCache {
  private readonly entries = new Map<string, { version: number; analysis: Analysis }>();
  /** Per analysed document, the files its imports read (directly or not). */
  private readonly dependsOn = new Map<string, ReadonlySet<string>>();
  /** How many analyses were computed (for threatcode/status). */
  computed = 0;

  constructor(
    private readonly maxLength: () => number,
    private readonly rules: () => RuleSet,
    private readonly imports: () => ImportResolver | undefined = () => undefined,
  ) {}

  get(document: TextDocument): Analysis {
    const cached = this.entries.get(document.uri);
    if (cached && cached.version === document.version) return cached.analysis;
    const resolver = this.imports();
    const options = {
      maxLength: this.maxLength(),
      rules: this.rules(),
      ...(resolver && { imports: { uri: document.uri, resolver } }),
    };
    // The previous analysis is consumed here (its YAML nodes move into the new one): it is replaced just below.
    const analysis = cached ? analyzeChange(cached.analysis, document.getText(), options) : analyzeText(document.getText(), options);
    this.entries.set(document.uri, { version: document.version, analysis });
    if (analysis.imports) this.dependsOn.set(document.uri, analysis.imports.dependsOn);
    else this.dependsOn.delete(document.uri);
    this.computed++;
    return analysis;
  }

  /**
   * The analysed documents that import `uri` (directly or through other imports), forgotten: their next `get`
   * analyses them again with what the file holds now.
   */
  invalidateImporters(uri: string): string[] {
    const importers: string[] = [];
    for (const [importer, files] of this.dependsOn) {
      if (!files.has(uri)) continue;
      importers.push(importer);
      this.entries.delete(importer);
      this.dependsOn.delete(importer);
    }
    return importers;
  }

  get size(): number {
    return this.entries.size;
  }

  delete(uri: string): void {
    this.entries.delete(uri);
    this.dependsOn.delete(uri);
  }

  clear(): void {
    this.entries.clear();
    this.dependsOn.clear();
  }
}
