/**
 * Format 1.3: the vocabulary of systems-level threat models (firmware, hardware, tenants, threat agents), exposure apart
 * from trust, attack paths through trusted components, and the "quote this value" hint. Each fact is tested on a small
 * model with a one-rule pack, and through the built-in rules where its precision matters.
 */
import * as assert from 'node:assert/strict';
import { analyzeText } from '../../server/src/analysis/analyze';
import { runRules } from '../../server/src/analysis/rules/engine';
import { loadRuleSet } from '../../server/src/analysis/rules/ruleset';
import { codeActions } from '../../server/src/features/code-actions';
import { parseThreatModel } from '../../server/src/model/parse';
import { analyze } from '../support/analyze';

/** The open findings of a one-rule pack on `model`, as element ids in model order. */
function applies(target: string, when: string, model: string): string[] {
  const text = `pack: test\nrules:\n  - id: T-01\n    target: ${target}\n    title: t\n    rationale: r\n    severity: low\n    when: ${when}\n`;
  const { ruleSet, diagnostics } = loadRuleSet([{ uri: 'file:///test.yaml', text, builtin: false }]);
  assert.deepEqual(
    [...diagnostics.values()].flat().map((d) => d.message),
    [],
    'test pack is valid',
  );
  const parsed = parseThreatModel(model);
  assert.deepEqual(
    parsed.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
    [],
    'model is valid',
  );
  return runRules(parsed.model!, ruleSet, { modelSpan: { start: 0, end: 0 } })
    .findings.filter((f) => f.status === 'open')
    .map((f) => f.elementId);
}

/** A device whose firmware serves a less privileged world, a guest in a hypervisor, and a web service. */
const DEVICE = `threatcode: 1.3
system: { name: Device }
boundaries:
  - { id: internet, type: internet, trust: untrusted }
  - { id: host, name: Host, type: machine, trust: restricted }
  - { id: guest, name: Guest VM, type: sandbox, parent: host, trust: untrusted }
  - { id: laptop, name: A user's laptop, type: machine, trust: untrusted }
  - { id: field, name: Device in the field, type: physical, trust: internal, physicalAccess: public }
components:
  - { id: vmm, name: VMM, type: process, kind: hypervisor, boundary: host, runsAs: hypervisor }
  - { id: guest-os, name: Guest OS, type: process, kind: kernel, boundary: guest }
  - { id: api, name: API, type: process, kind: api, boundary: host, runsAs: root }
  - { id: browser, name: Browser, type: process, kind: browser, boundary: laptop }
  - { id: person, name: Person, type: external, kind: human, boundary: guest }
  - { id: sensor, name: Sensor firmware, type: process, kind: firmware, boundary: field }
  - { id: keys, name: Key store, type: datastore, kind: nv-memory, boundary: host }
  - { id: agent-daemon, name: Host agent, type: process, kind: daemon, boundary: host, runsAs: root }
data:
  - { id: req, name: Request, classification: internal }
flows:
  - { id: hypercall, from: guest-os, to: vmm, protocol: hypercall, data: [req] }
  - { id: web, from: browser, to: api, protocol: https, data: [req] }
  - { id: typing, from: person, to: guest-os, protocol: in-process, data: [req] }
  - { id: local-admin, from: agent-daemon, to: api, protocol: https, data: [req] }
`;

