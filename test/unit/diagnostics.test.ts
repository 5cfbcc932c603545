/**
 * Every diagnostic code the core can produce: a document where it appears (with its exact range) and a close
 * document where it does not.
 */
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { analyze } from '../support/analyze';
import { decodeModelBytes } from '../../server/src/model/decode';
import {
  checkDataOf,
  type CoreDiagnostic,
  DiagnosticCode,
  type FindingData,
  isFindingDiagnostic,
} from '../../server/src/model/diagnostics';
import type { Severity } from '../../server/src/shared/vocabulary';
import { limitDiagnostics } from '../../server/src/lsp/diagnostic-limit';
import * as checks from '../../server/src/model/checks';
import { suggest } from '../../server/src/model/suggest';
import { extractMarkers } from '../support/markers';
import { EXAMPLES, REPO_ROOT } from '../support/paths';

const TODAY = '2026-11-26';
const HEAD = 'threatcode: 1\nsystem:\n  name: Shop\n';

interface Case {
  readonly code: string;
  /** Text with the expected range marked by ⟦ ⟧. */
  readonly positive: string;
  /** A similar text without the problem. */
  readonly negative: string;
  readonly maxLength?: number;
}

const cases: Case[] = [
  {
    code: DiagnosticCode.YamlSyntax,
    positive: HEAD + 'components: [a, b\n⟦⟧',
    negative: HEAD + 'components: []\n',
  },
  {
    code: DiagnosticCode.YamlSyntax,
    positive: HEAD + 'boundaries:\n⟦\t⟧- id: x\n',
    negative: HEAD + 'boundaries:\n  - id: x\n    trust: dmz\n',
  },
  {
    code: DiagnosticCode.YamlWarning,
    positive: HEAD + 'assumptions:\n  - id: a\n    text: ⟦!custom⟧ hello\n',
    negative: HEAD + 'assumptions:\n  - id: a\n    text: hello\n',
  },
  {
    code: DiagnosticCode.DuplicateKey,
    positive: HEAD + 'boundaries:\n  - id: x\n    trust: dmz\n    ⟦trust⟧: internal\n',
    negative: HEAD + 'boundaries:\n  - id: x\n    trust: dmz\n',
  },
  {
    code: DiagnosticCode.MultipleDocuments,
    positive: HEAD + '⟦---\nthreatcode: 1⟧\n',
    negative: '---\n' + HEAD,
  },
  {
    code: DiagnosticCode.TooDeep,
    positive: HEAD + '⟦x⟧: ' + '['.repeat(10_000) + ']'.repeat(10_000) + '\n',
    negative: HEAD + 'x: ' + '['.repeat(50) + ']'.repeat(50) + '\n',
  },
  {
    code: DiagnosticCode.TooDeep,
    positive:
      HEAD +
      'components:\n  - id: x\n    name: X\n    type: process\n⟦deep⟧:\n' +
      Array.from({ length: 2500 }, (_, i) => ' '.repeat(i + 1) + '- ').join('\n') +
      'x\n',
    negative: HEAD + 'deep:\n' + Array.from({ length: 20 }, (_, i) => ' '.repeat(i + 1) + '- ').join('\n') + 'x\n',
  },
  {
    code: DiagnosticCode.AliasLimit,
    positive:
      HEAD +
      'a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [⟦*a⟧, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n',
    negative: HEAD + 'a: &a [x, x]\nb: [*a, *a]\n',
  },
  { code: DiagnosticCode.EmptyDocument, positive: '⟦⟧', negative: HEAD },
  { code: DiagnosticCode.EmptyDocument, positive: '⟦⟧# only a comment\n', negative: HEAD },
  { code: DiagnosticCode.RootNotMapping, positive: '⟦- a\n- b⟧\n', negative: HEAD },
  { code: DiagnosticCode.RootNotMapping, positive: '⟦just text⟧\n', negative: HEAD },
  {
    code: DiagnosticCode.BinaryContent,
    positive: 'threatcode: 1\n⟦\u0000⟧\u0001\u0002',
    negative: HEAD,
  },
  {
    code: DiagnosticCode.BinaryContent,
    positive: 'a⟦\u0001⟧' + '\u0002\u0003\u0004\u0001'.repeat(100),
    negative: HEAD,
  },
  {
    code: DiagnosticCode.FileTooLarge,
    positive: '⟦⟧' + HEAD + '# padding\n'.repeat(200),
    negative: HEAD + '# padding\n'.repeat(2),
    maxLength: 1000,
  },
  {
    code: DiagnosticCode.UnknownKey,
    positive: HEAD + '  ⟦nmae⟧: x\n',
    negative: HEAD + '  owner: x\n',
  },
  {
    code: DiagnosticCode.UnknownKey,
    positive: HEAD + '⟦component⟧:\n  - id: x\n',
    negative: HEAD + 'components: []\n',
  },
  {
    code: DiagnosticCode.WrongType,
    positive: HEAD + 'components: ⟦{ a: 1 }⟧\n',
    negative: HEAD + 'components: []\n',
  },
  {
    code: DiagnosticCode.WrongType,
    positive: HEAD + 'data:\n  - id: d\n    classification: public\n    tags: ⟦secret⟧\n',
    negative: HEAD + 'data:\n  - id: d\n    classification: public\n    tags: [secret]\n',
  },
  {
    code: DiagnosticCode.BadEnum,
    positive: HEAD + 'boundaries:\n  - id: x\n    trust: ⟦trusted⟧\n',
    negative: HEAD + 'boundaries:\n  - id: x\n    trust: untrusted\n',
  },
  {
    code: DiagnosticCode.BadEnum,
    positive: HEAD + 'components:\n  - id: c\n    name: C\n    type: process\n    controls: { rateLimiting: ⟦yes⟧ }\n',
    negative: HEAD + 'components:\n  - id: c\n    name: C\n    type: process\n    controls: { rateLimiting: unknown }\n',
  },
  {
    code: DiagnosticCode.BadValue,
    positive: 'threatcode: ⟦2⟧\nsystem:\n  name: Shop\n',
    negative: HEAD,
  },
  {
    code: DiagnosticCode.BadValue,
    positive:
      HEAD +
      'components:\n  - id: c\n    name: C\n    type: process\nthreats:\n  - id: t\n    title: T\n    category: spoofing\n    ⟦targets⟧: []\n    status: open\n',
    negative:
      HEAD +
      'components:\n  - id: c\n    name: C\n    type: process\nthreats:\n  - id: t\n    title: T\n    category: spoofing\n    targets: [c]\n    status: open\n',
  },
  {
    code: DiagnosticCode.MissingRequired,
    positive: HEAD + 'components:\n  - ⟦id: web⟧\n    type: process\n',
    negative: HEAD + 'components:\n  - id: web\n    name: Web\n    type: process\n',
  },
  {
    code: DiagnosticCode.MissingRequired,
    positive: 'threatcode: 1\n⟦system⟧: {}\n',
    negative: HEAD,
  },
  {
    code: DiagnosticCode.InvalidId,
    positive: HEAD + 'assumptions:\n  - id: ⟦1st assumption⟧\n    text: x\n',
    negative: HEAD + 'assumptions:\n  - id: first-assumption\n    text: x\n',
  },
  {
    code: DiagnosticCode.InvalidDate,
    positive: HEAD + '  reviewed: { by: a, date: ⟦2026-13-01⟧ }\n',
    negative: HEAD + '  reviewed: { by: a, date: 2026-12-01 }\n',
  },
  {
    code: DiagnosticCode.DuplicateId,
    positive: HEAD + 'boundaries:\n  - id: zone\n    trust: dmz\ndata:\n  - id: ⟦zone⟧\n    classification: public\n',
    negative: HEAD + 'boundaries:\n  - id: zone\n    trust: dmz\ndata:\n  - id: zone-data\n    classification: public\n',
  },
  {
    code: DiagnosticCode.DanglingReference,
    positive: HEAD + 'components:\n  - id: web\n    name: Web\n    type: process\n    boundary: ⟦dmz⟧\n',
    negative:
      HEAD + 'boundaries:\n  - id: dmz\n    trust: dmz\ncomponents:\n  - id: web\n    name: Web\n    type: process\n    boundary: dmz\n',
  },
  {
    code: DiagnosticCode.DanglingReference,
    positive:
      HEAD + 'threats:\n  - id: t\n    title: T\n    category: spoofing\n    targets: [t]\n    status: open\n    mitigations: [⟦M-1⟧]\n',
    negative: HEAD + 'threats:\n  - id: t\n    title: T\n    category: spoofing\n    targets: [t]\n    status: open\n',
  },
  {
    code: DiagnosticCode.WrongReferenceKind,
    positive:
      HEAD +
      'data:\n  - id: pii\n    classification: confidential\ncomponents:\n  - id: web\n    name: Web\n    type: process\nflows:\n  - id: f\n    from: web\n    to: ⟦pii⟧\n',
    negative:
      HEAD +
      'data:\n  - id: pii\n    classification: confidential\ncomponents:\n  - id: web\n    name: Web\n    type: process\n  - id: db\n    name: DB\n    type: datastore\nflows:\n  - id: f\n    from: web\n    to: db\n    data: [pii]\n',
  },
  {
    code: DiagnosticCode.BoundaryCycle,
    positive: HEAD + 'boundaries:\n  - id: a\n    trust: dmz\n    parent: ⟦a⟧\n',
    negative: HEAD + 'boundaries:\n  - id: a\n    trust: dmz\n  - id: b\n    trust: internal\n    parent: a\n',
  },
  {
    code: DiagnosticCode.BoundaryTooDeep,
    // b0 <- b1 <- ... <- b32: b32 is the 33rd level.
    positive:
      HEAD +
      'boundaries:\n' +
      Array.from(
        { length: 33 },
        (_, i) => `  - id: b${i}\n    trust: internal\n${i ? `    parent: ${i === 32 ? '⟦b31⟧' : `b${i - 1}`}\n` : ''}`,
      ).join(''),
    negative:
      HEAD +
      'boundaries:\n' +
      Array.from({ length: 32 }, (_, i) => `  - id: b${i}\n    trust: internal\n${i ? `    parent: b${i - 1}\n` : ''}`).join(''),
  },
  {
    code: DiagnosticCode.SelfFlow,
    positive: HEAD + 'components:\n  - id: web\n    name: Web\n    type: process\nflows:\n  - id: f\n    from: web\n    to: ⟦web⟧\n',
    negative:
      HEAD +
      'components:\n  - id: web\n    name: Web\n    type: process\n  - id: db\n    name: DB\n    type: datastore\nflows:\n  - id: f\n    from: web\n    to: db\n',
  },
  {
    code: DiagnosticCode.AcceptanceWithoutJustification,
    positive: HEAD + 'threats:\n  - id: t\n    title: T\n    category: spoofing\n    targets: [t]\n    status: ⟦accepted⟧\n',
    negative:
      HEAD +
      'threats:\n  - id: t\n    title: T\n    category: spoofing\n    targets: [t]\n    status: accepted\n    acceptance: { by: bob, justification: low impact }\n',
  },
  {
    code: DiagnosticCode.AcceptanceWithoutJustification,
    positive:
      HEAD +
      'threats:\n  - id: t\n    title: T\n    category: spoofing\n    targets: [t]\n    status: accepted\n    ⟦acceptance⟧: { by: bob, justification: "  " }\n',
    negative:
      HEAD + 'threats:\n  - id: t\n    title: T\n    category: spoofing\n    targets: [t]\n    status: open\n    acceptance: { by: bob }\n',
  },
  {
    code: DiagnosticCode.AcceptanceWithoutOwner,
    positive:
      HEAD +
      'threats:\n  - id: t\n    title: T\n    category: spoofing\n    targets: [t]\n    status: accepted\n    ⟦acceptance⟧: { justification: low impact }\n',
    negative:
      HEAD +
      'threats:\n  - id: t\n    title: T\n    category: spoofing\n    targets: [t]\n    status: accepted\n    acceptance: { by: bob, justification: low impact }\n',
  },
  {
    code: DiagnosticCode.AcceptanceExpired,
    positive:
      HEAD +
      'threats:\n  - id: t\n    title: T\n    category: spoofing\n    targets: [t]\n    status: accepted\n    acceptance: { by: bob, justification: ok, expires: ⟦2026-11-25⟧ }\n',
    negative:
      HEAD +
      'threats:\n  - id: t\n    title: T\n    category: spoofing\n    targets: [t]\n    status: accepted\n    acceptance: { by: bob, justification: ok, expires: 2026-11-26 }\n',
  },
  {
    code: DiagnosticCode.PlaceholderText,
    positive:
      HEAD +
      'components:\n  - id: c\n    name: C\n    type: process\nthreats:\n  - id: t\n    title: T\n    category: spoofing\n    targets: [c]\n    status: not-applicable\n    justification: ⟦Explain why this does not apply here.⟧\n',
    negative:
      HEAD +
      'components:\n  - id: c\n    name: C\n    type: process\nthreats:\n  - id: t\n    title: T\n    category: spoofing\n    targets: [c]\n    status: not-applicable\n    justification: C only runs in the test lab.\n',
  },
  {
    code: DiagnosticCode.PlaceholderText,
    positive:
      HEAD +
      'components:\n  - id: c\n    name: C\n    type: process\n    disabledRules: [{ rule: HYG-09, reason: ⟦Explain why this rule does not apply here.⟧ }]\n',
    negative:
      HEAD +
      'components:\n  - id: c\n    name: C\n    type: process\n    disabledRules: [{ rule: HYG-09, reason: A placeholder for a future queue. }]\n',
  },
  {
    code: DiagnosticCode.PlaceholderText,
    positive: HEAD + 'disabledRules:\n  - { rule: HYG-03, reason: ⟦Explain why this rule does not apply here.⟧ }\n',
    negative: HEAD + 'disabledRules:\n  - { rule: HYG-03, reason: Reviewed in the workshop. }\n',
  },
  {
    code: DiagnosticCode.PlaceholderText,
    positive:
      HEAD +
      'components:\n  - id: c\n    name: C\n    type: process\nthreats:\n  - id: t\n    title: T\n    category: spoofing\n    targets: [c]\n    status: accepted\n    acceptance: { by: ⟦Name who accepts this risk.⟧, justification: Low value., expires: 2027-01-01 }\n',
    negative:
      HEAD +
      'components:\n  - id: c\n    name: C\n    type: process\nthreats:\n  - id: t\n    title: T\n    category: spoofing\n    targets: [c]\n    status: accepted\n    acceptance: { by: ana, justification: Low value., expires: 2027-01-01 }\n',
  },
  {
    code: DiagnosticCode.OutOfScopeWithoutReason,
    positive: HEAD + 'components:\n  - id: web\n    name: Web\n    type: process\n    inScope: ⟦false⟧\n',
    negative:
      HEAD +
      'components:\n  - id: web\n    name: Web\n    type: process\n    inScope: false\n    outOfScopeReason: Covered by the vendor model.\n',
  },
  {
    code: DiagnosticCode.UnknownRule,
    positive:
      HEAD +
      'components:\n  - id: c\n    name: C\n    type: process\nthreats:\n  - id: t\n    title: T\n    category: spoofing\n    targets: [c]\n    status: open\n    rule: ⟦AUTH-99⟧\n',
    negative:
      HEAD +
      'components:\n  - id: c\n    name: C\n    type: process\nthreats:\n  - id: t\n    title: T\n    category: spoofing\n    targets: [c]\n    status: open\n    rule: AUTH-01\n',
  },
  {
    code: DiagnosticCode.UnknownRule,
    positive: HEAD + 'disabledRules:\n  - rule: ⟦HYG-3⟧\n    reason: we know\n',
    negative: HEAD + 'disabledRules:\n  - rule: HYG-03\n    reason: we know\n',
  },
  {
    code: DiagnosticCode.UnknownFramework,
    positive: 'threatcode: 1.4\nsystem:\n  name: Shop\n  compliance: [asvs-5.0-L2, ⟦nist-800-53-moderate⟧]\n',
    negative: 'threatcode: 1.4\nsystem:\n  name: Shop\n  compliance: [asvs-5.0-L2, nist-800-53-r5-moderate]\n',
  },
  {
    code: DiagnosticCode.UnknownFramework,
    positive: 'threatcode: 1.4\nsystem:\n  name: Shop\n  compliance:\n    - ⟦asvs-5.0-L4⟧\n',
    negative: 'threatcode: 1.4\nsystem:\n  name: Shop\n  compliance:\n    - asvs-5.0\n',
  },
  {
    code: DiagnosticCode.KindTypeMismatch,
    positive: HEAD + 'components:\n  - id: db\n    name: DB\n    type: process\n    kind: ⟦sql⟧\n',
    negative: HEAD + 'components:\n  - id: db\n    name: DB\n    type: datastore\n    kind: sql\n',
  },
];

