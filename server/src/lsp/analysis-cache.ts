/**
 * Analysis results per open document, computed at most once per document version. Every feature asks here instead
 * of parsing again. A new version is analysed from the previous one (analyzeChange): an edit inside one item
 * reparses that item only.
 */
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { RuleSet } from '../analysis/rules/types';
import { type Analysis, analyzeChange, analyzeText } from '../analysis/analyze';

export class AnalysisCache {
  private readonly entries = new Map<string, { version: number; analysis: Analysis }>();
  /** How many analyses were computed (for threatcode/status). */
  computed = 0;

  constructor(
    private readonly maxLength: () => number,
    private readonly rules: () => RuleSet,
  ) {}

  get(document: TextDocument): Analysis {
    const cached = this.entries.get(document.uri);
    if (cached && cached.version === document.version) return cached.analysis;
    const options = { maxLength: this.maxLength(), rules: this.rules() };
    // The previous analysis is consumed here (its YAML nodes move into the new one): it is replaced just below.
    const analysis = cached ? analyzeChange(cached.analysis, document.getText(), options) : analyzeText(document.getText(), options);
    this.entries.set(document.uri, { version: document.version, analysis });
    this.computed++;
    return analysis;
  }

  get size(): number {
    return this.entries.size;
  }

  delete(uri: string): void {
    this.entries.delete(uri);
  }

  clear(): void {
    this.entries.clear();
  }
}
