/**
 * What a new user meets in VS Code: the commands in the palette, a new model from the starter, exports, the GitHub
 * workflow, the check task with its problem matcher, and the walkthrough's contribution.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

function workspaceFile(relative: string): vscode.Uri {
  return vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, relative);
}

async function text(uri: vscode.Uri): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}

/** Resolves with the diagnostics of `uri` once `ready` accepts them. */
function diagnosticsWhen(uri: vscode.Uri, ready: (d: vscode.Diagnostic[]) => boolean): Promise<vscode.Diagnostic[]> {
  return new Promise((resolve) => {
    const current = vscode.languages.getDiagnostics(uri);
    if (ready(current)) return resolve(current);
    const sub = vscode.languages.onDidChangeDiagnostics(() => {
      const d = vscode.languages.getDiagnostics(uri);
      if (ready(d)) {
        sub.dispose();
        resolve(d);
      }
    });
  });
}

describe('Threatcode for a new user', () => {
  it('lists its commands in the palette', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const c of [
      'threatcode.newThreatModel',
      'threatcode.openDiagram',
      'threatcode.exportReport',
      'threatcode.exportSarif',
      'threatcode.importInfrastructure',
      'threatcode.showModelForFile',
      'threatcode.addGitHubWorkflow',
      'threatcode.restartServer',
      'threatcode.showOutput',
    ])
      assert.ok(commands.includes(c), c);
    const extension = vscode.extensions.all.find((e) => (e.packageJSON as { name?: string }).name === 'threatcode')!;
    const manifest = extension.packageJSON as {
      contributes: {
        walkthroughs: { steps: { id: string }[] }[];
        keybindings: { key: string; command: string }[];
        viewsContainers: { activitybar: { id: string; icon: string }[] };
        views: Record<string, { id: string }[]>;
      };
      icon: string;
    };
    assert.deepEqual(
      manifest.contributes.walkthroughs[0].steps.map((s) => s.id),
      ['create', 'findings', 'fix', 'diagram', 'completeness', 'ci'],
    );
    assert.ok(manifest.contributes.keybindings.some((k) => k.key === 'ctrl+k v' && k.command === 'threatcode.openDiagram'));
    assert.equal(manifest.icon, 'media/icon.png');
    // Completeness has a place of its own: the product's icon in the activity bar, its file in the package.
    const [container] = manifest.contributes.viewsContainers.activitybar;
    assert.deepEqual(
      manifest.contributes.views[container.id].map((v) => v.id),
      ['threatcode.completeness'],
    );
    await vscode.workspace.fs.stat(vscode.Uri.joinPath(extension.extensionUri, container.icon));
  });

  it('creates a new threat model from the starter, opens it with its diagram, and it checks clean', async () => {
    const uri = workspaceFile('new/service.tm.yaml');
    const created = await vscode.commands.executeCommand<vscode.Uri>('threatcode.newThreatModel', uri);
    assert.equal(created?.toString(), uri.toString());
    const content = await text(uri);
    assert.match(content, /^# yaml-language-server: \$schema=https:\/\/.*threatmodel\.schema\.json\n/);
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), uri.toString());
    assert.equal(vscode.window.activeTextEditor?.document.languageId, 'threatmodel');
    const diagnostics = await diagnosticsWhen(uri, (d) => d.length > 0);
    // A small complete model: one suggestion to try a quick fix on, not a page of problems.
    assert.deepEqual(
      diagnostics.map((d) => [typeof d.code === 'object' ? d.code.value : d.code, d.severity]),
      [['EXP-01', vscode.DiagnosticSeverity.Information]],
    );
    const diagram = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === 'Diagram: service.tm.yaml');
    assert.ok(diagram, 'the diagram opened beside it');
  });

  it('saves a new model under one model extension when the save dialog doubled it', async () => {
    // What the dialog returns when "checkout" is typed over the selected "threatmodel.tm" and its filter appends.
    const created = await vscode.commands.executeCommand<vscode.Uri>(
      'threatcode.newThreatModel',
      workspaceFile('new/checkout.yaml.tm.yaml'),
    );
    assert.equal(created.path.split('/').pop(), 'checkout.tm.yaml');
    assert.match(await text(created), /^# yaml-language-server/);
  });

  it('exports the open model as an HTML report, a Markdown report and SARIF', async () => {
    const model = workspaceFile('webshop/webshop.tm.yaml');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(model), { viewColumn: vscode.ViewColumn.One });
    const html = workspaceFile('exports/webshop.report.html');
    assert.equal(
      (await vscode.commands.executeCommand<vscode.Uri>('threatcode.exportReport', { format: 'html', target: html }))?.toString(),
      html.toString(),
    );
    const page = await text(html);
    assert.match(page, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-/);
    assert.match(page, /Threat model: Acme Shop/);
    const md = workspaceFile('exports/webshop.report.md');
    await vscode.commands.executeCommand('threatcode.exportReport', { format: 'markdown', target: md });
    assert.match(await text(md), /^# Threat model: Acme Shop\n[\s\S]*```mermaid\n/);
    const sarif = workspaceFile('exports/webshop.sarif');
    await vscode.commands.executeCommand('threatcode.exportSarif', { target: sarif });
    const log = JSON.parse(await text(sarif)) as { version: string; runs: { results: { ruleId: string }[] }[] };
    assert.equal(log.version, '2.1.0');
    assert.ok(log.runs[0].results.some((r) => r.ruleId === 'SUP-03'));
  });

  it('adds a GitHub workflow that uses the action', async () => {
    const uri = await vscode.commands.executeCommand<vscode.Uri>('threatcode.addGitHubWorkflow');
    assert.equal(uri?.toString(), workspaceFile('.github/workflows/threat-model.yml').toString());
    assert.match(await text(uri), /uses: threatcode\/threatcode@v0/);
  });

  it('provides a check task with its problem matcher, which fails on a delivery whose code changed since its review', async () => {
    const tasks = await vscode.tasks.fetchTasks({ type: 'threatcode' });
    const check = tasks.find((t) => t.name === 'check');
    assert.ok(check, tasks.map((t) => t.name).join());
    assert.deepEqual(check.problemMatchers, ['$threatcode']);
    const ended = new Promise<number | undefined>((resolve) => {
      const sub = vscode.tasks.onDidEndTaskProcess((e) => {
        if (e.execution.task.definition.type !== 'threatcode') return;
        sub.dispose();
        resolve(e.exitCode);
      });
    });
    await vscode.tasks.executeTask(check);
    // The workspace's history changed the payment service's code after its review: release 2.4 of the webshop is not
    // complete, and the task fails on it, as the completeness view says when this delivery is measured.
    assert.equal(await ended, 1);
  });

  it("imports another tool's model beside it, opens it with its diagram, and exports OTM, Threat Dragon and CSV", async () => {
    // The OTM project's example, as a user would have it in their repository.
    const fixture = readFileSync(path.join(__dirname, '../../../../test/fixtures/interop/otm-example.json'));
    const source = workspaceFile('imported/legacy.otm.json');
    await vscode.workspace.fs.writeFile(source, fixture);
    const target = await vscode.commands.executeCommand<vscode.Uri>('threatcode.importThreatModel', source);
    assert.equal(target?.toString(), workspaceFile('imported/legacy.otm.tm.yaml').toString());
    const content = await text(target);
    assert.match(content, /^# Imported by threatcode import from Open Threat Model/);
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), target.toString());
    const diagnostics = await diagnosticsWhen(target, (d) => d.length > 0);
    assert.deepEqual(
      diagnostics.filter((d) => d.severity === vscode.DiagnosticSeverity.Error).map((d) => d.message),
      [],
    );
    assert.ok(vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.label === 'Diagram: legacy.otm.tm.yaml'));

    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(workspaceFile('webshop/webshop.tm.yaml')), {
      viewColumn: vscode.ViewColumn.One,
    });
    const otm = workspaceFile('exports/webshop.otm.json');
    await vscode.commands.executeCommand('threatcode.export', { format: 'otm', target: otm });
    assert.equal((JSON.parse(await text(otm)) as { otmVersion: string }).otmVersion, '0.2.0');
    const td = workspaceFile('exports/webshop.threat-dragon.json');
    await vscode.commands.executeCommand('threatcode.export', { format: 'threat-dragon', target: td });
    assert.equal((JSON.parse(await text(td)) as { version: string }).version, '2.3.0');
    const csv = workspaceFile('exports/webshop.threats.csv');
    await vscode.commands.executeCommand('threatcode.export', { format: 'csv', target: csv });
    assert.match(await text(csv), /^kind,id,title,elements,category,severity,status,mitigations,rule,cwe,line\r\n/);
  });

  it('drafts a model from a Terraform plan, and the model drifting from the plan is flagged and fixed in one step', async () => {
    const fixture = readFileSync(path.join(__dirname, '../../../../test/fixtures/infra/orders-aws.plan.json'));
    const plan = workspaceFile('infra/orders.plan.json');
    await vscode.workspace.fs.writeFile(plan, fixture);
    const target = await vscode.commands.executeCommand<vscode.Uri>('threatcode.importInfrastructure', plan);
    assert.equal(target?.toString(), workspaceFile('infra/orders.plan.tm.yaml').toString());
    assert.match(await text(target), /^# Imported by threatcode import from Terraform \(terraform show -json\)/);
    // The editor compares the model with the plan once the setting names it.
    await vscode.workspace
      .getConfiguration('threatcode')
      .update('infrastructure', ['infra/orders.plan.json'], vscode.ConfigurationTarget.Workspace);
    const document = await vscode.workspace.openTextDocument(target);
    const editor = await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One });
    const at = document.getText().indexOf('encryptionAtRest: none');
    const value = new vscode.Range(
      document.positionAt(at + 'encryptionAtRest: '.length),
      document.positionAt(at + 'encryptionAtRest: none'.length),
    );
    await editor.edit((e) => e.replace(value, 'platform'));
    const drift = (await diagnosticsWhen(target, (d) => d.some((x) => x.code === 'infra-drift'))).find((x) => x.code === 'infra-drift')!;
    assert.equal(drift.message, 'The model says encryptionAtRest: platform; aws_db_instance.orders has storage_encrypted = false.');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', target, drift.range);
    const take = actions.find((a) => a.title === "Take the infrastructure's value: encryptionAtRest: none")!;
    assert.ok(take, actions.map((a) => a.title).join(', '));
    if (take.edit) await vscode.workspace.applyEdit(take.edit);
    else {
      const resolved = await vscode.commands.executeCommand<vscode.CodeAction[]>(
        'vscode.executeCodeActionProvider',
        target,
        drift.range,
        undefined,
        1,
      );
      await vscode.workspace.applyEdit(resolved.find((a) => a.title === take.title)!.edit!);
    }
    assert.match(document.getText(), /encryptionAtRest: none/);
    await diagnosticsWhen(target, (d) => !d.some((x) => x.code === 'infra-drift'));
    await vscode.workspace.getConfiguration('threatcode').update('infrastructure', undefined, vscode.ConfigurationTarget.Workspace);
    await document.save();
  });
});
