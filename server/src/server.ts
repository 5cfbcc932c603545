/**
 * The Threatcode language server: transport and wiring only. Handlers delegate to the pure core.
 * Runs over IPC when started by the extension, or over stdio with `--stdio` for other editors and tests.
 */
import {
  CodeActionKind,
  createConnection,
  DidChangeConfigurationNotification,
  InitializeResult,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { AnalysisCache } from './lsp/documents';
import { toLspDiagnostic } from './lsp/convert';
import { limitDiagnostics } from './model/diagnostic-limit';
import { maxLengthForMB } from './model/parse';
import { registerFeatures } from './lsp/features';
import type { Gates } from './analysis/metrics';
import { computeView } from './lsp/view';
import { WorkspaceModels } from './lsp/workspace-models';
import { loadWorkspaceRules, RulePackState } from './lsp/rule-packs';
import {
  CONFIG_SECTION,
  DEFAULT_SETTINGS,
  normaliseSettings,
  ServerStatus,
  STATUS_REQUEST,
  ThreatcodeInitializationOptions,
  ThreatcodeSettings,
  VIEW_REQUEST,
  ViewParams,
  VIEWS_CHANGED_NOTIFICATION,
  ViewResult,
  WORKSPACE_TRUSTED_NOTIFICATION,
} from './protocol';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);

let settings: ThreatcodeSettings = DEFAULT_SETTINGS;
let canPullConfiguration = false;
let resolvesCodeActionEdits = false;
let workspaceFolders: string[] = [];
let workspaceTrusted = true;
/** Loaded in `initialize`, when the workspace folders and trust are known. */
let rules: RulePackState | undefined;
function currentRules(): RulePackState {
  return (rules ??= loadWorkspaceRules(workspaceFolders, settings.rulePacks, workspaceTrusted));
}
const analyses = new AnalysisCache(
  () => maxLengthForMB(settings.maxFileSizeMB),
  () => currentRules().ruleSet,
);
const pending = new Map<string, NodeJS.Timeout>();

connection.onInitialize((params): InitializeResult => {
  canPullConfiguration = params.capabilities.workspace?.configuration === true;
  resolvesCodeActionEdits = params.capabilities.textDocument?.codeAction?.resolveSupport?.properties.includes('edit') === true;
  workspaceFolders = (params.workspaceFolders ?? []).map((f) => f.uri);
  if (workspaceFolders.length === 0 && params.rootUri) workspaceFolders = [params.rootUri];
  const options = (params.initializationOptions ?? {}) as ThreatcodeInitializationOptions;
  workspaceTrusted = options.workspaceTrusted !== false;
  reloadRules();
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      hoverProvider: true,
      definitionProvider: true,
      referencesProvider: true,
      renameProvider: { prepareProvider: true },
      documentSymbolProvider: { label: 'Threat model' },
      workspaceSymbolProvider: true,
      codeLensProvider: { resolveProvider: false },
      completionProvider: { triggerCharacters: [' ', ':', '[', ',', '-'] },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, `${CodeActionKind.SourceFixAll}.threatcode`], resolveProvider: true },
    },
    serverInfo: { name: 'threatcode', version: SERVER_VERSION },
  };
});

connection.onNotification(WORKSPACE_TRUSTED_NOTIFICATION, () => {
  workspaceTrusted = true;
  reloadRules();
  revalidateAll();
});

// The client watches .threatcode/rules/*.yaml; any change reloads the packs.
connection.onDidChangeWatchedFiles(() => {
  reloadRules();
  revalidateAll();
});

connection.onInitialized(() => {
  if (canPullConfiguration) {
    void connection.client.register(DidChangeConfigurationNotification.type, { section: CONFIG_SECTION });
    void refreshSettings();
  }
});

connection.onDidChangeConfiguration((change) => {
  if (!canPullConfiguration) settings = normaliseSettings((change.settings as Record<string, unknown>)?.[CONFIG_SECTION]);
  void refreshSettings();
});

async function refreshSettings(): Promise<void> {
  const before = settings;
  if (canPullConfiguration) {
    try {
      settings = normaliseSettings(await connection.workspace.getConfiguration(CONFIG_SECTION));
    } catch (e) {
      connection.console.warn(`Could not read settings, using defaults: ${String(e)}`);
    }
  }
  // Settings arrive after the first documents are open; re-analyse only what they change (at startup a large model
  // would otherwise be analysed twice).
  const packsChanged = JSON.stringify(settings.rulePacks) !== JSON.stringify(before.rulePacks);
  if (packsChanged) {
    reloadRules();
    revalidateAll();
  } else if (settings.maxFileSizeMB !== before.maxFileSizeMB) {
    const tooLarge = (document: TextDocument, mb: number) => document.getText().length > maxLengthForMB(mb);
    workspaceModels.clear();
    for (const document of documents.all()) {
      if (tooLarge(document, before.maxFileSizeMB) === tooLarge(document, settings.maxFileSizeMB)) continue;
      analyses.delete(document.uri);
      validate(document);
    }
    void connection.sendNotification(VIEWS_CHANGED_NOTIFICATION);
  } else if (JSON.stringify(settings) !== JSON.stringify(before)) {
    // Analyses are kept: a new diagnostics limit only changes what is sent.
    if (settings.maxDiagnosticsPerFile !== before.maxDiagnosticsPerFile) for (const document of documents.all()) validate(document);
    void connection.sendNotification(VIEWS_CHANGED_NOTIFICATION);
  }
}

