/**
 * The rule language, operator by operator, on small models; and what happens to broken or hostile rule packs.
 */
import * as assert from 'node:assert/strict';
import { runRules } from '../../server/src/analysis/rules/engine';
import { loadRulePack } from '../../server/src/analysis/rules/load';
import { loadRuleSet } from '../../server/src/analysis/rules/ruleset';
import { builtinPackSources, builtinRuleSet } from '../../server/src/files/package-files';
import { analyzeText } from '../../server/src/analysis/analyze';
import { analyze } from '../support/analyze';
import { isFindingDiagnostic } from '../../server/src/model/diagnostics';
import { parseThreatModel } from '../../server/src/model/parse';

const MODEL = `threatcode: 1
system: { name: S }
boundaries:
  - { id: out, trust: untrusted }
  - { id: dmz, trust: dmz }
  - { id: in, trust: internal }
components:
  - { id: user, name: User, type: external, kind: human, boundary: out }
  - { id: web, name: Web, type: process, kind: web-app, boundary: dmz, authentication: session, tags: [a, b], controls: { rateLimiting: unknown, mfa: true } }
  - { id: svc, name: Svc, type: process, kind: service, boundary: in, availability: high, tags: [] }
  - { id: loose, name: Loose, type: process, kind: worker }
  - { id: db, name: DB, type: datastore, kind: sql, boundary: in, stores: [secret] }
data:
  - { id: pub, classification: public }
  - { id: secret, classification: restricted, pii: personal }
flows:
  - { id: f1, from: user, to: web, protocol: https, data: [pub] }
  - { id: f2, from: web, to: svc, protocol: http, data: [pub, secret] }
  - { id: f3, from: svc, to: db, protocol: ipc }
  - { id: f4, from: svc, to: loose, protocol: custom }
`;

/** Runs a one-rule pack and returns the ids of the elements it applies to (open findings), in model order. */
function applies(target: string, when: string, unless?: string, model: string = MODEL): string[] {
  const text = `pack: test\nrules:\n  - id: T-01\n    target: ${target}\n    title: t\n    rationale: r\n    severity: low\n    when: ${when}\n${unless ? `    unless: ${unless}\n` : ''}`;
  const { ruleSet, diagnostics } = loadRuleSet([{ uri: 'file:///test.yaml', text, builtin: false }]);
  assert.deepEqual(
    [...diagnostics.values()].flat().map((d) => d.message),
    [],
    'test pack is valid',
  );
  const parsed = parseThreatModel(model).model!;
  return runRules(parsed, ruleSet, { modelSpan: { start: 0, end: 0 } })
    .findings.filter((f) => f.status === 'open')
    .map((f) => f.elementId);
}

describe('rule engine: operators', () => {
  it('eq and ne (ne holds for unset and unknown)', () => {
    assert.deepEqual(applies('process', '{ prop: kind, eq: service }'), ['svc']);
    assert.deepEqual(applies('process', '{ prop: controls.mfa, eq: true }'), ['web']);
    assert.deepEqual(applies('process', '{ prop: controls.rateLimiting, ne: true }'), ['web', 'svc', 'loose']);
    assert.deepEqual(applies('process', '{ prop: controls.rateLimiting, eq: false }'), []);
  });

  it('in and notIn (notIn holds for unset)', () => {
    assert.deepEqual(applies('component', '{ prop: kind, in: [sql, human] }'), ['user', 'db']);
    assert.deepEqual(applies('process', '{ prop: authentication, notIn: [session] }'), ['svc', 'loose']);
  });

  it('gte and lte on ordered scales', () => {
    assert.deepEqual(applies('data', '{ prop: classification, gte: confidential }'), ['secret']);
    assert.deepEqual(applies('data', '{ prop: classification, lte: internal }'), ['pub']);
    assert.deepEqual(applies('component', '{ prop: availability, gte: medium }'), ['svc']);
    assert.deepEqual(applies('boundary', '{ prop: trust, lte: dmz }'), ['out', 'dmz']);
  });

  it('exists treats empty lists as unset', () => {
    assert.deepEqual(applies('process', '{ prop: tags, exists: true }'), ['web']);
    assert.deepEqual(applies('process', '{ prop: boundary, exists: false }'), ['loose']);
  });

  it('contains and containsAny on lists', () => {
    assert.deepEqual(applies('process', '{ prop: tags, contains: b }'), ['web']);
    assert.deepEqual(applies('process', '{ prop: tags, containsAny: [x, a] }'), ['web']);
    assert.deepEqual(applies('process', '{ prop: tags, contains: z }'), []);
  });

  it('all, any, not', () => {
    assert.deepEqual(applies('process', '{ all: [{ prop: kind, ne: worker }, { prop: boundary, exists: true }] }'), ['web', 'svc']);
    assert.deepEqual(applies('process', '{ any: [{ prop: kind, eq: worker }, { prop: kind, eq: web-app }] }'), ['web', 'loose']);
    assert.deepEqual(applies('process', '{ not: { prop: kind, eq: worker } }'), ['web', 'svc']);
  });

  it('unless covers a finding', () => {
    assert.deepEqual(applies('process', '{ prop: kind, exists: true }', '{ prop: controls.mfa, eq: true }'), ['svc', 'loose']);
  });
});