describe('format 1.3: exposure apart from trust', () => {
  it('a guest calling its hypervisor is a tenant on the same host, not an internet caller', () => {
    assert.deepEqual(applies('process', '{ fact: calledByTenant, eq: true }', DEVICE), ['vmm']);
    assert.deepEqual(applies('process', '{ fact: internetFacing, eq: true }', DEVICE), ['api']);
  });

  it('a person at their own computer is no tenant, and a zone may state its exposure', () => {
    // The person types into the guest (in-process): no tenant call. A browser on a laptop calls over a network.
    assert.ok(!applies('process', '{ fact: calledByTenant, eq: true }', DEVICE).includes('guest-os'));
    const stated = DEVICE.replace(
      'type: sandbox, parent: host, trust: untrusted',
      'type: sandbox, trust: untrusted, exposure: network',
    ).replace('protocol: hypercall', 'protocol: https');
    assert.deepEqual(applies('process', '{ fact: calledByTenant, eq: true }', stated), []);
    assert.deepEqual(applies('process', '{ fact: internetFacing, eq: true }', stated), ['vmm', 'api']);
  });

  it('networkReachable: a call from another host, not one from its own host', () => {
    assert.deepEqual(applies('process', '{ fact: networkReachable, eq: true }', DEVICE), ['api']);
    // Only the host agent calls the API: it is reached on its own host, so "network-reachable as root" (AZ-03) is quiet.
    const own = DEVICE.replace('  - { id: web, from: browser, to: api, protocol: https, data: [req] }\n', '');
    assert.deepEqual(applies('process', '{ fact: networkReachable, eq: true }', own), []);
    assert.ok(!analyze(own).findings.some((f) => f.id === 'AZ-03@api'));
    assert.ok(analyze(DEVICE).findings.some((f) => f.id === 'AZ-03@api'));
  });

  it('physicallyExposed: physicalAccess on the element or a boundary around it, buses from outside, threat agents', () => {
    assert.deepEqual(applies('component', '{ fact: physicallyExposed, eq: true }', DEVICE), ['sensor']);
    const thief = `${DEVICE}threatAgents:\n  - { id: thief, name: Thief, access: [physical], reaches: [keys] }\n`;
    assert.deepEqual(applies('component', '{ fact: physicallyExposed, eq: true }', thief), ['sensor', 'keys']);
    const anywhere = `${DEVICE}threatAgents:\n  - { id: thief, name: Thief, access: [physical] }\n`;
    assert.equal(applies('component', '{ fact: physicallyExposed, eq: true }', anywhere).length, 8);
    const remote = `${DEVICE}threatAgents:\n  - { id: hacker, name: Hacker, access: [internet] }\n`;
    assert.deepEqual(applies('component', '{ fact: physicallyExposed, eq: true }', remote), ['sensor']);
  });

  it('local and physical protocols: on-chip calls stay local, buses are physical', () => {
    const model = `${DEVICE.replace('flows:', 'flows:\n  - { id: bus, from: sensor, to: keys, protocol: spi, data: [req] }\n  - { id: smc, from: guest-os, to: vmm, protocol: smc, data: [req] }')}`;
    assert.deepEqual(applies('flow', '{ fact: local, eq: true }', model), ['smc', 'hypercall', 'typing']);
    assert.deepEqual(applies('flow', '{ fact: physical, eq: true }', model), ['bus']);
  });
});

