/**
 * Open Threat Model (OTM 0.2, IriusRisk; JSON or YAML) in and out. Trust zones ↔ boundaries, components ↔ components,
 * dataflows ↔ flows, assets ↔ data, threat and mitigation instances on components and dataflows ↔ threats and their
 * mitigations. Representations (diagram geometry) are not part of our format and are counted in the notes.
 */
import type { Analysis } from '../analysis/analyze';
import type { Element, ThreatModel } from '../model/types';
import { own, isPlainObject } from '../shared/values';
import { compact, emptyModel, IdMaker, type ImportResult, text, unmapped, asText, STRIDE_WORDS } from './imported';

/** OTM trustRating (0-100) ↔ our trust levels: the quarter it falls in. */
const TRUST_OF_RATING = (rating: number) => (rating < 25 ? 'untrusted' : rating < 50 ? 'dmz' : rating < 75 ? 'internal' : 'restricted');
const RATING_OF_TRUST: Record<string, number> = { untrusted: 10, dmz: 35, internal: 60, restricted: 90 };
/** OTM asset confidentiality (0-100) ↔ our classification. */
const CLASS_OF_CONFIDENTIALITY = (c: number) => (c < 25 ? 'public' : c < 50 ? 'internal' : c < 75 ? 'confidential' : 'restricted');
const CONFIDENTIALITY_OF_CLASS: Record<string, number> = { public: 10, internal: 35, confidential: 60, restricted: 90 };

/** Threat instance states (OTM leaves them open; these are the ones IriusRisk and StartLeft write). */
const STATUS_OF_STATE: Record<string, string> = {
  exposed: 'open',
  open: 'open',
  'partly-mitigated': 'in-progress',
  'partly mitigated': 'in-progress',
  mitigated: 'mitigated',
  accept: 'accepted',
  accepted: 'accepted',
  'not-applicable': 'not-applicable',
  'not applicable': 'not-applicable',
  na: 'not-applicable',
  transferred: 'transferred',
  avoided: 'avoided',
};
const STATE_OF_STATUS: Record<string, string> = {
  open: 'exposed',
  'in-progress': 'partly-mitigated',
  mitigated: 'mitigated',
  accepted: 'accepted',
  transferred: 'transferred',
  avoided: 'avoided',
  'not-applicable': 'not-applicable',
  'false-positive': 'not-applicable',
};
const MITIGATION_STATUS_OF_STATE: Record<string, string> = {
  required: 'planned',
  recommended: 'proposed',
  proposed: 'proposed',
  planned: 'planned',
  implemented: 'implemented',
  verified: 'verified',
  rejected: 'wont-do',
  'not-applicable': 'wont-do',
};
const MITIGATION_STATE_OF_STATUS: Record<string, string> = {
  proposed: 'recommended',
  planned: 'required',
  'in-progress': 'required',
  implemented: 'implemented',
  verified: 'implemented',
  'wont-do': 'rejected',
};

/** Severity and likelihood from OTM's 0-100 impact and likelihood. */
const SEVERITY_OF_IMPACT = (i: number) => (i >= 90 ? 'critical' : i >= 67 ? 'high' : i >= 34 ? 'medium' : 'low');
const LIKELIHOOD_OF = (l: number) => (l >= 75 ? 'very-likely' : l >= 50 ? 'likely' : l >= 25 ? 'possible' : 'unlikely');
const IMPACT_OF_SEVERITY: Record<string, number> = { critical: 100, high: 75, medium: 50, low: 25 };
const LIKELIHOOD_NUMBER: Record<string, number> = { 'very-likely': 90, likely: 65, possible: 40, unlikely: 15 };

