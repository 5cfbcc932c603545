/**
 * What a cloned repository can hand `threatcode check` besides models: links to files outside it (a key, a token),
 * devices, pipes, folders named like models or rule packs. None is read; each gets a message that names it, and no
 * content of a file that is not a model reaches the output.
 */
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/paths';

const CLI = path.join(REPO_ROOT, 'dist/cli.js');
const SECRET = 'https://x-access-token:ghs_S3cr3tT0k3nThatMustNeverBePrinted@github.com';

function run(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, out: `${r.stdout}\n${r.stderr}`, timedOut: r.error !== undefined };
}

describe('threatcode check on what is not a model', function () {
  this.timeout(60_000);
  let outside: string;
  let repo: string;

  beforeEach(() => {
    outside = mkdtempSync(path.join(tmpdir(), 'threatcode-outside-'));
    writeFileSync(path.join(outside, 'credentials'), `${SECRET}\n`);
    repo = mkdtempSync(path.join(tmpdir(), 'threatcode-repo-'));
    mkdirSync(path.join(repo, 'models'));
    cpSync(path.join(REPO_ROOT, 'examples/webshop/webshop.tm.yaml'), path.join(repo, 'models', 'shop.tm.yaml'));
  });

  it('does not follow a link out of the repository, named, globbed or in a folder, and never prints what it points at', () => {
    symlinkSync(path.join(outside, 'credentials'), path.join(repo, 'models', 'leak.tm.yaml'));
    for (const args of [
      ['check', 'models/leak.tm.yaml'],
      ['check', 'models/*.tm.yaml'],
      ['check', 'models'],
      ['check', '--format', 'json', 'models/leak.tm.yaml'],
      ['check', '--format', 'sarif', 'models/*.tm.yaml'],
    ]) {
      const r = run(args, repo);
      assert.doesNotMatch(r.out, /ghs_S3cr3t/, args.join(' '));
      if (args.includes('models/leak.tm.yaml')) {
        assert.equal(r.code, 2, args.join(' '));
        assert.match(r.out, /leak\.tm\.yaml is a symbolic link to a file outside/);
      }
    }
    // A link that stays inside is a model like any other.
    symlinkSync(path.join(repo, 'models', 'shop.tm.yaml'), path.join(repo, 'models', 'alias.tm.yaml'));
    assert.equal(run(['check', 'models/alias.tm.yaml'], repo).code, 0);
  });

  it('never opens a device, a pipe or a folder named like a model (was: 14 GB read from /dev/zero, a hang on a FIFO)', () => {
    symlinkSync('/dev/zero', path.join(repo, 'models', 'zero.tm.yaml'));
    execFileSync('mkfifo', [path.join(repo, 'models', 'pipe.tm.yaml')]);
    for (const name of ['zero', 'pipe']) {
      const r = run(['check', `models/${name}.tm.yaml`], repo);
      assert.equal(r.timedOut, false, name);
      assert.equal(r.code, 2, `${name}: ${r.out}`);
      assert.match(r.out, name === 'zero' ? /symbolic link to a file outside|not a regular file/ : /not a regular file/, name);
    }
    // A folder named like a model is a folder: searched, not read.
    mkdirSync(path.join(repo, 'models', 'folder.tm.yaml'));
    const folder = run(['check', 'models/folder.tm.yaml'], repo);
    assert.equal(folder.timedOut, false);
    assert.doesNotMatch(folder.out, /EISDIR/);
    const globbed = run(['check', 'models/*.tm.yaml'], repo);
    assert.equal(globbed.timedOut, false);
    assert.match(globbed.out, /shop\.tm\.yaml|models checked/);
  });

  it('quotes at most 60 characters of a file that is one long scalar', () => {
    writeFileSync(
      path.join(repo, 'models', 'key.tm.yaml'),
      `-----BEGIN OPENSSH PRIVATE KEY----- ${'b3BlbnNzaC1rZXktdjEAAAAA'.repeat(20)}\n`,
    );
    const r = run(['check', 'models/key.tm.yaml', '--format', 'json'], repo);
    const messages = (
      JSON.parse(r.out.split('\n').slice(0, -2).join('\n')) as { files: { diagnostics: { message: string }[] }[] }
    ).files[0].diagnostics.map((d) => d.message);
    assert.ok(messages.length > 0);
    for (const m of messages) assert.doesNotMatch(m, /(b3BlbnNzaC1rZXktdjEAAAAA){3}/, m);
  });

  it('skips a rule pack that is a folder, with a message naming it; the other rules run (was: every rule off, a bare EISDIR)', () => {
    mkdirSync(path.join(repo, '.threatcode', 'rules', 'evil.yaml'), { recursive: true });
    const r = run(['check', 'models/shop.tm.yaml'], repo);
    assert.match(r.out, /Rule pack .*evil\.yaml is not a regular file/);
    assert.doesNotMatch(r.out, /EISDIR/);
    assert.match(r.out, /CRY-03/, 'the built-in rules ran');
    assert.equal(r.code, 2, 'a pack that cannot be loaded still fails the run');
    assert.equal(readFileSync(path.join(repo, 'models', 'shop.tm.yaml'), 'utf8').length > 0, true);
  });
});
