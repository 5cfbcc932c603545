/**
 * A stranger's repository runs nothing. Two repositories built as an attacker would: one whose `.git/config` names a
 * program in every setting that can hold one (a promisor remote's upload-pack with a missing tree, ext:: and remote-
 * helper remotes with their protocols allowed, fsmonitor, hooks, pagers, editors, askpass, credential helpers, ssh
 * commands, proxies, diff and filter drivers, signature programs over a signed commit, an included file, a moved work
 * tree, and a `git` and `git-remote-*` committed on the PATH), and one that commits a folder laid out as a bare
 * repository with the same promisor trap, inside an ordinary repository. Each program writes a marker; before
 * Threatcode runs, plain git is shown to set the traps off, so the test cannot pass because the traps are dead.
 * Then `check --gate maxStaleElements=0`, `check --changed-since` and the language server in a trusted workspace
 * read both repositories: no marker may appear.
 */
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TestLspClient } from '../support/lsp-client';
import { REPO_ROOT } from '../support/paths';

const CLI = path.join(REPO_ROOT, 'dist/cli.js');
const DATE = '2026-11-02T12:00:00';

const MODEL = `threatcode: 1.1
system:
  name: Shop
  reviewed: { by: ana, date: 2026-01-01 }
components:
  - id: payments
    name: Payment service
    type: process
    code: [src/**, src/missing/**]
`;

/** The same model in sub/models/ of the second repository, linking the code two folders up. */
const EMBEDDED_MODEL = MODEL.replace('[src/**, src/missing/**]', '[../../src/**, ../../src/missing/**]');

/** Plain git, for building the repositories (and for showing that the traps are live). */
function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GIT_AUTHOR_DATE: DATE, GIT_COMMITTER_DATE: DATE, GIT_CONFIG_NOSYSTEM: '1' },
  });
}

/** A folder of markers, and programs that each write one (by their name) and fail. */
class Traps {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'threatcode-traps-'));
  constructor() {
    mkdirSync(path.join(this.dir, 'fired'));
  }
  /**
   * A program (its absolute path, no arguments) that fires the trap `name`: git runs some settings through a shell
   * and others as a program, and a bare path works for both.
   */
  command(name: string): string {
    const file = path.join(this.dir, 'bin', name);
    this.script(file, name);
    return file;
  }
  /** An executable file at `file` that fires the trap `name`. */
  script(file: string, name: string): void {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `#!/bin/sh\ntouch "${this.dir}/fired/${name}"\nexit 1\n`);
    chmodSync(file, 0o755);
  }
  fired(): string[] {
    return readdirSync(path.join(this.dir, 'fired')).sort();
  }
  reset(): void {
    for (const f of this.fired()) unlinkSync(path.join(this.dir, 'fired', f));
  }
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const HOOKS = [
  'applypatch-msg',
  'pre-applypatch',
  'post-applypatch',
  'pre-commit',
  'pre-merge-commit',
  'prepare-commit-msg',
  'commit-msg',
  'post-commit',
  'pre-rebase',
  'post-checkout',
  'post-merge',
  'pre-push',
  'pre-receive',
  'update',
  'proc-receive',
  'post-receive',
  'post-update',
  'reference-transaction',
  'push-to-checkout',
  'pre-auto-gc',
  'post-rewrite',
  'sendemail-validate',
  'fsmonitor-watchman',
  'p4-changelist',
  'p4-prepare-changelist',
  'p4-post-changelist',
  'p4-pre-submit',
  'post-index-change',
];

/** Removes one tree object of HEAD~1 (loose), so that reading its history needs an object the repository lacks. */
function dropTree(gitDir: string, cwd: string): void {
  const tree = execFileSync('git', [`--git-dir=${gitDir}`, 'rev-parse', 'HEAD~1:src'], { cwd, encoding: 'utf8' }).trim();
  unlinkSync(path.join(gitDir, 'objects', tree.slice(0, 2), tree.slice(2)));
}

