/**
 * Code links from facts (no git here: test/cli/code-links.test.ts runs real repositories): each diagnostic fires and
 * stays quiet where it should, globs are relative to the model's folder, and the index the CodeLens uses matches a
 * file to every element that links it.
 */
import * as assert from 'node:assert/strict';
import { type CodeFacts, linkCode } from '../../server/src/analysis/code-links';
import { CodeLinkIndex, codeMatcher, normaliseCodeGlob, relativePath } from '../../server/src/shared/code-links';
import { analyze } from '../support/analyze';

const model = (code: string, reviewed = '') => `threatcode: 1.1
system:
  name: Shop
  reviewed: { by: ana, date: 2026-10-14 }
components:
  - id: api
    name: Shop API
    type: process
    code: ${code}
${reviewed}`;

const facts = (over: Partial<CodeFacts> = {}): CodeFacts => ({
  modelFolder: 'docs',
  files: ['docs/model.tm.yaml', 'src/api/server.ts', 'src/api/routes/orders.ts', 'src/web/app.ts', 'README.md'],
  commits: [
    { hash: 'b'.repeat(40), date: '2026-11-02', author: 'Bo', subject: 'Orders', files: ['src/api/routes/orders.ts'] },
    { hash: 'a'.repeat(40), date: '2026-10-01', author: 'Ana', subject: 'Start', files: ['src/api/server.ts', 'src/web/app.ts'] },
  ],
  ...over,
});

const codes = (text: string, f: CodeFacts) => linkCode(analyze(text, { today: '2026-11-29' }), f)!.diagnostics.map((d) => d.code);

describe('code links', () => {
  it('globs are relative to the model’s folder; a folder stands for its files; `./` is the folder itself', () => {
    assert.deepEqual(normaliseCodeGlob('src/api'), ['src/api', 'src/api/**']);
    assert.deepEqual(normaliseCodeGlob('./src/**/*.ts'), ['src/**/*.ts']);
    assert.deepEqual(normaliseCodeGlob('.'), ['**']);
    assert.ok(codeMatcher(['../src/api'])('../src/api/server.ts'));
    assert.ok(!codeMatcher(['**'])('../src/api/server.ts'), 'a bare ** stays inside the model’s folder');
    assert.equal(relativePath('/repo/docs', '/repo/src/a.ts'), '../src/a.ts');
    const links = linkCode(analyze(model('[../src/api]'), { today: '2026-11-29' }), facts())!;
    assert.deepEqual(links.elements[0].files, ['src/api/routes/orders.ts', 'src/api/server.ts']);
  });

  it('dangling-code-link: fires on a glob that matches nothing (with the nearest path), not on one that matches', () => {
    assert.deepEqual(codes(model('[../src/api/**]'), facts()), ['code-changed-since-review']);
    const analysis = analyze(model('[../src/apy/**]'), { today: '2026-11-29' });
    const d = linkCode(analysis, facts({ commits: undefined }))!.diagnostics;
    assert.deepEqual(
      d.map((x) => [x.code, x.message, x.data]),
      [
        [
          'dangling-code-link',
          "Shop API's code link '../src/apy/**' matches no file in the repository. Did you mean '../src/api/**'?",
          { suggestions: ['../src/api/**'], element: 'api' },
        ],
      ],
    );
    // A listing that stopped early cannot tell: no warning.
    assert.deepEqual(codes(model('[../src/apy/**]'), facts({ commits: undefined, filesTruncated: true })), []);
    // Out of the repository altogether.
    assert.match(
      linkCode(analyze(model('[../../elsewhere/**]'), { today: '2026-11-29' }), facts())!.diagnostics[0].message,
      /points outside the repository/,
    );
  });

  it('code-link-refused: fires on a glob the linear matcher does not take (extglob, negation, too long), not on others', () => {
    assert.deepEqual(codes(model('["../src/+(api|web)/**"]'), facts({ commits: undefined })), ['code-link-refused']);
    assert.deepEqual(codes(model('["!../src/api/**"]'), facts({ commits: undefined })), ['code-link-refused']);
    assert.deepEqual(codes(model(`["../src/${'a'.repeat(1_001)}"]`), facts({ commits: undefined })), ['code-link-refused']);
    assert.deepEqual(codes(model('["../src/{api,web}/**"]'), facts({ commits: undefined })), []);
  });

  it('code-changed-since-review: fires for commits after the review, not for those on or before its day', () => {
    assert.deepEqual(codes(model('[../src/api/**]'), facts()), ['code-changed-since-review']);
    // Reviewed on the day of the last commit: reviewed.
    assert.deepEqual(codes(model('[../src/api/**]', '    reviewed: { by: bo, date: 2026-11-02 }\n'), facts()), []);
    // Only the web app changed after the review: the API is not stale.
    assert.deepEqual(codes(model('[../src/web/**]'), facts()), []);
    // Without history (no git) nothing is said about staleness.
    assert.deepEqual(codes(model('[../src/api/**]'), facts({ commits: undefined })), []);
  });

  it('code coverage counts source folders under the model’s folder only', () => {
    const links = linkCode(analyze(model('[../src/api/**]'), { today: '2026-11-29' }), facts())!;
    assert.equal(links.coverage, undefined, 'a model in docs/ links nothing in its own folder');
    const root = linkCode(analyze(model('[src/api/**]'), { today: '2026-11-29' }), facts({ modelFolder: '' }))!;
    assert.deepEqual(root.coverage, { folders: 3, unlinked: ['src/web'] });
  });

  it('the CodeLens index matches a file to every element of every model that links it, and nothing else', () => {
    const index = new CodeLinkIndex([
      {
        uri: 'file:///repo/docs/shop.tm.yaml',
        folder: '/repo/docs',
        elements: [{ id: 'api', name: 'Shop API', globs: ['../src/api'], line: 5, openThreats: [], openFindings: [] }],
      },
      {
        uri: 'file:///repo/platform.tm.yaml',
        folder: '/repo',
        elements: [
          { id: 'gw', name: 'Gateway', globs: ['src/api/server.ts'], line: 3, openThreats: [], openFindings: [] },
          { id: 'web', name: 'Web', globs: ['src/web/**'], line: 9, openThreats: [], openFindings: [] },
        ],
      },
    ]);
    assert.deepEqual(
      index.elementsFor('/repo/src/api/server.ts').map((m) => m.element.id),
      ['api', 'gw'],
    );
    assert.deepEqual(
      index.elementsFor('/repo/src/api/routes/orders.ts').map((m) => m.element.id),
      ['api'],
    );
    assert.deepEqual(index.elementsFor('/repo/README.md'), []);
    assert.deepEqual(index.elementsFor('/elsewhere/src/api/server.ts'), []);
  });
});
