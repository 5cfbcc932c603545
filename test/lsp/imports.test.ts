/**
 * Models across files over the protocol: a service model imports the platform model and the shared mitigations,
 * which are not open (read from disk). Definitions, references and rename cross files; an edit in the open platform
 * model, and a change on disk of the unopened mitigations, reach the service's diagnostics; cycles, missing files and
 * paths outside the workspace are errors on the import line.
 */
import * as assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  DefinitionRequest,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  type Location,
  ReferencesRequest,
  RenameRequest,
  type WorkspaceEdit,
} from 'vscode-languageserver-protocol';
import { codes, messageOf, type Published, TestLspClient } from '../support/lsp-client';
import { REPO_ROOT } from '../support/paths';

describe('models across files over the protocol', function () {
  this.timeout(60_000);
  let dir: string;
  let client: TestLspClient;
  const uri = (p: string) => pathToFileURL(path.join(dir, p)).toString();
  const read = (p: string) => readFileSync(path.join(dir, p), 'utf8');
  /** Line and character of the first `needle` (plus `shift` characters) in a file's text. */
  const at = (text: string, needle: string, shift = 0) => {
    const offset = text.indexOf(needle) + shift;
    const before = text.slice(0, offset).split('\n');
    return { line: before.length - 1, character: before[before.length - 1].length };
  };
  const errors = (p: Published) => p.diagnostics.filter((d) => d.severity === 1);

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'threatcode-lsp-imports-'));
    cpSync(path.join(REPO_ROOT, 'test/fixtures/multi-file'), dir, { recursive: true });
    client = new TestLspClient(
      {},
      { workspaceFolders: [pathToFileURL(dir).toString()] },
      { configuration: () => ({ validationDelay: 50 }) },
    );
    await client.initialize();
    await client.configurationPulled();
  });
  after(async () => {
    await client.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('resolves the imports of an open model from unopened files, with related locations in them', async () => {
    const published = await client.open(uri('payments/payments.tm.yaml'), read('payments/payments.tm.yaml'));
    assert.deepEqual(errors(published), []);
    const az02 = published.diagnostics.find((d) => d.code === 'AZ-02')!;
    assert.ok(az02, codes(published.diagnostics).join());
    assert.ok(az02.relatedInformation?.some((r) => r.location.uri === uri('platform/platform.tm.yaml')));
  });

  it('goes to a definition and finds references in other files', async () => {
    const text = read('payments/payments.tm.yaml');
    const definition = (await client.connection.sendRequest(DefinitionRequest.type, {
      textDocument: { uri: uri('payments/payments.tm.yaml') },
      position: at(text, 'from: gateway', 7),
    })) as Location;
    assert.equal(definition.uri, uri('platform/platform.tm.yaml'));
    assert.deepEqual(definition.range.start, at(read('platform/platform.tm.yaml'), 'id: gateway', 4));
    const refs = (await client.connection.sendRequest(ReferencesRequest.type, {
      textDocument: { uri: uri('payments/payments.tm.yaml') },
      position: at(text, 'mitigations: [idempotency-keys]', 15),
      context: { includeDeclaration: true },
    })) as Location[];
    assert.deepEqual(refs.map((r) => path.relative(dir, new URL(r.uri).pathname)).sort(), [
      'payments/payments.tm.yaml',
      'shared/mitigations.tm.yaml',
    ]);
  });

  it('renames an imported id in every file that shares it', async () => {
    const text = read('payments/payments.tm.yaml');
    const edit = (await client.connection.sendRequest(RenameRequest.type, {
      textDocument: { uri: uri('payments/payments.tm.yaml') },
      position: at(text, 'from: gateway', 7),
      newName: 'edge-gateway',
    })) as WorkspaceEdit;
    const changes = edit.changes!;
    assert.deepEqual(Object.keys(changes).sort(), [uri('payments/payments.tm.yaml'), uri('platform/platform.tm.yaml')].sort());
    assert.equal(changes[uri('payments/payments.tm.yaml')].length, 1);
    assert.equal(changes[uri('platform/platform.tm.yaml')].length, 4);
    assert.ok(Object.values(changes).every((list) => list.every((e) => e.newText === 'edge-gateway')));
  });

  it('an edit in an open imported model reaches the importer’s diagnostics, and so does undoing it', async () => {
    const platform = uri('platform/platform.tm.yaml');
    const payments = uri('payments/payments.tm.yaml');
    const text = read('platform/platform.tm.yaml');
    await client.open(platform, text);
    const broken = client.next((p) => p.uri === payments && p.diagnostics.some((d) => d.code === 'dangling-reference'));
    const start = at(text, 'id: gateway', 4);
    await client.change(platform, 2, [{ range: { start, end: { line: start.line, character: start.character + 7 } }, text: 'edge' }]);
    const dangling = (await broken).diagnostics.find((d) => d.code === 'dangling-reference')!;
    assert.match(messageOf(dangling), /'gateway' in 'from' is not defined/);
    const fixed = client.next((p) => p.uri === payments && errors(p).length === 0);
    await client.change(platform, 3, [{ text }]);
    await fixed;
    await client.close(platform);
  });

  it('a change on disk of an unopened imported model reaches the importer', async () => {
    const payments = uri('payments/payments.tm.yaml');
    const file = path.join(dir, 'shared/mitigations.tm.yaml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('id: idempotency-keys', 'id: idempotency'));
    const broken = client.next((p) => p.uri === payments && p.diagnostics.some((d) => /'idempotency-keys'/.test(messageOf(d))));
    await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, {
      changes: [{ uri: uri('shared/mitigations.tm.yaml'), type: FileChangeType.Changed }],
    });
    const found = (await broken).diagnostics.find((d) => /'idempotency-keys'/.test(messageOf(d)))!;
    assert.equal(found.code, 'dangling-reference');
    assert.match(messageOf(found), /Did you mean 'idempotency'/);
    writeFileSync(file, original);
    const fixed = client.next((p) => p.uri === payments && errors(p).length === 0);
    await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, {
      changes: [{ uri: uri('shared/mitigations.tm.yaml'), type: FileChangeType.Changed }],
    });
    await fixed;
  });

  it('reports cycles, missing files and paths outside the workspace on the import line', async () => {
    writeFileSync(path.join(dir, 'b.tm.yaml'), 'threatcode: 1.2\nimports: [c.tm.yaml]\nsystem:\n  name: B\n');
    writeFileSync(path.join(dir, 'c.tm.yaml'), 'threatcode: 1.2\nimports: [b.tm.yaml]\nsystem:\n  name: C\n');
    const text = 'threatcode: 1.2\nimports:\n  - b.tm.yaml\n  - nowhere.tm.yaml\n  - ../outside.tm.yaml\nsystem:\n  name: A\n';
    const published = await client.open(uri('c-user.tm.yaml'), text);
    assert.deepEqual(
      published.diagnostics.map((d) => [d.code, d.range.start.line]),
      [
        ['import-not-found', 3],
        ['import-refused', 4],
      ],
    );
    const cycle = await client.open(uri('b.tm.yaml'), read('b.tm.yaml'));
    assert.deepEqual(codes(cycle.diagnostics), ['import-cycle']);
    assert.equal(messageOf(cycle.diagnostics[0]), 'Import cycle: b.tm.yaml → c.tm.yaml → b.tm.yaml.');
  });
});
