/**
 * The Threatcode language server: transport and wiring only. Handlers delegate to the pure core.
 * Runs over IPC when started by the extension, or over stdio with `--stdio` for other editors and tests.
 */
import {
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
import { CONFIG_SECTION, DEFAULT_SETTINGS, normaliseSettings, ThreatcodeSettings } from './protocol';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);

let settings: ThreatcodeSettings = DEFAULT_SETTINGS;
let canPullConfiguration = false;
const analyses = new AnalysisCache(() => Math.floor(settings.maxFileSizeMB * 1024 * 1024));
const pending = new Map<string, NodeJS.Timeout>();

connection.onInitialize((params): InitializeResult => {
  canPullConfiguration = params.capabilities.workspace?.configuration === true;
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
    },
    serverInfo: { name: 'threatcode', version: SERVER_VERSION },
  };
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
  // Settings arrive after the first documents are open; re-analyse only if they change the outcome.
  if (settings.maxFileSizeMB === before.maxFileSizeMB) return;
  analyses.clear();
  for (const document of documents.all()) validate(document);
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

function validate(document: TextDocument): void {
  const uri = document.uri;
  const version = document.version;
  try {
    const analysis = analyses.get(document);
    // Drop the result if the document moved on (or closed) while we worked.
    const current = documents.get(uri);
    if (!current || current.version !== version) return;
    const diagnostics = analysis.diagnostics.map((d) => toLspDiagnostic(document, d));
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

documents.listen(connection);
connection.listen();
