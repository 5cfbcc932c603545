/**
 * What the repository around a model holds: its files (git's view of them: tracked and untracked, ignored ones left
 * out, submodules skipped) and the commits that changed them. Everything comes from a few batched `git` calls, run
 * through files/git.ts so that nothing in the repository can start a program; without git, or outside a repository,
 * the files come from a walk that honours `.gitignore` and the history is absent with a note saying why.
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { CodeFacts, CommitFacts } from '../analysis/code-links';
import { findRepository, gitAsync, type GitRepository, gitSync } from './git';
import { walkFiles } from './model-files';

export type { GitRepository } from './git';

/** More files than this and the listing stopped (a repository of vendored trees); coverage then says so. */
export const MAX_REPOSITORY_FILES = 200_000;
/** Commits read per history request: enough for any review interval a person keeps. */
export const MAX_COMMITS = 5_000;

export interface RepositoryFiles {
  /** Absolute, `/`-separated folder the paths are relative to: the git work tree's top, or the walked folder. */
  readonly root: string;
  /** The repository, when `root` is a git work tree (history can be read). */
  readonly repository?: GitRepository;
  /** Whether `root` is a git work tree (history can be read). */
  readonly git: boolean;
  readonly files: readonly string[];
  /** The listing stopped at MAX_REPOSITORY_FILES. */
  readonly truncated: boolean;
  /** Why history is not available (no git, not a repository), in plain words. */
  readonly note?: string;
}

export interface History {
  /** Newest first; paths relative to the repository's root. */
  readonly commits: readonly CommitFacts[];
  readonly truncated: boolean;
  /**
   * In a shallow clone (CI checkouts are, by default), the date of the oldest commit it holds: what that commit
   * changed is unknown (git lists its whole tree), and nothing before it was read.
   */
  readonly shallowSince?: string;
}

const slash = (p: string) => p.split(path.sep).join('/');

/**
 * Each question to git is written once, as a generator that yields the git calls it needs and gets their output
 * back; `runAsync` answers them without blocking (the language server), `runSync` in line (the CLI). A failed call is
 * thrown into the generator, where it is caught like any error.
 */
export type GitPlan<T> = Generator<{ readonly repository: GitRepository; readonly args: readonly string[] }, T, string>;

export async function runAsync<T>(plan: GitPlan<T>): Promise<T> {
  let step = plan.next();
  while (!step.done) {
    const { repository, args } = step.value;
    let output: string | undefined;
    let failure: unknown;
    try {
      output = await gitAsync(repository, args);
    } catch (e) {
      failure = e;
    }
    step = failure === undefined ? plan.next(output!) : plan.throw(failure);
  }
  return step.value;
}

export function runSync<T>(plan: GitPlan<T>): T {
  let step = plan.next();
  while (!step.done) {
    const { repository, args } = step.value;
    let output: string | undefined;
    let failure: unknown;
    try {
      output = gitSync(repository, args);
    } catch (e) {
      failure = e;
    }
    step = failure === undefined ? plan.next(output!) : plan.throw(failure);
  }
  return step.value;
}

/** Why git could not answer, for a note: not installed, not a repository, or git's own first line. */
function whyNot(error: unknown): string {
  const e = error as NodeJS.ErrnoException & { stderr?: string };
  if (e.code === 'ENOENT') return 'git is not installed';
  const text = String(e.message ?? '');
  if (/not a git repository/i.test(text)) return 'not in a git repository';
  if (/dubious ownership/i.test(text)) return 'git refuses the repository (owned by another user: safe.directory)';
  // files/git.ts never lets git fetch: a partial clone's missing objects stay missing.
  if (/lazy fetching disabled|transport '.*' not allowed/i.test(text))
    return 'the repository lacks objects that git would fetch, and Threatcode never lets git fetch (a full clone has them)';
  return `git failed: ${text.split('\n').find((l) => l.trim() && !l.startsWith('Command failed')) ?? 'unknown error'}`.slice(0, 200);
}

/** The repository whose work tree holds `folder` (found without running git), or why there is none. */
export function repositoryRoot(folder: string): { root: string; repository: GitRepository } | { note: string } {
  const repository = findRepository(folder);
  return repository ? { root: slash(repository.root), repository } : { note: 'not in a git repository' };
}