describe('rule engine: facts', () => {
  it('crossesBoundary and crossesIntoHigherTrust (no boundary counts as untrusted)', () => {
    assert.deepEqual(applies('flow', '{ fact: crossesBoundary, eq: true }'), ['f1', 'f2', 'f4']);
    assert.deepEqual(applies('flow', '{ fact: crossesIntoHigherTrust, eq: true }'), ['f1', 'f2']);
    assert.deepEqual(applies('component', '{ fact: trust, eq: untrusted }'), ['user', 'loose']);
  });

  it('encrypted is derived from the protocol; local for in-host protocols', () => {
    assert.deepEqual(applies('flow', '{ fact: encrypted, eq: true }'), ['f1']);
    assert.deepEqual(applies('flow', '{ fact: encrypted, eq: false }'), ['f2']);
    assert.deepEqual(applies('flow', '{ fact: encrypted, eq: unknown }'), ['f3', 'f4']);
    assert.deepEqual(applies('flow', '{ fact: local, eq: true }'), ['f3']);
  });

  it('maxClassification and hasPersonalData over carried and stored data', () => {
    assert.deepEqual(applies('flow', '{ fact: maxClassification, gte: confidential }'), ['f2']);
    assert.deepEqual(applies('component', '{ fact: maxClassification, eq: restricted }'), ['web', 'svc', 'db']);
    assert.deepEqual(applies('component', '{ fact: hasPersonalData, eq: true }'), ['web', 'svc', 'db']);
  });

  it('hasFlows and hasThreats', () => {
    assert.deepEqual(applies('component', '{ fact: hasFlows, eq: false }'), []);
    assert.deepEqual(applies('component', '{ fact: hasThreats, eq: true }'), []);
  });
});

describe('rule engine: quantifiers', () => {
  it('source and target of a flow', () => {
    assert.deepEqual(applies('flow', '{ source: { prop: kind, eq: human } }'), ['f1']);
    assert.deepEqual(applies('flow', '{ target: { prop: type, eq: datastore } }'), ['f3']);
  });

  it('anyInbound, anyOutbound and vacuous allOutbound', () => {
    assert.deepEqual(applies('process', '{ anyInbound: { source: { prop: kind, eq: human } } }'), ['web']);
    assert.deepEqual(applies('process', '{ anyOutbound: { fact: local, eq: true } }'), ['svc']);
    // Every outbound flow of 'loose' (there are none) is encrypted: vacuously true.
    assert.deepEqual(applies('process', '{ allOutbound: { fact: encrypted, eq: true } }'), ['loose']);
  });

  it('anyData, allData and anyStored', () => {
    assert.deepEqual(applies('flow', '{ anyData: { prop: pii, eq: personal } }'), ['f2']);
    assert.deepEqual(applies('flow', '{ allData: { prop: classification, eq: public } }'), ['f1', 'f3', 'f4']);
    assert.deepEqual(applies('datastore', '{ anyStored: { prop: classification, eq: restricted } }'), ['db']);
  });

  it('anyMember of a boundary and anyComponent of the model', () => {
    assert.deepEqual(applies('boundary', '{ anyMember: { prop: type, eq: datastore } }'), ['in']);
    assert.deepEqual(applies('model', '{ anyComponent: { prop: kind, eq: sql } }'), ['model']);
  });
});

