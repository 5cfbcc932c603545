/**
 * The model knows the code, on real git repositories made in a temporary folder with commits at set dates:
 * staleness after a commit and cleared by a new review date, `--changed-since` between two commits, renames,
 * submodules left out, dangling globs with the nearest paths, code coverage, and a folder without git.
 */
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { linkCode } from '../../server/src/analysis/code-links';
import { computeMetrics } from '../../server/src/analysis/metrics';
import { codeFactsOf, runAsync, runSync } from '../../server/src/files/repository';
import { codeActions, cursorActions } from '../../server/src/features/code-actions';
import { applyTextEdits } from '../../server/src/edits/text-edits';
import { analyze } from '../support/analyze';
import { REPO_ROOT } from '../support/paths';

const CLI = path.join(REPO_ROOT, 'dist/cli.js');

const MODEL = `threatcode: 1.1
system:
  name: Shop
  reviewed: { by: ana, date: 2026-10-14 }
boundaries:
  - id: internal
    trust: internal
components:
  - id: payments
    name: Payment service
    type: process
    boundary: internal
    code: [src/payments/**]
  - id: auth
    name: Auth service
    type: process
    boundary: internal
    code: [src/auth]   # a folder: its files
    reviewed: { by: bo, date: 2026-11-20 }
`;

/** A repository with a commit per step, each at its own date. */
class Repo {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'threatcode-git-'));
  constructor() {
    this.git('init', '-q', '-b', 'main');
    this.git('config', 'user.email', 'dev@example.com');
    this.git('config', 'user.name', 'Ana Dev');
    this.git('config', 'commit.gpgsign', 'false');
  }
  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.dir, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } });
  }
  write(file: string, text: string): void {
    mkdirSync(path.dirname(path.join(this.dir, file)), { recursive: true });
    writeFileSync(path.join(this.dir, file), text);
  }
  commit(date: string, message: string): void {
    this.git('add', '-A');
    execFileSync('git', ['commit', '-q', '-m', message], {
      cwd: this.dir,
      env: { ...process.env, GIT_AUTHOR_DATE: `${date}T12:00:00`, GIT_COMMITTER_DATE: `${date}T12:00:00` },
    });
  }
  cli(...args: string[]) {
    return spawnSync(process.execPath, [CLI, ...args], { cwd: this.dir, encoding: 'utf8' });
  }
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function shop(): Repo {
  const repo = new Repo();
  repo.write('model.tm.yaml', MODEL);
  repo.write('src/payments/charge.ts', 'export const charge = 1;\n');
  repo.write('src/auth/login.ts', 'export const login = 1;\n');
  repo.write('src/web/app.ts', 'export const app = 1;\n');
  repo.commit('2026-10-01', 'First version');
  return repo;
}

function linksIn(repo: Repo, text: string, history: Parameters<typeof codeFactsOf>[1]['history'] = { since: '2026-10-14' }) {
  const analysis = analyze(text, { today: '2026-11-29' });
  const facts = runSync(codeFactsOf(path.join(repo.dir, 'model.tm.yaml'), { trusted: true, history }));
  return { analysis, links: linkCode(analysis, facts)! };
}