/** Every program-valued setting there is, each pointing at its own trap; a partial clone whose remote is a trap. */
function poison(gitDir: string, cwd: string, traps: Traps, helpers: string): void {
  const set = (key: string, value: string) => execFileSync('git', [`--git-dir=${gitDir}`, 'config', key, value], { cwd });
  const add = (key: string, value: string) => execFileSync('git', [`--git-dir=${gitDir}`, 'config', '--add', key, value], { cwd });
  set('core.repositoryformatversion', '1');
  set('extensions.partialClone', 'origin');
  set('remote.origin.url', path.join(traps.dir, 'nowhere'));
  set('remote.origin.promisor', 'true');
  set('remote.origin.uploadpack', traps.command('uploadpack'));
  set('remote.origin.receivepack', traps.command('receivepack'));
  set('remote.ext.url', `ext::${traps.command('ext')}`);
  set('remote.ext.promisor', 'true');
  set('remote.helper.url', 'evil::somewhere');
  set('remote.helper.promisor', 'true');
  set('remote.vcs.vcs', 'evil');
  set('remote.vcs.url', 'somewhere');
  set('remote.vcs.promisor', 'true');
  set('protocol.allow', 'always');
  for (const p of ['file', 'ext', 'evil', 'git', 'ssh', 'http', 'https']) set(`protocol.${p}.allow`, 'always');
  set('core.fsmonitor', traps.command('fsmonitor'));
  set('core.hooksPath', path.join(traps.dir, 'hooks'));
  for (const hook of HOOKS) {
    traps.script(path.join(traps.dir, 'hooks', hook), `hook-${hook}`);
    traps.script(path.join(gitDir, 'hooks', hook), `hook-${hook}`);
  }
  set('core.pager', traps.command('pager'));
  for (const command of ['log', 'ls-files', 'rev-parse', 'config']) set(`pager.${command}`, traps.command('pager'));
  set('core.editor', traps.command('editor'));
  set('sequence.editor', traps.command('editor'));
  set('core.askPass', traps.command('askpass'));
  set('credential.helper', `!${traps.command('credential')}`);
  set('credential.https://example.com.helper', `!${traps.command('credential')}`);
  set('core.sshCommand', traps.command('ssh'));
  set('ssh.variant', 'ssh');
  set('core.gitProxy', traps.command('proxy'));
  set('core.alternateRefsCommand', traps.command('alternate-refs'));
  set('uploadpack.packObjectsHook', traps.command('pack-objects-hook'));
  set('diff.external', traps.command('diff-external'));
  set('diff.trap.textconv', traps.command('textconv'));
  set('diff.trap.command', traps.command('diff-command'));
  set('filter.trap.clean', traps.command('filter-clean'));
  set('filter.trap.smudge', traps.command('filter-smudge'));
  set('filter.trap.process', traps.command('filter-process'));
  set('filter.trap.required', 'true');
  set('merge.trap.driver', traps.command('merge-driver'));
  set('gpg.program', traps.command('gpg'));
  set('gpg.ssh.program', traps.command('gpg-ssh'));
  set('gpg.x509.program', traps.command('gpg-x509'));
  set('gpg.ssh.allowedSignersFile', path.join(traps.dir, 'signers'));
  set('log.showSignature', 'true');
  set('color.ui', 'always');
  set('diff.relative', 'true');
  set('core.worktree', traps.dir);
  set('alias.log', `!${traps.command('alias')}`);
  writeFileSync(path.join(traps.dir, 'included.config'), `[core]\n\tsshCommand = ${traps.command('included-ssh')}\n`);
  add('include.path', path.join(traps.dir, 'included.config'));
  traps.script(path.join(helpers, 'git-remote-evil'), 'remote-helper');
  traps.script(path.join(helpers, 'git'), 'git-on-path');
}