describe('format 1.3: vocabulary', () => {
  it('accepts the systems kinds, privilege above the kernel, binary parses, sessions, operators and a single category', () => {
    const text = `threatcode: 1.3
system: { name: S }
components:
  - id: fw
    name: Firmware
    type: process
    kind: firmware
    runsAs: firmware
    parses: [firmware-image, certificate, binary]
    physicalAccess: owner
    authorization: acl
    sessions: { lifetime: 30d, idleTimeout: 15m, revocation: false, refreshTokens: rotated, senderConstrained: true }
    llm: { memory: true, autonomy: high }
    controls:
      platform: { secureBoot: true, antiRollback: false }
      isolation: { resourceQuotas: unknown }
      supplyChain: { provenance: true, verifiesDownloads: true }
      ai: { memoryIsolation: true }
  - { id: partner, name: Partner, type: external, kind: partner, operator: third-party }
  - { id: ram, name: RAM, type: datastore, kind: memory, stores: [key] }
data:
  - { id: key, classification: restricted, credentials: true, credentialScope: shared, category: secret, authorization: owner }
threatAgents:
  - { id: thief, name: Thief, access: [physical], skill: expert, reaches: [fw] }
threats:
  - { id: T1, title: Glitch, category: tampering, targets: [fw], agents: [thief], status: open }
`;
    const analysis = analyze(text);
    assert.deepEqual(
      analysis.diagnostics
        .filter((d) => !d.code.includes('-') || d.code.startsWith('yaml') || d.severity === 'error')
        .map((d) => `${d.code} ${d.message}`),
      [],
    );
  });

  it('threat agents share the id namespace: agents and reaches are references', () => {
    const text = `threatcode: 1.3
system: { name: S }
components:
  - { id: a, name: A, type: process }
threatAgents:
  - { id: thief, name: Thief, access: [physical], reaches: [nowhere] }
threats:
  - { id: T1, title: T, category: tampering, targets: [a], agents: [a], status: open }
`;
    const codes = analyze(text).diagnostics.map((d) => `${d.code}:${text.slice(d.span.start, d.span.end)}`);
    assert.ok(codes.includes('dangling-reference:nowhere'), codes.join('\n'));
    assert.ok(codes.includes('wrong-reference-kind:a'), codes.join('\n'));
  });

  it('contains reads a single category as a list of one', () => {
    const model = `threatcode: 1.3
system: { name: S }
data:
  - { id: one, classification: internal, category: code }
  - { id: two, classification: internal, category: [code, secret] }
  - { id: none, classification: internal }
`;
    assert.deepEqual(applies('data', '{ prop: category, contains: code }', model), ['one', 'two']);
    assert.deepEqual(applies('data', '{ prop: category, containsAny: [secret, model] }', model), ['two']);
  });

  it('authorization is inherited from the innermost boundary that states it', () => {
    const model = `threatcode: 1.3
system: { name: S }
boundaries:
  - { id: mesh, trust: internal, authorization: rbac }
  - { id: inner, trust: internal, parent: mesh }
components:
  - { id: own, name: Own, type: process, boundary: inner, authorization: abac }
  - { id: inherits, name: Inherits, type: process, boundary: inner }
  - { id: none, name: None, type: process }
`;
    assert.deepEqual(applies('process', '{ fact: authorization, eq: rbac }', model), ['inherits']);
    assert.deepEqual(applies('process', '{ fact: authorization, exists: false }', model), ['none']);
  });

  it('sessionLifetime places a duration on a scale', () => {
    const model = `threatcode: 1.3
system: { name: S }
components:
  - { id: short, name: Short, type: process, sessions: { lifetime: 15m } }
  - { id: day, name: Day, type: process, sessions: { lifetime: 8h } }
  - { id: month, name: Month, type: process, sessions: { lifetime: 30d } }
  - { id: year, name: Year, type: process, sessions: { lifetime: 1y } }
`;
    assert.deepEqual(applies('process', '{ fact: sessionLifetime, gte: days }', model), ['month', 'year']);
    assert.deepEqual(applies('process', '{ fact: sessionLifetime, eq: months }', model), ['year']);
  });

  it('a host daemon called "agent" is pointed to kind: daemon (HYG-15), an AI agent with a model is not', () => {
    const text = (kind: string, llm: string) =>
      `threatcode: 1.3\nsystem: { name: S }\ncomponents:\n  - { id: a, name: Node agent, type: process, kind: ${kind}${llm} }\n`;
    assert.ok(analyze(text('agent', '')).findings.some((f) => f.id === 'HYG-15@a'));
    assert.ok(!analyze(text('agent', ', llm: { toolAccess: true }')).findings.some((f) => f.id === 'HYG-15@a'));
    assert.ok(!analyze(text('daemon', '')).findings.some((f) => f.rule.id.startsWith('LLM-') || f.rule.id === 'HYG-15'));
  });
});

