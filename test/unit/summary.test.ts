/**
 * A model's summary read by the line scan equals the one its parse gives, on every model of the repository and on
 * the YAML the scan must leave to the parse; and the scan reads what models in the wild are written in.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { walkFiles } from '../../server/src/files/model-files';
import { parseThreatModel } from '../../server/src/model/parse';
import { scanSummary, summarizeText, summaryOfParsed } from '../../server/src/model/summary';
import { assertLinear } from '../support/cost';
import { generateModel } from '../support/generate-model';
import { REPO_ROOT } from '../support/paths';

const parsed = (text: string) => summaryOfParsed(parseThreatModel(text));

describe('model summaries', () => {
  const files = ['examples', 'test', 'rules', 'docs', 'server/templates'].flatMap((dir) =>
    walkFiles(path.join(REPO_ROOT, dir), { match: /\.tm\.ya?ml$/ }),
  );

  it('scanned equal parsed on every model of the repository, and most are scanned', () => {
    assert.ok(files.length >= 25, `${files.length} models`);
    let scanned = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const scan = scanSummary(text);
      if (scan) scanned++;
      assert.deepEqual(summarizeText(text), parsed(text), path.relative(REPO_ROOT, file));
      if (scan) assert.deepEqual(scan, parsed(text), path.relative(REPO_ROOT, file));
    }
    assert.ok(scanned / files.length > 0.8, `${scanned} of ${files.length} scanned`);
  });

  it('scans generated models of every size', () => {
    for (const n of [1, 30, 300]) {
      const text = generateModel(n);
      assert.ok(scanSummary(text), `${n} components`);
      assert.deepEqual(scanSummary(text), parsed(text));
    }
  });

  const base = `threatcode: 1.3
imports:
  - ../platform/platform.tm.yaml # the shared platform
system:
  name: Shop
components:
  - id: web
    name: Web shop # a comment
    type: process
    code: [src/web/**]
  - id: db
    name: 'Orders ''main'' store'
    type: datastore
    description: |
      - id: not-an-item
        name: inside a block scalar
flows:
  - id: f1
    from: web
    to: db
`;

  it('reads imports, ids, details, counts and code links', () => {
    const s = scanSummary(base);
    assert.ok(s);
    assert.deepEqual(s.imports, ['../platform/platform.tm.yaml']);
    assert.deepEqual(
      s.symbols.map((x) => [x.section, x.id, base.slice(x.idSpan.start, x.idSpan.end), x.detail]),
      [
        ['components', 'web', 'web', 'Web shop · process'],
        ['components', 'db', 'db', "Orders 'main' store · datastore"],
        ['flows', 'f1', 'f1', ''],
      ],
    );
    assert.deepEqual(s.counts, { components: 2, flows: 1 });
    assert.equal(s.linksCode, true);
    assert.deepEqual(s, parsed(base));
  });

  // Each variant is either scanned to the parse's summary or left to the parse: never a different summary.
  const variants: Record<string, string> = {
    'an anchor and an alias': base.replace('  - id: db', '  - &db\n    id: db').replace('    from: web', '    <<: *db\n    from: web'),
    'a flow item': base.replace('  - id: f1\n    from: web\n    to: db', '  - { id: f1, from: web, to: db }'),
    'a flow section': `${base}threats: [{ id: t1, title: T }]\n`,
    'an id YAML reads as a boolean': base.replace('id: db', 'id: true'),
    'a quoted id': base.replace('id: db', 'id: "db"'),
    'a name continued on the next line': base.replace('name: Web shop # a comment', 'name: Web\n      shop'),
    'an escaped double-quoted name': base.replace("name: 'Orders ''main'' store'", 'name: "Orders \\"main\\""'),
    'a name holding ": "': base.replace('name: Web shop # a comment', 'name: Web: shop'),
    'a numeric name': base.replace('name: Web shop # a comment', 'name: 12.5'),
    'a duplicate key': base.replace('    type: process', '    type: process\n    type: external'),
    'a duplicate section': `${base}components:\n  - id: x\n`,
    'two documents': `${base}---\ncomponents: []\n`,
    'items at the margin': base.replace(/^ {2}- /gm, '- ').replace(/^ {4}/gm, '  '),
    'an item without id': base.replace('  - id: f1\n', '  - name: no id\n'),
    'a tab': base.replace('type: process', 'type:\tprocess'),
    'CRLF line ends': base.replace(/\n/g, '\r\n'),
    'imports in flow style': base.replace(
      'imports:\n  - ../platform/platform.tm.yaml # the shared platform',
      'imports: [a.tm.yaml, "b.tm.yaml"]',
    ),
    'a section emptied': base.replace(/flows:[\s\S]*$/, 'flows: []\n'),
    'a section with no value': base.replace(/flows:[\s\S]*$/, 'flows:\n'),
    'keys on the line after the dash': base.replace('  - id: f1\n    from', '  -\n    id: f1\n    from'),
    'a byte-order mark': `\ufeff${base}`,
    'flow items with nested values and apostrophes': `${base}threatAgents:
  - { id: a1, name: It's an insider, description: "Reads, writes", access: [insider, local], controls: { x: { y: 1 } } }
  - { id: a2, name: 'Quoted, with a comma', code: [src/**] } # a comment
`,
    'a flow item continued on the next line': `${base}threatAgents:\n  - { id: a1, name: Insider,\n      access: [insider] }\n`,
    'a flow item with a quoted id': `${base}threatAgents:\n  - { id: "a1", name: Insider }\n`,
    'a flow item with a mapping as its name': `${base}threatAgents:\n  - { id: a1, name: { first: In } }\n`,
    'a flow item with a duplicate key': `${base}threatAgents:\n  - { id: a1, name: A, name: B }\n`,
  };
  for (const [name, text] of Object.entries(variants)) {
    it(`${name}: the parse's summary`, () => {
      const scan = scanSummary(text);
      if (scan) assert.deepEqual(scan, parsed(text));
      assert.deepEqual(summarizeText(text), parsed(text));
    });
  }

  it('scans in time linear in the text (n against 4n components)', () => {
    assertLinear('the summary scan', generateModel, (text) => assert.ok(scanSummary(text)), { n: 50 });
  });
});
