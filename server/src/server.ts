/**
 * The Threatcode language server: wiring only. The workspace state holds settings, trust and rules; validation
 * publishes diagnostics; handlers adapt LSP requests to the pure features. Runs over IPC when started by the
 * extension, or over stdio with `--stdio` for other editors and tests.
 */
import { createConnection, ProposedFeatures, TextDocuments } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Analysis } from './analysis/analyze';
import { CodeContext } from './lsp/code-context';
import { registerCodeLinks } from './lsp/code-links';
import { registerFeatures } from './lsp/handlers';
import { InfraContext } from './lsp/infra-context';
import { draftComponents } from './interop/drift';
import { initializeResult } from './lsp/initialize';
import { registerExportRequest, registerImportRequest } from './lsp/export';
import { registerStatusRequest } from './lsp/status';
import { Validation } from './lsp/validation';
import { registerViewRequest } from './lsp/view';
import { WorkspaceState } from './lsp/workspace-state';
import { MODEL_FILE } from './files/model-files';
import { errorDetail } from './shared/errors';
import { CodeLinksChangedNotification, ViewsChangedNotification, WorkspaceTrustedNotification } from './shared/protocol';

declare const SERVER_VERSION: string;

// Started by an editor as `threatcode-language-server` with no transport named: standard input and output, which is
// what Neovim, Helix, Emacs and Sublime use.
const TRANSPORTS = ['--stdio', '--node-ipc', '--pipe', '--socket'];
if (!process.argv.some((a) => TRANSPORTS.some((t) => a === t || a.startsWith(`${t}=`)))) process.argv.push('--stdio');
if (process.argv.includes('--version')) {
  process.stdout.write(`${SERVER_VERSION}\n`);
  process.exit(0);
}

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const workspace = new WorkspaceState(
  connection,
  () => documents.all(),
  (uri) => documents.get(uri),
);
/** The repository's files and history behind `code:` links, read off the typing path. */
const code = new CodeContext(
  () => workspace.client.trusted,
  () => workspace.settings.sourceFiles,
  () => {
    // What the repository says changed: diagnostics, views and the CodeLens of source files follow.
    validation.republishChanged();
    void connection.sendNotification(ViewsChangedNotification, { reason: 'code' });
    void connection.sendNotification(CodeLinksChangedNotification, { reason: 'repository' });
  },
  (message) => connection.console.warn(message),
);
const codeLinksOf = (document: TextDocument, analysis: Analysis) => code.linksOf(document.uri, analysis);
/** The infrastructure models are compared with (threatcode.infrastructure). */
const infra = new InfraContext(
  () => workspace.client.workspaceFolders,
  () => workspace.settings.infrastructure,
  () => workspace.client.trusted,
  (message) => connection.console.warn(message),
);
/** Diagnostics from outside the model's text: the repository (code links) and the infrastructure (drift). */
const extraDiagnosticsOf = (document: TextDocument, analysis: Analysis) => [
  ...(codeLinksOf(document, analysis)?.diagnostics ?? []),
  ...(infra.driftOf(analysis)?.diagnostics ?? []),
];
const validation = new Validation(connection, documents, workspace.analyses, () => workspace.settings, extraDiagnosticsOf);
/** Models changed: the CodeLens of linked source files asks again (once per pause, not per keystroke). */
let linksTimer: NodeJS.Timeout | undefined;
function modelsChanged(): void {
  clearTimeout(linksTimer);
  linksTimer = setTimeout(() => void connection.sendNotification(CodeLinksChangedNotification, { reason: 'models' }), 500);
}

/** Something other than an edit changed what every open model shows: analyse again, tell the views. */
function rulesChanged(): void {
  workspace.reloadRules();
  validation.revalidateAll();
  void connection.sendNotification(ViewsChangedNotification, { reason: 'rules' });
}

connection.onInitialize((params) => {
  workspace.initialize(params);
  return initializeResult(SERVER_VERSION);
});
connection.onInitialized(() => void workspace.startSettings());
connection.onDidChangeConfiguration((change) => void workspace.settingsChanged(change.settings));
connection.onNotification(WorkspaceTrustedNotification, () => {
  workspace.trust();
  code.clear();
  infra.clear();
  rulesChanged();
});
// The client watches rule packs (.threatcode/rules/*.yaml: any change reloads them) and model files (a change on disk
// reaches the models that import the file).
connection.onDidChangeWatchedFiles(({ changes }) => {
  if (changes.some((c) => !MODEL_FILE.test(c.uri))) return rulesChanged();
  for (const c of changes) importedChanged(c.uri, true);
});

