/**
 * `threatcode check` in CI systems: each output format read back by what reads it (GitHub's workflow-command
 * syntax, the strict JUnit XSD, GitLab's Code Quality format), standard input, .gitignore, usage errors that suggest,
 * the GitHub Action's script run with a stub of the runner's environment, and the pre-commit hook's manifest.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv';
import { validateXML } from 'xmllint-wasm';
import { parse } from 'yaml';
import { REPO_ROOT } from '../support/paths';

const CLI = path.join(REPO_ROOT, 'dist/cli.js');

function run(args: string[], options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    encoding: 'utf8',
    input: options.input,
    env: { ...process.env, ...options.env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A model whose names try to break out of every format: newlines, workflow-command and XML syntax, table pipes. */
const HOSTILE = `threatcode: 1
system:
  name: "Shop\\n::error file=evil.js::forged | <b>bold</b> & 'quoted' %0A"
boundaries:
  - id: internet
    trust: untrusted
  - id: vpc
    trust: internal
components:
  - id: web
    name: "Web\\n::warning::forged | <script>x</script>"
    type: process
    kind: web-app
    boundary: vpc
    exposure: internet
  - id: cache
    name: "Cache]]></failure><x/>"
    type: datastore
    kind: cache
    boundary: vpc
    encryptionAtRest: none
    stores: [secret]
  - id: user
    type: external
    kind: human
    boundary: internet
data:
  - id: secret
    classification: confidential
flows:
  - id: user-web
    from: user
    to: web
    protocol: https
  - id: web-cache
    from: web
    to: cache
    protocol: http
    data: [secret]
`;

let dir: string;
let hostile: string;

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'threatcode-ci-'));
  hostile = path.join(dir, 'hostile.tm.yaml');
  writeFileSync(hostile, HOSTILE);
});

/** GitHub's workflow commands, read back: `::level prop=v,...::message`, with %-escapes undone. */
function parseAnnotations(stdout: string) {
  const unescape = (s: string) =>
    s.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => {
      const m = /^::(error|warning|notice) ([^:]*)::(.*)$/.exec(line);
      assert.ok(m, `not a workflow command: ${line}`);
      const props = Object.fromEntries(
        m[2].split(',').map((p) => {
          const [k, ...v] = p.split('=');
          return [k, unescape(v.join('='))];
        }),
      );
      return { level: m[1], props, message: unescape(m[3]) };
    });
}

