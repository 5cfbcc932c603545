/**
 * The `threatcode.*` settings: their defaults and ranges, defined once. package.json contributes the same (a unit
 * test compares them), the server normalises what the client sends with them, and every default elsewhere (the
 * CLI's, the core's) is read from here.
 */
import { GATE_KINDS, type Gates, isGateName } from './vocabulary';

export const CONFIG_SECTION = 'threatcode';

export interface ThreatcodeSettings {
  /** Files larger than this are not analysed. */
  readonly maxFileSizeMB: number;
  /** Delay between the last keystroke and re-analysis, in milliseconds. */
  readonly validationDelay: number;
  /** Above this many components (or twice as many flows) the diagram shows the boundary overview. */
  readonly diagramDetailLimit: number;
  /** At most this many diagnostics are sent per file: the most severe, and a note saying how many more there are. */
  readonly maxDiagnosticsPerFile: number;
  /** At most this many elements are listed in the outline (document symbols), in document order. */
  readonly maxOutlineItems: number;
  /** Extra rule pack files, relative to the workspace folder. Ignored in untrusted workspaces. */
  readonly rulePacks: readonly string[];
  /** Completeness gates shown in the panel (same names as the CLI's --gate). */
  readonly gates: Gates;
  /** Globs (relative to each model's folder) of the source files the code coverage gauge counts. */
  readonly sourceFiles: readonly string[];
  /** Infrastructure sources (relative to the workspace folder) models are compared with. Trusted workspaces only. */
  readonly infrastructure: readonly string[];
  /** Completeness counts the elements of imported models too (by default a model's own only). */
  readonly completenessIncludesImports: boolean;
}

type NumericSetting = { [K in keyof ThreatcodeSettings]: ThreatcodeSettings[K] extends number ? K : never }[keyof ThreatcodeSettings];

/** The range of each numeric setting, and whether it is a whole number. */
export const NUMERIC_SETTINGS: Readonly<Record<NumericSetting, { readonly min: number; readonly max: number; readonly integer: boolean }>> =
  {
    maxFileSizeMB: { min: 0.1, max: 256, integer: false },
    validationDelay: { min: 0, max: 5000, integer: false },
    diagramDetailLimit: { min: 5, max: 1000, integer: true },
    maxDiagnosticsPerFile: { min: 10, max: 100_000, integer: true },
    maxOutlineItems: { min: 100, max: 1_000_000, integer: true },
  };

/** At most this many extra rule packs (or source globs) are read from the setting. */
const MAX_RULE_PACK_SETTINGS = 50;

/** Source files counted by the code coverage gauge unless `threatcode.sourceFiles` says otherwise. */
export const DEFAULT_SOURCE_FILES: readonly string[] = [
  '**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs,vue,svelte}',
  '**/*.{py,go,java,kt,kts,scala,groovy,rb,php,cs,fs,vb,rs,swift,dart,ex,exs,erl,clj,lua,pl}',
  '**/*.{c,cc,cpp,cxx,h,hh,hpp,m,mm}',
];

export const DEFAULT_SETTINGS: ThreatcodeSettings = {
  maxFileSizeMB: 8,
  validationDelay: 150,
  // Mermaid's layout time grows with the graph: about half a second at 30 components on a slow machine.
  diagramDetailLimit: 30,
  // VS Code's own per-file limit: more would be dropped by the editor after costing the transfer.
  maxDiagnosticsPerFile: 1000,
  // Like json.maxItemsComputed and yaml.maxItemsComputed: tens of thousands of symbols slow every edit.
  maxOutlineItems: 5000,
  rulePacks: [],
  gates: { maxOpenHighWithoutMitigation: 0, acceptancesValid: true },
  sourceFiles: DEFAULT_SOURCE_FILES,
  infrastructure: [],
  completenessIncludesImports: false,
};

/** Accepts whatever the client sent and falls back to defaults for anything missing or malformed. */
export function normaliseSettings(raw: unknown): ThreatcodeSettings {
  const r: Record<string, unknown> = typeof raw === 'object' && raw !== null ? { ...raw } : {};
  const num = (key: NumericSetting): number => {
    const { min, max, integer } = NUMERIC_SETTINGS[key];
    const v = r[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) return DEFAULT_SETTINGS[key];
    const clamped = Math.min(max, Math.max(min, v));
    return integer ? Math.round(clamped) : clamped;
  };
  return {
    maxFileSizeMB: num('maxFileSizeMB'),
    validationDelay: num('validationDelay'),
    diagramDetailLimit: num('diagramDetailLimit'),
    maxDiagnosticsPerFile: num('maxDiagnosticsPerFile'),
    maxOutlineItems: num('maxOutlineItems'),
    rulePacks: Array.isArray(r.rulePacks)
      ? r.rulePacks.filter((p): p is string => typeof p === 'string').slice(0, MAX_RULE_PACK_SETTINGS)
      : [],
    gates: typeof r.gates === 'object' && r.gates !== null && !Array.isArray(r.gates) ? normaliseGates(r.gates) : DEFAULT_SETTINGS.gates,
    sourceFiles: Array.isArray(r.sourceFiles)
      ? r.sourceFiles.filter((p): p is string => typeof p === 'string' && p.trim() !== '').slice(0, MAX_RULE_PACK_SETTINGS)
      : DEFAULT_SOURCE_FILES,
    infrastructure: Array.isArray(r.infrastructure)
      ? r.infrastructure.filter((p): p is string => typeof p === 'string' && p.trim() !== '').slice(0, MAX_RULE_PACK_SETTINGS)
      : [],
    completenessIncludesImports: r.completenessIncludesImports === true,
  };
}

/** Keeps the gates whose name is known and whose value has the gate's kind: a switch takes a boolean, others a number ≥ 0. */
export function normaliseGates(raw: object): Gates {
  const gates: Record<string, number | boolean> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (!isGateName(name)) continue;
    if (GATE_KINDS[name] === 'switch' ? typeof value === 'boolean' : typeof value === 'number' && Number.isFinite(value) && value >= 0) {
      gates[name] = value as number | boolean;
    }
  }
  return gates;
}
