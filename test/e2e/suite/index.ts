/**
 * Entry point that VS Code loads as `extensionTestsPath`: runs the mocha suite inside the extension host and writes
 * a summary where the runner can read it (THREATCODE_E2E_RESULT). Used by both runners (code-server and
 * @vscode/test-electron).
 */
import { readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec' });
  for (const f of readdirSync(__dirname).filter((f) => f.endsWith('.test.js'))) mocha.addFile(path.join(__dirname, f));
  const failures: string[] = [];
  let passed = 0;
  await new Promise<void>((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on('pass', () => passed++);
    runner.on('fail', (test, err: Error) => failures.push(`${test.fullTitle()}: ${err.message}`));
  });
  const out = process.env.THREATCODE_E2E_RESULT;
  if (out) writeFileSync(out, JSON.stringify({ passed, failed: failures.length, failures }));
  if (failures.length) throw new Error(`${failures.length} end-to-end tests failed`);
}
