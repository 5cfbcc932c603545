/**
 * Commands that create and export files: a new threat model from the starter, a report or SARIF of the open model,
 * a GitHub workflow that checks the models, and the task that runs `threatcode check` with its problem matcher.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { errorMessage } from '../../server/src/shared/errors';
import { localDate } from '../../server/src/shared/dates';
import { modelFileName } from '../../server/src/shared/file-names';
import { type ExportFormat, ExportRequest, ImportRequest, LANGUAGE_ID } from '../../server/src/shared/protocol';
import { starterText } from '../../server/src/shared/starter';
import type { DeliveryScope } from './delivery-scope';

/** A file beside the workspace's first folder (or the home folder), for save dialogs. */
function defaultUri(name: string, near?: vscode.Uri): vscode.Uri | undefined {
  if (near?.scheme === 'file') return vscode.Uri.joinPath(near, '..', name);
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return folder && vscode.Uri.joinPath(folder, name);
}

/** Threatcode: New Threat Model: the starter, saved where the user says, opened with its diagram. */
export async function newThreatModel(context: vscode.ExtensionContext, where?: vscode.Uri): Promise<vscode.Uri | undefined> {
  const target =
    where ??
    (await vscode.window.showSaveDialog({
      title: 'New threat model',
      defaultUri: defaultUri('threatmodel.tm.yaml'),
      filters: { 'Threat models': ['tm.yaml'] },
      saveLabel: 'Create',
    }));
  if (!target) return undefined;
  // One `.tm.yaml`, however the dialog's filter and the name typed combined (`checkout.yaml.tm.yaml` → `checkout.tm.yaml`).
  const folder = target.path.slice(0, target.path.lastIndexOf('/') + 1);
  const uri = target.with({ path: folder + modelFileName(target.path.slice(folder.length)) });
  const template = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(context.extensionUri, 'server', 'templates', 'starter.tm.yaml'));
  const starter = starterText(new TextDecoder().decode(template), localDate(new Date()));
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(starter));
  const document = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One });
  await vscode.commands.executeCommand('threatcode.openDiagram', uri);
  return uri;
}

const EXPORTS: Record<ExportFormat, { label: string; extension: string; filter: string; suffix: string }> = {
  html: { label: 'HTML report (self-contained, offline)', extension: 'html', filter: 'HTML', suffix: 'report.html' },
  markdown: { label: 'Markdown report (with a Mermaid diagram)', extension: 'md', filter: 'Markdown', suffix: 'report.md' },
  sarif: { label: 'SARIF (code scanning)', extension: 'sarif', filter: 'SARIF', suffix: 'sarif' },
  otm: { label: 'Open Threat Model (IriusRisk, OTM tools)', extension: 'json', filter: 'OTM', suffix: 'otm.json' },
  'threat-dragon': { label: 'OWASP Threat Dragon v2', extension: 'json', filter: 'Threat Dragon', suffix: 'threat-dragon.json' },
  csv: { label: 'CSV of threats and open findings (issue trackers)', extension: 'csv', filter: 'CSV', suffix: 'threats.csv' },
};

/** The threat model in the active editor, or a message saying one is needed. */
function activeModel(): vscode.TextDocument | undefined {
  const document = vscode.window.activeTextEditor?.document;
  if (document?.languageId === LANGUAGE_ID) return document;
  void vscode.window.showInformationMessage('Open a threat model (*.tm.yaml) first.');
  return undefined;
}

/** What a caller (a keybinding's args, another extension, a test) may decide instead of the pickers. */
export interface ExportChoice {
  readonly format?: ExportFormat;
  readonly target?: vscode.Uri;
}

