/**
 * Property test over every quick fix: on each example and rule fixture (LF and CRLF), every action offered for every
 * diagnostic yields a document that parses, no longer has the targeted problem, has no new error, keeps its line
 * endings, and is unchanged outside the edited regions; its snippet form types the same text; its title names the
 * finding; findings that are not threats never become one; and no fix makes a completeness number look worse.
 */
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { applyTextEdits } from '../../server/src/edits/text-edits';
import { bulkFindingActions, codeActions, fixAll, menuOf } from '../../server/src/features/code-actions';
import { computeMetrics, type Metrics } from '../../server/src/analysis/metrics';
import type { Analysis } from '../../server/src/analysis/analyze';
import { analyze } from '../support/analyze';
import { type CoreDiagnostic, isFindingDiagnostic } from '../../server/src/model/diagnostics';
import { applyEdits } from '../support/model-edits';
import { REPO_ROOT } from '../support/paths';
import { PLACEHOLDER } from '../../server/src/model/placeholders';

const TODAY = '2026-11-26';

function documents(): { name: string; text: string }[] {
  const docs: { name: string; text: string }[] = [];
  const examples = path.join(REPO_ROOT, 'examples');
  for (const f of readdirSync(examples, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.tm.yaml'))) {
    docs.push({ name: f, text: readFileSync(path.join(examples, f), 'utf8') });
  }
  const base = readFileSync(path.join(REPO_ROOT, 'rules/fixtures/base.tm.yaml'), 'utf8');
  const cases = parse(readFileSync(path.join(REPO_ROOT, 'rules/fixtures/cases.yaml'), 'utf8')) as Record<
    string,
    { fires: Record<string, unknown> }
  >;
  for (const [rule, c] of Object.entries(cases)) docs.push({ name: `fixture ${rule}`, text: applyEdits(base, c.fires) });
  docs.push({
    name: 'schema errors',
    text: 'threatcode: 1\nsystem:\n  nmae: Shop\n  name: Shop\nboundaries:\n  - id: dmz\n    trust: dmzz\ncomponents:\n  - id: web\n    type: proces\n    boundary: dmx\n  - id: api\n    name: API\n    type: process\n    boundary: vpc\nthreats: []\n',
  });
  docs.push({
    name: 'no sections',
    text: 'threatcode: 1\nsystem: { name: S }\ncomponents:\n  - { id: a, name: A, type: process, boundary: nowhere }',
  });
  return [...docs, ...docs.map((d) => ({ name: `${d.name} (CRLF)`, text: d.text.replace(/\r?\n/g, '\r\n') }))];
}

function errors(a: Analysis): string[] {
  return a.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.message}`);
}

function stillThere(before: CoreDiagnostic, after: Analysis): boolean {
  const findingId = (before.data as { findingId?: string } | undefined)?.findingId;
  if (findingId) return after.findings.some((f) => f.id === findingId && f.status === 'open');
  return after.diagnostics.some((d) => d.code === before.code && d.message === before.message);
}

/** What an editor types for a snippet with each tab stop left at its default. */
function typedText(snippet: string): string {
  let out = '';
  for (let i = 0; i < snippet.length; i++) {
    const c = snippet[i];
    if (c === '\\') out += snippet[++i];
    else if (c === '$' && snippet[i + 1] === '0') i++;
    else if (c === '$' && snippet[i + 1] === '{') i = snippet.indexOf(':', i);
    else if (c === '}') continue;
    else out += c;
  }
  return out;
}

function metricsOf(a: Analysis): Metrics {
  return computeMetrics(a, { today: TODAY })!;
}

/** No gauge falls, no more high risks are open, no gate that passed fails. */
function noWorse(before: Metrics, after: Metrics, label: string): void {
  for (const g of before.gauges) {
    const now = after.gauges.find((x) => x.id === g.id)!;
    // Nothing to measure counts as nothing missing.
    assert.ok((now.ratio ?? 1) >= (g.ratio ?? 1) - 1e-9, `${label}: ${g.title} ${g.done}/${g.total} -> ${now.done}/${now.total}`);
  }
  const high = (m: Metrics) => m.residualRisk.critical + m.residualRisk.high;
  assert.ok(high(after) <= high(before), `${label}: open high risks ${high(before)} -> ${high(after)}`);
  for (const gate of before.gates)
    if (gate.passed) assert.ok(after.gates.find((x) => x.id === gate.id)?.passed, `${label}: gate ${gate.title} now fails`);
}

describe('quick fixes on every example and fixture', function () {
  this.timeout(120_000);
  let total = 0;

  for (const doc of documents()) {
    it(`${doc.name}: every offered fix works and is minimal`, () => {
      const analysis = analyze(doc.text, { today: TODAY });
      const errorsBefore = new Set(errors(analysis));
      const crlf = doc.text.includes('\r\n');
      for (const d of analysis.diagnostics) {
        for (const action of codeActions(analysis, [d], { today: TODAY })) {
          total++;
          const label = `${doc.name} / ${d.code} / ${action.title}`;
          // Edits do not overlap and stay inside the document.
          const spans = [...action.edits].map((e) => e.span).sort((a, b) => a.start - b.start);
          spans.forEach((s, i) => {
            assert.ok(0 <= s.start && s.start <= s.end && s.end <= doc.text.length, `${label}: span inside`);
            if (i > 0) assert.ok(spans[i - 1].end <= s.start, `${label}: edits overlap`);
          });
          const after = applyTextEdits(doc.text, action.edits);
          // Bytes outside the edited regions are unchanged.
          let cursor = 0;
          let shift = 0;
          for (const e of [...action.edits].sort((a, b) => a.span.start - b.span.start)) {
            assert.equal(
              after.slice(cursor + shift, e.span.start + shift),
              doc.text.slice(cursor, e.span.start),
              `${label}: text before edit`,
            );
            shift += e.newText.length - (e.span.end - e.span.start);
            cursor = e.span.end;
          }
          assert.equal(after.slice(cursor + shift), doc.text.slice(cursor), `${label}: text after edits`);
          if (crlf) assert.ok(!/[^\r]\n/.test(after), `${label}: keeps CRLF line endings`);
          // The snippet an editor types is the same text, with tab stops on what to type and the cursor on the edit.
          for (const e of action.edits)
            if (e.snippet !== undefined) assert.equal(typedText(e.snippet), e.newText, `${label}: snippet types the edit`);
          const reanalysed = analyze(after, { today: TODAY });
          assert.ok(!reanalysed.diagnostics.some((x) => x.code === 'yaml-syntax'), `${label}: parses\n${after}`);
          const newErrors = errors(reanalysed).filter((e) => !errorsBefore.has(e));
          assert.deepEqual(newErrors, [], `${label}: no new errors\n${after}`);
          for (const target of action.diagnostics)
            assert.ok(!stillThere(target, reanalysed), `${label}: resolves ${target.code} ${target.message}\n${after}`);
          if (isFindingDiagnostic(d)) {
            assert.ok(action.title.includes(d.code), `${label}: the title names the finding`);
            const inserted = action.edits.map((e) => e.newText).join('\n');
            if (d.data.stride.length + d.data.linddun.length === 0)
              assert.doesNotMatch(inserted, /category:/, `${label}: a hygiene finding is not a threat`);
            if (/TCTABSTOP/.test(inserted)) assert.fail(`${label}: a tab stop marker leaked`);
            if (/justification|reason|acceptance/.test(inserted)) {
              assert.ok(
                reanalysed.diagnostics.some((x) => x.code === 'placeholder-text'),
                `${label}: the placeholder to replace is flagged`,
              );
            }
            // Once the person has typed what the placeholders ask for, nothing looks worse than before the fix.
            let typed = after;
            for (const text of Object.values(PLACEHOLDER)) typed = typed.split(text).join('Reviewed by the team on 2026-11-20');
            noWorse(metricsOf(analysis), metricsOf(typed === after ? reanalysed : analyze(typed, { today: TODAY })), label);
          }
        }
        const preferred = codeActions(analysis, [d], { today: TODAY }).map((a) => a.isPreferred === true);
        assert.ok(preferred.filter(Boolean).length <= 1, `${doc.name} / ${d.code}: one preferred fix at most`);
        if (preferred.includes(true)) assert.equal(preferred[0], true, `${doc.name} / ${d.code}: the preferred fix comes first`);
      }
      for (const action of bulkFindingActions(analysis, analysis.diagnostics)) {
        const reanalysed = analyze(applyTextEdits(doc.text, action.edits), { today: TODAY });
        for (const target of action.diagnostics) assert.ok(!stillThere(target, reanalysed), `${action.title} resolves ${target.message}`);
        noWorse(metricsOf(analysis), metricsOf(reanalysed), `${doc.name} / ${action.title}`);
      }
      const all = fixAll(analysis);
      if (all) {
        const reanalysed = analyze(applyTextEdits(doc.text, all.edits), { today: TODAY });
        for (const target of all.diagnostics) assert.ok(!stillThere(target, reanalysed), `fix all resolves ${target.message}`);
      }
    });
  }

  after(() => {
    assert.ok(total > 500, `${total} quick fixes exercised`);
  });
});

describe('quick fixes on a document that does not parse', () => {
  it('offers no structural edits while the YAML is broken (found by fuzzing: a lost section was created twice)', () => {
    const text = readFileSync(path.join(REPO_ROOT, 'examples/k8s-microservices/ride-hailing.tm.yaml'), 'utf8').replace(
      '\nthreats:',
      '\n}\nthreats:',
    );
    const analysis = analyze(text, { today: TODAY });
    assert.ok(analysis.diagnostics.some((d) => d.code === 'yaml-syntax'));
    const findings = analysis.diagnostics.filter((d) => (d.data as { findingId?: string } | undefined)?.findingId);
    assert.ok(findings.length > 0, 'findings are still shown');
    assert.deepEqual(
      codeActions(analysis, findings, { today: TODAY }).map((a) => a.title),
      [],
    );
  });

  it('offers only one-line replacements then, not items written after a key the parser half lost (found by fuzzing)', () => {
    const text = readFileSync(path.join(REPO_ROOT, 'examples/k8s-microservices/ride-hailing.tm.yaml'), 'utf8').replace(
      '\ndata:\n  - id: rider-profile\n',
      '\ndata:\n rider-profile\n',
    );
    const analysis = analyze(text, { today: TODAY });
    const errors = analysis.diagnostics.filter((d) => d.code === 'yaml-syntax').length;
    assert.ok(errors > 0);
    const dangling = analysis.diagnostics.filter((d) => d.code === 'dangling-reference');
    assert.ok(dangling.length > 0, 'the data assets are lost, so references to them dangle');
    for (const action of codeActions(analysis, dangling, { today: TODAY })) {
      assert.ok(
        action.edits.every((e) => !e.newText.includes('\n')),
        `${action.title}: ${JSON.stringify(action.edits)}`,
      );
      const after = analyze(applyTextEdits(text, action.edits), { today: TODAY });
      assert.ok(after.diagnostics.filter((d) => d.code === 'yaml-syntax').length <= errors, action.title);
    }
  });
});

describe('quick fixes follow the file and say which finding they fix', () => {
  const head = `threatcode: 1
system: { name: Shop, owner: team-shop }
boundaries:
  - { id: net, name: Internet, trust: untrusted }
  - { id: dc, name: Data centre, trust: internal }
components:
  - { id: web, name: Web, type: external, kind: browser, boundary: net }
  - { id: api, name: API, type: process, kind: api, boundary: dc, authentication: oidc, authorization: rbac, exposure: internet }
data:
  - { id: card, name: Card data, classification: restricted }
flows:
  - { id: pay, name: Payment, from: web, to: api, protocol: http, data: [card], authentication: oidc }
`;
  const finding = (text: string, rule: string) => {
    const analysis = analyze(text, { today: TODAY });
    const d = analysis.diagnostics.find((x) => x.code === rule);
    assert.ok(d, `${rule} fires`);
    return { analysis, actions: codeActions(analysis, [d], { today: TODAY }) };
  };
  const inserted = (text: string, title: RegExp, rule = 'CRY-01') => {
    const { actions } = finding(text, rule);
    const action = actions.find((a) => title.test(a.title));
    assert.ok(action, actions.map((a) => a.title).join('\n'));
    return { action, after: applyTextEdits(text, action.edits) };
  };

  it('orders the fixes of a finding, the preferred first, each naming the finding', () => {
    const { actions } = finding(head, 'CRY-01');
    assert.deepEqual(
      actions.map((a) => `${a.isPreferred ? '* ' : ''}${a.title}`),
      [
        '* Mitigate CRY-01: Encrypt the connection with TLS 1.2 or newer',
        'Mitigate CRY-01: Use mutual TLS with workload identities between services',
        "Covered by a control: set network: vpn on 'pay' (CRY-01)",
        "Record CRY-01 as an open threat on 'pay'",
        "Accept the risk of CRY-01 on 'pay'…",
        "Mark CRY-01 not applicable to 'pay'…",
      ],
    );
  });

  it('writes lists as the file does: flow lists stay flow, block lists block, padding and indentation kept', () => {
    const flow = `${head}threats:\n  - { id: T-1, title: Old, category: spoofing, targets: [api], severity: low, status: open, mitigations: [M-1] }\nmitigations:\n  - { id: M-1, title: One, status: planned }\n`;
    const a = inserted(flow, /^Mitigate CRY-01: Encrypt/).after;
    assert.match(
      a,
      /\n {2}- id: T-CRY-01-pay\n {4}title: Data from Web to API crosses a trust boundary unencrypted\n {4}category: information-disclosure\n {4}targets: \[pay\]\n {4}rule: CRY-01\n {4}severity: high\n {4}status: open\n {4}mitigations: \[M-tls-everywhere\]\n/,
    );

    const block = `${head}threats:\n  - id: T-1\n    title: Old\n    category: spoofing\n    targets:\n      - api\n    severity: low\n    status: open\n`;
    assert.match(inserted(block, /^Record/).after, /\n {4}targets:\n {6}- pay\n/);

    const flush = `${head}threats:\n  - id: T-1\n    title: Old\n    category: spoofing\n    targets:\n    - api\n    severity: low\n    status: open\n`;
    assert.match(inserted(flush, /^Record/).after, /\n {4}targets:\n {4}- pay\n/);

    const padded = `${head}threats:\n  - { id: T-1, title: Old, category: spoofing, targets: [ api ], severity: low, status: open }\n`;
    assert.match(inserted(padded, /^Record/).after, /\n {4}targets: \[ pay \]\n/);
  });

  it('quotes prose as the file does, and leaves ids and enum values plain', () => {
    const quoted = `${head}threats:\n  - id: T-1\n    title: "Old"\n    category: spoofing\n    targets: [api]\n    severity: low\n    status: open\n`;
    const after = inserted(quoted, /^Record/).after;
    assert.match(after, /\n {4}title: "Data from Web to API crosses a trust boundary unencrypted"\n {4}category: information-disclosure\n/);
    assert.match(after, /\n {2}- id: T-CRY-01-pay\n/);
  });

  it('sets a control in the style of the element’s neighbours (flow mappings stay flow)', () => {
    // The browser gets `controls` written as the API's are: a flow mapping on the element's line.
    const text = head.replace('exposure: internet }', 'exposure: internet, controls: { validatesInput: true } }');
    const analysis = analyze(text, { today: TODAY });
    const actions = codeActions(analysis, analysis.diagnostics, { today: TODAY });
    const control = actions.find((a) => a.title === "Covered by a control: set controls.auditLogging: true on 'api' (LOG-01)");
    assert.ok(control, actions.map((a) => a.title).join('\n'));
    assert.match(applyTextEdits(text, control.edits), /controls: \{ validatesInput: true, auditLogging: true \} \}\n/);
    // A nested control the element does not have yet: a flow mapping too, padded as the file pads them.
    const nested = actions.find((a) => a.title === "Covered by a control: set controls.api.corsRestricted: true on 'api' (API-04)");
    assert.ok(nested, actions.map((a) => a.title).join('\n'));
    assert.match(applyTextEdits(text, nested.edits), /controls: \{ validatesInput: true, api: \{ corsRestricted: true \} \} \}\n/);
  });

  it('puts the cursor in the justification of "Mark not applicable" (a snippet), and on the new threat otherwise', () => {
    const na = inserted(head, /^Mark CRY-01 not applicable/).action.edits;
    assert.equal(na.length, 1);
    assert.equal(
      na[0].snippet,
      // No threats yet: the section is created, its lists in flow style as the rest of the file writes them.
      'threats:\n  - id: T-CRY-01-pay\n    title: Data from Web to API crosses a trust boundary unencrypted\n    category: information-disclosure\n    targets: [pay]\n    rule: CRY-01\n    severity: high\n    status: not-applicable\n    justification: ${1:Explain why this does not apply here.}\n',
    );
    assert.equal(
      na[0].newText,
      na[0].snippet.replace('${1:Explain why this does not apply here.}', 'Explain why this does not apply here.'),
    );
    const accept = inserted(head, /^Accept the risk/).action.edits[0].snippet!;
    assert.match(
      accept,
      /\n {6}by: \$\{1:team-shop\}\n {6}justification: \$\{2:Explain why this risk is acceptable until it expires\.\}\n {6}expires: 2027-02-24\n/,
    );
    const record = inserted(head, /^Record/).action.edits[0].snippet!;
    assert.match(record, /^threats:\n {2}- id: T-CRY-01-pay\$0\n/);
  });

  it('never turns a hygiene finding into a threat: it is disabled with a reason, which is flagged until written', () => {
    const lonely = head.replace('data:', '  - { id: spare, name: Spare, type: datastore, kind: file, boundary: dc }\ndata:');
    const { analysis, actions } = finding(lonely, 'HYG-09');
    assert.deepEqual(
      actions.map((a) => a.title),
      ["HYG-09 does not apply to 'spare': disable it with a reason…"],
    );
    const after = applyTextEdits(lonely, actions[0].edits);
    assert.match(
      after,
      /kind: file, boundary: dc, disabledRules: \[\{ rule: HYG-09, reason: Explain why this rule does not apply here\. \}\] \}/,
    );
    assert.ok(analyze(after, { today: TODAY }).diagnostics.some((d) => d.code === 'placeholder-text'));
    assert.equal(
      bulkFindingActions(
        analysis,
        analysis.diagnostics.filter((d) => d.code === 'HYG-09'),
      ).length,
      0,
    );
  });
});

describe('the quick-fix menu with several findings under the cursor', () => {
  const text = readFileSync(path.join(REPO_ROOT, 'examples/k8s-microservices/ride-hailing.tm.yaml'), 'utf8');
  const analysis = analyze(text, { today: TODAY });
  const findings = analysis.diagnostics.filter(isFindingDiagnostic);

  it('one finding keeps every fix in the menu', () => {
    const one = findings.find((d) => codeActions(analysis, [d], { today: TODAY }).length > 2)!;
    const actions = codeActions(analysis, [one], { today: TODAY });
    assert.deepEqual(
      menuOf(actions).map((e) => ('action' in e ? e.action.title : e.more.title)),
      actions.map((a) => a.title),
    );
  });

  it('several: each finding its preferred fix (never a disabled one) and one "More actions" entry for the rest', () => {
    const several = findings.filter((d) => codeActions(analysis, [d], { today: TODAY }).length > 2).slice(0, 6);
    assert.equal(several.length, 6);
    const actions = codeActions(analysis, several, { today: TODAY });
    // The first finding's preferred fix cannot be applied: the next one is shown instead.
    const firstOwn = actions.filter((a) => a.diagnostics[0] === several[0]);
    const blocked = actions.map((a) => (a === firstOwn.find((x) => x.isPreferred) ? { ...a, disabled: 'an anchor is shared' } : a));
    const menu = menuOf(blocked);
    assert.equal(menu.length, 12, menu.map((e) => ('action' in e ? e.action.title : e.more.title)).join('\n'));
    for (const [i, d] of several.entries()) {
      const [shown, more] = [menu[2 * i], menu[2 * i + 1]];
      assert.ok('action' in shown && 'more' in more);
      const own = blocked.filter((a) => a.diagnostics[0] === d);
      const expected = i === 0 ? own.find((a) => !a.disabled)! : (own.find((a) => a.isPreferred) ?? own[0]);
      assert.equal(shown.action, expected);
      assert.equal(more.more.title, `More actions for ${d.data.rule}${d.data.modelWide ? '' : ` on '${d.data.element}'`}…`);
      assert.deepEqual(
        more.more.actions,
        own.filter((a) => a !== expected),
      );
    }
  });
});