/** Format 1.1: unknown trust, responses, out-of-scope flows, nested boundaries, a chain of calls, a typed password. */
const MODEL_11 = `threatcode: 1.1
system: { name: S }
boundaries:
  - { id: net, trust: untrusted }
  - { id: fog, trust: unknown }
  - { id: cloud, type: cloud-account, trust: internal, authentication: sso }
  - { id: ns, type: k8s-namespace, parent: cloud, trust: internal }
components:
  - { id: person, type: external, kind: human, boundary: net }
  - { id: app, type: process, kind: web-app, boundary: fog }
  - { id: peer, type: process, kind: service, boundary: fog }
  - { id: api, type: process, kind: api, boundary: cloud, exposure: internal }
  - { id: job, type: process, kind: worker, boundary: ns }
  - { id: q, type: datastore, kind: queue, boundary: ns }
  - { id: sink, type: process, kind: worker, boundary: ns }
  - { id: vendor, type: external, kind: saas, boundary: net, inScope: false, outOfScopeReason: Theirs }
data:
  - { id: pw, classification: confidential, credentials: true }
  - { id: token, classification: confidential, credentials: true }
  - { id: note, classification: unknown }
  - { id: doc, classification: public }
flows:
  - { id: sign-in, from: person, to: app, protocol: https, data: [pw] }
  - { id: same-zone, from: app, to: peer, protocol: https, data: [doc] }
  - { id: call, from: app, to: api, protocol: https, data: [token, note] }
  - { id: reply, from: api, to: app, protocol: https, usage: response, data: [doc] }
  - { id: enqueue, from: api, to: q, protocol: amqps, authentication: mtls, data: [doc] }
  - { id: consume, from: q, to: job, protocol: amqps, data: [doc] }
  - { id: forward, from: job, to: sink, protocol: https, authentication: none, data: [doc] }
  - { id: outside, from: api, to: vendor, protocol: https, data: [note] }
  - { id: skipped, from: api, to: peer, protocol: http, inScope: false, outOfScopeReason: Legacy, data: [note] }
`;