/** Component kinds and types from OTM's free-text component type (StartLeft and IriusRisk names). */
function typeOf(otmType: string): { type: string; kind?: string } {
  const t = otmType.toLowerCase();
  if (/(client|browser|user|actor|human|external|third-party|saas)/.test(t))
    return { type: 'external', kind: /browser|web-client/.test(t) ? 'browser' : /user|human|actor/.test(t) ? 'human' : undefined };
  if (/(sql|postgres|mysql|oracle|rds|aurora|database|db)/.test(t))
    return { type: 'datastore', kind: /sql|postgres|mysql|oracle|rds|aurora/.test(t) ? 'sql' : 'database' };
  if (/(nosql|dynamo|mongo|cosmos|cassandra)/.test(t)) return { type: 'datastore', kind: 'nosql' };
  if (/(s3|bucket|blob|storage|file)/.test(t)) return { type: 'datastore', kind: /file/.test(t) ? 'file' : 'object' };
  if (/(queue|sqs|sns|kafka|kinesis|event|bus)/.test(t)) return { type: 'datastore', kind: 'queue' };
  if (/(cache|redis|memcache)/.test(t)) return { type: 'datastore', kind: 'cache' };
  if (/(gateway)/.test(t)) return { type: 'process', kind: 'gateway' };
  if (/(load-balancer|elb|alb)/.test(t)) return { type: 'process', kind: 'load-balancer' };
  if (/(lambda|function)/.test(t)) return { type: 'process', kind: 'function' };
  return { type: 'process' };
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function importOtm(source: unknown): ImportResult {
  if (!isPlainObject(source) || !isPlainObject(source.project)) throw new Error('not an OTM document: it has no project.');
  const notes: string[] = [];
  const project = source.project;
  const model = emptyModel(text(project.name) ?? 'Imported model');
  Object.assign(model.system, compact({ description: text(project.description), owner: text(project.owner) }));
  if (project.ownerContact !== undefined) notes.push(unmapped('project', 'ownerContact', project.ownerContact));
  if (project.attributes) notes.push(unmapped('project', 'attributes', project.attributes));
  const ids = new IdMaker();

  for (const z of list(source.trustZones).filter(isPlainObject)) {
    const id = ids.id(asText(z.id), text(z.name), 'zone-');
    const rating = num(isPlainObject(z.risk) ? z.risk.trustRating : undefined);
    const parent = isPlainObject(z.parent) ? text(z.parent.trustZone) : undefined;
    model.boundaries.push(
      compact({
        id,
        name: text(z.name),
        description: text(z.description),
        trust: rating === undefined ? 'unknown' : TRUST_OF_RATING(rating),
        tags: text(z.type) ? [`otm:${text(z.type)}`] : undefined,
        _parent: parent,
      }),
    );
    if (rating !== undefined)
      notes.push(`boundary ${id}: trust ${TRUST_OF_RATING(rating)} read from trustRating ${rating} (quarters of 0-100)`);
    if (z.attributes) notes.push(unmapped(`trust zone ${id}`, 'attributes', z.attributes));
  }
  for (const b of model.boundaries) {
    const p = b._parent as string | undefined;
    delete b._parent;
    if (p !== undefined) b.parent = ids.known(p) ?? p;
  }

  for (const a of list(source.assets).filter(isPlainObject)) {
    const id = ids.id(asText(a.id), text(a.name), 'data-');
    const c = num(isPlainObject(a.risk) ? a.risk.confidentiality : undefined);
    model.data.push(
      compact({
        id,
        name: text(a.name),
        description: text(a.description),
        classification: c === undefined ? 'unknown' : CLASS_OF_CONFIDENTIALITY(c),
      }),
    );
    if (c !== undefined) notes.push(`data ${id}: classification ${CLASS_OF_CONFIDENTIALITY(c)} read from confidentiality ${c}`);
    if (isPlainObject(a.risk) && (a.risk.integrity !== undefined || a.risk.availability !== undefined || a.risk.comment !== undefined))
      notes.push(
        unmapped(`asset ${id}`, 'risk (integrity, availability, comment)', {
          integrity: a.risk.integrity,
          availability: a.risk.availability,
          comment: a.risk.comment,
        }),
      );
  }

  const catalogThreats = new Map(
    list(source.threats)
      .filter(isPlainObject)
      .map((t) => [asText(t.id), t]),
  );
  /** The catalog key each used mitigation came from (searched for among all keys, per mitigation, before). */
  const catalogKeyOf = new Map<string, string>();
  const catalogMitigations = new Map(
    list(source.mitigations)
      .filter(isPlainObject)
      .map((m) => [asText(m.id), m]),
  );
  const usedThreats = new Set<string>();
  const mitigationStatus = new Map<string, string>();

  /** Threat and mitigation instances on an element become threats that target it. */
  const instances = (owner: Record<string, unknown>, target: string) => {
    for (const inst of list(owner.threats).filter(isPlainObject)) {
      const t = catalogThreats.get(asText(inst.threat));
      if (!t) {
        notes.push(`${target}: threat instance of '${asText(inst.threat)}', which the document does not define (not imported)`);
        continue;
      }
      usedThreats.add(asText(t.id));
      const state = asText(inst.state ?? '').toLowerCase();
      const status = own(STATUS_OF_STATE, state);
      if (!status) notes.push(`${target}: threat '${text(t.name) ?? asText(t.id)}' has state '${state}', read as open`);
      const categories = list(t.categories)
        .map((c) => own(STRIDE_WORDS, asText(c).toLowerCase()))
        .filter((c): c is string => c !== undefined);
      if (!categories.length)
        notes.push(`${target}: threat '${text(t.name) ?? asText(t.id)}' states no STRIDE category; information-disclosure set for review`);
      const risk = isPlainObject(t.risk) ? t.risk : {};
      const impact = num(risk.impact);
      const likelihood = num(risk.likelihood);
      const mitigations: string[] = [];
      for (const mi of list(inst.mitigations).filter(isPlainObject)) {
        const m = catalogMitigations.get(asText(mi.mitigation));
        if (!m) continue;
        const mid = ids.id(`mitigation:${asText(m.id)}`, text(m.name), 'M-');
        if (!catalogKeyOf.has(mid)) catalogKeyOf.set(mid, asText(mi.mitigation));
        mitigations.push(mid);
        const ms = own(MITIGATION_STATUS_OF_STATE, asText(mi.state ?? '').toLowerCase()) ?? 'proposed';
        const before = mitigationStatus.get(mid);
        if (before && before !== ms) notes.push(`mitigation ${mid}: state differs between instances (${before}, ${ms}); the first is kept`);
        if (!before) mitigationStatus.set(mid, ms);
      }
      model.threats.push(
        compact({
          id: ids.id(`threat:${asText(t.id)}@${target}`, `${text(t.name) ?? 'threat'}`, 'T-'),
          title: text(t.name) ?? asText(t.id),
          category: categories[0] ?? 'information-disclosure',
          targets: [target],
          status: status ?? 'open',
          severity: impact === undefined ? undefined : SEVERITY_OF_IMPACT(impact),
          likelihood: likelihood === undefined ? undefined : LIKELIHOOD_OF(likelihood),
          description: text(t.description),
          cwe: list(t.cwes)
            .map((c) => Number(/(\d+)/.exec(asText(c))?.[1]))
            .filter((n) => Number.isInteger(n) && n > 0),
          mitigations,
          tags: categories.length > 1 ? categories.slice(1).map((c) => `also:${c}`) : undefined,
        }),
      );
      if (risk.likelihoodComment || risk.impactComment)
        notes.push(
          unmapped(`threat ${text(t.name) ?? asText(t.id)}`, 'risk comments', {
            likelihoodComment: risk.likelihoodComment,
            impactComment: risk.impactComment,
          }),
        );
    }
  };

  const componentBoundary = new Map<string, string | undefined>();
  const components = list(source.components).filter(isPlainObject);
  for (const c of components) {
    const id = ids.id(asText(c.id), text(c.name), 'c-');
    const otmType = text(c.type) ?? '';
    const { type, kind } = typeOf(otmType);
    const parent = isPlainObject(c.parent) ? c.parent : {};
    const zone = text(parent.trustZone);
    componentBoundary.set(asText(c.id), zone);
    const assets = isPlainObject(c.assets) ? c.assets : {};
    const stored = list(assets.stored).map((a) => ids.known(asText(a)) ?? asText(a));
    model.components.push(
      compact({
        id,
        name: text(c.name) ?? id,
        type,
        kind,
        boundary: zone ? (ids.known(zone) ?? zone) : undefined,
        description: text(c.description),
        stores: type === 'datastore' ? stored : undefined,
        tags: [...(otmType ? [`otm:${otmType}`] : []), ...list(c.tags).map(String)],
      }),
    );
    notes.push(`component ${id}: type ${type}${kind ? `, kind ${kind}` : ''} read from OTM type '${otmType || '(none)'}'`);
    if (text(parent.component))
      notes.push(
        `component ${id}: nested in component '${asText(parent.component)}' (components do not nest here; its boundary is the parent's)`,
      );
    if (type !== 'datastore' && stored.length) notes.push(unmapped(`component ${id}`, 'assets.stored', stored));
    if (list(assets.processed).length) notes.push(unmapped(`component ${id}`, 'assets.processed', assets.processed));
    if (c.attributes) notes.push(unmapped(`component ${id}`, 'attributes', c.attributes));
  }
  // A component nested in another takes the other's boundary.
  for (const [i, c] of components.entries()) {
    const parent = isPlainObject(c.parent) ? text(c.parent.component) : undefined;
    const zone = parent ? componentBoundary.get(parent) : undefined;
    if (zone && !model.components[i].boundary) model.components[i].boundary = ids.known(zone) ?? zone;
  }
  for (const [i, c] of components.entries()) instances(c, model.components[i].id as string);

  for (const f of list(source.dataflows).filter(isPlainObject)) {
    const id = ids.id(asText(f.id), text(f.name), 'flow-');
    model.flows.push(
      compact({
        id,
        name: text(f.name),
        description: text(f.description),
        from: ids.known(asText(f.source)) ?? asText(f.source),
        to: ids.known(asText(f.destination)) ?? asText(f.destination),
        bidirectional: f.bidirectional === true ? true : undefined,
        data: list(f.assets).map((a) => ids.known(asText(a)) ?? asText(a)),
        tags: list(f.tags).map(String),
      }),
    );
    if (f.attributes) notes.push(unmapped(`dataflow ${id}`, 'attributes', f.attributes));
    instances(f, id);
  }

  for (const [mid, status] of mitigationStatus) {
    const sourceId = catalogKeyOf.get(mid)!;
    const m = catalogMitigations.get(sourceId)!;
    model.mitigations.push(compact({ id: mid, title: text(m.name) ?? sourceId, status, description: text(m.description) }));
    if (m.riskReduction !== undefined) notes.push(unmapped(`mitigation ${mid}`, 'riskReduction', m.riskReduction));
  }
  // A threat here has targets: one the source applies nowhere is kept, whole, in the notes.
  for (const [tid, t] of catalogThreats)
    if (!usedThreats.has(tid))
      notes.push(
        `threat '${text(t.name) ?? tid}' is applied to no component or dataflow, so it is not a threat here: ${text(t.description) ?? '(no description)'}`,
      );
  for (const [mid, m] of catalogMitigations) {
    if (ids.known(`mitigation:${mid}`)) continue;
    const id = ids.id(`mitigation:${mid}`, text(m.name), 'M-');
    model.mitigations.push(compact({ id, title: text(m.name) ?? mid, status: 'proposed', description: text(m.description) }));
    notes.push(`mitigation ${id}: used by no threat instance; imported as proposed`);
  }
  const representations = list(source.representations).length;
  if (representations)
    notes.push(`${representations} representation(s) (diagram geometry) not imported: the diagram is drawn from the model`);
  return { model, notes: [...new Set(notes)] };
}

/** Our model as OTM 0.2: what both formats hold, valid against the OTM schema. */
export function exportOtm(analysis: Analysis): Record<string, unknown> {
  const model: ThreatModel = analysis.parsed.model!;
  const d = (e: Element) => e.data as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const out: Record<string, unknown> = {
    otmVersion: '0.2.0',
    project: compact({
      name: str(model.system?.name) ?? 'Threat model',
      id: (str(model.system?.name) ?? 'threat-model').toLowerCase().replace(/[^a-z0-9]+/g, '-'),
      description: str(model.system?.description),
      owner: str(model.system?.owner),
    }),
  };
  out.trustZones = model.boundaries.map((b) =>
    compact({
      id: b.id,
      name: str(d(b).name) ?? b.id,
      description: str(d(b).description),
      risk: { trustRating: own(RATING_OF_TRUST, asText(d(b).trust)) ?? 50 },
      parent: str(d(b).parent) ? { trustZone: str(d(b).parent) } : undefined,
    }),
  );
  out.assets = model.data.map((a) =>
    compact({
      id: a.id,
      name: str(d(a).name) ?? a.id,
      description: str(d(a).description),
      risk: { confidentiality: own(CONFIDENTIALITY_OF_CLASS, asText(d(a).classification)) ?? 50, integrity: 50, availability: 50 },
    }),
  );
  // Threats by target and mitigations by id, indexed once (filtered per component, they were components × threats).
  const threatsByTarget = new Map<string, (typeof model.threats)[number][]>();
  for (const t of model.threats)
    for (const target of new Set(Array.isArray(t.data.targets) ? t.data.targets : [])) {
      const list = threatsByTarget.get(target);
      if (list) list.push(t);
      else threatsByTarget.set(target, [t]);
    }
  const mitigationById = new Map(model.mitigations.map((m) => [m.id, m]));
  const threatsOn = (id: string) =>
    (threatsByTarget.get(id) ?? []).map((t) => ({
      threat: t.id,
      state: own(STATE_OF_STATUS, asText(t.data.status)) ?? 'exposed',
      mitigations: (t.data.mitigations ?? []).map((m) => ({
        mitigation: m,
        state: own(MITIGATION_STATE_OF_STATUS, asText(mitigationById.get(m)?.data.status)) ?? 'recommended',
      })),
    }));
  // OTM requires every component to sit in a trust zone: one stands for "no boundary" when some have none.
  const homeless = model.components.some((c) => !str(d(c).boundary));
  if (homeless) (out.trustZones as unknown[]).push({ id: 'unassigned', name: 'No trust boundary', risk: { trustRating: 50 } });
  out.components = model.components.map((c) =>
    compact({
      id: c.id,
      name: str(d(c).name) ?? c.id,
      type: str(d(c).kind) ?? str(d(c).type) ?? 'process',
      description: str(d(c).description),
      parent: { trustZone: str(d(c).boundary) ?? 'unassigned' },
      assets: Array.isArray(d(c).stores) ? { processed: [], stored: d(c).stores } : undefined,
      threats: threatsOn(c.id),
      tags: [str(d(c).type)].filter((x): x is string => x !== undefined),
    }),
  );
  out.dataflows = model.flows.map((f) =>
    compact({
      id: f.id,
      name: str(d(f).name) ?? f.id,
      description: str(d(f).description),
      source: str(d(f).from),
      destination: str(d(f).to),
      bidirectional: d(f).bidirectional === true ? true : undefined,
      assets: Array.isArray(d(f).data) ? d(f).data : undefined,
      threats: threatsOn(f.id),
    }),
  );
  const categoryWords = Object.fromEntries(Object.entries(STRIDE_WORDS).map(([w, c]) => [c, w.replace(/\b\w/g, (x) => x.toUpperCase())]));
  out.threats = model.threats.map((t) =>
    compact({
      id: t.id,
      name: str(t.data.title) ?? t.id,
      description: str((t.data as Record<string, unknown>).description),
      categories: [own(categoryWords, asText(t.data.category)) ?? asText(t.data.category)],
      cwes: (t.data.cwe ?? []).map((n) => `CWE-${n}`),
      risk: {
        likelihood: own(LIKELIHOOD_NUMBER, asText(t.data.likelihood)) ?? null,
        impact: own(IMPACT_OF_SEVERITY, asText(t.data.severity)) ?? 50,
      },
    }),
  );
  out.mitigations = model.mitigations.map((m) =>
    compact({
      id: m.id,
      name: str(m.data.title) ?? m.id,
      description: str((m.data as Record<string, unknown>).description),
      riskReduction: 50,
    }),
  );
  return out;
}