/**
 * The files of the repository around `folder` (or, without git, under `folder`), `/`-separated and relative to the
 * returned root. `trusted: false` never starts git (an untrusted workspace): the walk answers instead.
 */
export function* repositoryFiles(folder: string, options: { trusted: boolean }): GitPlan<RepositoryFiles> {
  const found = options.trusted ? repositoryRoot(folder) : { note: 'the workspace is not trusted, so git is not run in it' };
  if ('root' in found) {
    try {
      // Tracked files with their modes (160000 is a submodule: its files belong to another repository), then the
      // untracked ones git would not ignore (a nested repository shows as a folder with a trailing slash).
      const tracked = yield { repository: found.repository, args: ['ls-files', '-z', '--stage'] };
      const untracked = yield { repository: found.repository, args: ['ls-files', '-z', '--others', '--exclude-standard'] };
      const files: string[] = [];
      const seen = new Set<string>();
      for (const entry of tracked.split('\0')) {
        const tab = entry.indexOf('\t');
        if (tab < 0 || entry.startsWith('160000')) continue;
        const file = entry.slice(tab + 1);
        if (seen.has(file)) continue;
        seen.add(file);
        files.push(file);
      }
      for (const file of untracked.split('\0')) if (file && !file.endsWith('/') && !seen.has(file)) files.push(file);
      const truncated = files.length > MAX_REPOSITORY_FILES;
      return {
        root: found.root,
        repository: found.repository,
        git: true,
        files: truncated ? files.slice(0, MAX_REPOSITORY_FILES) : files,
        truncated,
      };
    } catch (e) {
      return walked(folder, whyNot(e));
    }
  }
  return walked(folder, found.note);
}

function walked(folder: string, note: string): RepositoryFiles {
  const root = slash(safeRealpath(folder));
  const files = walkFiles(folder, { gitignore: true, limit: MAX_REPOSITORY_FILES + 1 }).map((f) => slash(path.relative(folder, f)));
  const truncated = files.length > MAX_REPOSITORY_FILES;
  return { root, git: false, files: truncated ? files.slice(0, MAX_REPOSITORY_FILES) : files, truncated, note };
}

function safeRealpath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/** When the index or HEAD last moved: a commit, a checkout or `git add` changes it. Cheap, no process started. */
export function repositoryStamp(repository: GitRepository): string {
  const stamp = (p: string) => {
    try {
      return String(statSync(p).mtimeMs);
    } catch {
      return '-';
    }
  };
  const dir = gitDirectoryOf(repository);
  return [stamp(path.join(dir, 'index')), stamp(path.join(dir, 'HEAD')), stamp(path.join(dir, 'logs', 'HEAD'))].join(':');
}

/** The folder that holds the index and HEAD: `.git` itself, or where a `.git` file (`gitdir: …`) points. */
function gitDirectoryOf(repository: GitRepository): string {
  try {
    if (!statSync(repository.gitDir).isFile()) return repository.gitDir;
    const pointer = /^gitdir: (.+)$/m.exec(readFileSync(repository.gitDir, 'utf8').slice(0, 4096));
    return pointer ? path.resolve(repository.root, pointer[1].trim()) : repository.gitDir;
  } catch {
    return repository.gitDir;
  }
}

const RECORD = '\x1e';
const FIELD = '\x1f';

/**
 * Commits that changed files, newest first: those after `since` (a YYYY-MM-DD date), or those in `range`
 * (`<ref>..HEAD`). A rename counts as a change of the old and the new path (`--no-renames` lists both); merges list
 * no files of their own (their changes arrive with the commits merged).
 */
export function* commitHistory(repository: GitRepository, options: { since?: string; range?: string }): GitPlan<History> {
  const args = [
    'log',
    '-z',
    '--no-renames',
    '--name-only',
    // A repository's configuration may name diff drivers, textconv filters and signature programs: none runs here.
    '--no-ext-diff',
    '--no-textconv',
    '--no-show-signature',
    '--no-color',
    '--no-relative',
    `--max-count=${MAX_COMMITS + 1}`,
    `--format=${RECORD}%H${FIELD}%cs${FIELD}%an${FIELD}%s`,
  ];
  if (options.since) args.push(`--since=${options.since}T00:00:00`);
  if (options.range) args.push(options.range);
  // Paths are the repository's, whatever folder git runs in; `--` ends the revisions.
  args.push('--');
  const commits = parseLog(yield { repository, args });
  const truncated = commits.length > MAX_COMMITS;
  const kept = truncated ? commits.slice(0, MAX_COMMITS) : commits;
  // A shallow clone's oldest commits have no parent here: git lists every file of their tree as changed by them.
  const boundary = shallowCommits(repository);
  if (boundary.size === 0) return { commits: kept, truncated };
  const cut = kept.filter((c) => boundary.has(c.hash));
  return {
    commits: kept.map((c) => (boundary.has(c.hash) ? { ...c, files: [] } : c)),
    truncated,
    ...(cut.length > 0 && { shallowSince: cut.map((c) => c.date).sort()[0] }),
  };
}

