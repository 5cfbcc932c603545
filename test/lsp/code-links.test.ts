/**
 * Code links over the protocol, against the bundled server and a real git repository: the index the extension's
 * CodeLens matches source files against (open and unopened models), staleness and dangling links published as
 * diagnostics once the repository is read (off the typing path), the review quick fix, Go to Definition from a glob
 * to its files, and completion of paths in `code:`.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CodeActionRequest,
  CompletionRequest,
  type CompletionItem,
  DefinitionRequest,
  type Location,
} from 'vscode-languageserver-protocol';
import { CodeLinkIndex, type CodeLinkModel } from '../../server/src/shared/code-links';
import { CodeLinksRequest } from '../../server/src/shared/protocol';
import { TestLspClient } from '../support/lsp-client';

const MODEL = `threatcode: 1.1
system:
  name: Shop
  reviewed: { by: ana, date: 2026-10-14 }
components:
  - id: payments
    name: Payment service
    type: process
    code: [src/payments/**, src/paymnts/**]
threats:
  - id: T-refund-fraud
    title: Refunds issued twice
    category: tampering
    targets: [payments]
    status: open
    severity: high
`;
const OTHER = `threatcode: 1.1
system: { name: Platform }
components:
  - { id: gateway, name: API gateway, type: process, code: [../src/payments/charge.ts] }
`;

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', args, {
    cwd,
    env: { ...process.env, GIT_AUTHOR_DATE: '2026-11-02T12:00:00', GIT_COMMITTER_DATE: '2026-11-02T12:00:00' },
  });
}

describe('code links over the protocol', function () {
  this.timeout(60_000);
  let dir: string;
  let client: TestLspClient;
  let uri: string;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'threatcode-lsp-git-'));
    mkdirSync(path.join(dir, 'src/payments'), { recursive: true });
    mkdirSync(path.join(dir, 'platform'));
    writeFileSync(path.join(dir, 'src/payments/charge.ts'), 'export const charge = 1;\n');
    writeFileSync(path.join(dir, 'src/payments/refund.ts'), 'export const refund = 1;\n');
    writeFileSync(path.join(dir, 'model.tm.yaml'), MODEL);
    writeFileSync(path.join(dir, 'platform/platform.tm.yaml'), OTHER);
    git(dir, 'init', '-q');
    git(dir, 'config', 'user.email', 'dev@example.com');
    git(dir, 'config', 'user.name', 'Ana Dev');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'Refunds');
    uri = pathToFileURL(path.join(dir, 'model.tm.yaml')).toString();
    client = new TestLspClient({}, { workspaceFolders: [pathToFileURL(dir).toString()] });
    await client.initialize();
  });
  after(async () => {
    await client.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes staleness and dangling links once the repository is read, without waiting on it to publish', async () => {
    const first = await client.open(uri, MODEL);
    // The first publication does not wait for git; the repository's facts follow in a second one.
    const withCode = first.diagnostics.some((d) => d.code === 'code-changed-since-review')
      ? first
      : await client.next((p) => p.uri === uri && p.diagnostics.some((d) => d.code === 'code-changed-since-review'), true);
    const stale = withCode.diagnostics.find((d) => d.code === 'code-changed-since-review')!;
    assert.equal(stale.severity, 3);
    assert.match(
      typeof stale.message === 'string' ? stale.message : stale.message.value,
      /^Payment service: 1 commit changed src\/payments\/\*\* since the review on 2026-10-14 \(the model’s\); latest 2026-11-02 by Ana Dev: “Refunds”/,
    );
    const dangling = withCode.diagnostics.find((d) => d.code === 'dangling-code-link')!;
    assert.equal(dangling.severity, 2);
    assert.deepEqual(dangling.range, { start: { line: 8, character: 28 }, end: { line: 8, character: 42 } });

    const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: stale.range,
      context: { diagnostics: [stale] },
    })) as { title: string; edit?: { changes?: Record<string, { newText: string }[]> } }[];
    const review = actions.find((a) => a.title.startsWith('Record a review of Payment service today'))!;
    assert.ok(review, actions.map((a) => a.title).join(', '));
    // Written by the user git knows, in the file's style (a flow mapping, as the model's own review).
    assert.match(review.edit!.changes![uri][0].newText, /reviewed: \{ by: Ana Dev, date: \d{4}-\d{2}-\d{2} \}/);
    assert.equal(actions.filter((a) => a.title.startsWith('Record a review of Payment service')).length, 1, 'offered once');
    // The component has no review of its own: the review is offered wherever the cursor is in it, problem or not.
    const unasked = (await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: stale.range,
      context: { diagnostics: [] },
    })) as { title: string }[];
    assert.ok(
      unasked.some((a) => a.title.startsWith('Record a review of Payment service today')),
      unasked.map((a) => a.title).join(', '),
    );
  });

  it('serves one index of every model that links code, open or not, that matches a file linked twice', async () => {
    const models: readonly CodeLinkModel[] = await client.connection.sendRequest(CodeLinksRequest);
    assert.deepEqual(models.map((m) => path.basename(m.uri)).sort(), ['model.tm.yaml', 'platform.tm.yaml']);
    const shop = models.find((m) => m.uri === uri)!;
    assert.deepEqual(shop.elements[0].openThreats, [{ id: 'T-refund-fraud', title: 'Refunds issued twice', severity: 'high' }]);
    assert.equal(shop.elements[0].line, 5);
    assert.match(shop.elements[0].stale ?? '', /1 commit changed/);
    assert.equal(shop.elements[0].staleSince, '2026-10-14', 'the review the code changed after');
    const index = new CodeLinkIndex(models);
    const file = path.join(dir, 'src/payments/charge.ts').split(path.sep).join('/');
    assert.deepEqual(
      index.elementsFor(file).map((m) => m.element.name),
      ['Payment service', 'API gateway'].filter((n) => index.elementsFor(file).some((x) => x.element.name === n)),
    );
    assert.equal(index.elementsFor(file).length, 2);
    assert.deepEqual(
      index.elementsFor(path.join(dir, 'src/payments/refund.ts').split(path.sep).join('/')).map((m) => m.element.name),
      ['Payment service'],
    );
    assert.deepEqual(index.elementsFor(path.join(dir, 'README.md').split(path.sep).join('/')), []);
  });

  it('Go to Definition on a glob opens the files it links; completion offers the paths that exist', async () => {
    const files = (await client.connection.sendRequest(DefinitionRequest.type, {
      textDocument: { uri },
      position: { line: 8, character: 15 },
    })) as Location[];
    assert.deepEqual(files.map((l) => path.relative(dir, new URL(l.uri).pathname)).sort(), [
      'src/payments/charge.ts',
      'src/payments/refund.ts',
    ]);
    const items = (await client.connection.sendRequest(CompletionRequest.type, {
      textDocument: { uri },
      position: { line: 8, character: 15 }, // after "src/"
    })) as CompletionItem[];
    assert.deepEqual(
      items.map((i) => i.label),
      ['src/payments/**'],
    );
  });
});
