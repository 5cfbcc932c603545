/**
 * User rule packs through the real server: loaded from the workspace when trusted, reported when broken, ignored
 * when the workspace is untrusted, and refused outside the workspace.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { codes, messageOf, TestLspClient } from '../support/lsp-client';
import { WorkspaceTrustedNotification } from '../../server/src/shared/protocol';

const MODEL =
  'threatcode: 1\nsystem:\n  name: S\ncomponents:\n  - { id: svc, name: Svc, type: process, kind: service, boundary: z, reviewed: { by: a, date: 2026-01-01 } }\n  - { id: w, name: W, type: process, kind: worker, boundary: z, reviewed: { by: a, date: 2026-01-01 } }\nboundaries:\n  - { id: z, trust: internal }\nflows:\n  - { id: f, from: svc, to: w, protocol: grpc-tls, authentication: mtls, data: [d] }\ndata:\n  - { id: d, classification: public }\n';
const PACK = `pack: team
rules:
  - id: TEAM-01
    target: process
    title: "{name} is a service"
    rationale: Services need the team's review.
    severity: medium
    when: { prop: kind, eq: service }
    mitigations: [rate-limiting]
  - id: TEAM-02
    target: process
    title: broken
    rationale: r
    severity: low
    when: { prop: kind, eqq: service }
`;

describe('rule packs in the language server', () => {
  let workspace: string;
  let packUri: string;
  let outside: string;

  before(() => {
    workspace = mkdtempSync(path.join(tmpdir(), 'threatcode-ws-'));
    mkdirSync(path.join(workspace, '.threatcode', 'rules'), { recursive: true });
    writeFileSync(path.join(workspace, '.threatcode', 'rules', 'team.yaml'), PACK);
    packUri = pathToFileURL(path.join(workspace, '.threatcode', 'rules', 'team.yaml')).toString();
    outside = mkdtempSync(path.join(tmpdir(), 'threatcode-outside-'));
    writeFileSync(path.join(outside, 'evil.yaml'), PACK.replace(/TEAM/g, 'EVIL'));
  });

  it('loads workspace packs in a trusted workspace and reports their problems on the pack file', async () => {
    const client = new TestLspClient(
      {},
      { workspaceFolders: [pathToFileURL(workspace).toString()], initializationOptions: { workspaceTrusted: true } },
    );
    try {
      const packProblems = client.next((p) => p.uri === packUri);
      await client.initialize();
      const published = await client.open(pathToFileURL(path.join(workspace, 'm.tm.yaml')).toString(), MODEL);
      assert.deepEqual(codes(published.diagnostics), ['TEAM-01']);
      assert.match(messageOf(published.diagnostics[0]), /^Svc is a service\./);
      const pack = await packProblems;
      assert.deepEqual(codes(pack.diagnostics), ['unknown-key']);
      assert.equal(pack.diagnostics[0].range.start.line, 14);
    } finally {
      await client.stop();
    }
  });

  it('runs only built-in rules in an untrusted workspace, and user packs once trust is granted', async () => {
    const client = new TestLspClient(
      {},
      { workspaceFolders: [pathToFileURL(workspace).toString()], initializationOptions: { workspaceTrusted: false } },
    );
    try {
      await client.initialize();
      const uri = pathToFileURL(path.join(workspace, 'm.tm.yaml')).toString();
      const published = await client.open(uri, MODEL);
      assert.deepEqual(codes(published.diagnostics), []);
      assert.equal(client.published.filter((p) => p.uri === packUri).length, 0, 'the pack was not even read');
      const trusted = client.next((p) => p.uri === uri && codes(p.diagnostics).includes('TEAM-01'));
      await client.connection.sendNotification(WorkspaceTrustedNotification, { trusted: true });
      await trusted;
    } finally {
      await client.stop();
    }
  });

  it('refuses rule packs outside the workspace named in threatcode.rulePacks', async () => {
    const client = new TestLspClient(
      { rulePacks: [path.join(outside, 'evil.yaml'), '../' + path.basename(outside) + '/evil.yaml'] },
      { workspaceFolders: [pathToFileURL(workspace).toString()], initializationOptions: { workspaceTrusted: true } },
    );
    try {
      await client.initialize();
      const uri = pathToFileURL(path.join(workspace, 'm.tm.yaml')).toString();
      // Settings arrive after `initialized`; the rulePacks setting makes the server reload its packs.
      await client.waitForLog(/outside the workspace folder/);
      const published = await client.open(uri, MODEL);
      assert.deepEqual(codes(published.diagnostics), ['TEAM-01']);
      assert.equal(client.logs.filter((l) => /outside the workspace folder/.test(l)).length, 2);
    } finally {
      await client.stop();
    }
  });
});
