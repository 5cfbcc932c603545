/**
 * Running git on a repository that may be a stranger's, so that nothing in it can start a program.
 *
 * A repository carries active metadata: its configuration names programs (fsmonitor hooks, pagers, diff and filter
 * drivers, signature verifiers, credential helpers, the upload-pack command of a promisor remote, which git runs to
 * fetch a missing object lazily), and a folder committed into the work tree can be laid out as a bare repository
 * that git would discover instead of the real one. git's own documentation (gitsecurityboundary(7)) says most
 * commands must not be run in a repository that did not come from `git clone`. Threatcode reads only (a listing, a
 * log, a ref, a name) and runs git so that no repository file decides what runs:
 *
 * - the repository is found by Threatcode (the nearest `.git` above the model) and named explicitly with `--git-dir`
 *   and `--work-tree`, so git discovers nothing: a committed folder laid out as a bare repository is never used, and a
 *   repository's `core.worktree` cannot move the work tree (`safe.bareRepository=explicit` and
 *   `GIT_CEILING_DIRECTORIES` say the same to any git started below);
 * - no transport can run: `GIT_ALLOW_PROTOCOL` names no protocol (it overrides every `protocol.*.allow` a repository
 *   sets, remote helpers included), `GIT_NO_LAZY_FETCH=1` (git 2.44 and later) stops lazy fetches before they start,
 *   and `protocol.allow=never` is set for each known protocol too. Upload-pack commands, ssh commands, proxies,
 *   credential helpers and askpass programs are only ever run by a transport;
 * - the program-valued settings the read commands could reach are overridden on the command line, which wins over
 *   every configuration file: fsmonitor, hooks, pager, signature display; diff drivers and textconv are switched off
 *   per command (`--no-ext-diff --no-textconv`);
 * - git itself, and any program git looks up by name, is found on a PATH without the folders inside the repository
 *   (a committed `node_modules/.bin/git` or `git-remote-x`) and without relative entries; git is run by its absolute
 *   path, so the current folder (Windows searches it first) is never searched.
 *
 * Configuration that only reads files (`include.path`, `core.excludesFile`) is left to git: a FIFO there costs at
 * most GIT_TIMEOUT_MS. The test of all this is test/cli/git-hostile.test.ts.
 */
import { execFile, execFileSync } from 'node:child_process';
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

/** A repository found by Threatcode: its work tree's top and its `.git` (a folder, or a file pointing to one). */
export interface GitRepository {
  /** Absolute, real path of the work tree's top. */
  readonly root: string;
  /** Absolute path of the `.git` entry at the root. */
  readonly gitDir: string;
}

/**
 * The repository whose work tree holds `folder`: the nearest folder above it (itself included) with a `.git` entry, as
 * git's discovery would find it, except that bare repositories are not looked for. Undefined outside any repository.
 */
