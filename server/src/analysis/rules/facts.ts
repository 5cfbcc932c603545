/**
 * An index over one model for rule evaluation: related elements (flows in and out, members of a boundary, data
 * carried and stored) and computed facts, each computed at most once per element.
 *
 * It also records what an evaluation reads, as dependency keys ("id:web", "in:web" for the flows into web, ...).
 * After an edit, only the subjects whose recorded reads meet the keys the edited element writes (`keysWrittenBy`)
 * are evaluated again; every other finding is kept. Every lookup of another element goes through `read`.
 */
import type {
  Boundary,
  Component,
  DataAsset,
  Element,
  Flow,
  Mitigation,
  Threat,
  ThreatModel,
} from '../../model/types';
import { Quantifier, SCALES, SubjectKind } from './types';

/** Something a condition is evaluated on. */
export interface Subject {
  readonly kind: SubjectKind;
  /** Undefined for the model subject. */
  readonly element: Element | undefined;
  /** The values properties are read from. */
  readonly data: Readonly<Record<string, unknown>>;
  /** How to name it in explanations: "flow 'checkout'". */
  readonly label: string;
}

const ENCRYPTED_PROTOCOLS = new Set(['https', 'grpc-tls', 'wss', 'amqps', 'mqtts', 'kafka-tls', 'sql-tls', 'ldaps', 'smtps', 'ssh', 'sftp']);
const CLEARTEXT_PROTOCOLS = new Set(['http', 'grpc', 'ws', 'amqp', 'mqtt', 'kafka', 'sql', 'ldap', 'smtp', 'ftp', 'smb']);
const LOCAL_PROTOCOLS = new Set(['ipc', 'in-process', 'file']);
const PERSONAL = new Set(['personal', 'special-category']);

export class ModelIndex {
  readonly components = new Map<string, Component>();
  readonly flows = new Map<string, Flow>();
  readonly data = new Map<string, DataAsset>();
  readonly boundaries = new Map<string, Boundary>();
  readonly mitigations = new Map<string, Mitigation>();
  private readonly inbound = new Map<string, Flow[]>();
  private readonly outbound = new Map<string, Flow[]>();
  private readonly members = new Map<string, Component[]>();
  private readonly threatTargets = new Set<string>();
  /** `RULE@element` for every recorded threat with a rule. */
  private readonly recorded = new Map<string, Threat>();
  private readonly referencedMitigations = new Set<string>();
  private readonly referencedData = new Set<string>();
  private readonly factCache = new Map<Element, Map<string, { value: unknown; reads: readonly string[] }>>();
  /** Where reads are recorded, while a subject is evaluated. */
  private reads: Set<string> | undefined;
  private readonly subjects = new Map<Element, Subject>();
  readonly modelSubject: Subject;

  constructor(readonly model: ThreatModel) {
    for (const c of model.components) if (!this.components.has(c.id)) this.components.set(c.id, c);
    for (const f of model.flows) if (!this.flows.has(f.id)) this.flows.set(f.id, f);
    for (const d of model.data) if (!this.data.has(d.id)) this.data.set(d.id, d);
    for (const b of model.boundaries) if (!this.boundaries.has(b.id)) this.boundaries.set(b.id, b);
    for (const m of model.mitigations) if (!this.mitigations.has(m.id)) this.mitigations.set(m.id, m);
    for (const f of model.flows) {
      push(this.outbound, str(f.data.from), f);
      push(this.inbound, str(f.data.to), f);
      for (const d of strings(f.data.data)) this.referencedData.add(d);
    }
    for (const c of model.components) {
      push(this.members, str(c.data.boundary), c);
      for (const d of strings(c.data.stores)) this.referencedData.add(d);
    }
    for (const t of model.threats) {
      for (const target of strings(t.data.targets)) {
        this.threatTargets.add(target);
        if (typeof t.data.rule === 'string') this.recorded.set(`${t.data.rule}@${target}`, t);
      }
      for (const m of strings(t.data.mitigations)) this.referencedMitigations.add(m);
    }
    this.modelSubject = { kind: 'model', element: undefined, data: { ...(model.system ?? {}), system: model.system }, label: 'the model' };
  }

