/**
 * Editor features as pure functions: navigation, rename, outline, lenses, hover and completion.
 */
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { generateModel } from '../support/generate-model';
import { builtinRuleSet } from '../../server/src/files/package-files';
import { applyTextEdits } from '../../server/src/edits/text-edits';
import { complete, PLACEHOLDER, placeholderNearby, placeholderInText } from '../../server/src/features/completion';
import { hover } from '../../server/src/features/hover';
import { escapeMarkdown } from '../../server/src/shared/escape';
import { codeLenses, definition, outline, references, rename } from '../../server/src/features/navigation';
import { analyze } from '../support/analyze';
import { EXAMPLES } from '../support/paths';

const { ruleSet } = builtinRuleSet();
const MODEL = `threatcode: 1
system:
  name: Shop
boundaries:
  - id: dmz
    trust: dmz
components:
  - id: web
    name: Web <b>front</b>
    type: process
    kind: web-app
    boundary: dmz
  - id: db
    name: Orders DB
    type: datastore
    kind: sql
    boundary: dmz
flows:
  - id: web-db
    from: web
    to: db
    protocol: http
threats:
  - id: T-1
    title: SQL injection
    category: tampering
    targets: [web, web-db]
    rule: INP-02
    severity: high
    status: open
    mitigations: [M-1]
mitigations:
  - id: M-1
    title: Parameterized queries
    status: implemented
`;

function analysis(text = MODEL) {
  return analyze(text, { today: '2026-11-26' });
}

/** Offset of the n-th occurrence of `needle` (plus `delta`). */
function at(text: string, needle: string, n = 0, delta = 1): number {
  let i = -1;
  for (let k = 0; k <= n; k++) i = text.indexOf(needle, i + 1);
  assert.ok(i >= 0, needle);
  return i + delta;
}