describe('code links on git repositories', function () {
  this.timeout(60_000);
  let repo: Repo;
  afterEach(() => repo?.remove());

  it('nothing is stale before the code changes; a commit after the review makes the component stale, naming the commits', () => {
    repo = shop();
    assert.deepEqual(linksIn(repo, MODEL).links.diagnostics, []);
    repo.write('src/payments/charge.ts', 'export const charge = 2;\n');
    repo.commit('2026-11-01', 'Add refunds');
    repo.write('src/payments/refund.ts', 'export const refund = 1;\n');
    repo.commit('2026-11-03', 'Refund endpoint');
    const { links, analysis } = linksIn(repo, MODEL);
    const stale = links.diagnostics.filter((d) => d.code === 'code-changed-since-review');
    assert.equal(stale.length, 1);
    assert.equal(stale[0].severity, 'info');
    assert.match(stale[0].message, /^Payment service: 2 commits changed src\/payments\/\*\* since the review on 2026-10-14/);
    assert.match(stale[0].message, /latest 2026-11-03 by Ana Dev: “Refund endpoint”/);
    // On the `code` key of the component: the links are the cause.
    assert.equal(analysis.parsed.text.slice(stale[0].span.start, stale[0].span.end), 'code');
    // The auth service's own review (2026-11-20) is after those commits, and its code did not change anyway.
    assert.equal(links.elements.find((e) => e.element.id === 'auth')?.stale, undefined);

    // The freshness gauge lists the component with its commits; the gate counts it.
    const metrics = computeMetrics(analysis, { today: '2026-11-29', code: links, gates: { maxStaleElements: 0 } })!;
    const gauge = metrics.gauges.find((g) => g.id === 'codeFreshness')!;
    assert.equal(gauge.done, 1);
    assert.equal(gauge.total, 2);
    assert.equal(gauge.missing[0].details?.length, 2);
    assert.equal(gauge.missing[0].message, 'Payment service: 2 commits since the review on 2026-10-14');
    assert.match(gauge.missing[0].details?.[0] ?? '', /^2026-11-03 Ana Dev: Refund endpoint \([0-9a-f]{10}\)$/);
    assert.equal(metrics.gates.find((g) => g.id === 'maxStaleElements')?.passed, false);
  });

  it('measuring a delivery, code changed since the review counts against it without a gate being set', () => {
    repo = shop();
    repo.write('src/payments/charge.ts', 'export const charge = 2;\n');
    repo.commit('2026-11-01', 'Add refunds');
    const delivery = MODEL.replace('  name: Shop\n', '  name: Shop\n  release: "2.4"\n').replace(
      '    code: [src/payments/**]\n',
      '    code: [src/payments/**]\n    release: "2.4"\n',
    );
    const { links, analysis } = linksIn(repo, delivery);
    const gate = (options: { delivery: boolean; code?: typeof links }) =>
      computeMetrics(analysis, { today: '2026-11-29', ...options })!.gates.find((g) => g.id === 'maxStaleElements');
    const measured = gate({ delivery: true, code: links })!;
    assert.equal(measured.passed, false);
    assert.equal(measured.detail, '1 with code changed since their review (allowed 0 in a delivery)');
    assert.equal(measured.fix[0]?.message, 'Payment service: 1 commit since the review on 2026-10-14');
    // The whole model, or history not read: nothing is counted that the user did not ask for.
    assert.equal(gate({ delivery: false, code: links }), undefined);
    assert.equal(gate({ delivery: true }), undefined);
    // Reviewed since: the delivery is complete again.
    const reviewed = delivery.replace('    release: "2.4"\n', '    release: "2.4"\n    reviewed: { by: ana, date: 2026-11-02 }\n');
    const after = linksIn(repo, reviewed);
    assert.equal(computeMetrics(after.analysis, { today: '2026-11-29', delivery: true, code: after.links })!.verdict.state, 'complete');
  });

  it('the quick fix records a review of the component today, and the component is no longer stale', () => {
    repo = shop();
    repo.write('src/payments/charge.ts', 'export const charge = 2;\n');
    repo.commit('2026-11-01', 'Add refunds');
    const { analysis, links } = linksIn(repo, MODEL);
    const stale = links.diagnostics.find((d) => d.code === 'code-changed-since-review')!;
    const [fix] = codeActions(analysis, [stale], { today: '2026-11-29', reviewer: 'Cy Reviewer' });
    assert.equal(fix.title, 'Record a review of Payment service today (2026-11-29)');
    const fixed = applyTextEdits(analysis.parsed.text, fix.edits);
    // In the file's own style: its reviews are written as flow mappings.
    assert.match(fixed, /code: \[src\/payments\/\*\*\]\n {4}reviewed: \{ by: Cy Reviewer, date: 2026-11-29 \}\n/);
    assert.deepEqual(
      linksIn(repo, fixed).links.diagnostics.filter((d) => d.code === 'code-changed-since-review'),
      [],
    );
    // A component with a review of its own keeps its style; the date (and reviewer) change in place.
    repo.write('src/auth/login.ts', 'export const login = 2;\n');
    repo.commit('2026-11-25', 'MFA');
    const again = linksIn(repo, fixed);
    const authStale = again.links.diagnostics.find((d) => d.code === 'code-changed-since-review')!;
    const [authFix] = codeActions(again.analysis, [authStale], { today: '2026-11-29', reviewer: 'Cy Reviewer' });
    assert.match(applyTextEdits(fixed, authFix.edits), /reviewed: \{ by: Cy Reviewer, date: 2026-11-29 \}/);
  });

  it('offers a review now on a component linked to code that was never reviewed, and nowhere else', () => {
    const text = [
      'threatcode: 1.1',
      'system:',
      '  name: Shop',
      'components:',
      '  - id: pay',
      '    name: Payment service',
      '    type: process',
      '    code: [src/payments/**]',
      '  - id: auth',
      '    name: Auth',
      '    type: process',
      '    code: [src/auth/**]',
      '    reviewed: { by: ana, date: 2026-10-01 }',
      '  - id: web',
      '    name: Web',
      '    type: process',
      '',
    ].join('\n');
    const analysis = analyze(text);
    const at = (needle: string) => text.indexOf(needle) + 2;
    const options = { today: '2026-12-07', reviewer: 'Cy Reviewer' };
    const [review, ...others] = cursorActions(analysis, at('id: pay'), at('id: pay'), options);
    assert.deepEqual(others, []);
    assert.equal(review.title, 'Record a review of Payment service today (2026-12-07)');
    assert.equal(review.isPreferred, false, 'no problem asks for it');
    // In the file's style: its other review is a flow mapping.
    assert.match(
      applyTextEdits(text, review.edits),
      /code: \[src\/payments\/\*\*\]\n {4}reviewed: \{ by: Cy Reviewer, date: 2026-12-07 \}\n/,
    );
    assert.deepEqual(cursorActions(analysis, at('id: auth'), at('id: auth'), options), [], 'reviewed already');
    assert.deepEqual(cursorActions(analysis, at('id: web'), at('id: web'), options), [], 'no code linked');
  });

  it('a plain check says which components changed since their review, as the editor does', () => {
    repo = shop();
    repo.write('src/payments/charge.ts', 'export const charge = 2;\n');
    repo.commit('2026-11-01', 'Refunds');
    const text = repo.cli('check', 'model.tm.yaml');
    assert.equal(text.status, 0, text.stderr);
    assert.match(
      text.stdout,
      /model\.tm\.yaml:\d+:5 info code-changed-since-review Payment service: 1 commit changed src\/payments\/\*\* since the review on 2026-10-14 \(the model’s\)/,
    );
    assert.doesNotMatch(text.stdout, /Auth service: .*commit/, 'reviewed since its code changed');
  });

  it('a shallow clone (a CI checkout) does not take its oldest commit for a change of every file, and says so', () => {
    repo = shop();
    repo.write('src/web/app.ts', 'export const app = 2;\n');
    repo.commit('2026-11-01', 'Web only');
    repo.write('src/web/app.ts', 'export const app = 3;\n');
    repo.commit('2026-11-02', 'Web again');
    const shallow = mkdtempSync(path.join(os.tmpdir(), 'threatcode-shallow-'));
    try {
      // Two commits deep: the older one ('Web only') is the cut, listed by git as adding the whole tree.
      execFileSync('git', ['clone', '-q', '--depth', '2', `file://${repo.dir}`, shallow], {
        env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' },
      });
      const facts = runSync(codeFactsOf(path.join(shallow, 'model.tm.yaml'), { trusted: true, history: { since: '2026-10-14' } }));
      assert.deepEqual(
        facts.commits?.map((c) => [c.subject, c.files]),
        [
          ['Web again', ['src/web/app.ts']],
          ['Web only', []],
        ],
      );
      assert.equal(facts.note, 'a shallow clone: changes before 2026-11-01 are not known (fetch the whole history, e.g. fetch-depth: 0)');
      const checked = spawnSync(process.execPath, [CLI, 'check', 'model.tm.yaml'], { cwd: shallow, encoding: 'utf8' });
      assert.doesNotMatch(checked.stdout, /Payment service: .*commit/, 'the cut is no change of the payment service');
      assert.match(checked.stderr, /^ {2}note: a shallow clone: changes before 2026-11-01 are not known/m);
    } finally {
      rmSync(shallow, { recursive: true, force: true });
    }
  });

  it('check --changed-since reports the components whose code changed in the range and were not reviewed since', () => {
    repo = shop();
    repo.write('src/payments/charge.ts', 'export const charge = 2;\n');
    repo.commit('2026-11-01', 'Before the branch');
    repo.git('tag', 'base');
    repo.write('src/auth/login.ts', 'export const login = 2;\n');
    repo.commit('2026-11-25', 'MFA for staff');
    const text = repo.cli('check', 'model.tm.yaml', '--changed-since', 'base', '--gate', 'maxStaleElements=0');
    assert.equal(text.status, 1, text.stderr);
    // Only the auth service: the payment change is before the range.
    assert.match(
      text.stdout,
      /model\.tm\.yaml:\d+:5 info code-changed-since-review Auth service: 1 commit in base\.\.HEAD changed src\/auth since the review on 2026-11-20/,
    );
    assert.doesNotMatch(text.stdout, /Payment service: .*commit/);
    assert.match(
      text.stdout,
      /gate failed: Components reviewed since their code changed: 1 with code changed since their review \(allowed 0\)/,
    );

    const sarif = JSON.parse(repo.cli('check', 'model.tm.yaml', '--changed-since', 'base', '--format', 'sarif').stdout) as {
      runs: { results: { ruleId: string }[] }[];
    };
    assert.ok(sarif.runs[0].results.some((r: { ruleId: string }) => r.ruleId === 'code-changed-since-review'));
    const json = JSON.parse(repo.cli('check', 'model.tm.yaml', '--changed-since', 'base', '--format', 'json').stdout) as {
      files: { diagnostics: { code: string }[] }[];
    };
    assert.ok(json.files[0].diagnostics.some((d: { code: string }) => d.code === 'code-changed-since-review'));

    // Reviewed in the pull request: the range no longer makes it stale, and the gate passes.
    repo.write('model.tm.yaml', MODEL.replace('{ by: bo, date: 2026-11-20 }', '{ by: bo, date: 2026-11-26 }'));
    repo.commit('2026-11-26', 'Review auth');
    const after = repo.cli('check', 'model.tm.yaml', '--changed-since', 'base', '--gate', 'maxStaleElements=0', '--no-gates');
    assert.doesNotMatch(after.stdout, /code-changed-since-review/);

    // A ref that is not a commit is a usage error that says so.
    const bad = repo.cli('check', 'model.tm.yaml', '--changed-since', 'no-such-branch');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--changed-since: 'no-such-branch' is not a commit in /);
    assert.equal(repo.cli('check', 'model.tm.yaml', '--changed-since', '--output=x').status, 2);
  });

  it('a rename into a linked folder counts as a change of that code; one out of it too', () => {
    repo = shop();
    repo.write('src/util/money.ts', 'export const cents = 100;\n');
    repo.commit('2026-10-02', 'Utilities');
    renameSync(path.join(repo.dir, 'src/util/money.ts'), path.join(repo.dir, 'src/payments/money.ts'));
    repo.commit('2026-11-10', 'Move money into payments');
    const { links } = linksIn(repo, MODEL);
    const payments = links.elements.find((e) => e.element.id === 'payments')!;
    assert.deepEqual(
      payments.stale?.commits.map((c) => c.subject),
      ['Move money into payments'],
    );
    assert.ok(payments.files.includes('src/payments/money.ts'));
  });

  it('files of a submodule are not linked, listed or counted; ignored files neither', () => {
    repo = shop();
    const sub = new Repo();
    try {
      sub.write('lib.ts', 'export const lib = 1;\n');
      sub.commit('2026-10-01', 'Library');
      repo.git('-c', 'protocol.file.allow=always', 'submodule', '--quiet', 'add', sub.dir, 'src/payments/vendor');
      repo.write('.gitignore', 'build/\n');
      repo.write('src/payments/build/out.js', 'generated\n');
      repo.commit('2026-10-05', 'Vendor a library');
      const facts = runSync(codeFactsOf(path.join(repo.dir, 'model.tm.yaml'), { trusted: true, history: false }));
      assert.ok(!facts.files.some((f) => f.startsWith('src/payments/vendor')), facts.files.join(', '));
      assert.ok(!facts.files.some((f) => f.includes('build/')));
      assert.ok(facts.files.includes('src/payments/charge.ts'));
    } finally {
      sub.remove();
    }
  });

  it('a glob that matches nothing is a warning offering the paths that exist, and its fix writes one', () => {
    repo = shop();
    const text = MODEL.replace('code: [src/payments/**]', 'code: [src/paymnts/**]').replace('code: [src/auth]', 'code: [services/auth]');
    const { analysis, links } = linksIn(repo, text, false);
    const dangling = links.diagnostics.filter((d) => d.code === 'dangling-code-link');
    assert.deepEqual(
      dangling.map((d) => d.message),
      [
        "Payment service's code link 'src/paymnts/**' matches no file in the repository. Did you mean 'src/payments/**'?",
        "Auth service's code link 'services/auth' matches no file in the repository. Did you mean 'src/auth'?",
      ],
    );
    assert.equal(dangling[0].severity, 'warning');
    assert.equal(analysis.parsed.text.slice(dangling[0].span.start, dangling[0].span.end), 'src/paymnts/**');
    const [fix] = codeActions(analysis, [dangling[0]], { today: '2026-11-29' });
    assert.equal(fix.title, "Change to 'src/payments/**'");
    assert.match(applyTextEdits(text, fix.edits), /code: \[src\/payments\/\*\*\]/);
  });

  it('code coverage: the source folders no component links, and what Go to Definition and completion see', () => {
    repo = shop();
    const { analysis, links } = linksIn(repo, MODEL, false);
    const metrics = computeMetrics(analysis, { today: '2026-11-29', code: links })!;
    const coverage = metrics.gauges.find((g) => g.id === 'codeCoverage')!;
    assert.equal(coverage.total, 3);
    assert.equal(coverage.done, 2);
    assert.deepEqual(
      coverage.missing.map((m) => m.message),
      ['src/web: no component links code here'],
    );
    assert.deepEqual(links.elements.find((e) => e.element.id === 'auth')?.files, ['src/auth/login.ts']);
  });

  it('without git the files still link (a walk that honours .gitignore) and history is a note, not an error', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'threatcode-nogit-'));
    try {
      mkdirSync(path.join(dir, 'src/payments'), { recursive: true });
      writeFileSync(path.join(dir, 'src/payments/charge.ts'), 'x\n');
      writeFileSync(path.join(dir, 'model.tm.yaml'), MODEL);
      const facts = await runAsync(codeFactsOf(path.join(dir, 'model.tm.yaml'), { trusted: true, history: { since: '2026-10-14' } }));
      assert.equal(facts.commits, undefined);
      assert.equal(facts.note, 'not in a git repository');
      const analysis = analyze(MODEL, { today: '2026-11-29' });
      const links = linkCode(analysis, facts)!;
      assert.deepEqual(
        links.diagnostics.map((d) => d.code),
        ['dangling-code-link'], // src/auth does not exist here
      );
      const metrics = computeMetrics(analysis, { today: '2026-11-29', code: links, gates: { maxStaleElements: 0 } })!;
      assert.equal(
        metrics.gauges.find((g) => g.id === 'codeFreshness'),
        undefined,
      );
      assert.deepEqual(metrics.notes, ['Code history not read: not in a git repository.']);
      assert.deepEqual(
        metrics.gates.find((g) => g.id === 'maxStaleElements'),
        {
          id: 'maxStaleElements',
          title: 'Components reviewed since their code changed',
          passed: false,
          detail: 'not measured (Code history not read: not in a git repository)',
          reason: "components' code changes not measured (Code history not read: not in a git repository)",
          fix: [],
        },
      );
      // The CLI: --changed-since needs a repository, and says so.
      const r = spawnSync(process.execPath, [CLI, 'check', 'model.tm.yaml', '--changed-since', 'main'], { cwd: dir, encoding: 'utf8' });
      assert.equal(r.status, 2);
      assert.match(r.stderr, /--changed-since needs a git repository: not in a git repository\./);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("an untrusted workspace never starts git: a hostile repository's fsmonitor hook does not run", () => {
    repo = shop();
    const marker = path.join(repo.dir, 'hook-ran');
    repo.write('hook.sh', `#!/bin/sh\ntouch '${marker}'\n`);
    execFileSync('chmod', ['+x', path.join(repo.dir, 'hook.sh')]);
    repo.git('config', 'core.fsmonitor', path.join(repo.dir, 'hook.sh'));
    const untrusted = runSync(codeFactsOf(path.join(repo.dir, 'model.tm.yaml'), { trusted: false, history: { since: '2026-10-14' } }));
    assert.equal(untrusted.note, 'the workspace is not trusted, so git is not run in it');
    assert.ok(untrusted.files.includes('src/payments/charge.ts'));
    // Trusted, git runs with the repository's hooks switched off.
    runSync(codeFactsOf(path.join(repo.dir, 'model.tm.yaml'), { trusted: true, history: { since: '2026-10-14' } }));
    assert.throws(() => execFileSync('test', ['-e', marker]));
  });
});
