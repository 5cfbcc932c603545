/**
 * What the server knows about the workspace: the client's capabilities, the settings, workspace trust, the rules in
 * force, the analyses of open documents and of the models that are not open. Handlers read it; the wiring in
 * server.ts acts on its changes.
 */
import { type Connection, DidChangeConfigurationNotification, type InitializeParams } from 'vscode-languageserver/node';
import type { SystemMember } from '../analysis/system-diagram';
import { maxLengthForMB } from '../model/parse';
import { errorMessage } from '../shared/errors';
import { CONFIG_SECTION, DEFAULT_SETTINGS, normaliseSettings, type ThreatcodeSettings } from '../shared/settings';
import { excludePredicate, type ExcludePredicate } from '../files/excludes';
import { nodeFileSystem } from '../files/node-file-system';
import { ModelStore } from '../workspace/model-store';
import { type ClientFacts, clientFacts } from './initialize';
import { loadWorkspaceRules, publishPackDiagnostics, type RulePackState } from './rule-packs';
import { type SettingsEffects, settingsEffects } from './settings';

export class WorkspaceState {
  client: ClientFacts = {
    canPullConfiguration: false,
    resolvesCodeActionEdits: false,
    disabledCodeActions: false,
    snippetEdits: false,
    pullsDiagnostics: false,
    moreActionsCommand: false,
    workspaceFolders: [],
    trusted: true,
  };
  settings: ThreatcodeSettings = DEFAULT_SETTINGS;
  /** The editor's files.exclude: models there are not listed as workspace models. */
  private excluded: ExcludePredicate | undefined;
  private excludedKey = 'null';
  private loadedRules: RulePackState | undefined;
  private settingsListener: (effects: SettingsEffects) => void = () => undefined;
  /** Every model file of the workspace, open or not, and what has been worked out of it. */
  readonly store = new ModelStore({
    fs: nodeFileSystem,
    roots: () => this.client.workspaceFolders,
    maxLength: () => maxLengthForMB(this.settings.maxFileSizeMB),
    rules: () => this.rules.ruleSet,
    excluded: () => this.excluded,
  });

  constructor(private readonly connection: Connection) {}

  initialize(params: InitializeParams): void {
    this.client = clientFacts(params);
    this.reloadRules();
  }

  /** The rules in force; loaded in `initialize`, when the workspace folders and trust are known. */
  get rules(): RulePackState {
    return (this.loadedRules ??= loadWorkspaceRules(this.client.workspaceFolders, this.settings.rulePacks, this.client.trusted));
  }

  /** Loads built-in and (in trusted workspaces) user rule packs, and reports problems on the pack files. */
  reloadRules(): void {
    const previous = this.loadedRules;
    try {
      this.loadedRules = loadWorkspaceRules(this.client.workspaceFolders, this.settings.rulePacks, this.client.trusted);
    } catch (e) {
      this.connection.console.error(`Loading rule packs failed: ${errorMessage(e)}`);
      return;
    }
    this.store.forgetAnalyses();
    publishPackDiagnostics(this.connection, previous, this.loadedRules);
  }

  /** The user granted workspace trust: user rule packs may load now. */
  trust(): void {
    this.client = { ...this.client, trusted: true };
  }

  /**
   * Every model of the workspace with its analysis, for the system of systems (the one view that shows them all):
   * indexed models and open documents, `limit` at most.
   */
  systemMembers(open: readonly { uri: string }[], limit: number): SystemMember[] {
    const uris = [...new Set([...open.map((d) => d.uri), ...this.store.index().models.map((m) => m.uri)])].slice(0, limit);
    return uris.flatMap((uri) => {
      const analysis = this.store.analysis(uri);
      return analysis ? [{ uri, analysis }] : [];
    });
  }

  /** Called with what each change of settings must cause. */
  onSettingsApplied(listener: (effects: SettingsEffects) => void): void {
    this.settingsListener = listener;
  }

  /** After `initialized`: pull the settings, and be told when they change. */
  async startSettings(): Promise<void> {
    if (!this.client.canPullConfiguration) return;
    void this.connection.client.register(DidChangeConfigurationNotification.type, { section: [CONFIG_SECTION, 'files.exclude'] });
    await this.refreshSettings(undefined);
  }

  /** `workspace/didChangeConfiguration`: pull the settings again (or take the pushed ones from clients that push). */
  async settingsChanged(pushed: unknown): Promise<void> {
    await this.refreshSettings(pushed);
  }

  private async refreshSettings(pushed: unknown): Promise<void> {
    const before = this.settings;
    if (this.client.canPullConfiguration) {
      try {
        const [threatcode, filesExclude] = (await this.connection.workspace.getConfiguration([
          { section: CONFIG_SECTION },
          { section: 'files.exclude' },
        ])) as unknown[];
        this.settings = normaliseSettings(threatcode);
        const excludedKey = JSON.stringify(filesExclude ?? null);
        if (excludedKey !== this.excludedKey) {
          // Other files are hidden now: the workspace is indexed again.
          this.excludedKey = excludedKey;
          this.excluded = excludePredicate(filesExclude);
          this.store.reindex();
        }
      } catch (e) {
        this.connection.console.warn(`Could not read settings, using defaults: ${errorMessage(e)}`);
      }
    } else if (pushed !== undefined) {
      this.settings = normaliseSettings((pushed as Record<string, unknown> | null)?.[CONFIG_SECTION]);
    }
    const effects = settingsEffects(before, this.settings);
    if (effects.forgetClosedModels) this.store.limitChanged();
    this.settingsListener(effects);
  }
}