function revalidateAll(): void {
  analyses.clear();
  workspaceModels.clear();
  for (const document of documents.all()) validate(document);
  void connection.sendNotification(VIEWS_CHANGED_NOTIFICATION);
}

/** Loads built-in and (in trusted workspaces) user rule packs, and reports problems on the pack files. */
function reloadRules(): void {
  const previous = rules;
  try {
    rules = loadWorkspaceRules(workspaceFolders, settings.rulePacks, workspaceTrusted);
  } catch (e) {
    connection.console.error(`Loading rule packs failed: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  for (const reason of rules.refused) connection.console.warn(reason);
  for (const [uri, { text, diagnostics }] of rules.packDiagnostics) {
    const doc = TextDocument.create(uri, 'yaml', 0, text);
    void connection.sendDiagnostics({ uri, diagnostics: diagnostics.map((d) => toLspDiagnostic(doc, d)) });
  }
  // Clear diagnostics of packs that are gone (deleted, or no longer loaded after a trust or setting change).
  for (const uri of previous?.packDiagnostics.keys() ?? []) {
    if (!rules.packDiagnostics.has(uri)) void connection.sendDiagnostics({ uri, diagnostics: [] });
  }
}

/** Documents analysed at least once: the first analysis (on open) is immediate, later ones wait for a pause. */
const opened = new Set<string>();

documents.onDidChangeContent((e) => {
  const uri = e.document.uri;
  if (opened.has(uri)) {
    schedule(e.document);
  } else {
    opened.add(uri);
    validate(e.document);
  }
});

documents.onDidClose((e) => {
  const uri = e.document.uri;
  clearTimeout(pending.get(uri));
  pending.delete(uri);
  opened.delete(uri);
  analyses.delete(uri);
  void connection.sendDiagnostics({ uri, diagnostics: [] });
});

function schedule(document: TextDocument): void {
  const existing = pending.get(document.uri);
  if (existing) clearTimeout(existing);
  pending.set(
    document.uri,
    setTimeout(() => {
      pending.delete(document.uri);
      const current = documents.get(document.uri);
      if (current) validate(current);
    }, settings.validationDelay),
  );
}

let lastPublication: ServerStatus['lastPublication'];

function validate(document: TextDocument): void {
  const uri = document.uri;
  const version = document.version;
  try {
    const t0 = performance.now();
    const analysis = analyses.get(document);
    // Drop the result if the document moved on (or closed) while we worked.
    const current = documents.get(uri);
    if (!current || current.version !== version) return;
    const t1 = performance.now();
    const diagnostics = limitDiagnostics(analysis.diagnostics, settings.maxDiagnosticsPerFile).map((d) => toLspDiagnostic(document, d));
    lastPublication = {
      uri,
      version,
      analysisMs: t1 - t0,
      conversionMs: performance.now() - t1,
      diagnostics: diagnostics.length,
      diagnosticsFound: analysis.diagnostics.length,
      incremental: analysis.incremental === true,
    };
    void connection.sendDiagnostics({ uri, version, diagnostics });
  } catch (e) {
    // The core does not throw by design; if it ever does, keep serving every other document.
    connection.console.error(`Analysis of ${uri} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }
}

process.on('uncaughtException', (e) => {
  connection.console.error(`Uncaught exception: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
});

declare const SERVER_VERSION: string;

const workspaceModels = new WorkspaceModels();

registerFeatures(connection, {
  documents,
  analysisOf: (document) => analyses.get(document),
  rules: () => currentRules().ruleSet,
  workspaceModels: () => workspaceModels.list(workspaceFolders, maxLengthForMB(settings.maxFileSizeMB), currentRules().ruleSet),
  diagnosticLimit: () => settings.maxDiagnosticsPerFile,
  outlineLimit: () => settings.maxOutlineItems,
  resolvesCodeActionEdits: () => resolvesCodeActionEdits,
});

connection.onRequest(STATUS_REQUEST, (): ServerStatus => {
  // Only with --expose-gc (tests): the numbers then show live memory, not garbage waiting for collection.
  (globalThis as { gc?: () => void }).gc?.();
  const memory = process.memoryUsage();
  return {
    version: SERVER_VERSION,
    openDocuments: documents.all().length,
    cachedAnalyses: analyses.size,
    analysesComputed: analyses.computed,
    heapUsedMB: memory.heapUsed / (1024 * 1024),
    heapTotalMB: memory.heapTotal / (1024 * 1024),
    externalMB: memory.external / (1024 * 1024),
    rssMB: memory.rss / (1024 * 1024),
    lastPublication,
  };
});

connection.onRequest(VIEW_REQUEST, (params: ViewParams): ViewResult | null => {
  const document = documents.get(params.uri);
  return document ? computeView(document, analyses.get(document), params, settings.gates as Gates, settings.diagramDetailLimit) : null;
});

documents.listen(connection);
connection.listen();
