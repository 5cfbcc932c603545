/**
 * The same end-to-end suite under @vscode/test-electron, for machines that can download VS Code (it fetches a VS Code
 * build from Microsoft). Where that is impossible (this project's CI), run-code-server.ts runs the suite instead.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { REPO_ROOT } from '../support/paths';

async function main(): Promise<void> {
  const workspace = path.join(mkdtempSync(path.join(tmpdir(), 'threatcode-e2e-')), 'workspace');
  cpSync(path.join(REPO_ROOT, 'examples'), workspace, { recursive: true });
  await runTests({
    version: '1.100.3',
    extensionDevelopmentPath: REPO_ROOT,
    extensionTestsPath: path.join(REPO_ROOT, 'out/test/e2e/suite'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome'],
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
