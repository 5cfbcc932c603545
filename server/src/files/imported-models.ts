/**
 * Reading the models a model imports, for the import resolver of analysis/imports.ts: from the editor's open documents
 * first (what the user sees, saved or not), from disk otherwise — as regular files of bounded size that, once symbolic
 * links are resolved, still lie inside the workspace folder the import resolved in. Each file is parsed once per
 * modification time (per version for open documents), however many models import it.
 */
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ImportResolver, Loaded, ModelSource } from '../analysis/imports';
import { decodeModelBytes } from '../model/decode';
import { parseThreatModel } from '../model/parse';
import { readRegularFile } from './regular-file';

export interface OpenText {
  readonly text: string;
  readonly version: number;
}

export class ImportedModels {
  private readonly cache = new Map<string, { stamp: string; loaded: Loaded }>();

  constructor(
    /** The workspace folders, as URIs. */
    private readonly roots: () => readonly string[],
    private readonly maxLength: () => number,
    /** The text of an open document, which wins over the file on disk. */
    private readonly openText: (uri: string) => OpenText | undefined = () => undefined,
  ) {}

  /** A resolver for one analysis (the folders and the limit as they are now). */
  resolver(): ImportResolver {
    const roots = this.roots();
    return { roots, load: (uri) => this.load(uri, roots) };
  }

  /** Forget a file (it changed on disk, or its document closed). */
  forget(uri: string): void {
    this.cache.delete(uri);
  }

  clear(): void {
    this.cache.clear();
  }

  private load(uri: string, roots: readonly string[]): Loaded {
    const open = this.openText(uri);
    if (open) return this.cached(uri, `open:${open.version}`, () => this.source(uri, open.text));
    if (!uri.startsWith('file:')) return { error: 'only files on disk can be imported.' };
    const file = fileURLToPath(uri);
    const root = roots.find((r) => uri.startsWith(r.endsWith('/') ? r : `${r}/`));
    let stamp: string;
    try {
      const stat = statSync(file);
      stamp = `disk:${stat.mtimeMs}:${stat.size}`;
    } catch {
      return { error: 'no such file.' };
    }
    return this.cached(uri, stamp, () => {
      const maxBytes = this.maxLength() * 4;
      const read = readRegularFile(file, root ? fileURLToPath(root) : path.dirname(file), maxBytes);
      if ('refused' in read) return { error: read.refused.replace(file, path.basename(file)) };
      if ('tooLarge' in read) return { error: `it is larger than the file size limit (${read.tooLarge.toLocaleString('en-US')} bytes).` };
      const decoded = decodeModelBytes(read.bytes);
      if (decoded.text === undefined) return { error: 'it is not valid UTF-8 text.' };
      return this.source(uri, decoded.text);
    });
  }

  private cached(uri: string, stamp: string, load: () => Loaded): Loaded {
    const hit = this.cache.get(uri);
    if (hit && hit.stamp === stamp) return hit.loaded;
    const loaded = load();
    this.cache.set(uri, { stamp, loaded });
    return loaded;
  }

  private source(uri: string, text: string): ModelSource {
    return { uri, text, parsed: parseThreatModel(text, { maxLength: this.maxLength() }) };
  }
}