describe('navigation', () => {
  it('goes from a reference to the definition', () => {
    const a = analysis();
    const span = definition(a, at(MODEL, 'to: db', 0, 5));
    assert.equal(MODEL.slice(span!.start, span!.end), 'db');
    assert.equal(span!.start, at(MODEL, 'id: db', 0, 4));
  });

  it('finds every reference, with or without the declaration', () => {
    const a = analysis();
    const refs = references(a, at(MODEL, 'id: web', 0, 5), false);
    assert.deepEqual(
      refs.map((s) => MODEL.slice(s.start, s.end)),
      ['web', 'web'],
    );
    assert.equal(references(a, at(MODEL, 'id: web', 0, 5), true).length, 3);
  });

  it('renames an id and all its references, and refuses invalid or taken names', () => {
    const a = analysis();
    const r = rename(a, at(MODEL, 'from: web', 0, 7), 'frontend');
    assert.ok('edits' in r);
    const renamed = applyTextEdits(MODEL, r.edits);
    assert.equal((renamed.match(/frontend/g) ?? []).length, 3);
    assert.deepEqual(
      analysis(renamed).diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    assert.ok('error' in rename(a, at(MODEL, 'id: web', 0, 5), 'db'));
    assert.ok('error' in rename(a, at(MODEL, 'id: web', 0, 5), '1bad'));
    assert.ok('error' in rename(a, at(MODEL, 'name: Shop', 0, 7), 'x'));
  });

  it('outlines sections and elements', () => {
    const o = outline(analysis());
    assert.deepEqual(
      o.map((s) => s.name),
      ['boundaries', 'components', 'flows', 'threats', 'mitigations'],
    );
    assert.deepEqual(
      o[1].children.map((c) => c.name),
      ['web', 'db'],
    );
    assert.equal(o[1].children[1].detail, 'Orders DB · datastore · sql');
  });

  it('lists at most the given number of elements in the outline, in document order, and says how many each section holds', () => {
    const o = outline(analysis(), 2);
    assert.deepEqual(
      o.map((s) => [s.name, s.detail, s.children.map((c) => c.name)]),
      [
        ['boundaries', '1', ['dmz']],
        ['components', '2 (1 listed)', ['web']],
        ['flows', '1 (0 listed)', []],
        ['threats', '1 (0 listed)', []],
        ['mitigations', '1 (0 listed)', []],
      ],
    );
    assert.deepEqual(outline(analysis(), 1000), outline(analysis()));
  });

  it('summarises threats and findings over each component', () => {
    const lenses = codeLenses(analysis());
    const web = lenses.find((l) => l.elementId === 'web')!;
    assert.match(web.title, /^1 threat · 1 open · \d+ findings?$/);
    assert.match(lenses.find((l) => l.elementId === 'db')!.title, /^0 threats · 0 open/);
  });
});

describe('hover', () => {
  it('explains a threat: STRIDE, severity, status, mitigations, rule and links', () => {
    const h = hover(analysis(), at(MODEL, 'id: T-1', 0, 5), ruleSet)!;
    assert.match(h.markdown, /Tampering: modifying data or code/);
    assert.match(h.markdown, /\*\*Severity:\*\* high · \*\*Status:\*\* open/);
    assert.match(h.markdown, /M-1: Parameterized queries \(implemented\)/);
    assert.match(h.markdown, /\*\*Rule INP-02:\*\* Queries built by string concatenation/);
    assert.match(h.markdown, /\[CWE-89\]\(https:\/\/cwe\.mitre\.org\/data\/definitions\/89\.html\)/);
  });

  it('summarises an element with its boundary, flows, threats and findings, escaping model text', () => {
    const h = hover(analysis(), at(MODEL, 'targets: [web', 0, 11), ruleSet)!;
    assert.match(h.markdown, /component web\*\* — Web &lt;b&gt;front&lt;\/b&gt;/);
    assert.match(h.markdown, /\*\*Boundary:\*\* dmz \(trust: dmz\)/);
    assert.match(h.markdown, /\*\*Flows out:\*\* web-db to db/);
    assert.match(h.markdown, /\*\*Threats:\*\* T-1 \(open\)/);
  });

  it('puts the element first and one line per finding where several sit on its id; one finding gets its full card', () => {
    const text = 'threatcode: 1\nsystem:\n  name: S\ncomponents:\n  - id: api\n    name: API\n    type: process\n    kind: api\n';
    const h = hover(analysis(text), at(text, 'id: api', 0, 5), ruleSet)!;
    const [card, list, ...more] = h.markdown.split('\n\n---\n\n');
    assert.deepEqual(more, []);
    assert.match(card, /^\*\*component api\*\* — API/);
    assert.doesNotMatch(card, /Open findings/, 'the findings are not listed twice');
    const lines = list.split('\n');
    assert.equal(lines[0], '**2 findings here**');
    assert.deepEqual(
      lines.slice(2).map((l) => /^- \*\*([A-Z]+-\d+)\*\* · (\w+) · /.exec(l)?.slice(1)),
      [
        ['HYG-02', 'medium'],
        ['HYG-09', 'low'],
      ],
    );
    assert.match(lines[2], /API is in no trust boundary — \*API does not state boundary\* · \[explained\]\(https:\/\/.*#hyg-02\)$/);
    assert.doesNotMatch(lines[3], / — \*/, 'a reason the title already says is not repeated');
    // Where one finding sits, it is what the user pointed at: its full card comes first.
    const one = text.replace('    kind: api\n', '    kind: api\n    boundary: b\nboundaries:\n  - { id: b, name: B, trust: internal }\n');
    const single = hover(analysis(one), at(one, 'id: api', 0, 5), ruleSet)!;
    assert.match(single.markdown, /^\*\*HYG-09\*\*/);
    assert.match(single.markdown, /Why it matters/);
  });

  it('shows the schema description of keys and enum values', () => {
    const h = hover(analysis(), at(MODEL, 'trust: dmz', 0, 1), ruleSet)!;
    assert.match(h.markdown, /\*\*trust\*\* — Trust level of elements inside/);
    const v = hover(analysis(), at(MODEL, 'category: tampering', 0, 12), ruleSet)!;
    assert.match(v.markdown, /Tampering: modifying data/);
    assert.match(v.markdown, /Allowed: `spoofing`/);
  });

  it('escapes Markdown and HTML in model strings', () => {
    assert.equal(
      escapeMarkdown('<img src=x onerror=alert(1)> [a](javascript:x) *b* ![i](x)'),
      '&lt;img src=x onerror=alert(1)&gt; \\[a\\](javascript:x) \\*b\\* \\!\\[i\\](x)',
    );
    assert.equal(escapeMarkdown('- item\n# heading'), '\\- item \\# heading');
    assert.equal(escapeMarkdown('1. first'), '1\\. first');
  });
});

describe('completion', () => {
  function labels(text: string, offset: number) {
    return complete(analysis(text), offset, ruleSet).map((c) => c.label);
  }

  it('offers the keys still missing in the mapping at the cursor', () => {
    const text = MODEL.replace('    kind: sql\n', '    kind: sql\n    enc\n');
    const l = labels(text, at(text, '    enc', 0, 7));
    assert.ok(l.includes('encryptionAtRest'));
    assert.ok(!l.includes('kind') && !l.includes('name'), 'existing keys are not offered');
  });

  it('offers enum values and ids of the right kind', () => {
    const text = MODEL.replace('    trust: dmz\n', '    trust: \n');
    assert.deepEqual(labels(text, at(text, 'trust: ', 0, 7)), ['untrusted', 'dmz', 'internal', 'restricted', 'unknown']);
    const ref = MODEL.replace('    to: db\n', '    to: d\n');
    assert.deepEqual(labels(ref, at(ref, 'to: d', 0, 5)), ['web', 'db']);
    const target = MODEL.replace('targets: [web, web-db]', 'targets: [web, ]');
    assert.deepEqual(labels(target, at(target, 'targets: [web, ', 0, 15)), ['web', 'db', 'web-db', 'dmz']);
    const bnd = MODEL.replace('    boundary: dmz\n', '    boundary: \n');
    assert.deepEqual(labels(bnd, at(bnd, 'boundary: ', 0, 10)), ['dmz']);
  });

  it('offers rule ids for rule:', () => {
    const text = MODEL.replace('rule: INP-02', 'rule: ');
    const l = labels(text, at(text, 'rule: ', 0, 6));
    assert.ok(l.includes('CRY-01') && l.length >= 60);
  });

  it('offers snippets for a new component, flow or threat', () => {
    const text = MODEL.replace('flows:\n', 'flows:\n  - \n');
    const items = complete(analysis(text), at(text, 'flows:\n  - ', 0, 11), ruleSet);
    const snippet = items.find((c) => c.kind === 'snippet');
    assert.equal(snippet?.label, 'New flow');
    assert.ok(items.some((c) => c.label === 'from'));
  });

  it("offers the kinds that fit the component's type", () => {
    const text = MODEL.replace('    kind: sql\n', '    kind: \n');
    const l = labels(text, at(text, '    kind: \n', 0, 10));
    assert.ok(l.includes('sql') && l.includes('cache') && l.includes('vault'), l.join());
    assert.ok(!l.includes('api') && !l.includes('human') && !l.includes('web-app'), l.join());
    // No type yet: every kind.
    const untyped = MODEL.replace('    type: datastore\n    kind: sql\n', '    kind: \n');
    const all = labels(untyped, at(untyped, '    kind: \n', 0, 10));
    assert.ok(all.includes('sql') && all.includes('api') && all.includes('human'));
  });

  it('offers a new item on an empty line where it goes, with the ids the model has as choices', () => {
    const text = MODEL.replace('flows:\n', '  \nflows:\n');
    const items = complete(analysis(text), at(text, '  \nflows:', 0, 2), ruleSet);
    assert.deepEqual(
      items.map((c) => c.label),
      ['New component'],
    );
    assert.equal(
      items[0].insertText,
      '- id: ${1:component-id}\n  name: ${2:Component name}\n  type: ${3|process,external,datastore|}\n  kind: ${4:service}\n  boundary: ${5|dmz|}',
    );
    const flow = MODEL.replace('threats:\n', '  \nthreats:\n');
    const [newFlow] = complete(analysis(flow), at(flow, '  \nthreats:', 0, 2), ruleSet);
    assert.match(newFlow.insertText, /from: \$\{2\|web,db\|\}\n {2}to: \$\{3\|web,db\|\}/);
    // An empty section: at the usual two spaces.
    const empty = MODEL.replace(/flows:\n(.|\n)*?threats:/, 'flows:\n  \nthreats:');
    assert.deepEqual(
      complete(analysis(empty), at(empty, 'flows:\n  ', 0, 9), ruleSet).map((c) => c.label),
      ['New flow'],
    );
    // Deeper, it is a key of the item above; at column 0, a top-level key.
    const deeper = MODEL.replace('flows:\n', '    \nflows:\n');
    assert.ok(labels(deeper, at(deeper, '    \nflows:', 0, 4)).includes('encryptionAtRest'));
    const top = MODEL.replace('flows:\n', '\nflows:\n');
    assert.ok(labels(top, at(top, '\nflows:', 0, 1)).includes('assumptions'));
  });

  it('offers an empty placeholder to complete ids in, not a list of hundreds to pick from', () => {
    const many = Array.from({ length: 40 }, (_, i) => `  - id: zone-${i}\n    trust: internal\n`).join('');
    const text = MODEL.replace('boundaries:\n', `boundaries:\n${many}`).replace('flows:\n', '  \nflows:\n');
    const [item] = complete(analysis(text), at(text, '  \nflows:', 0, 2), ruleSet);
    assert.match(item.insertText, /boundary: \$\{5:boundary-id\}$/);
  });
});

describe('completion reads the lines around the cursor alone (a large model is not parsed again)', () => {
  const documents = (): { name: string; text: string }[] => {
    const root = EXAMPLES;
    const docs = readdirSync(root, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.tm.yaml'))
      .map((f) => ({ name: f, text: readFileSync(path.join(root, f), 'utf8') }));
    const generated = generateModel(6);
    docs.push({ name: 'generated', text: generated });
    // Typing a new key in every component: the document does not parse cleanly while the word is half typed.
    docs.push({ name: 'half-typed keys', text: generated.replace(/(\n {2}- id: comp-\d+\n)/g, '$1    enc\n') });
    docs.push({ name: 'new items typed', text: generated.replace(/(\n {2}- id: flow-\d+-1\n)/g, '\n  - na$1') });
    // A quote being typed runs on into the items after it.
    docs.push({
      name: 'open quote',
      text: generated.replace('name: Component 3\n', 'name: "Component 3\n').replace('name: Zone 1\n', "name: 'Zone 1\n"),
    });
    return [...docs, ...docs.slice(-3, -2).map((d) => ({ name: `${d.name} (CRLF)`, text: d.text.replace(/\r?\n/g, '\r\n') }))];
  };

  it('finds the same place as a parse of the whole text at words and line ends, at every indented one without it', function () {
    this.timeout(60_000);
    let probes = 0;
    for (const doc of documents()) {
      const a = analyze(doc.text);
      const text = doc.text;
      // Each probe parses the whole text once: every fourth line of the (long) examples, every second of the rest.
      const every = doc.name.endsWith('.tm.yaml') ? 4 : 2;
      for (let lineStart = 0, n = 0; lineStart < text.length; n++) {
        const next = text.indexOf('\n', lineStart);
        const lineEnd = next < 0 ? text.length : next;
        const line = text.slice(lineStart, lineEnd).replace(/\r$/, '');
        const cursors = n % every === 0 ? [lineStart + line.length] : [];
        const word = /^(\s*(?:-\s+)?)([A-Za-z0-9_.-]+)/.exec(line);
        if (word && cursors.length) cursors.push(lineStart + word[1].length + word[2].length);
        for (const cursor of cursors) {
          const prefix = text.slice(lineStart, cursor);
          const typed = /[A-Za-z0-9_.-]*$/.exec(prefix)![0];
          const rest = /^[A-Za-z0-9_.-]*/.exec(text.slice(cursor))![0];
          const replace = { start: cursor - typed.length, end: cursor + rest.length };
          const placeholder = /^\s*(-\s+)?[A-Za-z0-9_.-]*$/.test(prefix) ? `${PLACEHOLDER}: 0` : PLACEHOLDER;
          const near = placeholderNearby(a, replace, placeholder);
          // Column 0 is a top-level key: that needs the other entries, from the whole text. An open quote runs on.
          const mustBeNear = doc.name !== 'open quote' && /^[ -]/.test(prefix);
          if (!near && !mustBeNear) continue;
          const full = placeholderInText(text, replace, placeholder);
          if (!near && !full) continue;
          probes++;
          assert.deepEqual(near, full, `${doc.name} at ${JSON.stringify(text.slice(lineStart, cursor))}|`);
        }
        lineStart = lineEnd + 1;
      }
    }
    assert.ok(probes > 800, `${probes} places compared`);
  });
});
