/**
 * The contract between client, server (and later the webview): names and shapes shared by all sides. Nothing here
 * may import from 'vscode' or from the server's internals, so every side can bundle it.
 */

export const LANGUAGE_ID = 'threatmodel';
export const CONFIG_SECTION = 'threatcode';
/** Diagnostic `source` for everything Threatcode reports. */
export const DIAGNOSTIC_SOURCE = 'threatcode';

/** The `threatcode.*` settings the server reads (see package.json contributes.configuration). */
export interface ThreatcodeSettings {
  /** Files larger than this are not analysed. */
  readonly maxFileSizeMB: number;
  /** Delay between the last keystroke and re-analysis, in milliseconds. */
  readonly validationDelay: number;
  /** Extra rule pack files, relative to the workspace folder. Ignored in untrusted workspaces. */
  readonly rulePacks: readonly string[];
}

export const DEFAULT_SETTINGS: ThreatcodeSettings = {
  maxFileSizeMB: 8,
  validationDelay: 150,
  rulePacks: [],
};

/** Accepts whatever the client sent and falls back to defaults for anything missing or malformed. */
export function normaliseSettings(raw: unknown): ThreatcodeSettings {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const num = (v: unknown, fallback: number, min: number, max: number): number =>
    typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : fallback;
  return {
    maxFileSizeMB: num(r.maxFileSizeMB, DEFAULT_SETTINGS.maxFileSizeMB, 0.1, 256),
    validationDelay: num(r.validationDelay, DEFAULT_SETTINGS.validationDelay, 0, 5000),
    rulePacks: Array.isArray(r.rulePacks) ? r.rulePacks.filter((p): p is string => typeof p === 'string').slice(0, 50) : [],
  };
}

/** Sent by the client in `initialize`. Other editors may omit it; the server then trusts the workspace. */
export interface ThreatcodeInitializationOptions {
  /** VS Code's workspace trust: only built-in rules run in untrusted workspaces. */
  readonly workspaceTrusted?: boolean;
}

/** Client -> server: the user granted workspace trust (VS Code never revokes it without a reload). */
export const WORKSPACE_TRUSTED_NOTIFICATION = 'threatcode/workspaceTrusted';

/** Glob of workspace rule packs, watched by the client. */
export const WORKSPACE_RULE_PACK_GLOB = '**/.threatcode/rules/*.{yaml,yml}';
