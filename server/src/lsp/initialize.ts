/** What the server offers (`initialize`), and what it learns of the client there. */
import { CodeActionKind, type InitializeParams, type InitializeResult, TextDocumentSyncKind } from 'vscode-languageserver/node';
import { MORE_ACTIONS_COMMAND, type ThreatcodeInitializationOptions } from '../shared/protocol';

/** The kind of Threatcode's "fix all" source action: only fixes that are safe to apply on save (typos). */
export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.threatcode`;
/**
 * The kind of the actions on every finding of a rule at once: in the Source Action menu, apart from the quick fixes,
 * and not under `source.fixAll`, so that no editor records threats on save.
 */
export const RECORD_ALL_KIND = `${CodeActionKind.Source}.threatcode.recordAll`;

export function initializeResult(version: string, client: Pick<ClientFacts, 'pullsDiagnostics'>): InitializeResult {
  return {
    capabilities: {
      // Offered to clients that pull (and can be asked to pull again); the others are sent diagnostics.
      ...(client.pullsDiagnostics && {
        diagnosticProvider: { identifier: 'threatcode', interFileDependencies: true, workspaceDiagnostics: false },
      }),
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      hoverProvider: true,
      definitionProvider: true,
      referencesProvider: true,
      renameProvider: { prepareProvider: true },
      documentSymbolProvider: { label: 'Threat model' },
      workspaceSymbolProvider: true,
      codeLensProvider: { resolveProvider: false },
      completionProvider: { triggerCharacters: [' ', ':', '[', ',', '-'] },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND, RECORD_ALL_KIND], resolveProvider: true },
    },
    serverInfo: { name: 'threatcode', version },
  };
}

export interface ClientFacts {
  /** The client answers workspace/configuration (VS Code does): settings are pulled, not pushed. */
  readonly canPullConfiguration: boolean;
  /** The client resolves code actions (`codeAction/resolve` for `edit`): edits are computed for the chosen one only. */
  readonly resolvesCodeActionEdits: boolean;
  /** The client shows a code action it cannot apply greyed out, with the reason (LSP 3.16 `disabled`). */
  readonly disabledCodeActions: boolean;
  /** The client applies snippet edits (LSP 3.18) in workspace edits with document changes: placeholders to type over. */
  readonly snippetEdits: boolean;
  /**
   * The client pulls diagnostics (LSP 3.17 `textDocument/diagnostic`) and can be asked to pull again when a model's
   * imports, the repository or the settings change (`workspace/diagnostic/refresh`).
   */
  readonly pullsDiagnostics: boolean;
  /** The client runs MORE_ACTIONS_COMMAND (Threatcode's own client): several findings' fixes are grouped. */
  readonly moreActionsCommand: boolean;
  readonly workspaceFolders: readonly string[];
  /** VS Code's workspace trust; other editors say nothing, and are trusted. */
  readonly trusted: boolean;
}

export function clientFacts(params: InitializeParams): ClientFacts {
  const folders = (params.workspaceFolders ?? []).map((f) => f.uri);
  const options = (params.initializationOptions ?? {}) as ThreatcodeInitializationOptions;
  return {
    canPullConfiguration: params.capabilities.workspace?.configuration === true,
    resolvesCodeActionEdits: params.capabilities.textDocument?.codeAction?.resolveSupport?.properties.includes('edit') === true,
    disabledCodeActions: params.capabilities.textDocument?.codeAction?.disabledSupport === true,
    snippetEdits:
      params.capabilities.workspace?.workspaceEdit?.snippetEditSupport === true &&
      params.capabilities.workspace.workspaceEdit.documentChanges === true,
    pullsDiagnostics:
      params.capabilities.textDocument?.diagnostic !== undefined && params.capabilities.workspace?.diagnostics?.refreshSupport === true,
    moreActionsCommand: options.clientCommands?.includes(MORE_ACTIONS_COMMAND) === true,
    workspaceFolders: folders.length === 0 && params.rootUri ? [params.rootUri] : folders,
    trusted: options.workspaceTrusted !== false,
  };
}
