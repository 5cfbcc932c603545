/**
 * `threatcode import` and `threatcode export` on real files of the other tools (test/fixtures/interop/README.md names
 * each source and licence): nothing a person wrote is lost, the result is a valid model, OTM output validates against
 * the official OTM schema, and import(export(m)) keeps what both formats hold.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parse, stringify } from 'yaml';
import { exportCsv } from '../../server/src/interop/csv';
import { toModelText } from '../../server/src/interop/imported';
import { exportOtm, importOtm } from '../../server/src/interop/otm';
import { exportThreatDragon, importThreatDragon } from '../../server/src/interop/threat-dragon';
import type { Analysis } from '../../server/src/analysis/analyze';
import { analyze } from '../support/analyze';
import { generateModel } from '../support/generate-model';
import { EXAMPLES, REPO_ROOT } from '../support/paths';

const CLI = path.join(REPO_ROOT, 'dist/cli.js');
const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/interop');
const TODAY = '2026-11-26';

function run(args: string[], cwd = FIXTURES) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const errorsOf = (a: Analysis) => a.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`);

const otmSchema = JSON.parse(readFileSync(path.join(FIXTURES, 'otm.schema.json'), 'utf8')) as object;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validateOtm = ajv.compile(otmSchema);
const validateThreatDragon = ajv.compile(JSON.parse(readFileSync(path.join(FIXTURES, 'threat-dragon-v2.schema.json'), 'utf8')) as object);

interface TdCell {
  shape?: string;
  type?: string;
  data?: { threats?: { title?: string; mitigation?: string }[] };
  threats?: { title?: string; mitigation?: string }[];
}
/** The cells of every diagram of a Threat Dragon v1 or v2 model. */
function tdCells(file: string): TdCell[] {
  const td = JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8')) as {
    detail: { diagrams: { cells?: TdCell[]; diagramJson?: { cells: TdCell[] } }[] };
  };
  return td.detail.diagrams.flatMap((d) => d.cells ?? d.diagramJson?.cells ?? []);
}

interface OtmDoc {
  trustZones: { id: string; name: string }[];
  components: { id: string; name: string; threats?: { threat: string; state: string; mitigations?: { mitigation: string }[] }[] | null }[];
  dataflows: { id: string; name: string; threats?: { threat: string }[] | null }[];
  threats: { id: string; name: string; description?: string }[];
  mitigations: { id: string; name: string }[];
}