function run(text: string, maxLength?: number) {
  return analyze(text, { today: TODAY, maxLength }).diagnostics;
}

describe('diagnostics: every code, positive and negative, with exact ranges', () => {
  for (const c of cases) {
    const { text, span } = extractMarkers(c.positive);
    it(`${c.code}: reported at the marked range (${JSON.stringify(c.positive.slice(0, 60))}...)`, () => {
      const found = run(text, c.maxLength).filter((d) => d.code === c.code);
      assert.ok(found.length > 0, `expected ${c.code}, got ${JSON.stringify(run(text, c.maxLength).map((d) => d.code))}`);
      assert.ok(span, 'case has a marked range');
      assert.deepEqual(
        found.map((d) => d.span),
        [span],
        `range: expected ${JSON.stringify(text.slice(span.start, span.end))}, got ${found.map((d) => JSON.stringify(text.slice(d.span.start, d.span.end))).join(', ')}`,
      );
      for (const d of found) assert.ok(d.message.length > 10, 'message explains the problem');
    });
    it(`${c.code}: not reported for the corrected document`, () => {
      const all = run(c.negative, c.maxLength);
      assert.deepEqual(
        all.filter((d) => d.code === c.code).map((d) => d.message),
        [],
      );
    });
  }

  it('every diagnostic code has a case (invalid-encoding, internal-error, diagnostic-limit below, invalid-rule with rule packs, code links in code-links.test, infrastructure in infra-drift.test, imports in imports.test)', () => {
    /** Codes whose cases live beside their feature (or below), each named where it is tested. */
    const elsewhere: readonly string[] = [
      DiagnosticCode.ImportNotFound, // imports.test
      DiagnosticCode.ImportCycle,
      DiagnosticCode.ImportRefused,
      DiagnosticCode.InfraDrift, // infra-drift.test
      DiagnosticCode.InfraUnmodelled,
      DiagnosticCode.InfraMissing,
      DiagnosticCode.DanglingCodeLink, // code-links.test
      DiagnosticCode.CodeLinkRefused,
      DiagnosticCode.CodeChangedSinceReview,
      DiagnosticCode.DiagnosticLimit, // below
      DiagnosticCode.InvalidEncoding,
      DiagnosticCode.InternalError,
      DiagnosticCode.InvalidRule, // rule packs
    ];
    const covered = new Set([...cases.map((c) => c.code), ...elsewhere]);
    assert.deepEqual(
      Object.values(DiagnosticCode).filter((code) => !covered.has(code)),
      [],
    );
  });

  it('invalid-encoding: invalid UTF-8 bytes are refused, valid bytes (with BOM) decode', () => {
    const bad = decodeModelBytes(Uint8Array.from([0x74, 0x68, 0xff, 0xfe, 0x0a]));
    assert.equal(bad.diagnostic?.code, DiagnosticCode.InvalidEncoding);
    assert.deepEqual(bad.diagnostic?.span, { start: 0, end: 0 });
    const good = decodeModelBytes(new TextEncoder().encode('\uFEFF' + HEAD));
    assert.equal(good.diagnostic, undefined);
    assert.equal(good.text, HEAD, 'the BOM is dropped, as VS Code drops it: line 1 columns match the editor');
  });

  it('internal-error: a failing check becomes a diagnostic instead of an exception', () => {
    const original = checks.checkModel;
    (checks as { checkModel: unknown }).checkModel = () => {
      throw new Error('boom');
    };
    try {
      const found = run(HEAD).filter((d) => d.code === DiagnosticCode.InternalError);
      assert.equal(found.length, 1);
      assert.match(found[0].message, /boom/);
    } finally {
      (checks as { checkModel: unknown }).checkModel = original;
    }
    assert.deepEqual(run(HEAD), []);
  });
});