describe('threatcode check in CI', function () {
  this.timeout(60_000);

  it('writes GitHub workflow annotations that no model string can forge', () => {
    const r = run(['check', hostile, '--format', 'github']);
    assert.equal(r.code, 1, r.stderr);
    const annotations = parseAnnotations(r.stdout);
    assert.ok(annotations.length >= 3);
    for (const a of annotations) assert.equal(a.props.file, path.relative(REPO_ROOT, hostile).split(path.sep).join('/'));
    const cry = annotations.find((a) => a.props.title === 'CRY-03 (threatcode)')!;
    assert.equal(cry.level, 'warning');
    assert.match(cry.message, /^Cache\]\]><\/failure><x\/> keeps sensitive data unencrypted at rest/);
    const lines = readFileSync(hostile, 'utf8').split('\n');
    assert.match(lines[Number(cry.props.line) - 1], /encryptionAtRest: none/);
    // A forged command would be a line of its own: every line is one of ours, and names stay inside the message.
    assert.ok(r.stdout.split('\n').every((l) => l === '' || /^::(error|warning|notice) file=/.test(l)));
    assert.ok(
      // Names reach messages with their line breaks shown as \n (shared/values.ts): visible, never a line of the log.
      annotations.some((a) => a.message.includes('\\n::warning::forged')),
      'the newline is escaped, not dropped',
    );
    // A failed gate is an error annotation on the model.
    assert.ok(annotations.some((a) => a.level === 'error' && /^Gate failed: /.test(a.props.title)));
  });

  it('file names with escape sequences or line breaks reach no log raw and forge no Markdown row (D12, D13)', function () {
    if (process.platform === 'win32') this.skip(); // such names cannot exist there
    const dir = mkdtempSync(path.join(tmpdir(), 'threatcode-names-'));
    const model = 'threatcode: 1.2\nsystem:\n  name: S\ncomponents:\n  - { id: api, name: API, type: process, kind: api }\n';
    const escape = 'conceal\u001b[8m\u0007\u001b]0;title\u0007.tm.yaml';
    const broken = 'a\n| forged | row |\n<img src=x onerror=alert(1)>.tm.yaml';
    writeFileSync(path.join(dir, escape), model);
    writeFileSync(path.join(dir, broken), model);
    const github = run(['check', '.', '--format', 'github'], { cwd: dir });
    const hasEscOrBel = (text: string) => text.includes('\u0007') || text.includes('\u001b');
    assert.ok(!hasEscOrBel(github.stdout), 'ESC or BEL reached the log');
    assert.match(github.stdout, /conceal\\u001b\[8m\\u0007/);
    assert.ok(github.stdout.split('\n').every((l) => l === '' || /^::(error|warning|notice) file=/.test(l)));
    const system = run(['report', '--system'], { cwd: dir });
    assert.equal(system.code, 0, system.stderr);
    assert.doesNotMatch(system.stdout, /^\| forged/m, 'a file name started a table row');
    // Inside a code span HTML is text; outside it would be an element.
    for (const line of system.stdout.split('\n').filter((l) => l.includes('<img')))
      assert.match(line, /`[^`]*<img[^`]*`/, 'a file name carried raw HTML out of its code span');
    // Every row of the table has as many cells as its header (an unescaped | or a line break would add some).
    const rows = system.stdout.split('\n').filter((l) => l.startsWith('|'));
    const cells = (row: string) => row.split(/(?<!\\)\|/).length;
    assert.ok(rows.length >= 3 && rows.every((r) => cells(r) === cells(rows[0])), rows.join('\n'));
    assert.ok(!hasEscOrBel(system.stdout), 'ESC or BEL reached the report');
  });

  it('writes JUnit XML that the strict Ant JUnit schema accepts, failures at --fail-on', async () => {
    const xml = run(['check', hostile, 'examples/webshop', '--format', 'junit', '--fail-on', 'warning']).stdout;
    const result = await validateXML({
      xml: [{ fileName: 'report.xml', contents: xml }],
      schema: [{ fileName: 'JUnit.xsd', contents: readFileSync(path.join(REPO_ROOT, 'test/fixtures/junit/JUnit.xsd'), 'utf8') }],
    });
    assert.ok(result.valid, JSON.stringify(result.errors.slice(0, 5)));
    assert.equal((xml.match(/<testsuite /g) ?? []).length, 2);
    assert.match(xml, /<failure message="Cache\]\]&gt;&lt;\/failure&gt;&lt;x\/&gt; keeps sensitive data/);
    assert.doesNotMatch(xml, /<x\/>|<script>/);
    // Below the level: a passing case, listed in the suite's output.
    const info = run(['check', 'examples/webshop', '--format', 'junit', '--fail-on', 'error']).stdout;
    assert.doesNotMatch(info, /<failure /);
    assert.match(info, /<system-out>[^<]*info AUTH-16/);
  });

  it('writes GitLab Code Quality reports in the documented format, with fingerprints stable across runs', () => {
    // The format GitLab documents (docs.gitlab.com/ci/testing/code_quality): no official schema file is published.
    const schema = {
      type: 'array',
      items: {
        type: 'object',
        required: ['description', 'check_name', 'fingerprint', 'severity', 'location'],
        properties: {
          description: { type: 'string', minLength: 1 },
          check_name: { type: 'string', minLength: 1 },
          fingerprint: { type: 'string', pattern: '^[0-9a-f]{32}$' },
          severity: { enum: ['info', 'minor', 'major', 'critical', 'blocker'] },
          location: {
            type: 'object',
            required: ['path', 'lines'],
            properties: {
              path: { type: 'string', pattern: '^[^/]' },
              lines: { type: 'object', required: ['begin'], properties: { begin: { type: 'integer', minimum: 1 } } },
            },
          },
        },
      },
    };
    const validate = new Ajv({ allErrors: true }).compile(schema);
    const first = JSON.parse(run(['check', 'examples', '--format', 'gitlab']).stdout) as {
      fingerprint: string;
      location: { path: string };
    }[];
    assert.ok(validate(first), JSON.stringify(validate.errors));
    assert.ok(first.length > 10);
    assert.ok(first.every((i) => i.location.path.startsWith('examples/')));
    assert.equal(new Set(first.map((i) => i.fingerprint)).size, first.length, 'fingerprints are unique');
    const again = JSON.parse(run(['check', 'examples', '--format', 'gitlab']).stdout) as { fingerprint: string }[];
    assert.deepEqual(
      again.map((i) => i.fingerprint),
      first.map((i) => i.fingerprint),
    );
  });

  it('writes a Markdown summary whose table no name can break', () => {
    const md = run(['check', hostile, 'examples/webshop', '--format', 'markdown', '--fail-on', 'warning']).stdout;
    assert.match(md, /^## Threat models\n\n\| model \| verdict \| errors \| warnings \| info \| gates \|/);
    // Each model's verdict in one cell: the one that fails says why; the system's hostile name is text in it.
    // Three gates where this repository's history is read (the delivery counts code changed since its review), else two.
    assert.match(md, /\| examples\/webshop\/webshop\.tm\.yaml \| Release 2\.4: complete \(all [23] gates pass\) \|/);
    assert.match(md, /\(whole model\): not complete — 1 gate fails: 1 high or critical risk without a mitigation \|/);
    // Every row has as many cells as its table's header: unescaped pipes counted per table.
    let columns = 0;
    for (const row of md.split('\n').filter((l) => l.startsWith('|'))) {
      const pipes = (row.match(/(?<!\\)\|/g) ?? []).length;
      if (row.startsWith('| model') || row.startsWith('| where')) columns = pipes;
      else assert.equal(pipes, columns, row);
    }
    assert.doesNotMatch(md, /<script>|<b>/);
    assert.match(md, /❌ Open high or critical risks without a mitigation/);
    assert.match(md, /### Problems that fail this run/);
  });

  it("reads a model from standard input ('-'), reported under --stdin-filename", () => {
    const r = run(['check', '-', '--stdin-filename', 'models/shop.tm.yaml'], {
      input: readFileSync(path.join(REPO_ROOT, 'examples/webshop/webshop.tm.yaml'), 'utf8'),
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^models\/shop\.tm\.yaml:\d+:\d+ warning CRY-03 /m);
    assert.equal(run(['check', '-', 'examples'], { input: '' }).code, 2);
  });

  it('leaves out what .gitignore ignores, in the searched folder and above it', () => {
    const repo = mkdtempSync(path.join(tmpdir(), 'threatcode-gitignore-'));
    mkdirSync(path.join(repo, '.git'));
    mkdirSync(path.join(repo, 'models', 'generated'), { recursive: true });
    mkdirSync(path.join(repo, 'models', 'kept'), { recursive: true });
    const model = readFileSync(path.join(REPO_ROOT, 'server/templates/starter.tm.yaml'), 'utf8');
    writeFileSync(path.join(repo, 'models', 'generated', 'a.tm.yaml'), model);
    writeFileSync(path.join(repo, 'models', 'kept', 'b.tm.yaml'), model);
    writeFileSync(path.join(repo, 'models', 'kept', 'scratch.tm.yaml'), model);
    writeFileSync(path.join(repo, '.gitignore'), 'generated/\n');
    writeFileSync(path.join(repo, 'models', 'kept', '.gitignore'), 'scratch.*\n');
    const listed = (cwd: string, target: string) =>
      run(['check', target, '--format', 'json'], { cwd }).stdout &&
      (JSON.parse(run(['check', target, '--format', 'json'], { cwd }).stdout) as { files: { file: string }[] }).files.map((f) => f.file);
    assert.deepEqual(listed(repo, '.'), ['models/kept/b.tm.yaml']);
    assert.deepEqual(listed(path.join(repo, 'models'), '.'), ['kept/b.tm.yaml'], 'the .gitignore above the searched folder counts');
    // A file named on the command line is checked whatever .gitignore says.
    assert.deepEqual(listed(repo, 'models/generated/a.tm.yaml'), ['models/generated/a.tm.yaml']);
  });

  it('rejects wrong commands, options and gate values with a suggestion (exit 2)', () => {
    const cases: [string[], RegExp][] = [
      [['chek'], /unknown command 'chek'\. Did you mean 'check'\?/],
      [['check', '--formt', 'json'], /unknown option '--formt' for 'check'\. Did you mean '--format'\?/],
      [['report', '--fromat', 'html', 'x.tm.yaml'], /Did you mean '--format'\?/],
      [['check', '--gate', 'acceptancesValid=yes'], /acceptancesValid takes true or false, not 'yes'/],
      [['check', '--gate', 'minFidelty=0.5'], /Did you mean 'minFidelity'\?/],
      [['check', '--gate', 'minFidelity=1.5'], /ratio between 0 and 1/],
      [['check', '--gate', 'maxOpenHighWithoutMitigation=0.5'], /whole number/],
      [['check', '--gate', 'maxDaysSinceReview='], /non-negative number/],
      [['check', '--format', 'junt'], /--format must be/],
      [['check', '--delivery', '--whole-model'], /exclude each other/],
    ];
    for (const [args, message] of cases) {
      const r = run(args, { cwd: path.join(REPO_ROOT, 'examples') });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
    }
  });

  it('fails out of the box only when this delivery is not complete, and says so in its help', () => {
    const help = run(['check', '--help']).stdout;
    assert.match(help, /a green check means the model is complete for this delivery/);
    assert.equal(run(['check', 'examples']).code, 0);
    // An accepted risk whose acceptance has expired fails the default gates.
    const expired = readFileSync(path.join(REPO_ROOT, 'examples/webshop/webshop.tm.yaml'), 'utf8').replace(
      'expires: 2027-03-31',
      'expires: 2020-03-31',
    );
    const file = path.join(dir, 'expired.tm.yaml');
    writeFileSync(file, expired);
    const r = run(['check', file]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /gate failed: Accepted risks are owned, justified and unexpired/);
  });

  it('runs the GitHub Action against the examples with the runner environment stubbed', () => {
    const action = parse(readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8')) as {
      runs: { using: string; steps: { run?: string; uses?: string; env?: Record<string, string> }[] };
      inputs: Record<string, unknown>;
    };
    assert.equal(action.runs.using, 'composite');
    // No input is spliced into a script's text (script injection): they reach the scripts as environment variables.
    for (const step of action.runs.steps) assert.doesNotMatch(step.run ?? '', /\$\{\{/);
    const scripts = action.runs.steps.flatMap((s) => /\$GITHUB_ACTION_PATH\/(\S+?)"/.exec(s.run ?? '')?.[1] ?? []);
    assert.deepEqual(scripts, ['action/install.sh', 'action/check.sh']);

    const runner = mkdtempSync(path.join(tmpdir(), 'threatcode-runner-'));
    const summary = path.join(runner, 'summary.md');
    const outputs = path.join(runner, 'output');
    writeFileSync(summary, '');
    writeFileSync(outputs, '');
    const workspace = path.join(runner, 'repo');
    cpSync(path.join(REPO_ROOT, 'examples'), workspace, { recursive: true });
    const env = {
      GITHUB_ACTION_PATH: REPO_ROOT,
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_OUTPUT: outputs,
      RUNNER_TEMP: runner,
      THREATCODE_CLI: `${process.execPath} ${CLI}`,
      INPUT_PATHS: '.',
      INPUT_FAIL_ON: 'error',
      INPUT_GATES: '  minFidelity=0.5\n\nacceptancesValid=true  \n',
      INPUT_WHOLE_MODEL: 'false',
      INPUT_VERSION: 'latest',
    };
    const step = (script: string) =>
      spawnSync('bash', [path.join(REPO_ROOT, script)], { cwd: workspace, encoding: 'utf8', env: { ...process.env, ...env } });
    assert.equal(step('action/install.sh').status, 0);
    const check = step('action/check.sh');
    assert.equal(check.status, 0, check.stderr);
    assert.ok(parseAnnotations(check.stdout).length > 10);
    assert.match(readFileSync(summary, 'utf8'), /^## Threat models/);
    const out: Record<string, string> = Object.fromEntries(
      readFileSync(outputs, 'utf8')
        .trim()
        .split('\n')
        .map((l): [string, string] => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    assert.equal(out['exit-code'], '0');
    assert.equal(out['sarif-file'], path.join(runner, 'threatcode.sarif'));
    assert.equal((JSON.parse(readFileSync(out['sarif-file'], 'utf8')) as { version: string }).version, '2.1.0');

    // A failing check: the step still succeeds (so SARIF uploads), and says how the job must end.
    writeFileSync(path.join(workspace, 'broken.tm.yaml'), 'threatcode: 1\nsystem: {}\nbogus: 1\n');
    writeFileSync(outputs, '');
    assert.equal(step('action/check.sh').status, 0);
    assert.match(readFileSync(outputs, 'utf8'), /^exit-code=1$/m);
  });

  it('offers a pre-commit hook that runs the installed CLI on changed models', () => {
    const hooks = parse(readFileSync(path.join(REPO_ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as {
      id: string;
      entry: string;
      language: string;
      files: string;
    }[];
    const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    assert.equal(hooks.length, 1);
    const [hook] = hooks;
    assert.equal(hook.language, 'node');
    assert.ok(Object.keys(manifest.bin).includes(hook.entry.split(' ')[0]));
    const files = new RegExp(hook.files);
    assert.ok(files.test('models/shop.tm.yaml') && files.test('a.tm.yml') && !files.test('shop.yaml'));
  });

  it('the pre-commit hook takes every staged name as a file, never as an option (a file named --output=victim.tm.yaml)', () => {
    const [hook] = parse(readFileSync(path.join(REPO_ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as { entry: string }[];
    const dir = mkdtempSync(path.join(tmpdir(), 'threatcode-hook-'));
    const victim = 'threatcode: 1\nsystem:\n  name: Victim\n';
    writeFileSync(path.join(dir, 'victim.tm.yaml'), victim);
    // Names a pull request can commit: each is also a model file pre-commit would stage and pass.
    const staged = ['--output=victim.tm.yaml', '--stdin-filename=evil.tm.yaml', '--rules=victim.tm.yaml', 'victim.tm.yaml'];
    for (const name of staged.slice(0, 3)) writeFileSync(path.join(dir, name), 'threatcode: 1\nsystem:\n  name: Staged\n');
    // pre-commit runs the entry (split as a shell would) with the staged file names appended.
    const [command, ...entryArgs] = hook.entry.split(' ');
    assert.equal(command, 'threatcode');
    const r = spawnSync(process.execPath, [CLI, ...entryArgs, ...staged], { cwd: dir, encoding: 'utf8' });
    assert.equal(readFileSync(path.join(dir, 'victim.tm.yaml'), 'utf8'), victim, 'the model was overwritten with a report');
    // Every staged file was checked, the one named like an option included.
    for (const name of staged)
      assert.ok(r.stdout.includes(name) || r.stderr.includes('4 models checked'), `${name}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /4 models checked/);
  });

  it("contributes a problem matcher that reads every line of check's text output", () => {
    const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      contributes: {
        problemMatchers: {
          name: string;
          pattern: { regexp: string; file: number; line: number; column: number; severity: number; code: number; message: number };
        }[];
        taskDefinitions: { type: string }[];
      };
    };
    const [matcher] = manifest.contributes.problemMatchers;
    assert.equal(matcher.name, 'threatcode');
    assert.deepEqual(
      manifest.contributes.taskDefinitions.map((t) => t.type),
      ['threatcode'],
    );
    const pattern = new RegExp(matcher.pattern.regexp);
    const r = run(['check', hostile, 'examples/webshop']);
    const problems = r.stdout.split('\n').filter((l) => l !== '' && !/: gate failed: /.test(l));
    assert.ok(problems.length > 5);
    for (const line of problems) {
      const m = pattern.exec(line);
      assert.ok(m, line);
      assert.ok(['error', 'warning', 'info'].includes(m[matcher.pattern.severity]));
      assert.match(m[matcher.pattern.file], /\.tm\.yaml$/);
      assert.ok(Number(m[matcher.pattern.line]) >= 1 && Number(m[matcher.pattern.column]) >= 1);
      assert.match(m[matcher.pattern.code], /^[A-Za-z0-9-]+$/);
    }
  });
});