const IMPORTERS_AFTER_MS = 30;

/**
 * The models that are not open, for the system of systems: every view asks (is this model imported by one?), so the
 * workspace is walked at most every few seconds, and again after a model file changed or a document closed.
 */
let closedMemo: { at: number; models: ReturnType<WorkspaceState['closedModels']> } | undefined;
const CLOSED_MODELS_TTL_MS = 5000;
function closedMembers(): ReturnType<WorkspaceState['closedModels']> {
  if (!closedMemo || Date.now() - closedMemo.at > CLOSED_MODELS_TTL_MS) closedMemo = { at: Date.now(), models: workspace.closedModels() };
  return closedMemo.models;
}

/** Models that import `uri` are analysed again (after the usual pause), and their views told. */
let importersTimer: NodeJS.Timeout | undefined;
function importedChanged(uri: string, onDisk: boolean): void {
  if (onDisk) closedMemo = undefined;
  const importers = workspace.modelChanged(uri, onDisk);
  let open = 0;
  for (const importer of importers) {
    const document = documents.get(importer);
    if (document && importer !== uri) {
      // After the edited model's own diagnostics: they are what the user is looking at.
      validation.changed(document, IMPORTERS_AFTER_MS);
      open++;
    }
  }
  if (open === 0) return;
  clearTimeout(importersTimer);
  importersTimer = setTimeout(
    () => void connection.sendNotification(ViewsChangedNotification, { reason: 'imports' }),
    workspace.settings.validationDelay + IMPORTERS_AFTER_MS + 50,
  );
}

workspace.onSettingsApplied((effects) => {
  // The infrastructure named may have changed: read it again, publish what differs.
  infra.clear();
  validation.republishChanged();
  if (effects.reloadRules) return rulesChanged();
  for (const document of documents.all()) {
    if (effects.reanalyse(document.getText().length)) {
      workspace.analyses.delete(document.uri);
      validation.validate(document);
    } else if (effects.republish) {
      validation.validate(document);
    }
  }
  if (effects.viewsChanged) void connection.sendNotification(ViewsChangedNotification, { reason: 'settings' });
});

documents.onDidChangeContent((e) => {
  validation.changed(e.document);
  importedChanged(e.document.uri, false);
  modelsChanged();
});
documents.onDidClose((e) => {
  validation.closed(e.document.uri);
  // Its importers read the file on disk again, which may differ from the closed buffer.
  importedChanged(e.document.uri, true);
});

registerFeatures(connection, {
  documents,
  analysisOf: (document) => workspace.analyses.get(document),
  rules: () => workspace.rules.ruleSet,
  workspaceModels: () => workspace.closedModels(),
  diagnosticLimit: () => workspace.settings.maxDiagnosticsPerFile,
  outlineLimit: () => workspace.settings.maxOutlineItems,
  resolvesCodeActionEdits: () => workspace.client.resolvesCodeActionEdits,
  disabledCodeActions: () => workspace.client.disabledCodeActions,
  snippetEdits: () => workspace.client.snippetEdits,
  codeLinksOf,
  extraDiagnosticsOf,
  infraDrafts: (analysis, addresses) => draftComponents(analysis, infra.inventories(), addresses),
  reviewer: () => code.reviewer,
});
registerCodeLinks(connection, {
  documents,
  analysisOf: (document) => workspace.analyses.get(document),
  closedModels: () => workspace.closedModels(),
  linksOf: (uri, analysis) => code.linksOf(uri, analysis),
});
registerViewRequest(
  connection,
  documents,
  (document) => workspace.analyses.get(document),
  () => workspace.settings,
  codeLinksOf,
  (analysis) => infra.driftOf(analysis)?.summary,
  () => [
    ...documents.all().map((document) => ({ uri: document.uri, analysis: workspace.analyses.get(document) })),
    // Listed a few seconds ago: a model opened since is among the open ones.
    ...closedMembers().filter((m) => !documents.get(m.uri)),
  ],
);
registerExportRequest(
  connection,
  documents,
  (document) => workspace.analyses.get(document),
  () => workspace.rules.ruleSet,
  () => workspace.settings,
  SERVER_VERSION,
);
registerImportRequest(connection);
registerStatusRequest(connection, SERVER_VERSION, () => ({
  openDocuments: documents.all().length,
  cachedAnalyses: workspace.analyses.size,
  analysesComputed: workspace.analyses.computed,
  lastPublication: validation.lastPublication,
}));

process.on('uncaughtException', (e) => connection.console.error(`Uncaught exception: ${errorDetail(e)}`));

documents.listen(connection);
connection.listen();