describe('diagnostic messages', () => {
  it('unknown key suggests the closest property', () => {
    const [d] = run('threatcode: 1\nsystem:\n  nmae: x\n').filter((x) => x.code === DiagnosticCode.UnknownKey);
    assert.match(d.message, /Did you mean 'name'\?/);
    assert.deepEqual(checkDataOf(d).suggestions, ['name']);
    // A key the mapping already has is not suggested: renaming to it would duplicate it.
    const [dup] = run(HEAD + '  nmae: x\n').filter((x) => x.code === DiagnosticCode.UnknownKey);
    assert.deepEqual(checkDataOf(dup).suggestions, []);
  });

  it('bad enum value lists the allowed values and suggests the closest', () => {
    const [d] = run(HEAD + 'boundaries:\n  - id: x\n    trust: internl\n').filter((x) => x.code === DiagnosticCode.BadEnum);
    assert.match(d.message, /Did you mean 'internal'\?/);
    assert.match(d.message, /Allowed: untrusted, dmz, internal, restricted, unknown\./);
  });

  it('dangling reference suggests ids of the right kind only', () => {
    const text =
      HEAD +
      'boundaries:\n  - id: vpc\n    trust: internal\ndata:\n  - id: vpd\n    classification: public\ncomponents:\n  - id: web\n    name: Web\n    type: process\n    boundary: vpx\n';
    const [d] = run(text).filter((x) => x.code === DiagnosticCode.DanglingReference);
    assert.deepEqual(checkDataOf(d).suggestions, ['vpc']);
    assert.deepEqual(checkDataOf(d).expected, ['boundaries']);
  });

  it('duplicate id points at the first definition', () => {
    const text = HEAD + 'boundaries:\n  - id: zone\n    trust: dmz\n  - id: zone\n    trust: internal\n';
    const [d] = run(text).filter((x) => x.code === DiagnosticCode.DuplicateId);
    const first = text.indexOf('zone');
    assert.deepEqual(d.related?.[0].span, { start: first, end: first + 4 });
  });

  it('a boundary cycle through three boundaries is reported once per boundary', () => {
    const text =
      HEAD +
      'boundaries:\n  - id: a\n    trust: dmz\n    parent: c\n  - id: b\n    trust: dmz\n    parent: a\n  - id: c\n    trust: dmz\n    parent: b\n';
    const found = run(text).filter((x) => x.code === DiagnosticCode.BoundaryCycle);
    assert.equal(found.length, 3);
    assert.match(found[0].message, /a → c → b → a|c → b → a → c|b → a → c → b/);
  });

  it('the examples have no errors and no core warnings (rule findings are expected)', () => {
    const root = EXAMPLES;
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.tm.yaml'));
    assert.ok(files.length >= 3);
    for (const f of files) {
      const diagnostics = run(readFileSync(path.join(root, f), 'utf8')).filter((d) => !/^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$/.test(d.code));
      assert.deepEqual(
        diagnostics.map((d) => `${f}: ${d.code} ${d.message}`),
        [],
      );
    }
  });

  it("Threatcode's own threat model (docs/threatcode.tm.yaml) is clean: no problems and no open findings", () => {
    const own = readFileSync(path.join(REPO_ROOT, 'docs/threatcode.tm.yaml'), 'utf8');
    assert.deepEqual(
      run(own).map((d) => `${d.code} ${d.message}`),
      [],
    );
  });
});