/** The commits a shallow clone was cut at (`shallow` in the git folder; read, no process started). */
function shallowCommits(repository: GitRepository): Set<string> {
  try {
    const text = readFileSync(path.join(gitDirectoryOf(repository), 'shallow'), 'utf8').slice(0, 1 << 20);
    return new Set(text.split('\n').filter((line) => /^[0-9a-f]{40,64}$/.test(line)));
  } catch {
    return new Set();
  }
}

/** Parses `git log -z --name-only` with the record and field separators above. */
export function parseLog(out: string): CommitFacts[] {
  const commits: CommitFacts[] = [];
  for (const record of out.split(RECORD)) {
    const end = record.indexOf('\0');
    const header = end < 0 ? record : record.slice(0, end);
    const [hash, date, author, subject] = header.split(FIELD);
    if (!hash || !date) continue;
    const files =
      end < 0
        ? []
        : record
            .slice(end + 1)
            .replace(/^\n/, '')
            .split('\0')
            .filter(Boolean);
    commits.push({ hash, date, author: author ?? '', subject: (subject ?? '').trim(), files });
  }
  return commits;
}

/** Whether `ref` names a commit, so `--changed-since` can say so plainly instead of quoting git. */
export function* resolveRef(repository: GitRepository, ref: string): GitPlan<string | undefined> {
  if (ref.startsWith('-')) return undefined; // never an option in disguise
  try {
    return (yield { repository, args: ['rev-parse', '--verify', '-q', `${ref}^{commit}`] }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The user's name as git knows it (for "reviewed by" when a review is recorded), if any. */
export function* gitUserName(repository: GitRepository): GitPlan<string | undefined> {
  try {
    return (yield { repository, args: ['config', 'user.name'] }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The model's folder relative to a root (both resolved through links), '' when it is the root. */
export function modelFolderIn(root: string, modelFile: string): string {
  const folder = slash(safeRealpath(path.dirname(path.resolve(modelFile))));
  const relative = path.posix.relative(root, folder);
  return relative === '.' ? '' : relative;
}

/**
 * Everything the code links of one model need, in one plan: the files, and the history since `since` (the oldest
 * review date) or of `range` when asked for. The CLI runs it in line; the server keeps the parts in a cache instead.
 */
export function* codeFactsOf(
  modelFile: string,
  options: {
    readonly trusted: boolean;
    readonly history: false | { readonly since?: string } | { readonly range: string };
    readonly sourceGlobs?: readonly string[];
  },
): GitPlan<CodeFacts> {
  const listing = yield* repositoryFiles(path.dirname(path.resolve(modelFile)), { trusted: options.trusted });
  const base = {
    root: listing.root,
    modelFolder: modelFolderIn(listing.root, modelFile),
    files: listing.files,
    filesTruncated: listing.truncated,
    ...(options.sourceGlobs && { sourceGlobs: options.sourceGlobs }),
  };
  if (!options.history) return base;
  if (!listing.repository) return { ...base, note: listing.note ?? 'not in a git repository' };
  try {
    const history = yield* commitHistory(listing.repository, options.history);
    const range = 'range' in options.history ? options.history.range : undefined;
    return {
      ...base,
      commits: history.commits,
      ...(range && { range }),
      ...((history.truncated || history.shallowSince) && {
        note: history.truncated
          ? `only the last ${MAX_COMMITS} commits were read`
          : `a shallow clone: changes before ${history.shallowSince} are not known (fetch the whole history, e.g. fetch-depth: 0)`,
      }),
    };
  } catch (e) {
    return { ...base, note: whyNot(e) };
  }
}
