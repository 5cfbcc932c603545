/**
 * The Threatcode language server: wiring only. The workspace state holds settings, trust and rules; validation
 * publishes diagnostics; handlers adapt LSP requests to the pure features. Runs over IPC when started by the
 * extension, or over stdio with `--stdio` for other editors and tests.
 */
import { createConnection, LSPErrorCodes, Message, ProposedFeatures, TextDocuments } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Analysis } from './analysis/analyze';
import { CodeContext } from './lsp/code-context';
import { registerCodeLinks } from './lsp/code-links';
import { registerFeatures } from './lsp/handlers';
import { InfraContext } from './lsp/infra-context';
import { draftComponents } from './interop/drift';
import { initializeResult } from './lsp/initialize';
import { registerExportRequest } from './lsp/export';
import { registerImportRequest } from './lsp/import-request';
import { registerStatusRequest } from './lsp/status';
import { type Delivery, Validation } from './lsp/validation';
import { registerViewRequest } from './lsp/view';
import { WorkspaceState } from './lsp/workspace-state';
import { MODEL_FILE } from './files/model-files';
import { MAX_SYSTEM_MODELS } from './analysis/system-diagram';
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

const connection = createConnection(ProposedFeatures.all, {
  // A request the client cancelled while it waited behind other work (a hover the pointer has left, completion typed
  // past) is answered "cancelled" without running; vscode-jsonrpc would otherwise run it all the same.
  cancelUndispatched: (message) =>
    Message.isRequest(message)
      ? { jsonrpc: '2.0', id: message.id, error: { code: LSPErrorCodes.RequestCancelled, message: 'Cancelled before it ran.' } }
      : undefined,
});
const documents = new TextDocuments(TextDocument);
const workspace = new WorkspaceState(connection);
const store = workspace.store;
/** The analysis of an open document at its current version (the store keeps it in step with the editor). */
const analysisOf = (document: TextDocument) => store.analysisOf(document);
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
/** Diagnostics are pulled by clients that can (VS Code), pushed to the others. */
const delivery = (): Delivery => (workspace.client.pullsDiagnostics ? 'pull' : 'push');
const validation = new Validation(
  connection,
  documents,
  { get: analysisOf, forgetAnalyses: () => store.forgetAnalyses() },
  () => workspace.settings,
  extraDiagnosticsOf,
  delivery,
);
connection.languages.diagnostics.on((params, token) => validation.report(params.textDocument.uri, params.previousResultId, token));
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
  return initializeResult(SERVER_VERSION, workspace.client);
});
connection.onInitialized(() => {
  void workspace.startSettings().then(() => warmIndex());
});

/** The workspace's models are summarised in the background, between other messages, once the settings are known. */
function warmIndex(): void {
  void store
    .warm(() => new Promise((resolve) => setImmediate(resolve)))
    .catch((e: unknown) => connection.console.warn(`Indexing the workspace's models stopped: ${errorDetail(e)}`));
}
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
  for (const c of changes) dependantsChanged(store.changed(c.uri));
});

const IMPORTERS_AFTER_MS = 30;

/** Open models whose analyses a change dropped (they import the changed file) are analysed again, and their views told. */
let importersTimer: NodeJS.Timeout | undefined;
function dependantsChanged(dependants: readonly string[]): void {
  let open = 0;
  for (const uri of dependants) {
    const document = documents.get(uri);
    if (!document) continue;
    // After the edited model's own diagnostics: they are what the user is looking at.
    validation.changed(document, IMPORTERS_AFTER_MS);
    open++;
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
  const reanalysed = documents.all().filter((document) => effects.reanalyse(document.getText().length));
  // Their too-large state flipped: analysed again (and what reads them), the others only published again.
  if (reanalysed.length > 0) store.clear();
  for (const document of documents.all()) {
    if (reanalysed.includes(document) || effects.republish) validation.validate(document);
  }
  if (effects.viewsChanged) void connection.sendNotification(ViewsChangedNotification, { reason: 'settings' });
});

documents.onDidChangeContent((e) => {
  const dependants = store.opened(e.document);
  validation.changed(e.document);
  dependantsChanged(dependants);
  modelsChanged();
});
documents.onDidClose((e) => {
  validation.closed(e.document.uri);
  // Its importers read the file on disk again, which may differ from the closed buffer.
  dependantsChanged(store.closed(e.document.uri));
});

registerFeatures(connection, {
  documents,
  analysisOf,
  rules: () => workspace.rules.ruleSet,
  store,
  diagnosticLimit: () => workspace.settings.maxDiagnosticsPerFile,
  outlineLimit: () => workspace.settings.maxOutlineItems,
  resolvesCodeActionEdits: () => workspace.client.resolvesCodeActionEdits,
  disabledCodeActions: () => workspace.client.disabledCodeActions,
  moreActionsCommand: () => workspace.client.moreActionsCommand,
  snippetEdits: () => workspace.client.snippetEdits,
  codeLinksOf,
  extraDiagnosticsOf,
  infraDrafts: (analysis, addresses) => draftComponents(analysis, infra.inventories(), addresses),
  reviewer: () => code.reviewer,
});
registerCodeLinks(connection, {
  documents,
  analysisOf,
  store,
  linksOf: (uri, analysis) => code.linksOf(uri, analysis),
});
registerViewRequest(
  connection,
  documents,
  analysisOf,
  () => workspace.settings,
  codeLinksOf,
  (analysis) => infra.driftOf(analysis)?.summary,
  {
    importedBy: (uri) => store.importersOf(uri).length > 0,
    size: (uri) => {
      const uris = new Set([uri, ...documents.all().map((d) => d.uri), ...store.files()]);
      return uris.size;
    },
    members: () => {
      // Open documents at their current version first, then the indexed models.
      for (const document of documents.all()) store.opened(document);
      return workspace.systemMembers(documents.all(), MAX_SYSTEM_MODELS);
    },
  },
);
registerExportRequest(
  connection,
  documents,
  analysisOf,
  () => workspace.rules.ruleSet,
  () => workspace.settings,
  SERVER_VERSION,
);
registerImportRequest(connection);
registerStatusRequest(connection, SERVER_VERSION, () => ({
  openDocuments: documents.all().length,
  cachedAnalyses: store.size,
  analysesComputed: store.computed,
  diagnostics: delivery(),
  lastPublication: validation.lastPublication,
}));

process.on('uncaughtException', (e) => connection.console.error(`Uncaught exception: ${errorDetail(e)}`));

documents.listen(connection);
connection.listen();