  subject(element: Element): Subject {
    let s = this.subjects.get(element);
    if (!s) {
      const kind = SUBJECT_OF_SECTION[element.section];
      s = { kind, element, data: element.data as Record<string, unknown>, label: `${LABEL[kind]} '${element.id}'` };
      this.subjects.set(element, s);
    }
    return s;
  }

  /** Runs `fn` recording into `reads` every dependency key it reads. */
  track<T>(reads: Set<string>, fn: () => T): T {
    const outer = this.reads;
    this.reads = reads;
    try {
      return fn();
    } finally {
      this.reads = outer;
    }
  }

  private read(key: string): void {
    this.reads?.add(key);
  }

  private byId<T extends Element>(map: ReadonlyMap<string, T>, id: string | undefined): T | undefined {
    if (id === undefined) return undefined;
    this.read(`id:${id}`);
    return map.get(id);
  }

  /** The threat that records finding `RULE@element`, if any. */
  recordedThreat(findingId: string, elementId: string): Threat | undefined {
    this.read(`threats:${elementId}`);
    return this.recorded.get(findingId);
  }

  /** The elements a quantifier ranges over, for a subject. */
  related(q: Quantifier, subject: Subject): Element[] {
    const e = subject.element;
    const d = subject.data;
    switch (q) {
      case 'source':
        return compact([this.byId(this.components, str(d.from))]);
      case 'target':
        return compact([this.byId(this.components, str(d.to))]);
      case 'anyData':
      case 'allData':
        return compact([...this.dataIdsOf(subject)].map((id) => this.byId(this.data, id)));
      case 'anyInbound':
      case 'allInbound':
        if (!e) return [];
        this.read(`in:${e.id}`);
        return this.inbound.get(e.id) ?? [];
      case 'anyOutbound':
      case 'allOutbound':
        if (!e) return [];
        this.read(`out:${e.id}`);
        return this.outbound.get(e.id) ?? [];
      case 'anyStored':
        return compact(strings(d.stores).map((id) => this.byId(this.data, id)));
      case 'anyMember':
        if (!e) return [];
        this.read(`members:${e.id}`);
        return this.members.get(e.id) ?? [];
      case 'anyMitigation':
        return compact(strings(d.mitigations).map((id) => this.byId(this.mitigations, id)));
      case 'anyTarget':
        return compact(strings(d.targets).map((id) => this.byId(this.components, id)));
      case 'anyComponent':
        this.read('all:components');
        return [...this.model.components];
      case 'anyFlow':
        this.read('all:flows');
        return [...this.model.flows];
    }
  }

  fact(name: string, subject: Subject): unknown {
    const e = subject.element;
    if (!e) return undefined;
    let cache = this.factCache.get(e);
    if (!cache) this.factCache.set(e, (cache = new Map()));
    let entry = cache.get(name);
    if (!entry) {
      // A fact is computed once but may be read while evaluating many subjects: keep what it read for each of them.
      const reads = new Set<string>();
      const value = this.track(reads, () => this.computeFact(name, subject));
      cache.set(name, (entry = { value, reads: [...reads] }));
    }
    for (const key of entry.reads) this.read(key);
    return entry.value;
  }

