/**
 * The layers' arrows point one way (.dependency-cruiser.cjs, docs/architecture.md): the real tree has no violation,
 * and every rule catches the wrong arrow it is there for, shown on a small tree built for the purpose.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/paths';

const DEPCRUISE = path.join(REPO_ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const CONFIG = path.join(REPO_ROOT, '.dependency-cruiser.cjs');

function cruise(cwd: string): { status: number | null; output: string } {
  const result = spawnSync(
    process.execPath,
    [DEPCRUISE, '--config', CONFIG, '--output-type', 'err', 'server/src', 'client/src', 'webview/src'],
    {
      cwd,
      encoding: 'utf8',
    },
  );
  return { status: result.status, output: result.stdout + result.stderr };
}

describe('layers: imports point one way', function () {
  this.timeout(60_000);

  it('the sources have no violation', () => {
    const { status, output } = cruise(REPO_ROOT);
    assert.equal(status, 0, output);
  });

  it('each rule catches the arrow it forbids', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'threatcode-layers-'));
    try {
      const files: Record<string, string> = {
        // The one the review found: the core's model importing the rule engine above it.
        'server/src/model/analyze.ts': "import { run } from '../analysis/engine';\nexport const a = run;\n",
        'server/src/analysis/engine.ts': "import { read } from '../files/read';\nexport const run = read;\n",
        'server/src/files/read.ts': "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
        // Core reading a file; a feature reaching into the language server; a cycle.
        'server/src/features/hover.ts':
          "import { readFileSync } from 'node:fs';\nimport { convert } from '../lsp/convert';\nexport const h = [readFileSync, convert];\n",
        'server/src/lsp/convert.ts': 'export const convert = 1;\n',
        'server/src/edits/a.ts': "import { b } from './b';\nexport const a = () => b;\n",
        'server/src/edits/b.ts': "import { a } from './a';\nexport const b = () => a;\n",
        'server/src/shared/view.ts': 'export const v = 1;\n',
        // The client and the webview reaching into the server.
        'client/src/extension.ts': "import { run } from '../../server/src/analysis/engine';\nexport const c = run;\n",
        'webview/src/main.ts':
          "import { convert } from '../../server/src/lsp/convert';\nimport { v } from '../../server/src/shared/view';\nexport const w = [convert, v];\n",
        'tsconfig.json': '{ "compilerOptions": { "module": "Node16", "moduleResolution": "Node16", "strict": true } }\n',
      };
      for (const [file, text] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        writeFileSync(path.join(dir, file), text);
      }
      copyFileSync(CONFIG, path.join(dir, '.dependency-cruiser.cjs'));
      const { status, output } = cruise(dir);
      assert.notEqual(status, 0);
      const found = (rule: string, from: string, to: string) =>
        assert.ok(output.includes(`${rule}: ${from} → ${to}`), `expected ${rule}: ${from} → ${to} in:\n${output}`);
      found('model-imports-only-below', 'server/src/model/analyze.ts', 'server/src/analysis/engine.ts');
      found('analysis-imports-only-below', 'server/src/analysis/engine.ts', 'server/src/files/read.ts');
      found('core-reads-no-files', 'server/src/features/hover.ts', 'fs');
      found('features-imports-only-below', 'server/src/features/hover.ts', 'server/src/lsp/convert.ts');
      found('only-the-server-entry-imports-lsp', 'server/src/features/hover.ts', 'server/src/lsp/convert.ts');
      found('client-imports-only-shared', 'client/src/extension.ts', 'server/src/analysis/engine.ts');
      found('webview-imports-only-view-types', 'webview/src/main.ts', 'server/src/lsp/convert.ts');
      assert.match(output, /no-cycles: server\/src\/edits\/(a|b)\.ts → /);
      // Allowed arrows stay allowed: files/ reading the disk, the webview using the view contract.
      assert.doesNotMatch(output, /: server\/src\/files\/read\.ts → fs/);
      assert.doesNotMatch(output, /webview\/src\/main\.ts → server\/src\/shared\/view\.ts/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