/** HEAD becomes a commit with a (fake) PGP signature, so that showing signatures would run gpg.program. */
function signHead(gitDir: string, cwd: string): void {
  const g = (...args: string[]) =>
    execFileSync('git', [`--git-dir=${gitDir}`, ...args], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' },
    }).trim();
  const tree = g('rev-parse', 'HEAD^{tree}');
  const parent = g('rev-parse', 'HEAD~1');
  const body = [
    `tree ${tree}`,
    `parent ${parent}`,
    'author Ana Dev <dev@example.com> 1793620800 +0000',
    'committer Ana Dev <dev@example.com> 1793620800 +0000',
    'gpgsig -----BEGIN PGP SIGNATURE-----',
    ' ',
    ' iQEzBAABCAAdFiEE',
    ' -----END PGP SIGNATURE-----',
    '',
    'Signed change',
    '',
  ].join('\n');
  const commit = execFileSync('git', [`--git-dir=${gitDir}`, 'hash-object', '-t', 'commit', '-w', '--stdin'], {
    cwd,
    input: body,
    encoding: 'utf8',
  }).trim();
  g('update-ref', 'HEAD', commit);
}

function commitTwice(dir: string): void {
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'dev@example.com');
  git(dir, 'config', 'user.name', 'Ana Dev');
  git(dir, 'config', 'commit.gpgsign', 'false');
  mkdirSync(path.join(dir, 'src'), { recursive: true });
  writeFileSync(path.join(dir, 'src/charge.ts'), 'export const charge = 1;\n');
  writeFileSync(path.join(dir, '.gitattributes'), '* diff=trap filter=trap merge=trap\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'First');
  writeFileSync(path.join(dir, 'src/refund.ts'), 'export const refund = 1;\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'Refunds');
}

function cli(cwd: string, helpers: string, ...args: string[]) {
  // The PATH a CI step has when it runs `npx threatcode` in the checkout: the repository's own bin folder first.
  const PATH = `${helpers}${path.delimiter}${process.env.PATH ?? ''}`;
  return spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, PATH } });
}