  private computeFact(name: string, subject: Subject): unknown {
    const e = subject.element!;
    const d = subject.data;
    switch (name) {
      case 'crossesBoundary': {
        const from = this.byId(this.components, str(d.from));
        const to = this.byId(this.components, str(d.to));
        if (!from || !to) return undefined;
        return str(from.data.boundary) !== str(to.data.boundary);
      }
      case 'crossesIntoHigherTrust': {
        const from = this.byId(this.components, str(d.from));
        const to = this.byId(this.components, str(d.to));
        if (!from || !to) return undefined;
        const scale = SCALES.trust;
        return scale.indexOf(this.trustOf(to)) > scale.indexOf(this.trustOf(from));
      }
      case 'encrypted': {
        if (d.encryptedInTransit === true || d.encryptedInTransit === false) return d.encryptedInTransit;
        const protocol = str(d.protocol);
        if (protocol && ENCRYPTED_PROTOCOLS.has(protocol)) return true;
        if (protocol && CLEARTEXT_PROTOCOLS.has(protocol)) return false;
        return 'unknown';
      }
      case 'local':
        return LOCAL_PROTOCOLS.has(str(d.protocol) ?? '') || d.network === 'host';
      case 'maxClassification': {
        const scale = SCALES.classification;
        let best = -1;
        for (const id of this.dataIdsOf(subject)) {
          best = Math.max(best, scale.indexOf(str(this.byId(this.data, id)?.data.classification) ?? ''));
        }
        return best >= 0 ? scale[best] : undefined;
      }
      case 'hasPersonalData':
        return [...this.dataIdsOf(subject)].some((id) => PERSONAL.has(str(this.byId(this.data, id)?.data.pii) ?? ''));
      case 'trust':
        return e.section === 'components' ? this.trustOf(e as Component) : undefined;
      case 'hasThreats':
        this.read(`threats:${e.id}`);
        return this.threatTargets.has(e.id);
      case 'hasFlows':
        this.read(`in:${e.id}`);
        this.read(`out:${e.id}`);
        return (this.inbound.get(e.id)?.length ?? 0) + (this.outbound.get(e.id)?.length ?? 0) > 0;
      case 'referenced':
        if (e.section === 'mitigations') {
          this.read(`refm:${e.id}`);
          return this.referencedMitigations.has(e.id);
        }
        this.read(`refd:${e.id}`);
        return this.referencedData.has(e.id);
      default:
        return undefined;
    }
  }

  /** A component outside every boundary is treated as untrusted: nothing vouches for it. */
  trustOf(c: Component): string {
    const b = this.byId(this.boundaries, str(c.data.boundary));
    const trust = str(b?.data.trust);
    return trust && SCALES.trust.includes(trust) ? trust : 'untrusted';
  }

  /** Data ids a subject carries: a flow's data; a component's stored data plus the data of its flows. */
  private dataIdsOf(subject: Subject): Set<string> {
    const d = subject.data;
    if (subject.kind === 'flow') return new Set(strings(d.data));
    const ids = new Set(strings(d.stores));
    const e = subject.element;
    if (e) {
      this.read(`in:${e.id}`);
      this.read(`out:${e.id}`);
      for (const f of this.inbound.get(e.id) ?? []) for (const id of strings(f.data.data)) ids.add(id);
      for (const f of this.outbound.get(e.id) ?? []) for (const id of strings(f.data.data)) ids.add(id);
    }
    return ids;
  }
}

/**
 * The dependency keys an element's content feeds: a subject that read any of them must be evaluated again when the
 * element changes. Mirrors the reads above; a property test compares incremental with full analysis.
 */
export function keysWrittenBy(element: Element): string[] {
  const d = element.data as Record<string, unknown>;
  const keys = [`id:${element.id}`];
  switch (element.section) {
    case 'components':
      keys.push('all:components', `members:${str(d.boundary)}`, ...strings(d.stores).map((id) => `refd:${id}`));
      break;
    case 'flows':
      keys.push('all:flows', `in:${str(d.to)}`, `out:${str(d.from)}`, ...strings(d.data).map((id) => `refd:${id}`));
      break;
    case 'threats':
      keys.push(...strings(d.targets).map((id) => `threats:${id}`), ...strings(d.mitigations).map((id) => `refm:${id}`));
      break;
  }
  return keys;
}

const SUBJECT_OF_SECTION: Readonly<Record<Element['section'], SubjectKind>> = {
  boundaries: 'boundary',
  components: 'component',
  data: 'data',
  flows: 'flow',
  threats: 'threat',
  mitigations: 'mitigation',
  assumptions: 'model',
};

const LABEL: Readonly<Record<SubjectKind, string>> = {
  component: 'component',
  flow: 'flow',
  boundary: 'boundary',
  data: 'data',
  threat: 'threat',
  mitigation: 'mitigation',
  model: 'model',
};

function push<K, V>(map: Map<K, V[]>, key: K | undefined, value: V): void {
  if (key === undefined) return;
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function compact<T>(list: (T | undefined)[]): T[] {
  return list.filter((x): x is T => x !== undefined);
}