describe('import and export', function () {
  this.timeout(60_000);

  for (const name of ['otm-example.json']) {
    it(`imports the OTM project's ${name}: a valid model, every element, threat instance and mitigation kept`, () => {
      const r = run(['import', name]);
      assert.equal(r.code, 0, r.stderr);
      const analysis = analyze(r.stdout, { today: TODAY });
      assert.deepEqual(errorsOf(analysis), []);
      const source = (
        name.endsWith('.json')
          ? JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'))
          : parse(readFileSync(path.join(FIXTURES, name), 'utf8'))
      ) as OtmDoc;
      const model = analysis.parsed.model!;
      assert.equal(model.components.length, source.components.length);
      assert.equal(model.flows.length, source.dataflows.length);
      assert.equal(model.boundaries.length, source.trustZones.length);
      const instances = [...source.components, ...source.dataflows].reduce((n, e) => n + (e.threats?.length ?? 0), 0);
      assert.equal(model.threats.length, instances, 'one threat per instance');
      // Human work is never lost: every threat and mitigation of the source is in the model or, whole, in its notes.
      for (const t of source.threats) assert.ok(r.stdout.includes(t.name), `threat ${t.name}`);
      for (const m of source.mitigations)
        assert.ok(
          model.mitigations.some((x) => x.data.title === m.name),
          `mitigation ${m.name}`,
        );
      // Names, not generated ids, where the source has names.
      assert.ok(model.components.every((c) => !/^[0-9a-f]{8}-/.test(c.id)));
      // What has no place, and what was inferred, is listed at the top and on standard error.
      assert.match(r.stdout, /^# Imported by threatcode import from Open Threat Model/);
      assert.match(r.stdout, /# {3}- project: ownerContact = /);
      assert.match(r.stderr, /review: component .*: type .* read from OTM type/);
      assert.match(r.stderr, /imported 4 components, 2 flows, 2 boundaries/);
    });
  }

  it("says clearly when a source is broken: the OTM project's own EXAMPLE.yaml is not valid YAML (a quoted scalar ends early)", () => {
    const r = run(['import', 'otm-example.yaml']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^threatcode: otm-example\.yaml is not valid JSON or YAML: Missing closing 'quote/);
  });

  it('reads OTM written as YAML (the example above, as YAML) to the same model as the JSON', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'threatcode-otm-yaml-'));
    const json = JSON.parse(readFileSync(path.join(FIXTURES, 'otm-example.json'), 'utf8')) as object;
    writeFileSync(path.join(dir, 'otm-example.yaml'), stringify(json));
    const fromYaml = run(['import', 'otm-example.yaml'], dir);
    assert.equal(fromYaml.code, 0, fromYaml.stderr);
    const fromJson = run(['import', 'otm-example.json']);
    assert.equal(
      fromYaml.stdout
        .split('\n')
        .slice(1)
        .join('\n')
        .replace(/otm-example\.(json|yaml)/g, ''),
      fromJson.stdout
        .split('\n')
        .slice(1)
        .join('\n')
        .replace(/otm-example\.(json|yaml)/g, ''),
    );
  });

  it('exports OTM that the official OTM schema accepts, for every example and generated models', () => {
    const models = [
      ...['webshop/webshop.tm.yaml', 'k8s-microservices/ride-hailing.tm.yaml', 'llm-agent/support-agent.tm.yaml'].map((f) =>
        readFileSync(path.join(EXAMPLES, f), 'utf8'),
      ),
      generateModel(20),
      generateModel(200),
    ];
    for (const text of models) {
      const otm = exportOtm(analyze(text, { today: TODAY }));
      assert.ok(validateOtm(otm), JSON.stringify(validateOtm.errors?.slice(0, 3)));
    }
  });

  it('round-trips: import(export(m)) keeps what OTM and Threatcode both hold', () => {
    for (const text of [
      readFileSync(path.join(EXAMPLES, 'webshop/webshop.tm.yaml'), 'utf8'),
      ...[5, 30, 100].map((n) => generateModel(n)),
    ]) {
      const before = analyze(text, { today: TODAY }).parsed.model!;
      const back = importOtm(exportOtm(analyze(text, { today: TODAY })));
      const after = analyze(toModelText(back, 'test'), { today: TODAY });
      assert.deepEqual(errorsOf(after), []);
      const m = after.parsed.model!;
      const pick = <T>(list: readonly { id: string; data: T }[], f: (d: T) => unknown) => list.map((e) => [e.id, f(e.data)]).sort();
      assert.deepEqual(
        pick(m.components, (d) => [d.name, d.boundary]),
        pick(before.components, (d) => [d.name, d.boundary]),
      );
      assert.deepEqual(
        pick(m.boundaries, (d) => [d.trust, d.parent]),
        pick(before.boundaries, (d) => [d.trust, d.parent]),
      );
      assert.deepEqual(
        pick(m.flows, (d) => [d.from, d.to]),
        pick(before.flows, (d) => [d.from, d.to]),
      );
      // A threat on several targets becomes one instance per target in OTM: compare per target. OTM applies threats to
      // components and dataflows only; on a boundary or a data asset a threat is in OTM's threat list only.
      const onInstances = new Set([...before.components, ...before.flows].map((e) => e.id));
      const perTarget = (threats: typeof m.threats) =>
        threats
          .flatMap((t) =>
            (t.data.targets ?? [])
              .filter((x) => onInstances.has(x))
              .map((x) => `${x}|${String(t.data.title)}|${String(t.data.status)}|${String(t.data.category)}`),
          )
          .sort();
      assert.deepEqual(perTarget(m.threats), perTarget(before.threats));
      assert.deepEqual(m.mitigations.map((x) => String(x.data.title)).sort(), before.mitigations.map((x) => String(x.data.title)).sort());
    }
  });

  it('exports threats and open findings as CSV, with spreadsheet formulas defused', () => {
    const text = `threatcode: 1\nsystem:\n  name: S\ncomponents:\n  - id: api\n    name: API\n    type: process\n    kind: api\nthreats:\n  - id: T-1\n    title: "=HYPERLINK(\\"http://x\\"), \\"quoted\\""\n    category: tampering\n    targets: [api]\n    status: open\n`;
    const analysis = analyze(text, { today: TODAY });
    const csv = exportCsv(analysis);
    const lines = csv.trimEnd().split('\r\n');
    assert.equal(lines[0], 'kind,id,title,elements,category,severity,status,mitigations,rule,cwe,line');
    assert.equal(lines.length, 1 + 1 + analysis.findings.filter((f) => f.status === 'open').length);
    assert.match(lines[1], /^threat,T-1,"'=HYPERLINK\(""http:\/\/x""\), ""quoted""",api,tampering,,open,,,,10$/);
    const r = run(['export', path.join(EXAMPLES, 'webshop/webshop.tm.yaml'), '--to', 'csv']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^kind,id,title/);
    assert.match(r.stdout, /\r\nthreat,T-session-hijack,Stolen session cookie/);
  });

  it('refuses what it cannot read with a clear message and exit 2, never a stack trace', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'threatcode-import-'));
    const write = (name: string, content: string) => {
      writeFileSync(path.join(dir, name), content);
      return name;
    };
    const cases: [string, RegExp][] = [
      [write('broken.json', '{"otmVersion": "0.2.0", "project": {'), /not valid JSON or YAML/],
      [write('unknown.json', '{"hello": "world"}'), /not one Threatcode reads/],
      [
        write('bomb.tm7', '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xx"><!ENTITY y "&x;&x;">]><ThreatModel>&y;</ThreatModel>'),
        /declares a document type or entities, which a \.tm7 file never does/,
      ],
      [write('not-otm.json', '{"otmVersion": "0.2.0"}'), /not a Open Threat Model \(OTM\) file Threatcode can read: not an OTM document/],
    ];
    for (const [file, message] of cases) {
      const r = run(['import', file], dir);
      assert.equal(r.code, 2, `${file}: ${r.stderr}`);
      assert.match(r.stderr, message, file);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
    assert.equal(run(['import', 'x.json', '--from', 'visio'], dir).code, 2);
    // Larger than any model a tool writes: refused before it is read.
    writeFileSync(path.join(dir, 'huge.json'), Buffer.alloc(33 * 1024 * 1024, 32));
    const huge = run(['import', 'huge.json'], dir);
    assert.equal(huge.code, 2);
    assert.match(huge.stderr, /sources over 32 MB are not imported/);
    assert.equal(run(['export', path.join(EXAMPLES, 'webshop/webshop.tm.yaml'), '--to', 'pdf']).code, 2);
  });

  for (const name of ['threat-dragon-v2-demo.json', 'threat-dragon-v1-demo.json', 'threat-dragon-iot-device.json']) {
    it(`imports Threat Dragon's ${name}: every element, every threat and mitigation text kept, booleans not trusted`, () => {
      const r = run(['import', name]);
      assert.equal(r.code, 0, r.stderr);
      const analysis = analyze(r.stdout, { today: TODAY });
      assert.deepEqual(errorsOf(analysis), []);
      const model = analysis.parsed.model!;
      const cells = tdCells(name);
      const kinds = (re: RegExp) => cells.filter((c) => re.test(String(c.shape ?? c.type)));
      assert.equal(model.components.length, kinds(/^(actor|process|store|tm\.(Actor|Process|Store))$/).length);
      const threats = cells.flatMap((c) => c.data?.threats ?? c.threats ?? []);
      // Every threat is a threat here, or (on a flow connected at one end only) written out in the notes.
      for (const t of threats) assert.ok(r.stdout.includes(String(t.title)), `threat ${t.title}`);
      for (const t of threats)
        if (t.mitigation) assert.ok(r.stdout.includes(t.mitigation.split('\n')[0].slice(0, 60)), `mitigation of ${t.title}`);
      assert.ok(model.threats.length + (r.stderr.match(/\[(Open|Mitigated|NotApplicable)\]/g) ?? []).length >= threats.length);
      if (name !== 'threat-dragon-v1-demo.json') assert.match(r.stderr, /is false in the source, which may mean "not stated"; not taken/);
      assert.ok(!/encryptedInTransit: false|encryptionAtRest: none/.test(r.stdout), 'a false is never read as "not encrypted"');
    });
  }

  it('exports Threat Dragon v2 that its own schema accepts, laid out with boundaries around their members, and reads it back', () => {
    const sources: [string, string][] = [
      ...['webshop/webshop.tm.yaml', 'k8s-microservices/ride-hailing.tm.yaml', 'llm-agent/support-agent.tm.yaml'].map(
        (f): [string, string] => [f, readFileSync(path.join(EXAMPLES, f), 'utf8')],
      ),
      ...[5, 20, 60].map((n): [string, string] => [`generated ${n}`, generateModel(n)]),
    ];
    for (const [file, text] of sources) {
      const before = analyze(text, { today: TODAY }).parsed.model!;
      const td = exportThreatDragon(analyze(text, { today: TODAY }));
      assert.ok(validateThreatDragon(td), `${file}: ${JSON.stringify(validateThreatDragon.errors?.slice(0, 3))}`);
      const cells = (td as { detail: { diagrams: { cells: { shape: string; position?: { x: number; y: number } }[] }[] } }).detail
        .diagrams[0].cells;
      const nodes = cells.filter((c) => c.position && c.shape !== 'trust-boundary-box');
      assert.equal(new Set(nodes.map((c) => `${c.position!.x},${c.position!.y}`)).size, nodes.length, 'no two elements on one spot');
      const back = importThreatDragon(td);
      const after = analyze(toModelText(back, 'test'), { today: TODAY });
      assert.deepEqual(errorsOf(after), []);
      const m = after.parsed.model!;
      const pick = <T>(list: readonly { id: string; data: T }[], f: (d: T) => unknown) => list.map((e) => [e.id, f(e.data)]).sort();
      assert.deepEqual(
        pick(m.components, (d) => [d.name, d.type]),
        pick(before.components, (d) => [d.name, d.type]),
      );
      assert.deepEqual(
        pick(m.flows, (d) => [d.from, d.to]),
        pick(before.flows, (d) => [d.from, d.to]),
      );
      // Membership survives the layout: each component lands inside the box of its boundary (the innermost).
      const boundaryName = (id: unknown, list: typeof before.boundaries) => list.find((b) => b.id === id)?.data.name ?? id;
      assert.deepEqual(
        m.components.map((c) => [c.id, boundaryName(c.data.boundary, m.boundaries)]).sort(),
        before.components
          .map((c) => [c.id, c.data.boundary === undefined ? undefined : boundaryName(c.data.boundary, before.boundaries)])
          .sort(),
        file,
      );
      const perTarget = (threats: typeof m.threats) =>
        threats
          .flatMap((t) =>
            (t.data.targets ?? [])
              .filter((x) => !before.boundaries.some((b) => b.id === x) && !before.data.some((d) => d.id === x))
              .map((x) => `${x}|${String(t.data.title)}|${String(t.data.category)}`),
          )
          .sort();
      assert.deepEqual(perTarget(m.threats), perTarget(before.threats), file);
    }
  });

  for (const name of ['tmt-example.tm7', 'tmt-nested-boundaries.tm7']) {
    it(`imports the Threat Modeling Tool's ${name}: stencils, flows, boxes and every threat instance with its state`, () => {
      const xml = readFileSync(path.join(FIXTURES, name), 'utf8');
      const r = run(['import', name]);
      assert.equal(r.code, 0, r.stderr);
      const analysis = analyze(r.stdout, { today: TODAY });
      assert.deepEqual(errorsOf(analysis), []);
      const model = analysis.parsed.model!;
      const count = (re: RegExp) => (xml.match(re) ?? []).length;
      assert.equal(model.components.length, count(/<GenericTypeId[^>]*>GE\.(EI|P|DS)<\/GenericTypeId>/g));
      assert.equal(model.boundaries.length, count(/<GenericTypeId[^>]*>GE\.TB\.B<\/GenericTypeId>/g));
      const flows = count(/<GenericTypeId[^>]*>GE\.DF<\/GenericTypeId>/g);
      assert.equal(model.flows.length + (r.stderr.match(/is not connected at both ends/g) ?? []).length, flows);
      const instances = count(/<a:KeyValueOfstringThreatpc_P0_PhOB>/g);
      assert.ok(instances > 0);
      assert.equal(model.threats.length + (r.stderr.match(/is on an element that is not imported/g) ?? []).length, instances);
      // Generated threats nobody looked at are open; the tool's priority is the severity.
      assert.ok(model.threats.every((t) => ['open', 'in-progress', 'mitigated', 'not-applicable'].includes(String(t.data.status))));
      assert.ok(model.threats.some((t) => t.data.severity !== undefined));
    });
  }

  it("imports Threagile's example: assets, links, boundaries, the risks people wrote and the statuses they gave", () => {
    const source = parse(readFileSync(path.join(FIXTURES, 'threagile-example.yaml'), 'utf8')) as {
      technical_assets: Record<string, { communication_links?: Record<string, unknown> | null }>;
      trust_boundaries: Record<string, unknown>;
      data_assets: Record<string, unknown>;
      risk_tracking: Record<string, { status: string; justification?: string }>;
      individual_risk_categories: Record<string, { risks_identified: Record<string, unknown> }>;
    };
    const r = run(['import', 'threagile-example.yaml']);
    assert.equal(r.code, 0, r.stderr);
    const analysis = analyze(r.stdout, { today: TODAY });
    assert.deepEqual(errorsOf(analysis), []);
    const model = analysis.parsed.model!;
    assert.equal(model.components.length, Object.keys(source.technical_assets).length);
    assert.equal(model.boundaries.length, Object.keys(source.trust_boundaries).length);
    assert.equal(model.data.length, Object.keys(source.data_assets).length);
    const links = Object.values(source.technical_assets).reduce((n, a) => n + Object.keys(a.communication_links ?? {}).length, 0);
    assert.equal(model.flows.length + (r.stderr.match(/which the model does not define; not imported/g) ?? []).length, links);
    // Every status and justification a person gave is a threat here or, for risks named by wildcards, in the notes.
    for (const [id, t] of Object.entries(source.risk_tracking)) {
      assert.ok(r.stdout.includes(id), id);
      if (t.justification) assert.ok(r.stdout.includes(t.justification.trim().split('\n')[0]), `${id} justification`);
    }
    for (const c of Object.values(source.individual_risk_categories))
      for (const title of Object.keys(c.risks_identified)) assert.ok(r.stdout.includes(title), title);
    assert.ok(model.threats.some((t) => t.data.status === 'accepted' && t.data.acceptance));
  });

  for (const name of ['threat-composer-reinforce-ex3.tc.json', 'threat-composer-self.tc.json']) {
    it(`imports AWS Threat Composer's ${name}: every statement, mitigation, assumption and link`, () => {
      const source = JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as {
        threats: { id: string; statement: string }[];
        mitigations: { content: string }[];
        assumptions: unknown[];
        mitigationLinks: { mitigationId: string; linkedId: string }[];
      };
      const r = run(['import', name]);
      assert.equal(r.code, 0, r.stderr);
      const analysis = analyze(r.stdout, { today: TODAY });
      assert.deepEqual(errorsOf(analysis), []);
      const model = analysis.parsed.model!;
      assert.equal(model.threats.length, source.threats.length);
      assert.equal(model.mitigations.length, source.mitigations.length);
      assert.equal(model.assumptions.length, source.assumptions.length);
      const threatLinks = source.mitigationLinks.filter((l) => source.threats.some((t) => t.id === l.linkedId)).length;
      assert.equal(
        model.threats.reduce((n, t) => n + (t.data.mitigations?.length ?? 0), 0),
        threatLinks,
      );
      for (const t of source.threats)
        assert.ok(
          r.stdout.includes(t.statement.slice(0, 60).trim()) || r.stdout.replace(/\s+/g, ' ').includes(t.statement.slice(0, 60).trim()),
          t.statement,
        );
      assert.match(r.stdout, /impacted assets became data assets of unknown classification/);
    });
  }

  it("imports the OWASP threat model library's TM-BOM (Husky AI): every element, threat, control and link", () => {
    const source = JSON.parse(readFileSync(path.join(FIXTURES, 'tm-bom-huskyai.json'), 'utf8')) as Record<string, { threats?: string[] }[]>;
    const r = run(['import', 'tm-bom-huskyai.json']);
    assert.equal(r.code, 0, r.stderr);
    const analysis = analyze(r.stdout, { today: TODAY });
    assert.deepEqual(errorsOf(analysis), []);
    const model = analysis.parsed.model!;
    assert.equal(
      model.components.length,
      source.actors.length + source.components.length + source.data_stores.length + 1,
      'and one for the system',
    );
    assert.equal(model.flows.length, source.data_flows.length);
    assert.equal(model.threats.length, source.threats.length);
    assert.equal(model.mitigations.length, source.controls.length);
    assert.equal(model.assumptions.length, source.assumptions.length);
    const links = source.controls.reduce(
      (n, c) =>
        n +
        (c.threats ?? []).filter((t) => source.threats.some((x) => (x as unknown as { symbolic_name: string }).symbolic_name === t)).length,
      0,
    );
    assert.equal(
      model.threats.reduce((n, t) => n + (t.data.mitigations?.length ?? 0), 0),
      links,
    );
    assert.match(r.stdout, /TM-BOM threats name no element, so they target it/);
  });
});
