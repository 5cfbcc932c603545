/**
 * Whether completeness is measured for the whole model or for this delivery (`system.release`): one choice shared by
 * the completeness view, the status bar and the diagram (which marks the delivery's elements), kept per workspace.
 */
import * as vscode from 'vscode';

const KEY = 'threatcode.deliveryScope';
/** Context key for the completeness view's title buttons. */
const CONTEXT = 'threatcode.deliveryScope';

export class DeliveryScope implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<boolean>();
  readonly onDidChange = this.emitter.event;

  constructor(private readonly memento: vscode.Memento) {
    void vscode.commands.executeCommand('setContext', CONTEXT, this.value);
  }

  get value(): boolean {
    return this.memento.get<boolean>(KEY, false);
  }

  async set(value: boolean): Promise<void> {
    if (value === this.value) return;
    await this.memento.update(KEY, value);
    await vscode.commands.executeCommand('setContext', CONTEXT, value);
    this.emitter.fire(value);
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
