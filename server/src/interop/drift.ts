/**
 * Drift between the model and the infrastructure: the resources an import of the infrastructure finds (Terraform,
 * Kubernetes, Compose), compared with the components that say they stand for them (`infra:`). A property both state
 * and state differently is `infra-drift` on the model's value; a resource nobody models is `infra-unmodelled` (one
 * diagnostic per source, listing them); an address that no longer exists is `infra-missing` (the nearest existing
 * address offered, which is what a rename needs). Pure: the sources are imported by the caller.
 */
import { isScalar, isSeq, type Node as YamlNode } from 'yaml';
import type { Analysis } from '../analysis/analyze';
import type { InfraSummary, MissingItem } from '../analysis/metrics';
import { boundDiagnostics, type CoreDiagnostic, DiagnosticCode, MAX_PER_KIND } from '../model/diagnostics';
import { spanOf } from '../model/parse';
import { suggest } from '../model/suggest';
import type { Component, Span } from '../model/types';
import { isKnown, quoted, shown } from '../shared/values';
import type { ImportResult, StatedFact } from './imported';

/** What one infrastructure source holds: its resources by address, each with its draft component and stated facts. */
export interface Inventory {
  /** The file or folder, as the user named it. */
  readonly source: string;
  readonly format: 'terraform' | 'kubernetes' | 'compose';
  readonly resources: ReadonlyMap<string, { readonly draft: Record<string, unknown>; readonly stated: readonly StatedFact[] }>;
}

export function inventoryOf(result: ImportResult, source: string, format: Inventory['format']): Inventory {
  // A resource may have several addresses (a Deployment and the Service in front of it): each finds the same entry.
  const resources = new Map<string, { draft: Record<string, unknown>; stated: StatedFact[] }>();
  for (const c of result.model.components) {
    const addresses = Array.isArray(c.infra) ? c.infra.filter((a): a is string => typeof a === 'string') : [];
    if (addresses.length === 0 || addresses.some((a) => resources.has(a))) continue;
    const entry = { draft: c, stated: (result.stated ?? []).filter((f) => addresses.includes(f.address)) };
    for (const a of addresses) resources.set(a, entry);
  }
  return { source, format, resources };
}

/** Each resource once, under its first address. */
function uniqueResources(inventory: Inventory): { address: string; addresses: string[] }[] {
  const seen = new Map<object, { address: string; addresses: string[] }>();
  for (const [address, entry] of inventory.resources) {
    const known = seen.get(entry);
    if (known) known.addresses.push(address);
    else seen.set(entry, { address, addresses: [address] });
  }
  return [...seen.values()];
}

/** Which source an address belongs to by its form: `compose/x`, `Kind/namespace/name`, else a Terraform address. */
function formatOfAddress(address: string): Inventory['format'] {
  if (address.startsWith('compose/')) return 'compose';
  if (/^[A-Z][A-Za-z]+\/[^/]+\/[^/]+$/.test(address)) return 'kubernetes';
  return 'terraform';
}

/** How a model value and an infrastructure value compare: equal, or compatible where the infrastructure cannot see. */
function agrees(path: readonly string[], model: unknown, infra: unknown): boolean {
  if (model === infra) return true;
  if (path.join('.') === 'encryptionAtRest') {
    // Application-level encryption is invisible to the infrastructure; a customer key is a platform encryption.
    if (model === 'application') return true;
    if (model === 'platform' && infra === 'customer-key') return true;
  }
  return false;
}

function itemsOf(c: Component, key: string): { value: string; span: Span }[] {
  const seq = c.node.get(key, true);
  if (!isSeq(seq)) return [];
  return seq.items.flatMap((i) => (isScalar(i) && typeof i.value === 'string' ? [{ value: i.value, span: spanOf(i) }] : []));
}

/** A value of the model or the infrastructure in a message: as written, clipped (shared/values.ts). */
function plain(value: unknown): string {
  return shown(typeof value === 'string' ? value : JSON.stringify(value));
}

export interface DriftResult {
  readonly diagnostics: readonly CoreDiagnostic[];
  readonly summary: InfraSummary;
}