describe('a stranger’s repository runs nothing (git)', function () {
  this.timeout(120_000);
  if (process.platform === 'win32') return; // the traps are shell scripts

  describe('a .git/config with a program in every setting that takes one', () => {
    let dir: string;
    let traps: Traps;
    let helpers: string;

    before(() => {
      traps = new Traps();
      dir = mkdtempSync(path.join(os.tmpdir(), 'threatcode-hostile-git-'));
      helpers = path.join(dir, 'node_modules/.bin');
      commitTwice(dir);
      writeFileSync(path.join(dir, 'model.tm.yaml'), MODEL);
      const gitDir = path.join(dir, '.git');
      signHead(gitDir, dir);
      dropTree(gitDir, dir);
      poison(gitDir, dir, traps, helpers);
    });
    after(() => {
      rmSync(dir, { recursive: true, force: true });
      traps.remove();
    });

    it('the traps are live: plain git log runs the promisor’s upload-pack and the signature program', () => {
      spawnSync('git', ['log', '--name-only', '--format=%H', 'HEAD~1'], { cwd: dir, encoding: 'utf8' });
      spawnSync('git', ['log', '-1', 'HEAD'], { cwd: dir, encoding: 'utf8' });
      const fired = traps.fired();
      traps.reset();
      assert.ok(fired.includes('uploadpack') || fired.includes('ext') || fired.includes('remote-helper'), fired.join(', '));
      assert.ok(fired.includes('gpg'), fired.join(', '));
    });

    it('check --gate maxStaleElements=0 and --changed-since read it and start nothing', () => {
      const stale = cli(dir, helpers, 'check', 'model.tm.yaml', '--gate', 'maxStaleElements=0', '--format', 'json');
      assert.deepEqual(traps.fired(), []);
      // git ran (the files were listed: the glob that matches nothing is flagged) and said why history is missing.
      assert.match(stale.stdout, /dangling-code-link/);
      assert.match(stale.stdout, /never lets git fetch/);
      const range = cli(dir, helpers, 'check', 'model.tm.yaml', '--changed-since', 'HEAD~1');
      assert.deepEqual(traps.fired(), [], range.stdout + range.stderr);
    });

    it('the language server in a trusted workspace reads it and starts nothing', async () => {
      const client = new TestLspClient({}, { workspaceFolders: [pathToFileURL(dir).toString()] });
      try {
        await client.initialize();
        const uri = pathToFileURL(path.join(dir, 'model.tm.yaml')).toString();
        const first = await client.open(uri, MODEL);
        // The listing and the history are read together, off the typing path; the glob that matches nothing is
        // flagged once both were.
        if (!first.diagnostics.some((d) => d.code === 'dangling-code-link'))
          await client.next((p) => p.uri === uri && p.diagnostics.some((d) => d.code === 'dangling-code-link'), true);
        assert.deepEqual(traps.fired(), []);
      } finally {
        await client.stop();
      }
    });
  });

  describe('a committed folder laid out as a bare repository', () => {
    let dir: string;
    let traps: Traps;
    let helpers: string;

    before(() => {
      traps = new Traps();
      dir = mkdtempSync(path.join(os.tmpdir(), 'threatcode-embedded-bare-'));
      helpers = path.join(dir, 'node_modules/.bin');
      commitTwice(dir);
      // The attacker's repository, fetched into a bare layout at sub/ (loose objects), with its tree dropped.
      const source = mkdtempSync(path.join(os.tmpdir(), 'threatcode-bare-source-'));
      commitTwice(source);
      const sub = path.join(dir, 'sub');
      git(dir, 'init', '-q', '--bare', 'sub');
      git(sub, 'fetch', '-q', source, 'main:main');
      git(sub, 'symbolic-ref', 'HEAD', 'refs/heads/main');
      rmSync(source, { recursive: true, force: true });
      dropTree(sub, sub);
      poison(sub, sub, traps, helpers);
      // Its work tree is the model's folder below it, so that git's discovery from there lands in sub/.
      execFileSync('git', [`--git-dir=${sub}`, 'config', 'core.bare', 'false'], { cwd: sub });
      execFileSync('git', [`--git-dir=${sub}`, 'config', 'core.worktree', path.join(sub, 'models')], { cwd: sub });
      mkdirSync(path.join(sub, 'models'));
      writeFileSync(path.join(sub, 'models/model.tm.yaml'), EMBEDDED_MODEL);
      git(dir, 'add', '-A');
      git(dir, 'commit', '-q', '-m', 'Add a folder');
    });
    after(() => {
      rmSync(dir, { recursive: true, force: true });
      traps.remove();
    });

    it('the trap is live: plain git discovers the bare folder from the model’s folder and runs its upload-pack', () => {
      spawnSync('git', ['log', '--name-only', '--format=%H', 'HEAD'], { cwd: path.join(dir, 'sub/models'), encoding: 'utf8' });
      const fired = traps.fired();
      traps.reset();
      assert.ok(fired.includes('uploadpack') || fired.includes('ext') || fired.includes('remote-helper'), fired.join(', '));
    });

    it('check reads the enclosing repository, never the bare folder', () => {
      const result = cli(dir, helpers, 'check', 'sub/models/model.tm.yaml', '--gate', 'maxStaleElements=0', '--format', 'json');
      assert.deepEqual(traps.fired(), []);
      // The real repository's history was read: the code changed after the review of 2026-01-01.
      assert.match(result.stdout, /code-changed-since-review/);
      assert.match(result.stdout, /Refunds/);
      const range = cli(dir, helpers, 'check', 'sub/models/model.tm.yaml', '--changed-since', 'HEAD~1');
      assert.deepEqual(traps.fired(), [], range.stdout + range.stderr);
    });

    it('the language server in a trusted workspace reads the enclosing repository, never the bare folder', async () => {
      const client = new TestLspClient({}, { workspaceFolders: [pathToFileURL(dir).toString()] });
      try {
        await client.initialize();
        const uri = pathToFileURL(path.join(dir, 'sub/models/model.tm.yaml')).toString();
        await client.open(uri, EMBEDDED_MODEL);
        await client.next((p) => p.uri === uri && p.diagnostics.some((d) => d.code === 'code-changed-since-review'), true);
        assert.deepEqual(traps.fired(), []);
      } finally {
        await client.stop();
      }
    });
  });
});
