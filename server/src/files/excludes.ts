/**
 * The editor's `files.exclude` as a predicate for findModelFiles: the same globs VS Code hides in the explorer and
 * skips in search (`**\/node_modules`, `**\/.git`, a user's `**\/generated`). Patterns set to `false` are switched
 * off; conditional ones (`{ "when": … }`) depend on sibling files and are left out.
 */
import { globMatcher } from '../shared/glob';
import type { ExcludePredicate } from '../shared/file-system';
import { isPlainObject } from '../shared/values';

export type { ExcludePredicate };

export function excludePredicate(filesExclude: unknown): ExcludePredicate | undefined {
  if (!isPlainObject(filesExclude)) return undefined;
  const globs = Object.entries(filesExclude)
    .filter(([glob, on]) => on === true && glob.length > 0)
    .map(([glob]) => glob);
  if (globs.length === 0) return undefined;
  // VS Code matches these against workspace-relative paths, dot files included. A workspace's settings are a
  // stranger's in a cloned repository: matched in linear time (shared/glob.ts); a glob it refuses hides nothing.
  const { matches } = globMatcher(globs);
  return (relative) => matches(relative);
}
