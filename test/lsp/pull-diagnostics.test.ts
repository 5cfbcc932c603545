/**
 * Pull diagnostics (LSP 3.17), as VS Code asks for them: offered only to a client that pulls and can be asked to pull
 * again; nothing pushed to it; "unchanged" while nothing it holds moved; a pull the client cancels (it typed again)
 * dropped; and a change of a model the document imports, in an editor or on disk, makes the server ask for a pull.
 */
import * as assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CancellationTokenSource,
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  DidOpenTextDocumentNotification,
  type DocumentDiagnosticReport,
  FileChangeType,
  type FullDocumentDiagnosticReport,
  LSPErrorCodes,
  ResponseError,
} from 'vscode-languageserver-protocol';
import { StatusRequest } from '../../server/src/shared/protocol';
import { messageOf, TestLspClient } from '../support/lsp-client';
import { REPO_ROOT } from '../support/paths';

function full(report: DocumentDiagnosticReport): FullDocumentDiagnosticReport {
  assert.equal(report.kind, 'full', 'a full report');
  return report;
}

describe('pull diagnostics over the protocol', function () {
  this.timeout(60_000);
  let dir: string;
  let client: TestLspClient;
  let delay = 0;
  const uri = (p: string) => pathToFileURL(path.join(dir, p)).toString();
  const read = (p: string) => readFileSync(path.join(dir, p), 'utf8');
  const open = (p: string, text = read(p)) =>
    client.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri: uri(p), languageId: 'threatmodel', version: 1, text },
    });
  const replace = (p: string, version: number, text: string) =>
    client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: uri(p), version },
      contentChanges: [{ text }],
    });

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'threatcode-lsp-pull-'));
    cpSync(path.join(REPO_ROOT, 'test/fixtures/multi-file'), dir, { recursive: true });
    client = new TestLspClient(
      {},
      { workspaceFolders: [pathToFileURL(dir).toString()] },
      { configuration: (section) => (section === 'threatcode' ? { validationDelay: delay } : null), pullsDiagnostics: true },
    );
    const result = await client.initialize();
    assert.deepEqual(result.capabilities.diagnosticProvider, {
      identifier: 'threatcode',
      interFileDependencies: true,
      workspaceDiagnostics: false,
    });
    await client.configurationPulled();
  });
  after(async () => {
    await client.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is offered only to a client that pulls; a client that does not is sent its diagnostics', async () => {
    const pushed = new TestLspClient({ validationDelay: 0 });
    try {
      const result = await pushed.initialize();
      assert.equal(result.capabilities.diagnosticProvider, undefined);
      const published = await pushed.open('file:///p/m.tm.yaml', read('payments/payments.tm.yaml'));
      assert.ok(published.diagnostics.length > 0);
      assert.equal((await pushed.connection.sendRequest(StatusRequest)).diagnostics, 'push');
      assert.equal((await client.connection.sendRequest(StatusRequest)).diagnostics, 'pull');
    } finally {
      await pushed.stop();
    }
  });

  it('answers a pull with the findings, pushes nothing, and says "unchanged" while nothing moved', async () => {
    await open('payments/payments.tm.yaml');
    const first = full(await client.pull(uri('payments/payments.tm.yaml')));
    const az02 = first.items.find((d) => d.code === 'AZ-02');
    assert.ok(az02, first.items.map((d) => d.code).join());
    assert.ok(az02.relatedInformation?.some((r) => r.location.uri === uri('platform/platform.tm.yaml')));
    assert.ok(first.resultId);
    const again = await client.pull(uri('payments/payments.tm.yaml'), first.resultId);
    assert.deepEqual(again, { kind: 'unchanged', resultId: first.resultId });
    // A client that holds nothing (it forgot, or restarted) is given everything.
    assert.equal(full(await client.pull(uri('payments/payments.tm.yaml'))).items.length, first.items.length);
    assert.deepEqual(
      client.published.filter((p) => p.uri === uri('payments/payments.tm.yaml')),
      [],
      'nothing pushed to a client that pulls',
    );
  });

  it('after an edit, reports the new text; a pull cancelled while it waits for the pause is dropped', async () => {
    // A pause long enough that the cancel sent after the next edit reaches the server while the pull waits, on a
    // loaded machine too (300 ms was not, once, in CI).
    delay = 2_000;
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await client.configurationPulled(1);
    const p = 'payments/payments.tm.yaml';
    const text = read(p);
    const before = full(await client.pull(uri(p)));
    await replace(p, 2, text.replace('from: gateway', 'from: gateway-typo'));
    const cancelled = (e: unknown) => e instanceof ResponseError && e.code === LSPErrorCodes.RequestCancelled;
    // The user typed again: the client cancels the pull it sent, and pulls anew. Cancelled before the server reads
    // it, the pull never runs…
    let source = new CancellationTokenSource();
    let dropped = client.pull(uri(p), before.resultId, source.token);
    source.cancel();
    await assert.rejects(dropped, cancelled);
    // …and cancelled while it waits for the pause. The change comes first, so that the pause starts afresh: the first
    // pull, when the server read it before its cancel, waited out the pause of version 2 itself, and a pull sent after
    // it found no pause left to wait (once, in CI). The status request is answered after the server has read the pull.
    await replace(p, 3, text.replace('from: gateway', 'from: gateway-x'));
    source = new CancellationTokenSource();
    dropped = client.pull(uri(p), before.resultId, source.token);
    await client.connection.sendRequest(StatusRequest);
    source.cancel();
    await assert.rejects(dropped, cancelled);
    const after = full(await client.pull(uri(p), before.resultId));
    assert.notEqual(after.resultId, before.resultId);
    const dangling = after.items.find((d) => d.code === 'dangling-reference');
    assert.match(messageOf(dangling!), /'gateway-x' in 'from' is not defined/);
    await replace(p, 4, text);
    assert.equal(full(await client.pull(uri(p), after.resultId)).items.filter((d) => d.severity === 1).length, 0);
    delay = 0;
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await client.configurationPulled(2);
  });

  it('asks the client to pull again when a model the document imports changes, in an editor or on disk', async () => {
    const payments = uri('payments/payments.tm.yaml');
    const held = full(await client.pull(payments));
    const platformText = read('platform/platform.tm.yaml');
    await open('platform/platform.tm.yaml', platformText);
    await client.pull(uri('platform/platform.tm.yaml'));
    let refreshed = client.nextRefresh();
    await replace('platform/platform.tm.yaml', 2, platformText.replace('id: gateway', 'id: edge'));
    await refreshed;
    const broken = full(await client.pull(payments, held.resultId));
    assert.match(messageOf(broken.items.find((d) => d.code === 'dangling-reference')!), /'gateway' in 'from' is not defined/);
    await replace('platform/platform.tm.yaml', 3, platformText);
    await client.pull(uri('platform/platform.tm.yaml'));

    const file = path.join(dir, 'shared/mitigations.tm.yaml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('id: idempotency-keys', 'id: idempotency'));
    refreshed = client.nextRefresh();
    await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, {
      changes: [{ uri: uri('shared/mitigations.tm.yaml'), type: FileChangeType.Changed }],
    });
    await refreshed;
    const missing = full(await client.pull(payments, broken.resultId)).items.find((d) => /'idempotency-keys'/.test(messageOf(d)));
    assert.equal(missing?.code, 'dangling-reference');
    writeFileSync(file, original);
  });
});
