/**
 * What a change of settings must cause, decided without side effects so that the policy can be unit-tested: settings
 * arrive after the first documents are open, and re-analysing everything would analyse a large model twice.
 */
import { maxLengthForMB } from '../model/parse';
import type { ThreatcodeSettings } from '../shared/settings';

export interface SettingsEffects {
  /** The rule packs in force changed: load them again and re-analyse every document. */
  readonly reloadRules: boolean;
  /** Whether an open document of this length (UTF-16 code units) must be analysed again (its too-large state flipped). */
  readonly reanalyse: (length: number) => boolean;
  /** Models in the workspace that are not open were analysed under other rules or limits: forget them. */
  readonly forgetClosedModels: boolean;
  /** The analyses stand but what is sent of them changed (the diagnostics limit): publish again. */
  readonly republish: boolean;
  /** What the diagram and completeness views show changed: tell the client to ask again. */
  readonly viewsChanged: boolean;
}

export function settingsEffects(before: ThreatcodeSettings, after: ThreatcodeSettings): SettingsEffects {
  const reloadRules = !sameList(before.rulePacks, after.rulePacks);
  const sizeChanged = before.maxFileSizeMB !== after.maxFileSizeMB;
  const tooLarge = (length: number, mb: number) => length > maxLengthForMB(mb);
  return {
    reloadRules,
    reanalyse: (length) => !reloadRules && sizeChanged && tooLarge(length, before.maxFileSizeMB) !== tooLarge(length, after.maxFileSizeMB),
    forgetClosedModels: reloadRules || sizeChanged,
    republish: !reloadRules && !sizeChanged && before.maxDiagnosticsPerFile !== after.maxDiagnosticsPerFile,
    viewsChanged: reloadRules || JSON.stringify(before) !== JSON.stringify(after),
  };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