export function infraDrift(analysis: Analysis, inventories: readonly Inventory[]): DriftResult | undefined {
  const model = analysis.parsed.model;
  if (!model || inventories.length === 0) return undefined;
  const diagnostics: CoreDiagnostic[] = [];
  const formats = new Set(inventories.map((i) => i.format));
  const linked = new Map<string, Component>();
  const drifted = new Set<string>();
  const missingItems: MissingItem[] = [];
  // Suggestions are looked for only while they can still be shown: each search reads every address.
  let suggestionsLeft = MAX_PER_KIND;

  for (const c of model.components) {
    const name = shown(typeof c.data.name === 'string' && c.data.name.trim() ? c.data.name : c.id);
    for (const item of itemsOf(c, 'infra')) {
      const inventory = inventories.find((i) => i.resources.has(item.value));
      if (!inventory) {
        // Only an address of a kind of source that was read can be said to be gone.
        if (!formats.has(formatOfAddress(item.value))) continue;
        const suggestions =
          suggestionsLeft-- > 0
            ? suggest(
                item.value,
                inventories
                  .filter((i) => i.format === formatOfAddress(item.value))
                  .flatMap((i) => [...i.resources.keys()])
                  .filter((a) => !linked.has(a)),
                3,
              )
            : [];
        diagnostics.push({
          code: DiagnosticCode.InfraMissing,
          severity: 'warning',
          message: `${name} stands for ${plain(item.value)}, which ${inventories
            .filter((i) => i.format === formatOfAddress(item.value))
            .map((i) => i.source)
            .join(' and ')} no longer has.${suggestions.length ? ` Renamed to ${suggestions.map((s) => quoted(s)).join(' or ')}?` : ''}`,
          span: item.span,
          data: { suggestions, element: c.id },
        });
        missingItems.push({ element: c.id, message: `${shown(c.id)}: ${plain(item.value)} no longer exists`, span: item.span });
        continue;
      }
      linked.set(item.value, c);
      for (const fact of inventory.resources.get(item.value)!.stated) {
        const node = c.node.getIn(fact.path, true) as YamlNode | undefined;
        const current = fact.path.reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], c.data);
        if (!isKnown(current) || !node || agrees(fact.path, current, fact.value)) continue;
        drifted.add(item.value);
        const property = fact.path.join('.');
        diagnostics.push({
          code: DiagnosticCode.InfraDrift,
          severity: 'warning',
          message: `The model says ${property}: ${plain(current)}; ${plain(item.value)} has ${shown(fact.source, 200)}.`,
          span: spanOf(node),
          data: { element: c.id, property, value: fact.value },
        });
        missingItems.push({
          element: c.id,
          message: `${shown(c.id)}: ${property} is ${plain(current)} in the model, ${plain(fact.value)} in ${plain(item.value)}`,
          span: spanOf(node),
        });
      }
    }
  }

  let total = 0;
  let agreeing = 0;
  for (const inventory of inventories) {
    const resources = uniqueResources(inventory);
    total += resources.length;
    const isLinked = (r: { addresses: string[] }) => r.addresses.some((a) => linked.has(a));
    agreeing += resources.filter((r) => isLinked(r) && !r.addresses.some((a) => drifted.has(a))).length;
    const unmodelled = resources.filter((r) => !isLinked(r)).map((r) => r.address);
    if (unmodelled.length === 0) continue;
    const listed =
      unmodelled
        .slice(0, 8)
        .map((a) => plain(a))
        .join(', ') + (unmodelled.length > 8 ? ` and ${unmodelled.length - 8} more` : '');
    diagnostics.push({
      code: DiagnosticCode.InfraUnmodelled,
      severity: 'info',
      message: `${unmodelled.length} ${unmodelled.length === 1 ? 'resource' : 'resources'} of ${plain(inventory.source)} ${unmodelled.length === 1 ? 'is' : 'are'} in no component's infra: ${listed}.`,
      span: model.systemSpan,
      data: { source: inventory.source, addresses: unmodelled },
    });
    for (const a of unmodelled)
      missingItems.push({ element: undefined, message: `${plain(a)}: not modelled (${plain(inventory.source)})`, span: model.systemSpan });
  }
  return { diagnostics: boundDiagnostics(diagnostics), summary: { resources: total, agreeing, missing: missingItems } };
}

/** The draft components for unmodelled resources, with ids not taken in the model and only boundaries it has. */
export function draftComponents(
  analysis: Analysis,
  inventories: readonly Inventory[],
  addresses: readonly string[],
): Record<string, unknown>[] {
  const model = analysis.parsed.model;
  if (!model) return [];
  const taken = new Set(model.byId.keys());
  const boundaries = new Set(model.boundaries.map((b) => b.id));
  const out: Record<string, unknown>[] = [];
  for (const address of addresses) {
    const resource = inventories.map((i) => i.resources.get(address)).find((r) => r !== undefined);
    if (!resource) continue;
    const draft: Record<string, unknown> = { ...resource.draft };
    let id = String(draft.id);
    for (let i = 2; taken.has(id); i++) id = `${String(draft.id)}-${i}`;
    taken.add(id);
    draft.id = id;
    if (typeof draft.boundary === 'string' && !boundaries.has(draft.boundary)) delete draft.boundary;
    out.push(draft);
  }
  return out;
}