describe('format 1.3: attack paths through trusted components', () => {
  const PATH = `threatcode: 1.3
system: { name: Shop }
boundaries:
  - { id: internet, type: internet, trust: untrusted }
  - { id: edge, trust: dmz }
  - { id: core, trust: internal }
components:
  - { id: client, name: Client, type: external, kind: system, boundary: internet }
  - { id: gw, name: Gateway, type: process, kind: gateway, boundary: edge, controls: { validatesInput: true } }
  - { id: orders, name: Orders, type: process, kind: service, boundary: core, controls: { validatesInput: true } }
  - { id: billing, name: Billing, type: process, kind: service, boundary: core }
  - { id: report, name: Reports, type: process, kind: service, boundary: core }
data:
  - { id: order, name: Order, classification: internal }
  - { id: stats, name: Statistics, classification: internal }
flows:
  - { id: f1, from: client, to: gw, protocol: https, data: [order] }
  - { id: f2, from: gw, to: orders, protocol: https, data: [order] }
  - { id: f3, from: orders, to: billing, protocol: https, data: [order] }
  - { id: f4, from: orders, to: report, protocol: https, data: [stats] }
`;

  it('input from an untrusted zone reaches a component through trusted ones that pass it on', () => {
    // Billing gets the order the client sent, through the gateway and Orders; Reports only gets statistics Orders made.
    assert.deepEqual(applies('process', '{ fact: hostileInputPath, eq: true }', PATH), ['orders', 'billing']);
  });

  it('INP-01 finds it, and names the path hop by hop in its related information', () => {
    const analysis = analyze(PATH);
    const finding = analysis.findings.find((f) => f.id === 'INP-01@billing');
    assert.equal(finding?.status, 'open');
    assert.ok(!analysis.findings.some((f) => f.id === 'INP-01@report'));
    const diagnostic = analysis.diagnostics.find((d) => d.code === 'INP-01' && PATH.slice(d.span.start, d.span.end).includes('billing'))!;
    const path = (diagnostic.related ?? []).filter((r) => r.message.startsWith('Attack path'));
    assert.deepEqual(
      path.map((r) => r.message),
      [
        'Attack path: Client, in a zone nobody vouches for, reaches Gateway ([order])',
        'Attack path: Gateway passes it to Orders ([order])',
        'Attack path: Orders passes it to Billing ([order])',
      ],
    );
    assert.deepEqual(
      path.map((r) => PATH.slice(r.span.start, r.span.end)),
      ['f1', 'f2', 'f3'],
    );
  });

  it('reads through a data store: what a writer stores, a reader gets', () => {
    const model = PATH.replace(
      '  - { id: report, name: Reports, type: process, kind: service, boundary: core }',
      '  - { id: report, name: Reports, type: process, kind: service, boundary: core }\n  - { id: db, name: Orders DB, type: datastore, kind: sql, boundary: core }',
    ).replace(
      '  - { id: f4, from: orders, to: report, protocol: https, data: [stats] }',
      '  - { id: f4, from: orders, to: db, protocol: sql-tls, data: [order] }\n  - { id: f5, from: report, to: db, protocol: sql-tls, readOnly: true, data: [order] }',
    );
    assert.ok(applies('process', '{ fact: hostileInputPath, eq: true }', model).includes('report'));
  });

  it('is bounded: a chain longer than six flows is not followed', () => {
    const hops = 9;
    const comps = Array.from(
      { length: hops },
      (_, i) => `  - { id: s${i}, name: S${i}, type: process, kind: service, boundary: core }`,
    ).join('\n');
    const flows = Array.from(
      { length: hops - 1 },
      (_, i) => `  - { id: g${i}, from: s${i}, to: s${i + 1}, protocol: https, data: [order] }`,
    ).join('\n');
    const model = `threatcode: 1.3
system: { name: Chain }
boundaries:
  - { id: internet, type: internet, trust: untrusted }
  - { id: core, trust: internal }
components:
  - { id: client, name: Client, type: external, kind: system, boundary: internet }
${comps}
data:
  - { id: order, classification: internal }
flows:
  - { id: in, from: client, to: s0, protocol: https, data: [order] }
${flows}
`;
    // s1 is two flows from the client, s5 six: s6 and beyond are out of reach.
    assert.deepEqual(applies('process', '{ fact: hostileInputPath, eq: true }', model), ['s1', 's2', 's3', 's4', 's5']);
  });
});

