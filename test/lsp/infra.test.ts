/**
 * The infrastructure in the editor, over the protocol: with `threatcode.infrastructure` naming a Terraform plan, a
 * model whose component disagrees with its resource gets infra-drift on its value and a quick fix that takes the
 * infrastructure's; the import request drafts a model from the plan (the command "Draft Threat Model from
 * Infrastructure…").
 */
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CancellationTokenSource, CodeActionRequest, HoverRequest, LSPErrorCodes } from 'vscode-languageserver-protocol';
import { ImportRequest, type ImportResponse } from '../../server/src/shared/protocol';
import { messageOf, TestLspClient } from '../support/lsp-client';
import { REPO_ROOT } from '../support/paths';
import { generateOtm } from '../support/generate-otm';

const MODEL = `threatcode: 1.1
system:
  name: Orders
components:
  - id: orders-db
    name: Orders database
    type: datastore
    kind: sql
    encryptionAtRest: platform
    infra: [aws_db_instance.orders, aws_db_instance.old]
`;

describe('infrastructure over the protocol', function () {
  this.timeout(60_000);
  let dir: string;
  let client: TestLspClient;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'threatcode-lsp-infra-'));
    copyFileSync(path.join(REPO_ROOT, 'test/fixtures/infra/orders-aws.plan.json'), path.join(dir, 'plan.json'));
    const configuration = (section: string | undefined) =>
      section === 'threatcode' ? { infrastructure: ['plan.json', '../outside.json'] } : null;
    client = new TestLspClient({}, { workspaceFolders: [pathToFileURL(dir).toString()] }, { configuration });
    await client.initialize();
    await client.configurationPulled();
  });
  after(async () => {
    await client.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes drift on the model value, missing addresses and unmodelled resources, with their fixes', async () => {
    const uri = pathToFileURL(path.join(dir, 'orders.tm.yaml')).toString();
    const published = await client.open(uri, MODEL);
    const codes = published.diagnostics.map((d) => String(d.code)).filter((c) => c.startsWith('infra-'));
    assert.deepEqual(codes.sort(), ['infra-drift', 'infra-missing', 'infra-unmodelled']);
    const drift = published.diagnostics.find((d) => d.code === 'infra-drift')!;
    assert.equal(messageOf(drift), 'The model says encryptionAtRest: platform; aws_db_instance.orders has storage_encrypted = false.');
    assert.deepEqual(drift.range, { start: { line: 8, character: 22 }, end: { line: 8, character: 30 } });
    const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: drift.range,
      context: { diagnostics: [drift] },
    })) as { title: string; isPreferred?: boolean; edit?: { changes?: Record<string, { newText: string }[]> } }[];
    assert.equal(actions[0].title, "Take the infrastructure's value: encryptionAtRest: none");
    assert.equal(actions[0].isPreferred, true);
    assert.deepEqual(
      actions[0].edit?.changes?.[uri].map((e) => e.newText),
      ['none'],
    );

    const unmodelled = published.diagnostics.find((d) => d.code === 'infra-unmodelled')!;
    assert.match(messageOf(unmodelled), /^5 resources of plan\.json are in no component's infra: aws_lb\.public, aws_ecs_service\.api, /);
    const add = (await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: unmodelled.range,
      context: { diagnostics: [unmodelled] },
    })) as { title: string; edit?: { changes?: Record<string, { newText: string }[]> } }[];
    const drafts = add.find((a) => a.title === 'Add draft components for the 5 resources of plan.json')!;
    // In the file's style (flow lists, as its infra is written); the plan's boundaries are not in this model: left out.
    assert.match(
      drafts.edit!.changes![uri][0].newText,
      /- id: orders-alb\n {4}name: orders-alb\n {4}type: process\n {4}kind: load-balancer\n {4}infra: \[aws_lb\.public\]\n {4}exposure: internet\n/,
    );
    assert.doesNotMatch(drafts.edit!.changes![uri][0].newText, /boundary:/);
    // A path outside the workspace is refused, and said so in the log.
    assert.ok(
      client.logs.some((l) => /\.\.\/outside\.json is outside the workspace; it is not read/.test(l)),
      client.logs.join('\n'),
    );
  });

  it('drafts a model from a Terraform plan through the import request', async () => {
    const result: ImportResponse = await client.connection.sendRequest(ImportRequest, {
      uri: pathToFileURL(path.join(dir, 'plan.json')).toString(),
    });
    assert.ok('text' in result, JSON.stringify(result));
    assert.equal(result.format, 'Terraform (terraform show -json)');
    assert.equal(result.counts, '7 components, 5 flows, 3 boundaries, 0 threats, 0 mitigations, 0 assumptions');
    assert.match(result.text, /infra:\n {6}- aws_db_instance\.orders\n {4}encryptionAtRest: none/);
  });

  it('converts a large file in a worker thread: hovers are answered while it runs, and a cancelled import stops', async () => {
    // An OTM file of 20,000 threats and mitigations: seconds of conversion.
    const n = 20_000;
    const otm = generateOtm(n);
    const file = path.join(dir, 'large.otm.json');
    writeFileSync(file, JSON.stringify(otm));
    const uri = pathToFileURL(path.join(dir, 'hover.tm.yaml')).toString();
    await client.open(uri, MODEL);
    let importDone = false;
    const imported = client.connection
      .sendRequest(ImportRequest, { uri: pathToFileURL(file).toString() })
      .then((r: ImportResponse) => ((importDone = true), r));
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 4, character: 10 } });
    assert.ok(hover, 'the hover is answered');
    assert.equal(importDone, false, 'the hover did not wait for the import');
    const result = await imported;
    assert.ok('text' in result, JSON.stringify(result));
    assert.match(result.counts, /20000 threats|20,000 threats/);

    // Cancelled: the worker stops and the request says so.
    const source = new CancellationTokenSource();
    const cancelled = client.connection.sendRequest(ImportRequest, { uri: pathToFileURL(file).toString() }, source.token);
    source.cancel();
    await assert.rejects(cancelled, (e: { code?: number }) => e.code === LSPErrorCodes.RequestCancelled);
  });
});