describe('rule engine: format 1.1 facts and quantifiers', () => {
  const on = (target: string, when: string) => applies(target, when, undefined, MODEL_11);

  it('unknown trust is never safe, but nothing crosses within one boundary', () => {
    // An unknown source counts as untrusted and an unknown target as restricted: into the app and out of it both
    // cross upwards; from the cloud account into its namespace (both internal) does not.
    assert.deepEqual(on('flow', '{ fact: crossesIntoHigherTrust, eq: true }'), ['sign-in', 'call', 'reply']);
    assert.ok(!on('flow', '{ fact: crossesIntoHigherTrust, eq: true }').includes('same-zone'), 'same boundary');
    assert.deepEqual(on('component', '{ fact: trust, eq: unknown }'), ['app', 'peer']);
  });

  it('sensitive: confidential, restricted, personal, credentials or unknown classification', () => {
    assert.deepEqual(on('flow', '{ fact: sensitive, eq: true }'), ['sign-in', 'call']);
    assert.deepEqual(on('flow', '{ fact: maxClassification, eq: unknown }'), []);
    assert.deepEqual(on('flow', '{ fact: maxClassification, exists: false }'), []);
  });

  it('isCall: responses, dependencies and builds are not calls', () => {
    assert.ok(!on('flow', '{ fact: isCall, eq: true }').includes('reply'));
    assert.ok(on('flow', '{ fact: isCall, eq: true }').includes('call'));
  });

  it('authenticated: the flow says so, or inherits the authentication of the boundary around its target', () => {
    // 'call' and 'consume' go into the SSO-protected cloud account (consume through the namespace inside it).
    assert.deepEqual(on('flow', '{ fact: authenticated, eq: true }'), ['call', 'enqueue', 'consume']);
    assert.deepEqual(on('flow', '{ fact: authenticated, eq: false }'), ['forward']);
    assert.deepEqual(on('flow', '{ fact: authenticated, eq: unknown }'), ['sign-in', 'same-zone', 'reply']);
  });

  it('internetFacing: exposed to the internet, or called from an untrusted or unknown zone', () => {
    // The peer is called from the app, whose zone's trust is unknown.
    assert.deepEqual(on('process', '{ fact: internetFacing, eq: true }'), ['app', 'peer', 'api']);
  });

  it('flows out of scope, or touching a component out of scope, are not analysed', () => {
    assert.deepEqual(
      on('flow', '{ prop: protocol, exists: true }').filter((id) => id === 'outside' || id === 'skipped'),
      [],
    );
    assert.deepEqual(on('process', '{ anyOutbound: { prop: protocol, eq: http } }'), []);
  });

  it('boundary and anyEnclosing look outwards through parents', () => {
    assert.deepEqual(on('process', '{ boundary: { prop: type, eq: k8s-namespace } }'), ['job', 'sink']);
    assert.deepEqual(on('process', '{ anyEnclosing: { prop: type, eq: cloud-account } }'), ['api', 'job', 'sink']);
    assert.deepEqual(on('boundary', '{ anyEnclosing: { prop: authentication, eq: sso } }'), ['ns']);
  });

  it('anyUpstream follows calls back through a queue, at most three hops', () => {
    // sink ← job ← q ← api: the api is three calls back; the app, four, is too far.
    assert.deepEqual(on('process', '{ anyUpstream: { prop: kind, eq: api } }'), ['job', 'sink']);
    assert.deepEqual(on('process', '{ anyUpstream: { prop: kind, eq: web-app } }'), ['peer', 'api', 'job']);
    // The reply is a response, not a call: the api is not upstream of the app.
    assert.ok(!on('process', '{ anyUpstream: { prop: kind, eq: api } }').includes('app'));
  });

  it('anyCarrier: the flows that carry a data asset', () => {
    assert.deepEqual(on('data', '{ anyCarrier: { source: { prop: kind, eq: human } } }'), ['pw']);
    assert.deepEqual(on('data', '{ anyCarrier: { prop: usage, eq: response } }'), ['doc']);
    // The out-of-scope flow does not count: nothing in scope carries 'note' but the call.
    assert.deepEqual(on('data', '{ anyCarrier: { prop: protocol, eq: http } }'), []);
  });

  it('a password a person types is not asked to be rotated; a service token is (CRY-06)', () => {
    const result = analyze(MODEL_11, { today: '2026-11-26' });
    const cry06 = result.findings.filter((f) => f.rule.id === 'CRY-06').map((f) => f.elementId);
    assert.deepEqual(cry06, ['token']);
  });
});