describe('format 1.3: the quote hint', () => {
  it('a value with ": " in it gets a message that shows it quoted, and a quick fix that quotes it', () => {
    for (const line of [
      '    description: Runs here: and there',
      '  - { id: a, name: A, type: process, description: Runs here: and there }',
    ]) {
      const text = line.startsWith('  -')
        ? `threatcode: 1.3\nsystem: { name: S }\ncomponents:\n${line}\n`
        : `threatcode: 1.3\nsystem: { name: S }\ncomponents:\n  - id: a\n    name: A\n    type: process\n${line}\n`;
      const analysis = analyzeText(text, { rules: loadRuleSet([]).ruleSet });
      const d = analysis.diagnostics.find((x) => x.code === 'yaml-syntax')!;
      assert.equal(d.message, 'A value with ": " in it must be quoted: write "Runs here: and there".');
      assert.equal(text.slice(d.span.start, d.span.end), 'Runs here: and there');
      const fix = codeActions(analysis, [d], { today: '2026-12-07' }).find((a) => a.title === 'Quote this value')!;
      const fixed = text.slice(0, fix.edits[0].span.start) + fix.edits[0].newText + text.slice(fix.edits[0].span.end);
      assert.deepEqual(
        analyzeText(fixed, { rules: loadRuleSet([]).ruleSet }).diagnostics.map((x) => x.code),
        [],
        fixed,
      );
    }
  });
});