describe('suggestions', () => {
  it('never offer the opposite of what was written', () => {
    assert.deepEqual(suggest('trusted', ['untrusted', 'dmz', 'internal', 'restricted']), []);
    assert.deepEqual(suggest('compliance', ['non-compliance', 'linking']), []);
    assert.deepEqual(suggest('untrustd', ['untrusted', 'dmz']), ['untrusted']);
  });
});

describe('diagnostic-limit: what the editor is sent when a model has more problems than it shows', () => {
  let offset = 0;
  const make = (severity: CoreDiagnostic['severity'], risk?: Severity): CoreDiagnostic => {
    offset += 10;
    const finding: FindingData | undefined = risk && {
      findingId: `R-01@e${offset}`,
      rule: 'R-01',
      element: `e${offset}`,
      modelWide: false,
      title: 'a finding',
      stride: [],
      linddun: [],
      severity: risk,
      mitigations: [],
      controls: [],
    };
    return {
      code: risk ? 'R-01' : 'unknown-key',
      severity,
      message: `${severity} ${risk ?? ''} at ${offset}`,
      span: { start: offset, end: offset + 5 },
      ...(finding ? { data: finding } : {}),
    };
  };

  it('passes everything through when it fits, the same array', () => {
    const all = [make('warning', 'low'), make('error')];
    assert.equal(limitDiagnostics(all, 2), all);
    assert.deepEqual(limitDiagnostics([], 1), []);
  });

  it('keeps the most severe: errors, then findings by risk, in document order, and says how many are not shown', () => {
    const lowWarning = make('warning', 'low');
    const info = make('info', 'critical');
    const highWarning1 = make('warning', 'high');
    const mediumWarning = make('warning', 'medium');
    const error = make('error');
    const highWarning2 = make('warning', 'high');
    const all = [lowWarning, info, highWarning1, mediumWarning, error, highWarning2];
    const shown = limitDiagnostics(all, 4);
    assert.equal(shown.length, 4, 'the note counts against the limit, so the editor never cuts it');
    assert.equal(shown[0].code, DiagnosticCode.DiagnosticLimit);
    assert.equal(shown[0].severity, 'info');
    assert.match(
      shown[0].message,
      /^3 of 6 problems are not shown: the editor gets the 3 most severe \(setting threatcode\.maxDiagnosticsPerFile\)/,
    );
    assert.deepEqual(shown.slice(1), [highWarning1, error, highWarning2]);
    // A tie at the cut: the first in document order win.
    assert.deepEqual(limitDiagnostics(all, 3).slice(1), [highWarning1, error]);
    assert.deepEqual(limitDiagnostics(all, 5).slice(1), [highWarning1, mediumWarning, error, highWarning2]);
    assert.deepEqual(limitDiagnostics(all, 6), all);
  });

  it('agrees with sorting by rank on random lists (the linear selection is exact)', () => {
    const severities = ['error', 'warning', 'info', 'hint'] as const;
    const risks = [undefined, 'critical', 'high', 'medium', 'low'] as const;
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 200; round++) {
      const all = Array.from({ length: 1 + random(60) }, () => make(severities[random(4)], risks[random(5)]));
      const limit = 1 + random(all.length + 5);
      const key = (d: CoreDiagnostic) =>
        severities.indexOf(d.severity) * 5 + (isFindingDiagnostic(d) ? risks.indexOf(d.data.severity) - 1 : 4);
      const expected =
        all.length <= limit
          ? all
          : all
              .map((d, i) => ({ d, i }))
              .sort((a, b) => key(a.d) - key(b.d) || a.i - b.i)
              .slice(0, limit - 1)
              .sort((a, b) => a.i - b.i)
              .map((x) => x.d);
      const shown = limitDiagnostics(all, limit);
      assert.ok(shown.length <= limit);
      assert.deepEqual(all.length <= limit ? shown : shown.slice(1), expected, `round ${round}`);
    }
  });
});