describe('rule engine: findings', () => {
  it('say what is wrong in one sentence, sit on the value that causes it, and explain why at the values that show it', () => {
    const result = analyze(MODEL, { today: '2026-11-26' });
    const cry01 = result.diagnostics.find((d) => d.code === 'CRY-01');
    assert.ok(cry01);
    assert.equal(cry01.message, 'Data from Web to Svc crosses a trust boundary unencrypted (protocol: http).');
    assert.equal(MODEL.slice(cry01.span.start, cry01.span.end), 'protocol: http');
    assert.deepEqual(
      cry01.related?.map((r) => [MODEL.slice(r.span.start, r.span.end), r.message]),
      [
        ['to: svc', 'f2 crosses a trust boundary'],
        ['data: [pub, secret]', 'f2 carries restricted data'],
        ['protocol: http', 'f2 is not encrypted in transit'],
      ],
    );
    assert.deepEqual((cry01.data as { controls: unknown }).controls, [{ property: 'network', value: 'vpn' }]);
    assert.equal((cry01.data as { docs?: string }).docs, 'https://github.com/threatcode/threatcode/blob/main/docs/rules.md#cry-01');
  });

  it('sit on the element id when no value of the element causes them', () => {
    const result = analyze(MODEL, { today: '2026-11-26' });
    let onId = 0;
    for (const d of result.diagnostics.filter(isFindingDiagnostic)) {
      const element = result.parsed.model!.byId.get(d.data.element);
      if (!element) continue;
      const at = MODEL.slice(d.span.start, d.span.end);
      if (d.span.start === element.idSpan?.start) onId++;
      else {
        assert.match(at, /^[\w.]+: /, `${d.message} sits on a property`);
        assert.ok(d.span.start > element.span.start && d.span.end <= element.span.end, `${d.message}: a property of ${element.id}`);
        assert.ok(
          d.related?.some((r) => r.span.start === d.span.start),
          `${d.message}: a reason says why this value`,
        );
      }
    }
    assert.ok(onId > 0, 'some findings are about something absent');
  });

  it('can be disabled per element with a reason, and a reason is required', () => {
    const disabled = MODEL.replace(
      '{ id: f2, from: web, to: svc, protocol: http, data: [pub, secret] }',
      '{ id: f2, from: web, to: svc, protocol: http, data: [pub, secret], disabledRules: [{ rule: CRY-01, reason: Same host in production }] }',
    );
    const result = analyze(disabled, { today: '2026-11-26' });
    assert.equal(result.findings.find((f) => f.id === 'CRY-01@f2')?.status, 'disabled');
    assert.equal(result.findings.find((f) => f.id === 'CRY-01@f2')?.disabledReason, 'Same host in production');
    const noReason = analyze(disabled.replace('reason: Same host in production', 'reason: ""'), { today: '2026-11-26' });
    assert.equal(noReason.findings.find((f) => f.id === 'CRY-01@f2')?.status, 'open');
    assert.ok(noReason.diagnostics.some((d) => d.code === 'bad-value' && /must not be empty/.test(d.message)));
  });

  it('out-of-scope components are not analysed', () => {
    const text = MODEL.replace(
      '{ id: loose, name: Loose, type: process, kind: worker }',
      '{ id: loose, name: Loose, type: process, kind: worker, inScope: false, outOfScopeReason: Vendor-run }',
    );
    const result = analyze(text, { today: '2026-11-26' });
    assert.equal(result.findings.filter((f) => f.elementId === 'loose').length, 0);
  });
});

