/**
 * What the server knows about the workspace: the client's capabilities, the settings, workspace trust, the rules in
 * force, the analyses of open documents and of the models that are not open. Handlers read it; the wiring in
 * server.ts acts on its changes.
 */
import { type Connection, DidChangeConfigurationNotification, type InitializeParams } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Analysis } from '../analysis/analyze';
import { maxLengthForMB } from '../model/parse';
import { errorMessage } from '../shared/errors';
import { CONFIG_SECTION, DEFAULT_SETTINGS, normaliseSettings, type ThreatcodeSettings } from '../shared/settings';
import { excludePredicate, type ExcludePredicate } from '../files/excludes';
import { ImportedModels } from '../files/imported-models';
import { AnalysisCache } from './analysis-cache';
import { type ClientFacts, clientFacts } from './initialize';
import { loadWorkspaceRules, publishPackDiagnostics, type RulePackState } from './rule-packs';
import { type SettingsEffects, settingsEffects } from './settings';
import { WorkspaceModels } from './workspace-models';

export class WorkspaceState {
  client: ClientFacts = {
    canPullConfiguration: false,
    resolvesCodeActionEdits: false,
    disabledCodeActions: false,
    snippetEdits: false,
    workspaceFolders: [],
    trusted: true,
  };
  settings: ThreatcodeSettings = DEFAULT_SETTINGS;
  /** The editor's files.exclude: models there are not listed as workspace models. */
  private excluded: ExcludePredicate | undefined;
  private loadedRules: RulePackState | undefined;
  private readonly models = new WorkspaceModels();
  private settingsListener: (effects: SettingsEffects) => void = () => undefined;
  /** The models that models import, from open documents or disk. */
  readonly imported: ImportedModels;
  readonly analyses: AnalysisCache;

  constructor(
    private readonly connection: Connection,
    private readonly openDocuments: () => readonly TextDocument[],
    openDocument: (uri: string) => TextDocument | undefined = (uri) => openDocuments().find((d) => d.uri === uri),
  ) {
    const maxLength = () => maxLengthForMB(this.settings.maxFileSizeMB);
    this.imported = new ImportedModels(
      () => this.client.workspaceFolders,
      maxLength,
      (uri) => {
        const document = openDocument(uri);
        return document && { text: document.getText(), version: document.version };
      },
    );
    this.analyses = new AnalysisCache(
      maxLength,
      () => this.rules.ruleSet,
      () => this.imported.resolver(),
    );
  }

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
    this.analyses.clear();
    this.models.clear();
    this.imported.clear();
    publishPackDiagnostics(this.connection, previous, this.loadedRules);
  }

  /** The user granted workspace trust: user rule packs may load now. */
  trust(): void {
    this.client = { ...this.client, trusted: true };
  }

  /** (uri, text, analysis) of the models in the workspace folders that are not open in the editor. */
  closedModels(): { uri: string; text: string; analysis: Analysis }[] {
    const open = new Set(this.openDocuments().map((d) => d.uri));
    const maxLength = maxLengthForMB(this.settings.maxFileSizeMB);
    return this.models
      .list(this.client.workspaceFolders, maxLength, this.rules.ruleSet, this.excluded, this.imported.resolver())
      .filter((m) => !open.has(m.uri));
  }

  /**
   * A model file changed (edited, saved, checked out, deleted): what was read of it is forgotten, and so are the
   * analyses of the models that import it. Returns those models' URIs.
   */
  modelChanged(uri: string, onDisk: boolean): string[] {
    if (onDisk) this.imported.forget(uri);
    this.models.forget(uri);
    return this.analyses.invalidateImporters(uri);
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
        this.excluded = excludePredicate(filesExclude);
      } catch (e) {
        this.connection.console.warn(`Could not read settings, using defaults: ${errorMessage(e)}`);
      }
    } else if (pushed !== undefined) {
      this.settings = normaliseSettings((pushed as Record<string, unknown> | null)?.[CONFIG_SECTION]);
    }
    const effects = settingsEffects(before, this.settings);
    if (effects.forgetClosedModels) this.models.clear();
    this.settingsListener(effects);
  }
}
