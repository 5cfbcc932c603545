/**
 * OWASP TM-BOM (the threat model library's format, on its way into CycloneDX) in. Trust zones ↔ boundaries, actors,
 * components and data stores ↔ components, data sets ↔ data, data flows ↔ flows, controls ↔ mitigations (linked to the
 * threats they name), assumptions ↔ assumptions. TM-BOM threats name no element: they target one component standing for
 * the system, said in the notes, to be moved to the elements they concern. Risks give the threats they group a
 * severity and a likelihood.
 */
import { isPlainObject, own } from '../shared/values';
import { compact, emptyModel, firstLine, IdMaker, type ImportResult, text, asText } from './imported';

type Node = Record<string, unknown>;

const KIND_OF_STORE: Record<string, string> = {
  object: 'object',
  database: 'database',
  sql: 'sql',
  nosql: 'nosql',
  file: 'file',
  cache: 'cache',
  queue: 'queue',
  log: 'log',
};
const STATUS_OF_CONTROL: Record<string, string> = {
  suggested: 'proposed',
  proposed: 'proposed',
  planned: 'planned',
  implemented: 'implemented',
  verified: 'verified',
  rejected: 'wont-do',
};
const SEVERITY_OF_IMPACT: Record<string, string> = {
  minor: 'low',
  moderate: 'medium',
  major: 'high',
  severe: 'critical',
  critical: 'critical',
};
const LIKELIHOOD_OF: Record<string, string> = {
  rare: 'unlikely',
  unlikely: 'unlikely',
  possible: 'possible',
  likely: 'likely',
  'almost certain': 'very-likely',
  certain: 'very-likely',
};
const SEVERITY_RANK: Record<string, number> = { low: 1, medium: 2, high: 3, critical: 4 };

function list(v: unknown): Node[] {
  return Array.isArray(v) ? v.filter(isPlainObject) : [];
}

/** TM-BOM titles carry diagram line breaks ("Training\nand Validation\nImages"). */
function title(v: unknown): string | undefined {
  return text(typeof v === 'string' ? v.replace(/\s*\n\s*/g, ' ') : v);
}

