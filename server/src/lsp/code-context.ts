/**
 * The repository facts behind code links, for the language server: file listings and history from git, read off the
 * typing path (asynchronously, at most once per REFRESH_MS per repository, and the history again only when HEAD or
 * the index moved), kept per repository, and the links of each analysis computed once per version of those facts.
 * When fresh facts differ from the ones shown, the models of that repository are analysed again (`onChanged`).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import type { Analysis } from '../analysis/analyze';
import { type CodeFacts, type CodeLinks, linkCode, oldestReview } from '../analysis/code-links';
import {
  commitHistory,
  gitUserName,
  type History,
  modelFolderIn,
  type RepositoryFiles,
  repositoryFiles,
  repositoryStamp,
  runAsync,
} from '../files/repository';
import { errorMessage } from '../shared/errors';
import { fileUriPath } from '../files/node-file-system';

/** How often a repository's listing may be read again while models are being edited. */
const REFRESH_MS = 3_000;

interface Repository {
  listing: RepositoryFiles;
  history?: History | { readonly note: string };
  /** The oldest review date the history covers ('' for all). */
  since?: string;
  /** repositoryStamp when the history was read. */
  stamp?: string;
  version: number;
}

export class CodeContext {
  /** By model folder: the repository (or walked folder) it belongs to. */
  private readonly byFolder = new Map<string, { root: string; checkedAt: number; refreshing?: Promise<void> }>();
  private readonly repositories = new Map<string, Repository>();
  private readonly links = new WeakMap<Analysis, { key: string; links: CodeLinks | undefined }>();
  private reviewerName: string | undefined;
  private version = 0;

  constructor(
    private readonly trusted: () => boolean,
    private readonly sourceGlobs: () => readonly string[] | undefined,
    /** Facts changed for the models under these folders (absolute paths). */
    private readonly onChanged: () => void,
    private readonly log: (message: string) => void,
  ) {}

  /** The links of a model, with the facts known now (none on the very first call: a refresh is started). */
  linksOf(uri: string, analysis: Analysis): CodeLinks | undefined {
    const file = fileUriPath(uri);
    if (!file || !analysis.parsed.model) return undefined;
    // No review date: history since the start (bounded by MAX_COMMITS), for the "never reviewed" count.
    const wanted = oldestReview(analysis) ?? '';
    const folder = path.dirname(file);
    this.refreshIfDue(folder, wanted);
    const entry = this.byFolder.get(folder);
    const repository = entry && this.repositories.get(entry.root);
    if (!repository) return undefined;
    const key = `${entry.root}:${repository.version}:${this.sourceGlobs()?.join('\n') ?? ''}`;
    const cached = this.links.get(analysis);
    if (cached?.key === key) return cached.links;
    const history = repository.history;
    const facts: CodeFacts = {
      root: repository.listing.root,
      modelFolder: modelFolderIn(repository.listing.root, file),
      files: repository.listing.files,
      filesTruncated: repository.listing.truncated,
      ...(this.sourceGlobs() && { sourceGlobs: this.sourceGlobs() }),
      ...(history && 'commits' in history && { commits: history.commits }),
      ...(history && 'note' in history ? { note: history.note } : repository.listing.note ? { note: repository.listing.note } : {}),
    };
    const links = linkCode(analysis, facts);
    this.links.set(analysis, { key, links });
    return links;
  }

  /** Who records a review: git's user.name, else the account's name. */
  get reviewer(): string {
    return this.reviewerName ?? os.userInfo().username;
  }

  /** Forget everything (trust granted, settings changed): the next request reads the repositories again. */
  clear(): void {
    this.byFolder.clear();
    this.repositories.clear();
  }

  private refreshIfDue(folder: string, since: string): void {
    const entry = this.byFolder.get(folder);
    const repository = entry && this.repositories.get(entry.root);
    const due = !entry || Date.now() - entry.checkedAt >= REFRESH_MS || (repository?.since !== undefined && since < repository.since);
    if (!due || entry?.refreshing) return;
    const refreshing = this.refresh(folder, since).catch((e) => this.log(`Reading the repository of ${folder} failed: ${errorMessage(e)}`));
    this.byFolder.set(folder, { root: entry?.root ?? '', checkedAt: Date.now(), refreshing });
    void refreshing.finally(() => {
      const current = this.byFolder.get(folder);
      if (current?.refreshing === refreshing) this.byFolder.set(folder, { root: current.root, checkedAt: current.checkedAt });
    });
  }

  private async refresh(folder: string, since: string): Promise<void> {
    const trusted = this.trusted();
    const listing = await runAsync(repositoryFiles(folder, { trusted }));
    if (listing.repository && this.reviewerName === undefined) this.reviewerName = (await runAsync(gitUserName(listing.repository))) ?? '';
    const previous = this.repositories.get(listing.root);
    let history = previous?.history;
    let stamp = previous?.stamp;
    let historySince = previous?.since;
    if (listing.repository) {
      const now = repositoryStamp(listing.repository);
      if (!history || now !== stamp || historySince === undefined || since < historySince) {
        historySince = historySince === undefined || since < historySince ? since : historySince;
        try {
          history = await runAsync(commitHistory(listing.repository, historySince ? { since: historySince } : {}));
        } catch (e) {
          history = { note: `git log failed: ${errorMessage(e).split('\n')[0]}` };
        }
        stamp = now;
      }
    } else {
      history = undefined;
    }
    const changed =
      !previous ||
      !sameList(previous.listing.files, listing.files) ||
      previous.listing.note !== listing.note ||
      headOf(previous.history) !== headOf(history) ||
      countOf(previous.history) !== countOf(history);
    this.repositories.set(listing.root, {
      // The same listing when nothing changed: what was matched against it is kept (analysis/code-links.ts).
      listing: changed ? listing : previous.listing,
      history,
      since: historySince,
      stamp,
      version: changed ? ++this.version : previous.version,
    });
    const entry = this.byFolder.get(folder);
    this.byFolder.set(folder, { root: listing.root, checkedAt: entry?.checkedAt ?? Date.now(), refreshing: entry?.refreshing });
    if (changed) this.onChanged();
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function headOf(h: Repository['history']): string | undefined {
  return h && 'commits' in h ? h.commits[0]?.hash : undefined;
}

function countOf(h: Repository['history']): number {
  return h && 'commits' in h ? h.commits.length : -1;
}
