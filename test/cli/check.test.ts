/**
 * The built CLI as a subprocess, the way CI pipelines run it.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { CheckJson } from '../../server/src/cli/json-output';
import { DEFAULT_SETTINGS } from '../../server/src/shared/settings';
import { localDate } from '../../server/src/shared/dates';
import { REPO_ROOT } from '../support/paths';

const CLI = path.join(REPO_ROOT, 'dist/cli.js');

/** The JSON output of `check`, typed as the CLI declares it. */
function checkJson(stdout: string): CheckJson {
  return JSON.parse(stdout) as CheckJson;
}

function run(args: string[], cwd = REPO_ROOT) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('threatcode check', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'threatcode-cli-'));
    writeFileSync(path.join(dir, 'broken.tm.yaml'), 'threatcode: 1\nsystem:\n  name: X\nboundaries:\n  - id: z\n    trust: trusted\n');
    writeFileSync(
      path.join(dir, 'warn.tm.yaml'),
      'threatcode: 1\nsystem:\n  name: X\ncomponents:\n  - { id: a, name: A, type: process, inScope: false }\n',
    );
    writeFileSync(path.join(dir, 'latin1.tm.yaml'), Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xe9, 0x0a]));
  });

  it('accepts quoted globs', () => {
    const r = run(['check', 'examples/**/*.tm.yaml', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(checkJson(r.stdout).summary.files, 3);
    assert.equal(run(['check', 'nothing/**/*.tm.yaml']).code, 2);
  });

  it('passes on the examples', () => {
    const r = run(['check', 'examples']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /3 models checked: 0 errors/);
  });

  it('prints compiler-style lines and exits 1 on errors', () => {
    const r = run(['check', path.join(dir, 'broken.tm.yaml')]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stdout,
      `${path.join(dir, 'broken.tm.yaml')}:6:12 error bad-enum 'trusted' is not a valid value for 'trust'. Allowed: untrusted, dmz, internal, restricted, unknown.\n`,
    );
  });

  it('honours --fail-on', () => {
    assert.equal(run(['check', path.join(dir, 'warn.tm.yaml')]).code, 0);
    assert.equal(run(['check', path.join(dir, 'warn.tm.yaml'), '--fail-on', 'warning']).code, 1);
  });

  it('writes JSON with ranges and a summary', () => {
    const r = run(['check', dir, '--format', 'json']);
    const out = checkJson(r.stdout);
    assert.equal(out.summary.files, 3);
    const broken = out.files.find((f) => f.file.endsWith('broken.tm.yaml'))!;
    assert.deepEqual(broken.diagnostics[0].range, { start: { line: 6, column: 12 }, end: { line: 6, column: 19 } });
    const latin1 = out.files.find((f) => f.file.endsWith('latin1.tm.yaml'))!;
    assert.equal(latin1.diagnostics[0].code, 'invalid-encoding');
  });

  it('loads rule packs from .threatcode/rules and --rules, and fails the run on a broken pack', () => {
    const ws = mkdtempSync(path.join(tmpdir(), 'threatcode-packs-'));
    mkdirSync(path.join(ws, '.threatcode', 'rules'), { recursive: true });
    const pack = (id: string, when: string) =>
      `pack: p${id}\nrules:\n  - id: ${id}\n    target: process\n    title: "{name} flagged"\n    rationale: r\n    severity: high\n    when: ${when}\n`;
    writeFileSync(path.join(ws, '.threatcode', 'rules', 'team.yaml'), pack('TEAM-01', '{ prop: kind, eq: worker }'));
    writeFileSync(path.join(ws, 'extra.yaml'), pack('EXTRA-01', '{ prop: kind, eq: worker }'));
    writeFileSync(
      path.join(ws, 'm.tm.yaml'),
      'threatcode: 1\nsystem: { name: S }\ncomponents:\n  - { id: w, name: W, type: process, kind: worker }\n',
    );
    const ok = run(['check', '--rules', 'extra.yaml', '--format', 'json'], ws);
    assert.equal(ok.code, 0, ok.stderr);
    const codes = checkJson(ok.stdout).files[0].diagnostics.map((d) => d.code);
    assert.ok(codes.includes('TEAM-01') && codes.includes('EXTRA-01'), codes.join(','));
    const builtinOnly = checkJson(run(['check', '--no-user-rules', '--format', 'json'], ws).stdout).files[0].diagnostics.map((d) => d.code);
    assert.ok(!builtinOnly.includes('TEAM-01'));
    writeFileSync(path.join(ws, 'broken.yaml'), pack('BROKEN-01', '{ prop: kind, eqq: worker }'));
    const broken = run(['check', '--rules', 'broken.yaml'], ws);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /broken\.yaml:8:25 error unknown-key Unknown property 'eqq'/);
    const outside = run(['check', '--rules', '../elsewhere.yaml'], ws);
    assert.equal(outside.code, 2);
  });

  it('lists the rules', () => {
    const r = run(['rules']);
    assert.equal(r.code, 0);
    assert.match(
      r.stdout,
      /^AUTH-01 +flow +high +\{source\.name\} calls \{target\.name\} across a trust boundary without authenticating$/m,
    );
    assert.equal((JSON.parse(run(['rules', '--format', 'json']).stdout) as unknown[]).length >= 60, true);
  });

  it('writes SARIF 2.1.0 that validates against the official schema, with rule metadata and fingerprints', () => {
    const r = run(['check', 'examples', '--format', 'sarif']);
    assert.equal(r.code, 0, r.stderr);
    const sarif = JSON.parse(r.stdout) as {
      runs: {
        tool: { driver: { rules: { id: string; properties: Record<string, unknown> & { tags: string[] } }[] } };
        results: {
          partialFingerprints: Record<string, string>;
          locations: { physicalLocation: { artifactLocation: { uri: string }; region: unknown } }[];
        }[];
      }[];
    };
    const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')) as object;
    // The official schema is draft-04 and has one pattern that is only valid without the unicode flag.
    const ajv = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    assert.ok(validate(sarif), JSON.stringify(validate.errors?.slice(0, 5), null, 2));
    const run0 = sarif.runs[0];
    const cry03 = run0.tool.driver.rules.find((x: { id: string }) => x.id === 'CRY-03')!;
    assert.ok(cry03.properties.tags.includes('external/cwe/cwe-311'));
    assert.equal(cry03.properties['security-severity'], '5.5');
    const result = run0.results.find(
      (x: { partialFingerprints: Record<string, string> }) => x.partialFingerprints['threatcodeFindingId/v1'] === 'CRY-03@session-cache',
    );
    assert.ok(result, 'fingerprint from the finding id');
    assert.equal(result.locations[0].physicalLocation.artifactLocation.uri, 'examples/webshop/webshop.tm.yaml');
    // The region is the property that makes the rule apply (1-based lines and columns).
    const lines = readFileSync(path.join(REPO_ROOT, 'examples/webshop/webshop.tm.yaml'), 'utf8').split('\n');
    const cache = lines.findIndex((l) => /^\s+- id: session-cache$/.test(l));
    const line = lines.findIndex((l, i) => i > cache && /^\s+encryptionAtRest: none$/.test(l)) + 1;
    const column = lines[line - 1].indexOf('encryptionAtRest') + 1;
    assert.ok(cache >= 0 && line > cache);
    assert.deepEqual(result.locations[0].physicalLocation.region, {
      startLine: line,
      startColumn: column,
      endLine: line,
      endColumn: column + 'encryptionAtRest: none'.length,
    });
  });

  it('fails on rule severity thresholds and on failed gates; reports metrics in JSON', () => {
    assert.equal(run(['check', 'examples/webshop', '--fail-on', 'high']).code, 0);
    assert.equal(run(['check', 'examples/webshop', '--fail-on', 'medium']).code, 1);
    const gated = run(['check', 'examples/webshop', '--gate', 'minStrideCoverage=0.5', '--format', 'json']);
    assert.equal(gated.code, 1);
    const json = checkJson(gated.stdout);
    const gate = json.files[0].metrics!.gates.find((g) => g.id === 'minStrideCoverage');
    assert.equal(gate?.passed, false);
    // Measured for this delivery by default (the webshop names its release); --whole-model measures all of it.
    assert.equal(json.files[0].metrics!.scope, '2.4');
    const whole = checkJson(run(['check', 'examples/webshop', '--whole-model', '--format', 'json']).stdout);
    assert.equal(whole.files[0].metrics!.scope, 'all');
    assert.ok(whole.files[0].metrics!.gauges.some((g) => g.id === 'fidelity' && g.total > 50));
    const text = run(['check', 'examples/webshop', '--gate', 'minStrideCoverage=0.5']);
    assert.match(text.stdout, /gate failed: STRIDE coverage: \d+% \(required 50%\)/);
    assert.equal(run(['check', 'examples/webshop', '--gate', 'bogus=1']).code, 2);
  });

  it('reports in Markdown with a mermaid block, and in self-contained HTML', () => {
    const md = run(['report', 'examples/webshop/webshop.tm.yaml']);
    assert.equal(md.code, 0, md.stderr);
    assert.match(md.stdout, /^# Threat model: Acme Shop/);
    assert.match(md.stdout, /```mermaid\nflowchart LR\n/);
    assert.match(md.stdout, /\| Model fidelity \|/);
    const out = path.join(dir, 'report.html');
    const html = run(['report', 'examples/webshop/webshop.tm.yaml', '--format', 'html', '--output', out]);
    assert.equal(html.code, 0, html.stderr);
    const page = readFileSync(out, 'utf8');
    assert.match(page, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-/);
    assert.doesNotMatch(page, /<(script|link|img)[^>]+(src|href)=["']?https?:/i, 'no network resources');
    assert.match(page, /securityLevel: 'strict'/);
    // Labels as SVG text, not HTML (Mermaid 11 reads the root option): the same defence in depth as the panel.
    assert.match(page, /mermaid\.initialize\(\{[^}]*htmlLabels: false, flowchart: \{ htmlLabels: false \}/);
    assert.ok(page.length > 1_000_000, 'Mermaid is embedded');
  });

  it('prints the diagram and writes a starter model that checks clean', () => {
    const d = run(['diagram', 'examples/llm-agent/support-agent.tm.yaml']);
    assert.equal(d.code, 0);
    assert.match(d.stdout, /^flowchart LR\n/);
    assert.match(d.stdout, /subgraph s\d+\["Tool sandbox \(dmz\)"\]/);
    const ws = mkdtempSync(path.join(tmpdir(), 'threatcode-init-'));
    const init = run(['init'], ws);
    assert.equal(init.code, 0);
    assert.equal(run(['init'], ws).code, 2, 'refuses to overwrite');
    const checked = run(['check', '--format', 'json'], ws);
    assert.equal(checked.code, 0, checked.stdout);
    // A first model is a small complete one, not a page of problems: one suggestion (an info), the default gates pass.
    const json = checkJson(checked.stdout);
    assert.deepEqual(
      json.files[0].diagnostics.map((d) => [d.code, d.severity]),
      [['EXP-01', 'info']],
    );
    assert.deepEqual(
      json.files[0].metrics!.gates.filter((g) => !g.passed),
      [],
    );
    // Its reviews are dated the day it was written.
    const written = readFileSync(path.join(ws, 'threatmodel.tm.yaml'), 'utf8');
    const today = localDate(new Date());
    assert.equal(
      written.match(/date: \d{4}-\d\d-\d\d/g)?.every((d) => d === `date: ${today}`),
      true,
      written,
    );
  });

  it('evaluates the same default gates as the editor', () => {
    const json = checkJson(run(['check', 'examples/webshop', '--format', 'json']).stdout);
    const gates = json.files[0].metrics!.gates.map((g) => g.id);
    // The defaults, and, measuring a delivery where git history is read (this repository), code changed since review.
    const defaults = Object.keys(DEFAULT_SETTINGS.gates);
    assert.deepEqual(gates.filter((g) => defaults.includes(g)).sort(), [...defaults].sort());
    assert.deepEqual(
      gates.filter((g) => !defaults.includes(g)),
      json.files[0].metrics!.gauges.some((g) => g.id === 'codeFreshness') ? ['maxStaleElements'] : [],
    );
  });

  it('exits 2 on usage and I/O errors with a clear message', () => {
    const missing = run(['check', 'no/such/dir']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no such file or directory: no\/such\/dir/);
    const empty = mkdtempSync(path.join(tmpdir(), 'threatcode-empty-'));
    const none = run(['check'], empty);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no threat models/);
    assert.equal(run(['check', '--format', 'xml']).code, 2);
    assert.equal(run(['frobnicate']).code, 2);
    assert.equal(run(['check', '--help']).code, 0);
  });
});