export function importTmBom(source: unknown): ImportResult {
  if (!isPlainObject(source) || !isPlainObject(source.scope)) throw new Error('not a TM-BOM model: it has no scope.');
  const notes: string[] = [];
  const scope = source.scope;
  const model = emptyModel(title(scope.title) ?? 'Imported model');
  Object.assign(model.system, compact({ description: text(scope.description) ?? text(source.description) }));
  if (typeof source.reviewed_at === 'string' && /^\d{4}-\d{2}-\d{2}/.test(source.reviewed_at))
    model.system.reviewed = { date: source.reviewed_at.slice(0, 10), by: 'unknown' };
  for (const key of ['release_docs_link', 'repo_link']) if (text(source[key])) notes.push(`${key}: ${text(source[key])}`);
  for (const key of Object.keys(scope))
    if (!['title', 'description'].includes(key)) notes.push(`scope.${key}: ${JSON.stringify(scope[key])}`);
  const ids = new IdMaker();

  for (const z of list(source.trust_zones)) {
    const id = ids.id(asText(z.symbolic_name), title(z.title), 'zone-');
    model.boundaries.push(compact({ id, name: title(z.title), description: text(z.description), trust: 'unknown' }));
    notes.push(`boundary ${id}: TM-BOM does not rate trust; set trust`);
  }
  for (const b of list(source.trust_boundaries))
    notes.push(
      `trust boundary between ${asText(b.trust_zone_a)} and ${asText(b.trust_zone_b)}: access control ${JSON.stringify(b.access_control_methods ?? [])}, authentication ${JSON.stringify(b.authentication_methods ?? [])}`,
    );
  const zone = (v: unknown) => (typeof v === 'string' ? ids.known(v) : undefined);

  for (const a of list(source.actors)) {
    const id = ids.id(asText(a.symbolic_name), title(a.title), 'actor-');
    model.components.push(
      compact({
        id,
        name: title(a.title) ?? id,
        type: 'external',
        boundary: zone(a.trust_zone),
        description: text(a.description),
        tags: text(a.type) ? [`tm-bom:${asText(a.type)}`] : undefined,
      }),
    );
    if (text(a.permissions)) notes.push(`actor ${id}: permissions: ${text(a.permissions)}`);
  }
  for (const c of list(source.components)) {
    const id = ids.id(asText(c.symbolic_name), title(c.title), 'c-');
    model.components.push(
      compact({ id, name: title(c.title) ?? id, type: 'process', boundary: zone(c.trust_zone), description: text(c.description) }),
    );
    if (text(c.repo_link)) notes.push(`component ${id}: repository ${text(c.repo_link)}`);
  }
  const stores = new Map<string, Node>();
  for (const s of list(source.data_stores)) {
    const id = ids.id(asText(s.symbolic_name), title(s.title), 'store-');
    const store: Node = {
      id,
      name: title(s.title) ?? id,
      type: 'datastore',
      kind: own(KIND_OF_STORE, asText(s.type)),
      boundary: zone(s.trust_zone),
      description: text(s.description),
      stores: [],
    };
    stores.set(id, store);
    model.components.push(store);
    if (text(s.vendor) || text(s.product)) notes.push(`data store ${id}: ${[text(s.vendor), text(s.product)].filter(Boolean).join(' ')}`);
  }
  for (const d of list(source.data_sets)) {
    const id = ids.id(asText(d.symbolic_name), title(d.title), 'data-');
    model.data.push(compact({ id, name: title(d.title) ?? id, description: text(d.description), classification: 'unknown' }));
    notes.push(`data ${id}: sensitivity ${JSON.stringify(d.data_sensitivity ?? [])} is not a classification here; set classification`);
    for (const p of list(d.placements)) {
      const store = stores.get(ids.known(asText(p.data_store)) ?? '');
      if (store) (store.stores as string[]).push(id);
      if (p.encrypted === true)
        notes.push(`data ${id}: encrypted in ${asText(p.data_store)} per the source, which does not say how; set encryptionAtRest`);
    }
  }
  for (const s of stores.values()) if (!(s.stores as string[]).length) delete s.stores;
  for (const c of model.components) Object.keys(c).forEach((k) => c[k] === undefined && delete c[k]);

  for (const f of list(source.data_flows)) {
    const from = isPlainObject(f.source) ? ids.known(asText(f.source.object)) : undefined;
    const to = isPlainObject(f.destination) ? ids.known(asText(f.destination.object)) : undefined;
    if (!from || !to) {
      notes.push(`data flow '${asText(f.symbolic_name)}' connects something the model does not define; not imported`);
      continue;
    }
    const id = ids.id(asText(f.symbolic_name), title(f.title), 'flow-');
    const protocol = asText(f.title ?? '').toLowerCase();
    model.flows.push(
      compact({
        id,
        name: title(f.title),
        from,
        to,
        description: text(f.description),
        protocol: ['https', 'http', 'ssh', 'sftp', 'grpc'].includes(protocol) ? protocol : undefined,
        encryptedInTransit: f.encrypted === true ? true : undefined,
      }),
    );
    if (f.has_sensitive_data === true) notes.push(`flow ${id}: carries sensitive data per the source; name the data it carries`);
  }
  for (const a of list(source.assumptions)) {
    const id = ids.id(`assumption:${model.assumptions.length}`, firstLine(text(a.description) ?? 'assumption'), 'A-');
    model.assumptions.push(
      compact({ id, text: text(a.description) ?? '', tags: Array.isArray(a.topics) ? a.topics.map(String) : undefined }),
    );
    if (text(a.validity)) notes.push(`assumption ${id}: validity ${text(a.validity)}`);
  }
  for (const p of list(source.threat_personas))
    notes.push(
      `threat persona ${title(p.title) ?? asText(p.symbolic_name)}: ${text(p.description) ?? ''} (skill ${asText(p.skill_level)}, access ${asText(p.access_level)})`,
    );

  // Severity and likelihood from the risks that group a threat (the worst).
  const riskOf = new Map<string, { severity?: string; likelihood?: string }>();
  for (const r of list(source.risks)) {
    const severity = own(SEVERITY_OF_IMPACT, asText(r.impact).toLowerCase());
    const likelihood = own(LIKELIHOOD_OF, asText(r.likelihood).toLowerCase());
    for (const t of Array.isArray(r.threats) ? r.threats.map(String) : []) {
      const before = riskOf.get(t);
      if (!before || (own(SEVERITY_RANK, severity ?? '') ?? 0) > (own(SEVERITY_RANK, before.severity ?? '') ?? 0))
        riskOf.set(t, { severity, likelihood });
    }
    notes.push(
      `risk ${title(r.title) ?? asText(r.symbolic_name)}: likelihood ${asText(r.likelihood)}, impact ${asText(r.impact)}; given to its threats. ${text(r.impact_description) ?? ''}`,
    );
  }
  const mitigationsOf = new Map<string, string[]>();
  for (const c of list(source.controls)) {
    const id = ids.id(asText(c.symbolic_name), title(c.title), 'M-');
    model.mitigations.push(
      compact({
        id,
        title: title(c.title) ?? id,
        status: own(STATUS_OF_CONTROL, asText(c.status).toLowerCase()) ?? 'proposed',
        description: text(c.description),
      }),
    );
    for (const t of Array.isArray(c.threats) ? c.threats.map(String) : []) mitigationsOf.set(t, [...(mitigationsOf.get(t) ?? []), id]);
  }
  let system: string | undefined;
  for (const t of list(source.threats)) {
    if (!system) {
      system = ids.id('system', model.system.name as string, 'system-');
      model.components.push({ id: system, name: asText(model.system.name), type: 'process', tags: ['tm-bom:system'] });
      notes.push(
        `component ${system}: stands for the system; TM-BOM threats name no element, so they target it: move each to the elements it concerns`,
      );
    }
    const symbolic = asText(t.symbolic_name);
    const risk = riskOf.get(symbolic);
    model.threats.push(
      compact({
        id: ids.id(`threat:${symbolic}`, title(t.title), 'T-'),
        title: title(t.title) ?? symbolic,
        category: 'information-disclosure',
        targets: [system],
        status: 'open',
        severity: risk?.severity,
        likelihood: risk?.likelihood,
        description:
          [
            text(t.description),
            text(t.event) ? `Event: ${text(t.event)}` : undefined,
            text(t.threat_persona) ? `Persona: ${text(t.threat_persona)}` : undefined,
          ]
            .filter(Boolean)
            .join('\n\n') || undefined,
        cwe: list(t.weaknesses)
          .map((w) => Number(w.cwe_id))
          .filter((n) => Number.isInteger(n) && n > 0),
        capec: list(t.attack_mechanisms)
          .map((m) => Number(m.capec_id))
          .filter((n) => Number.isInteger(n) && n > 0),
        mitigations: mitigationsOf.get(symbolic) ?? [],
      }),
    );
  }
  if (list(source.threats).length) notes.push('TM-BOM threats carry no STRIDE category: information-disclosure set on each for review');
  return { model, notes: [...new Set(notes)] };
}