export function findRepository(folder: string): GitRepository | undefined {
  let current = realOrResolved(folder);
  for (;;) {
    const candidate = path.join(current, '.git');
    try {
      const stat = statSync(candidate);
      if (stat.isDirectory() || stat.isFile()) return { root: current, gitDir: candidate };
    } catch {
      // no .git here: look further up
    }
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

const GIT_TIMEOUT_MS = 20_000;

/** No known transport, and no remote helper either: a name no URL scheme can have (schemes start with a letter). */
const NO_PROTOCOL = '-';
const PROTOCOLS = ['file', 'git', 'ssh', 'http', 'https', 'ftp', 'ftps', 'ext', 'fd'];
/** A hooks folder that cannot hold a hook. */
const NO_HOOKS = process.platform === 'win32' ? 'NUL' : '/dev/null';

/** `-c` settings that win over every configuration file, in every git call. */
export const HARDENED_CONFIG: readonly string[] = [
  'safe.bareRepository=explicit',
  'core.fsmonitor=false',
  'core.untrackedCache=false',
  `core.hooksPath=${NO_HOOKS}`,
  'core.pager=cat',
  'log.showSignature=false',
  'credential.helper=',
  'protocol.allow=never',
  ...PROTOCOLS.map((p) => `protocol.${p}.allow=never`),
].flatMap((setting) => ['-c', setting]);

/** The complete command line for one read in `repository`. */
export function gitArguments(repository: GitRepository, args: readonly string[]): string[] {
  return [...HARDENED_CONFIG, '--no-pager', `--git-dir=${repository.gitDir}`, `--work-tree=${repository.root}`, ...args];
}

/** The environment git runs in: the user's, with transports closed, no prompts, and no program of the repository's. */
export function gitEnvironment(repository: GitRepository, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  // Set by git for hooks (Threatcode may run inside a pre-commit hook); the explicit --git-dir/--work-tree decide.
  for (const name of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_COMMON_DIR', 'GIT_EXTERNAL_DIFF']) delete env[name];
  return {
    ...env,
    PATH: safePath(repository.root, base),
    GIT_ALLOW_PROTOCOL: NO_PROTOCOL,
    GIT_PROTOCOL_FROM_USER: '0',
    GIT_NO_LAZY_FETCH: '1',
    GIT_CEILING_DIRECTORIES: path.dirname(repository.root),
    GIT_TERMINAL_PROMPT: '0',
    // No index lock taken for a read, no pager, messages in English (they are matched in repository.ts).
    GIT_OPTIONAL_LOCKS: '0',
    GIT_PAGER: 'cat',
    LC_ALL: 'C',
  };
}

/** The PATH variable's name in `env` (Windows spells it `Path`). */
function pathKey(env: NodeJS.ProcessEnv): string {
  return Object.keys(env).find((k) => k.toUpperCase() === 'PATH') ?? 'PATH';
}

/** PATH without relative entries and without folders inside `root` (resolved through links). */
export function safePath(root: string, env: NodeJS.ProcessEnv = process.env): string {
  const inside = (p: string) => p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
  return (env[pathKey(env)] ?? '')
    .split(path.delimiter)
    .filter((entry) => entry !== '' && path.isAbsolute(entry) && !inside(realOrResolved(entry)))
    .join(path.delimiter);
}

/** The absolute path of the git program on the safe PATH of `repository`, or undefined when there is none. */
export function gitExecutable(repository: GitRepository, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const names = process.platform === 'win32' ? ['git.exe', 'git.cmd', 'git.bat'] : ['git'];
  for (const folder of safePath(repository.root, env).split(path.delimiter)) {
    if (!folder) continue;
    for (const name of names) {
      const candidate = path.join(folder, name);
      try {
        if (!statSync(candidate).isFile()) continue;
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

const OPTIONS = { maxBuffer: 256 * 1024 * 1024, timeout: GIT_TIMEOUT_MS, windowsHide: true, encoding: 'utf8' as const };

function notInstalled(): NodeJS.ErrnoException {
  return Object.assign(new Error('git is not installed'), { code: 'ENOENT' });
}

const execFileAsync = promisify(execFile);

/** Runs one hardened read in `repository` and returns its standard output; throws git's failure. */
export async function gitAsync(repository: GitRepository, args: readonly string[]): Promise<string> {
  const git = gitExecutable(repository);
  if (!git) throw notInstalled();
  const { stdout } = await execFileAsync(git, gitArguments(repository, args), {
    ...OPTIONS,
    cwd: repository.root,
    env: gitEnvironment(repository),
  });
  return stdout;
}

/** gitAsync, in line (the CLI). */
export function gitSync(repository: GitRepository, args: readonly string[]): string {
  const git = gitExecutable(repository);
  if (!git) throw notInstalled();
  return execFileSync(git, gitArguments(repository, args), {
    ...OPTIONS,
    cwd: repository.root,
    env: gitEnvironment(repository),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function realOrResolved(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}