describe('precision: what the rules no longer ask of systems code, memories and intended paths', () => {
  /** The ids of the built-in findings (open or covered) on `text`. */
  const found = (text: string) =>
    new Set(
      analyze(text)
        .findings.filter((f) => f.status === 'open' || f.status === 'covered')
        .map((f) => f.id),
    );

  const FIRMWARE = (callerProtocol: string, kind: string) => `threatcode: 1.3
system: { name: SoC }
boundaries:
  - { id: chip, type: machine, trust: restricted }
  - { id: normal, type: sandbox, parent: chip, trust: untrusted }
components:
  - { id: os, name: Rich OS, type: external, kind: system, boundary: normal }
  - { id: fw, name: Runtime firmware, type: process, kind: ${kind}, boundary: chip, runsAs: firmware, availability: critical }
  - { id: ram, name: Secure RAM, type: datastore, kind: memory, boundary: chip, stores: [keys], storesSecrets: true }
data:
  - { id: calls, name: Calls, classification: confidential }
  - { id: keys, name: Keys, classification: restricted, credentials: true }
flows:
  - { id: call, from: os, to: fw, protocol: ${callerProtocol}, data: [calls] }
  - { id: keep, from: fw, to: ram, protocol: mmio, data: [keys] }
`;

  it('a less privileged world calling firmware is local: no internet, audit, encryption or redundancy questions', () => {
    const local = found(FIRMWARE('smc', 'firmware'));
    // The same calls from a separate, untrusted network (not a tenant inside the chip) to a network service.
    const network = found(
      FIRMWARE('https', 'service').replace('type: sandbox, parent: chip, trust: untrusted', 'type: network-zone, trust: untrusted'),
    );
    for (const id of ['LOG-05@model', 'AZ-03@fw', 'CRY-01@call', 'AUTH-02@os', 'LOG-04@os', 'DOS-03@fw']) {
      assert.ok(network.has(id), `${id} on the network service`);
      assert.ok(!local.has(id), `${id} on the firmware`);
    }
    // What the firmware does get: the questions of a tenant boundary.
    for (const id of ['FW-07@fw', 'FW-08@fw', 'ISO-03@fw']) assert.ok(local.has(id), id);
  });

  it('working memory is not a store of records: no backup, audit, secret-manager or integrity questions', () => {
    const memory = found(FIRMWARE('smc', 'firmware'));
    const database = found(FIRMWARE('smc', 'firmware').replace('kind: memory', 'kind: database'));
    for (const id of ['DOS-05@ram', 'LOG-06@ram', 'CRY-13@ram', 'DAT-06@ram']) {
      assert.ok(database.has(id), `${id} on a database`);
      assert.ok(!memory.has(id), `${id} on memory`);
    }
  });

  it('repositories and registries are read directly by design (AZ-04); public append-only logs are public by design (CLD-01)', () => {
    const text = (kind: string, flow: string) => `threatcode: 1.3
system: { name: Supply }
boundaries:
  - { id: internet, type: internet, trust: untrusted }
  - { id: org, trust: internal }
components:
  - { id: consumer, name: Consumer, type: external, kind: system, boundary: internet }
  - { id: store, name: Store, type: datastore, kind: ${kind}, boundary: org, exposure: internet, appendOnly: true, stores: [pkg] }
data:
  - { id: pkg, name: Packages, classification: public }
flows:
  - { id: read, from: consumer, to: store, protocol: https, ${flow}, data: [pkg] }
`;
    assert.equal(analyze(text('database', 'readOnly: false')).findings.find((f) => f.id === 'AZ-04@read')?.status, 'open');
    const registry = analyze(text('artifact-registry', 'readOnly: true')).findings.find((f) => f.id === 'AZ-04@read');
    assert.equal(registry?.status, 'covered', 'asked and answered: the registry is meant to be read');
    assert.equal(analyze(text('log', 'readOnly: true')).findings.find((f) => f.id === 'CLD-01@store')?.status, 'covered');
    assert.equal(
      analyze(text('log', 'readOnly: true').replace('classification: public', 'classification: confidential')).findings.find(
        (f) => f.id === 'CLD-01@store',
      )?.status,
      'open',
    );
  });

  it("a provider's hosted model is the provider's to protect from extraction (LLM-15); a fine-tuned one is yours", () => {
    const text = (llm: string) => `threatcode: 1.3
system: { name: Chat }
boundaries:
  - { id: internet, type: internet, trust: untrusted }
  - { id: app, trust: internal }
components:
  - { id: user, name: User, type: external, kind: human, boundary: internet }
  - { id: chat, name: Chat, type: process, kind: service, boundary: app${llm} }
  - { id: model, name: Hosted model, type: external, kind: llm, operator: third-party }
data:
  - { id: q, name: Questions, classification: internal }
flows:
  - { id: ask, from: user, to: chat, protocol: https, data: [q] }
  - { id: infer, from: chat, to: model, protocol: https, data: [q] }
`;
    assert.ok(!found(text('')).has('LLM-15@chat'));
    assert.ok(found(text(', llm: { fineTuned: true }')).has('LLM-15@chat'));
  });

  it("the customer's own system is no third party (SUP-03, PRV-01); a handler fed by a queue serves no user's ids (API-01)", () => {
    const text = (operator: string) => `threatcode: 1.3
system: { name: Sync }
boundaries:
  - { id: internet, type: internet, trust: untrusted }
  - { id: app, trust: internal }
components:
  - { id: user, name: User, type: external, kind: human, boundary: internet }
  - { id: api, name: API, type: process, kind: api, boundary: app, authentication: token }
  - { id: crm, name: Customer's CRM, type: external, kind: saas, boundary: internet, operator: ${operator} }
data:
  - { id: contacts, name: Contacts, classification: confidential, pii: personal }
flows:
  - { id: in, from: user, to: api, protocol: https, data: [contacts] }
  - { id: out, from: api, to: crm, protocol: https, data: [contacts] }
`;
    assert.ok(found(text('third-party')).has('SUP-03@crm') && found(text('third-party')).has('PRV-01@out'));
    assert.ok(!found(text('customer')).has('SUP-03@crm') && !found(text('customer')).has('PRV-01@out'));
    const queueFed = text('third-party')
      .replace(
        '  - { id: crm,',
        '  - { id: jobs, name: Jobs, type: datastore, kind: queue, boundary: app, stores: [contacts] }\n  - { id: handler, name: Handler, type: process, kind: function, boundary: app, authentication: token }\n  - { id: crm,',
      )
      .replace(
        'flows:\n',
        'flows:\n  - { id: enqueue, from: api, to: jobs, protocol: https, data: [contacts] }\n  - { id: consume, from: jobs, to: handler, protocol: https, data: [contacts] }\n',
      );
    const f = found(queueFed);
    assert.ok(f.has('API-01@api'));
    assert.ok(!f.has('API-01@handler'));
  });
});
