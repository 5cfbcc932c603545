/**
 * Reading a file that a repository names, as a model or a rule pack: regular files only (a device, a FIFO or a folder
 * is never opened: `/dev/zero` would be read without end, a FIFO would block), no symbolic link out of the folder
 * being checked (a cloned repository's `leak.tm.yaml` → `~/.ssh/id_ed25519` must not be read, let alone quoted into
 * a CI log), and the size checked before the first byte is read.
 */
import { closeSync, fstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';

export type FileRead =
  | { readonly bytes: Buffer }
  /** Not read, and why, in a sentence that names the file. */
  | { readonly refused: string }
  /** Not read: larger than the limit (its size in bytes). */
  | { readonly tooLarge: number };

/** Whether `inner` is `outer` or inside it (both real paths). */
export function isInside(inner: string, outer: string): boolean {
  const relative = path.relative(outer, inner);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * Reads `file` if it is a regular file of at most `maxBytes` bytes that, once symbolic links are resolved, still lies
 * inside `root` — or was named without any link on its way (a path the user typed is theirs to choose).
 */
export function readRegularFile(file: string, root: string, maxBytes: number): FileRead {
  let real: string;
  try {
    real = realpathSync(file);
  } catch (e) {
    return { refused: `${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'}).` };
  }
  if (real !== path.resolve(file)) {
    let realRoot: string;
    try {
      realRoot = realpathSync(root);
    } catch {
      realRoot = path.resolve(root);
    }
    if (!isInside(real, realRoot)) return { refused: `${file} is a symbolic link to a file outside ${root}; it is not read.` };
  }
  // Checked before opening: opening a FIFO blocks until someone writes to it.
  const stat = statSync(real);
  if (!stat.isFile()) return { refused: `${file} is not a regular file (a folder, device or pipe); it is not read.` };
  if (stat.size > maxBytes) return { tooLarge: stat.size };
  const fd = openSync(real, 'r');
  try {
    // The size again on the open file, and never more than the limit read: the file may change in between.
    const size = Math.min(fstatSync(fd).size, maxBytes + 1);
    const buffer = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, buffer, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    if (read > maxBytes) return { tooLarge: read };
    return { bytes: buffer.subarray(0, read) };
  } finally {
    closeSync(fd);
  }
}