/** Threatcode: Export Report… / Export SARIF…: the same files `threatcode report` and `check --format sarif` write. */
export async function exportModel(
  client: LanguageClient,
  scope: DeliveryScope,
  formats: readonly ExportFormat[],
  choice: ExportChoice = {},
): Promise<vscode.Uri | undefined> {
  const document = activeModel();
  if (!document) return undefined;
  let format = choice.format && formats.includes(choice.format) ? choice.format : formats[0];
  if (formats.length > 1 && !choice.format) {
    const picked = await vscode.window.showQuickPick(
      formats.map((f) => ({ label: EXPORTS[f].label, format: f })),
      { title: 'Export the threat model as' },
    );
    if (!picked) return undefined;
    format = picked.format;
  }
  const { extension, filter, suffix } = EXPORTS[format];
  const base = path.posix.basename(document.uri.path).replace(/\.tm\.ya?ml$/, '');
  const target =
    choice.target ??
    (await vscode.window.showSaveDialog({
      title: `Export ${filter}`,
      defaultUri: defaultUri(`${base}.${suffix}`, document.uri),
      filters: { [filter]: [extension] },
    }));
  if (!target) return undefined;
  try {
    const result = await client.sendRequest(ExportRequest, { uri: document.uri.toString(), format, delivery: scope.value });
    if ('error' in result) {
      void vscode.window.showErrorMessage(result.error);
      return undefined;
    }
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(result.text));
  } catch (e) {
    void vscode.window.showErrorMessage(`Export failed: ${errorMessage(e)}`);
    return undefined;
  }
  if (choice.target) return target;
  const open = format === 'html' ? 'Open in Browser' : 'Open';
  void vscode.window.showInformationMessage(`Exported ${path.posix.basename(target.path)}.`, open).then(async (choice) => {
    if (choice === 'Open in Browser') await vscode.env.openExternal(target);
    else if (choice === 'Open') await vscode.window.showTextDocument(target);
  });
  return target;
}

/**
 * Threatcode: Import Threat Model…: another tool's file (OTM, Threat Dragon, .tm7, Threagile, Threat Composer, TM-BOM)
 * written as a `.tm.yaml` beside it and opened with its diagram; what to review is at the top of the new file.
 */
export async function importThreatModel(client: LanguageClient, source?: vscode.Uri): Promise<vscode.Uri | undefined> {
  const picked =
    source ??
    (
      await vscode.window.showOpenDialog({
        title: 'Import a threat model',
        openLabel: 'Import',
        canSelectMany: false,
        defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
        filters: { 'Threat models': ['json', 'yaml', 'yml', 'tm7'], 'All files': ['*'] },
      })
    )?.[0];
  if (!picked) return undefined;
  let result;
  try {
    result = await client.sendRequest(ImportRequest, { uri: picked.toString() });
  } catch (e) {
    void vscode.window.showErrorMessage(`Import failed: ${errorMessage(e)}`);
    return undefined;
  }
  if ('error' in result) {
    void vscode.window.showErrorMessage(result.error);
    return undefined;
  }
  const base = path.posix.basename(picked.path).replace(/(\.tc)?\.(json|ya?ml|tm7)$/i, '');
  let target = vscode.Uri.joinPath(picked, '..', `${base}.tm.yaml`);
  for (let i = 2; await exists(target); i++) target = vscode.Uri.joinPath(picked, '..', `${base}-${i}.tm.yaml`);
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(result.text));
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(target), { viewColumn: vscode.ViewColumn.One });
  await vscode.commands.executeCommand('threatcode.openDiagram', target);
  void vscode.window.showInformationMessage(
    `Imported ${result.counts}. ${result.notes.length ? `${result.notes.length} notes to review are at the top of the file.` : ''}`,
  );
  return target;
}

/**
 * "Draft Threat Model from Infrastructure…": a Terraform plan or state as JSON, a Compose file, or a folder of
 * Kubernetes manifests, drafted into a model beside it (the same import, which recognises infrastructure).
 */
