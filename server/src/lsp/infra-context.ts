/**
 * The infrastructure the editor compares models with (`threatcode.infrastructure`: files or folders relative to the
 * workspace folder, trusted workspaces only). Each source is read, imported and kept as an inventory until its files
 * change (checked by size and modification time at most every CHECK_MS); the drift of each analysis is computed once
 * per set of inventories.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Analysis } from '../analysis/analyze';
import { readInfraFiles, sourceStamp } from '../files/infrastructure-files';
import { isInside } from '../files/regular-file';
import { type DriftResult, infraDrift, type Inventory, inventoryOf } from '../interop/drift';
import { importInfra, infraSource } from '../interop/infra-sources';
import { errorMessage } from '../shared/errors';

const CHECK_MS = 2_000;

interface Loaded {
  readonly stamp: string;
  readonly files: readonly string[];
  readonly inventory: Inventory | undefined;
  readonly error?: string;
}

export class InfraContext {
  private readonly sources = new Map<string, Loaded>();
  private checkedAt = 0;
  private version = 0;
  private readonly drift = new WeakMap<Analysis, { version: number; result: DriftResult | undefined }>();

  constructor(
    private readonly folders: () => readonly string[],
    private readonly paths: () => readonly string[],
    private readonly trusted: () => boolean,
    private readonly log: (message: string) => void,
  ) {}

  /** The inventories of the configured sources (read again when their files changed). */
  inventories(): Inventory[] {
    if (!this.trusted() || this.paths().length === 0) return [];
    const now = Date.now();
    if (now - this.checkedAt >= CHECK_MS) {
      this.checkedAt = now;
      this.refresh();
    }
    return [...this.sources.values()].flatMap((s) => (s.inventory ? [s.inventory] : []));
  }

  driftOf(analysis: Analysis): DriftResult | undefined {
    const inventories = this.inventories();
    if (inventories.length === 0) return undefined;
    const cached = this.drift.get(analysis);
    if (cached?.version === this.version) return cached.result;
    const result = infraDrift(analysis, inventories);
    this.drift.set(analysis, { version: this.version, result });
    return result;
  }

  /** Settings changed: read the sources again on the next request. */
  clear(): void {
    this.sources.clear();
    this.checkedAt = 0;
    this.version++;
  }

  private refresh(): void {
    const wanted = new Set<string>();
    const roots = this.folders()
      .filter((u) => u.startsWith('file:'))
      .map((u) => fileURLToPath(u));
    for (const entry of this.paths()) {
      // Relative to the first workspace folder; never outside the workspace (the setting may come from the workspace).
      const root = roots.find((r) => isInside(path.resolve(r, entry), r));
      if (!root) {
        this.log(`threatcode.infrastructure: ${entry} is outside the workspace; it is not read.`);
        continue;
      }
      const target = path.resolve(root, entry);
      wanted.add(target);
      const previous = this.sources.get(target);
      if (previous && sourceStamp(previous.files) === previous.stamp) continue;
      try {
        const files = readInfraFiles(target, root);
        const read = infraSource(files.texts, entry);
        const result = importInfra(read.kind, read.documents, path.basename(target));
        this.sources.set(target, { stamp: sourceStamp(files.files), files: files.files, inventory: inventoryOf(result, entry, read.kind) });
      } catch (e) {
        const message = errorMessage(e);
        if (previous?.error !== message) this.log(`threatcode.infrastructure: ${entry}: ${message}`);
        this.sources.set(target, { stamp: sourceStamp([target]), files: [target], inventory: undefined, error: message });
      }
      this.version++;
    }
    for (const key of [...this.sources.keys()])
      if (!wanted.has(key)) {
        this.sources.delete(key);
        this.version++;
      }
  }
}
