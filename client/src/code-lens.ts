/**
 * From code to model: a CodeLens at the top of every source file some component's `code:` globs link ("Threat model:
 * Payment service · 2 open threats · 1 finding"), and "Threatcode: Show Threat Model for This File". The server sends
 * one index of all links (`threatcode/codeLinks`) when models change; a source file costs one match against it, in
 * the extension host, and nothing at all reaches the language server while it is edited.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { CodeLinkIndex, type CodeLinkElement, type CodeLinkModel } from '../../server/src/shared/code-links';
import { errorMessage } from '../../server/src/shared/errors';
import { CodeLinksChangedNotification, CodeLinksRequest, LANGUAGE_ID } from '../../server/src/shared/protocol';

export const SHOW_MODEL_FOR_FILE = 'threatcode.showModelForFile';
export const REVEAL_ELEMENT = 'threatcode.revealElement';

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * "Threat model: Payment service · changed since review on 2026-10-14 · 2 open threats · 1 finding": staleness right
 * after the name, since the end of a lens is what an editor beside the diagram cuts off.
 */
export function lensTitle(e: CodeLinkElement): string {
  const parts = [`Threat model: ${e.name}`];
  if (e.stale) parts.push(e.staleSince ? `changed since review on ${e.staleSince}` : 'changed since its review');
  parts.push(plural(e.openThreats.length, 'open threat'));
  if (e.openFindings.length) parts.push(plural(e.openFindings.length, 'finding'));
  return parts.join(' · ');
}

/** The lens's hover: the open threats and findings, one per line, and staleness. */
export function lensTooltip(model: CodeLinkModel, e: CodeLinkElement): string {
  const file = model.uri.slice(model.uri.lastIndexOf('/') + 1);
  const lines = [`${e.name} (${e.id}) in ${decodeURIComponent(file)}, linked by ${e.globs.join(', ')}`];
  if (e.openThreats.length) {
    lines.push('', 'Open threats:');
    for (const t of e.openThreats.slice(0, 10)) lines.push(`• ${t.title}${t.severity ? ` (${t.severity})` : ''}`);
    if (e.openThreats.length > 10) lines.push(`… and ${e.openThreats.length - 10} more`);
  } else lines.push('', 'No open threats.');
  if (e.openFindings.length) {
    lines.push('', 'Open findings:');
    for (const f of e.openFindings.slice(0, 10)) lines.push(`• ${f.title} (${f.rule}, ${f.severity})`);
    if (e.openFindings.length > 10) lines.push(`… and ${e.openFindings.length - 10} more`);
  }
  if (e.stale) lines.push('', e.stale);
  lines.push('', 'Click to show it in the threat model.');
  return lines.join('\n');
}

export class CodeLinkLenses implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private index: CodeLinkIndex | undefined;
  private loading: Promise<CodeLinkIndex> | undefined;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(
    private readonly client: LanguageClient,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      client.onNotification(CodeLinksChangedNotification, () => {
        this.index = undefined;
        this.changed.fire();
      }),
      vscode.languages.registerCodeLensProvider({ scheme: 'file' }, this),
      vscode.commands.registerCommand(SHOW_MODEL_FOR_FILE, (uri?: vscode.Uri) => this.showModelFor(uri)),
      vscode.commands.registerCommand(REVEAL_ELEMENT, (model: string, line: number) => revealElement(model, line)),
    );
  }

  /** The index, asked for once after each change of the models (concurrent callers share the request). */
  async current(): Promise<CodeLinkIndex> {
    if (this.index) return this.index;
    this.loading ??= this.client
      .sendRequest(CodeLinksRequest)
      .then((models) => (this.index = new CodeLinkIndex(models)))
      .catch((e: unknown) => {
        this.output.warn(`Code links unavailable: ${errorMessage(e)}`);
        return new CodeLinkIndex([]);
      })
      .finally(() => (this.loading = undefined));
    return this.loading;
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (document.languageId === LANGUAGE_ID || document.uri.scheme !== 'file') return [];
    const matches = (await this.current()).elementsFor(filePath(document.uri));
    const top = new vscode.Range(0, 0, 0, 0);
    return matches.map(
      ({ model, element }) =>
        new vscode.CodeLens(top, {
          title: lensTitle(element),
          tooltip: lensTooltip(model, element),
          command: REVEAL_ELEMENT,
          arguments: [model.uri, element.line],
        }),
    );
  }

  private async showModelFor(uri: vscode.Uri | undefined): Promise<void> {
    const target = uri ?? vscode.window.activeTextEditor?.document.uri;
    if (!target || target.scheme !== 'file') {
      void vscode.window.showInformationMessage('Open a source file to see the part of the threat model it belongs to.');
      return;
    }
    const matches = (await this.current()).elementsFor(filePath(target));
    if (matches.length === 0) {
      void vscode.window.showInformationMessage(
        `No component of a threat model links ${vscode.workspace.asRelativePath(target)}. Add its folder to a component's code: globs.`,
      );
      return;
    }
    const chosen =
      matches.length === 1
        ? matches[0]
        : (
            await vscode.window.showQuickPick(
              matches.map((m) => ({
                label: m.element.name,
                description: vscode.workspace.asRelativePath(vscode.Uri.parse(m.model.uri)),
                detail: lensTitle(m.element).replace(/^Threat model: [^·]*· /, ''),
                match: m,
              })),
              { title: 'Threat model elements linked to this file', placeHolder: 'Show which element?' },
            )
          )?.match;
    if (chosen) await revealElement(chosen.model.uri, chosen.element.line);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** `/`-separated absolute path, as the index's model folders are written. */
function filePath(uri: vscode.Uri): string {
  return uri.fsPath.split('\\').join('/');
}

async function revealElement(model: string, line: number): Promise<void> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(model));
  const at = new vscode.Range(line, 0, line, 0);
  await vscode.window.showTextDocument(document, { selection: at, preview: false });
}