export async function importInfrastructure(client: LanguageClient, source?: vscode.Uri): Promise<vscode.Uri | undefined> {
  if (source) return importThreatModel(client, source);
  const kind = await vscode.window.showQuickPick(
    [
      { label: 'Terraform plan or state', detail: 'The JSON of terraform show -json (plan.json, state.json)', folder: false },
      { label: 'Docker Compose file', detail: 'compose.yaml, docker-compose.yml', folder: false },
      { label: 'Kubernetes manifests', detail: 'A folder of manifests (its YAML files), or pick one manifest file', folder: true },
    ],
    { title: 'Draft a threat model from infrastructure as code', placeHolder: 'What describes the infrastructure?' },
  );
  if (!kind) return undefined;
  const picked = (
    await vscode.window.showOpenDialog({
      title: `Draft a threat model from ${kind.label.toLowerCase()}`,
      openLabel: 'Draft',
      canSelectMany: false,
      canSelectFiles: !kind.folder,
      canSelectFolders: kind.folder,
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
      ...(kind.folder ? {} : { filters: { [kind.label]: ['json', 'yaml', 'yml'], 'All files': ['*'] } }),
    })
  )?.[0];
  return picked ? importThreatModel(client, picked) : undefined;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** A workflow that checks every model on pull requests, with annotations and the summary on the run's page. */
const GITHUB_WORKFLOW = `# Checks the threat models (*.tm.yaml) on every pull request: see https://github.com/threatcode/threatcode/blob/main/docs/ci.md
name: Threat model
on:
  pull_request:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  threatcode:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: threatcode/threatcode@v0
        with:
          paths: .
`;

/** Threatcode: Add GitHub Workflow: writes .github/workflows/threat-model.yml (never over an existing one). */
export async function addGitHubWorkflow(): Promise<vscode.Uri | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!folder) {
    void vscode.window.showInformationMessage('Open the repository folder first.');
    return undefined;
  }
  const target = vscode.Uri.joinPath(folder, '.github', 'workflows', 'threat-model.yml');
  try {
    await vscode.workspace.fs.stat(target);
    await vscode.window.showTextDocument(target);
    void vscode.window.showInformationMessage('The workflow exists already: it is open.');
    return target;
  } catch {
    // Not there yet: write it.
  }
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(GITHUB_WORKFLOW));
  await vscode.window.showTextDocument(target);
  return target;
}

/** The task type contributed in package.json (`taskDefinitions`). */
export const TASK_TYPE = 'threatcode';

interface CheckTaskDefinition extends vscode.TaskDefinition {
  readonly paths?: string[];
  readonly failOn?: string;
  readonly args?: string[];
}

/**
 * `threatcode: check` for each workspace folder: the bundled CLI run with the editor's own Node runtime, its output
 * read by the `$threatcode` problem matcher into the Problems panel.
 */
export class CheckTaskProvider implements vscode.TaskProvider {
  constructor(private readonly context: vscode.ExtensionContext) {}

  provideTasks(): vscode.Task[] {
    return (vscode.workspace.workspaceFolders ?? []).map((folder) => this.task({ type: TASK_TYPE }, folder));
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const definition = task.definition as CheckTaskDefinition;
    const scope = task.scope;
    return definition.type === TASK_TYPE && scope && typeof scope === 'object' ? this.task(definition, scope) : undefined;
  }

  private task(definition: CheckTaskDefinition, folder: vscode.WorkspaceFolder): vscode.Task {
    const cli = this.context.asAbsolutePath(path.join('dist', 'cli.js'));
    const args = [cli, 'check', ...(definition.paths ?? ['.']), '--fail-on', definition.failOn ?? 'error', ...(definition.args ?? [])];
    // The extension host's executable is Node (code-server) or Electron, which runs as Node with this variable.
    const execution = new vscode.ProcessExecution(process.execPath, args, { cwd: folder.uri.fsPath, env: { ELECTRON_RUN_AS_NODE: '1' } });
    const task = new vscode.Task(definition, folder, 'check', 'threatcode', execution, '$threatcode');
    task.group = vscode.TaskGroup.Test;
    task.detail = 'Check the threat models of this folder';
    return task;
  }
}