describe('rule packs: broken and hostile packs', () => {
  const builtin = builtinRuleSet();
  const known = new Set(builtin.ruleSet.mitigations.keys());
  const defined = new Map(builtin.ruleSet.rules.map((r) => [r.id, 'threatcode.builtin']));

  function load(text: string) {
    return loadRulePack(text, {
      uri: 'file:///ws/.threatcode/rules/team.yaml',
      builtin: false,
      knownMitigations: known,
      definedRules: defined,
    });
  }

  function problems(text: string): string[] {
    return load(text).diagnostics.map((d) => `${d.code}@${text.slice(d.span.start, d.span.end)}: ${d.message}`);
  }

  const rule = (when: string, extra = '') =>
    `pack: team\nrules:\n  - id: TEAM-01\n    target: process\n    title: t\n    rationale: r\n    severity: low\n    when: ${when}\n${extra}  - id: TEAM-02\n    target: process\n    title: ok\n    rationale: r\n    severity: low\n    when: { prop: kind, eq: api }\n`;

  it('a valid user pack loads, with mitigations from the built-in catalog', () => {
    const result = load(rule('{ prop: kind, eq: worker }', '    mitigations: [rate-limiting]\n'));
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(
      result.pack?.rules.map((r) => r.id),
      ['TEAM-01', 'TEAM-02'],
    );
  });

  it('reports YAML errors and loads nothing from unparseable text', () => {
    const result = load('pack: team\nrules: [\n');
    assert.equal(result.pack, undefined, 'a pack with YAML errors contributes nothing until fixed');
    assert.equal(result.diagnostics[0].code, 'yaml-syntax');
  });

  it('reports unknown operators, missing and double operators, and keeps the valid rules', () => {
    assert.match(problems(rule('{ prop: kind, like: worker }')).join('\n'), /unknown-key@like: Unknown property 'like'/);
    assert.match(problems(rule('{ prop: kind }')).join('\n'), /invalid-rule@.*exactly one operator .* none/);
    assert.match(problems(rule('{ prop: kind, eq: a, ne: b }')).join('\n'), /bad-value|invalid-rule/);
    assert.deepEqual(
      load(rule('{ prop: kind, like: worker }')).pack?.rules.map((r) => r.id),
      ['TEAM-02'],
    );
  });

  it('checks property paths against the format, with suggestions', () => {
    assert.match(
      problems(rule('{ prop: controls.validateInput, eq: true }')).join('\n'),
      /invalid-rule@controls.validateInput: .*Did you mean 'controls.validatesInput'\?/,
    );
  });

  it('checks facts, quantifiers and scales against the target', () => {
    assert.match(problems(rule('{ fact: crossesBoundary, eq: true }')).join('\n'), /Fact 'crossesBoundary' is not defined on a component/);
    assert.match(problems(rule('{ source: { prop: kind, eq: x } }')).join('\n'), /'source' is not defined on a component/);
    assert.match(problems(rule('{ prop: kind, gte: api }')).join('\n'), /'gte' compares on an ordered scale/);
    assert.match(
      problems(rule('{ fact: maxClassification, gte: secret }')).join('\n'),
      /'secret' is not on the scale public < internal < confidential < restricted/,
    );
  });

  it('limits quantifier nesting and condition depth', () => {
    const nested = '{ anyInbound: { source: { anyInbound: { source: { prop: kind, eq: x } } } } }';
    assert.match(problems(rule(nested)).join('\n'), /Quantifiers nest at most 3 deep/);
    const deep = '{ not: '.repeat(14) + '{ prop: kind, eq: x }' + ' }'.repeat(14);
    assert.match(problems(rule(deep)).join('\n'), /nested more than 12 levels/);
  });

  it('refuses redefining a built-in rule and unknown mitigations', () => {
    const text = rule('{ prop: kind, eq: x }', '    mitigations: [rate-limitting]\n').replace('TEAM-01', 'CRY-01');
    const p = problems(text).join('\n');
    assert.match(p, /Rule 'CRY-01' is already defined by pack 'threatcode.builtin'/);
    assert.match(p, /Unknown mitigation 'rate-limitting'.*Did you mean 'rate-limiting'\?/);
  });

  it('treats code in a pack as data: it is rejected, never run', () => {
    const marker = '__threatcode_pack_ran__';
    const hostile = `pack: evil\nrules:\n  - id: EVIL-01\n    target: process\n    title: "{constructor.constructor}"\n    rationale: r\n    severity: low\n    when: "(() => { globalThis.${marker} = true })()"\n  - id: EVIL-02\n    target: process\n    title: t\n    rationale: r\n    severity: low\n    when: { prop: constructor.prototype, eq: x }\n  - id: EVIL-03\n    target: process\n    title: t\n    rationale: r\n    severity: low\n    when: { prop: __proto__, eq: x }\n`;
    const result = load(hostile);
    assert.equal((globalThis as Record<string, unknown>)[marker], undefined);
    assert.deepEqual(result.pack?.rules, []);
    assert.ok(result.diagnostics.some((d) => d.code === 'wrong-type'));
    assert.ok(result.diagnostics.some((d) => d.code === 'invalid-rule' && /'constructor.prototype' is not a property/.test(d.message)));
    assert.ok(result.diagnostics.some((d) => d.code === 'bad-value' && /__proto__/.test(d.message)));
  });

  it('refuses huge packs and alias bombs before evaluating anything', () => {
    assert.equal(load('pack: big\n' + '#'.repeat(2 * 1024 * 1024)).diagnostics[0].code, 'file-too-large');
    const bomb =
      'pack: b\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\nrules: []\n';
    assert.equal(load(bomb).diagnostics[0].code, 'alias-limit');
  });

  it('a user pack adds rules that run next to the built-in ones', () => {
    const team = { uri: 'file:///ws/.threatcode/rules/team.yaml', text: rule('{ prop: kind, eq: service }'), builtin: false };
    const { ruleSet } = loadRuleSet([...builtinPackSources(), team]);
    const result = analyzeText(MODEL, { today: '2026-11-26', rules: ruleSet });
    assert.ok(result.diagnostics.some((d) => d.code === 'TEAM-01'));
    assert.ok(result.diagnostics.some((d) => d.code === 'CRY-01'));
  });
});
