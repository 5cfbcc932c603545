/**
 * An index over one model for rule evaluation: related elements (flows in and out, members of a boundary, data
 * carried and stored) and computed facts, each computed at most once per element.
 *
 * It also records what an evaluation reads, as dependency keys ("id:web", "in:web" for the flows into web, ...).
 * After an edit, only the subjects whose recorded reads meet the keys the edited element writes (`keysWrittenBy`)
 * are evaluated again; every other finding is kept. Every lookup of another element goes through `read`.
 */
import { MAX_BOUNDARY_NESTING } from '../../model/checks';
import type { Boundary, Component, DataAsset, Element, Flow, Mitigation, Threat, ThreatModel } from '../../model/types';
import { type FactName, isFactName, PATH_HOPS, type Quantifier, SCALES, type SubjectKind, UPSTREAM_HOPS } from './types';
import { assertNever } from '../../shared/view';

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

const ENCRYPTED_PROTOCOLS = new Set([
  'https',
  'grpc-tls',
  'wss',
  'amqps',
  'mqtts',
  'kafka-tls',
  'sql-tls',
  'ldaps',
  'smtps',
  'ssh',
  'sftp',
]);
const CLEARTEXT_PROTOCOLS = new Set(['http', 'grpc', 'ws', 'amqp', 'mqtt', 'kafka', 'sql', 'ldap', 'smtp', 'ftp', 'smb']);
/** Protocols that stay on one host or chip: nothing on a network sees them. */
const LOCAL_PROTOCOLS = new Set(['ipc', 'in-process', 'file', 'smc', 'syscall', 'hypercall', 'mmio', 'shared-memory', 'dma']);
/** Buses and ports on a device (format 1.3): reached by touching it, not over a network. */
const PHYSICAL_PROTOCOLS = new Set(['usb', 'uart', 'spi', 'i2c', 'jtag', 'swd', 'can', 'pcie']);
/** Radio links (format 1.3): anyone nearby receives them, whatever boundary the ends are in. */
const WIRELESS_PROTOCOLS = new Set(['bluetooth', 'nfc', 'wifi', 'zigbee']);
/** Kinds that pass what they receive on: a request through them reaches what is behind them. */
const PASS_THROUGH_KINDS = new Set(['gateway', 'reverse-proxy', 'load-balancer', 'waf', 'cdn', 'vpn', 'queue']);
/** Boundary types whose untrusted members are tenants of the host around them, not parties on a network. */
const LOCAL_ZONE_TYPES = new Set(['machine', 'container', 'sandbox']);
/** How many components `hostileInputPath` visits at most, whatever the model's size. */
const PATH_VISITS = 256;
const PERSONAL = new Set(['personal', 'special-category']);

export class ModelIndex {
  /** Per section and id, the elements in model order: the first one is the one an id names. */
  private readonly byIdLists = new Map<string, Element[]>();
  private readonly inbound = new Map<string, Flow[]>();
  private readonly outbound = new Map<string, Flow[]>();
  private readonly members = new Map<string, Component[]>();
  /** Per target id, the threats that target it (model order). */
  private readonly threatsOf = new Map<string, Threat[]>();
  /** How many threats reference each mitigation, how many flows and components each data asset. */
  private readonly referencedMitigations = new Map<string, number>();
  private readonly referencedData = new Map<string, number>();
  /** Per data id, the flows that carry it (model order). */
  private readonly carriers = new Map<string, Flow[]>();
  private readonly factCache = new Map<Element, Map<string, { value: unknown; reads: readonly string[] }>>();
  /** Per component, the attack path `hostileInputPath` found (computed with that fact, dropped with it). */
  private readonly paths = new Map<Element, readonly Flow[] | undefined>();
  /** Where reads are recorded, while a subject is evaluated. */
  private reads: Set<string> | undefined;
  private readonly subjects = new Map<Element, Subject>();
  private current: ThreatModel;
  private subjectOfModel: Subject;
  /**
   * With imports (format 1.2): the model's own components and flows. A model-wide rule fires on what the model itself
   * has ("a service keeps secrets in files") and is covered by what the whole system has ("…and the platform runs a
   * vault"): model-wide quantifiers range over the own elements where a condition asks that something exists, over
   * all elements under a `not` or in `unless`.
   */
  private own: { readonly components: Element[]; readonly flows: Element[] } | undefined;
  /** How many `not`s (and `unless`) the condition being evaluated is inside. */
  negation = 0;

  constructor(model: ThreatModel) {
    this.current = model;
    this.subjectOfModel = ModelIndex.modelSubjectOf(model);
    for (const section of ['components', 'flows', 'data', 'boundaries', 'mitigations', 'threats'] as const) {
      for (const e of model[section] as readonly Element[]) this.add(e);
    }
  }

  get model(): ThreatModel {
    return this.current;
  }

  /** Which elements are the model's own when it imports others (see `own`). */
  setOwn(isOwn: (e: Element) => boolean): void {
    this.own = { components: this.current.components.filter(isOwn), flows: this.current.flows.filter(isOwn) };
  }

  get modelSubject(): Subject {
    return this.subjectOfModel;
  }

  /**
   * The index of `model`, which differs from the indexed one by one element replaced (and elements appended after
   * it). Updated in place; the caches of facts and subjects are dropped, since any of them may have read the changed
   * element.
   */
  update(model: ThreatModel, removed: Element | undefined, added: readonly Element[]): void {
    if (removed) this.remove(removed);
    for (const e of added) this.add(e);
    this.current = model;
    this.subjectOfModel = ModelIndex.modelSubjectOf(model);
    this.releaseCaches();
  }

  /** Drops the computed facts and subjects (they belong to one version of the model). */
  releaseCaches(): void {
    this.factCache.clear();
    this.paths.clear();
    this.subjects.clear();
  }

  private static modelSubjectOf(model: ThreatModel): Subject {
    return { kind: 'model', element: undefined, data: { ...(model.system ?? {}), system: model.system }, label: 'the model' };
  }

  private add(e: Element): void {
    this.contribute(e, true);
  }

  private remove(e: Element): void {
    this.contribute(e, false);
  }

  /** Adds an element's entries to the index, or takes them out: one list of what an element contributes. */
  private contribute(e: Element, adding: boolean): void {
    const list = <V extends Element>(map: Map<string, V[]>, key: string | undefined) =>
      adding ? insert(map, key, e as V) : extract(map, key, e as V);
    const tally = (map: Map<string, number>, ids: readonly string[]) => ids.forEach((id) => count(map, id, adding ? 1 : -1));
    list(this.byIdLists, `${e.section}:${e.id}`);
    const d = e.data as Record<string, unknown>;
    switch (e.section) {
      case 'flows':
        list(this.outbound, str(d.from));
        list(this.inbound, str(d.to));
        tally(this.referencedData, strings(d.data));
        for (const id of new Set(strings(d.data))) list(this.carriers, id);
        break;
      case 'components':
        list(this.members, str(d.boundary));
        tally(this.referencedData, strings(d.stores));
        break;
      case 'threats':
        for (const target of strings(d.targets)) list(this.threatsOf, target);
        tally(this.referencedMitigations, strings(d.mitigations));
        break;
    }
  }

  private first<T extends Element>(section: T['section'], id: string | undefined): T | undefined {
    if (id === undefined) return undefined;
    this.read(`id:${id}`);
    return this.byIdLists.get(`${section}:${id}`)?.[0] as T | undefined;
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

  /** The threat that records finding `RULE@element`, if any: the last one in the model, if several do. */
  recordedThreat(ruleId: string, elementId: string): Threat | undefined {
    this.read(`threats:${elementId}`);
    const threats = this.threatsOf.get(elementId);
    if (!threats) return undefined;
    for (let i = threats.length - 1; i >= 0; i--) if (threats[i].data.rule === ruleId) return threats[i];
    return undefined;
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

  /** Whether a flow is out of scope: itself, or one of the components it connects. */
  outOfScope(flow: Subject): boolean {
    if (flow.data.inScope === false) return true;
    const from = this.first<Component>('components', str(flow.data.from));
    const to = this.first<Component>('components', str(flow.data.to));
    return from?.data.inScope === false || to?.data.inScope === false;
  }

  /** The elements a quantifier ranges over, for a subject. */
  related(q: Quantifier, subject: Subject): Element[] {
    const e = subject.element;
    const d = subject.data;
    switch (q) {
      case 'source':
        return compact([this.first<Component>('components', str(d.from))]);
      case 'target':
        return compact([this.first<Component>('components', str(d.to))]);
      case 'anyData':
      case 'allData':
        return compact([...this.dataIdsOf(subject)].map((id) => this.first<DataAsset>('data', id)));
      case 'anyInbound':
      case 'allInbound':
        if (!e) return [];
        this.read(`in:${e.id}`);
        return inScope(this.inbound.get(e.id));
      case 'anyOutbound':
      case 'allOutbound':
        if (!e) return [];
        this.read(`out:${e.id}`);
        return inScope(this.outbound.get(e.id));
      case 'anyStored':
        return compact(strings(d.stores).map((id) => this.first<DataAsset>('data', id)));
      case 'anyMember':
        if (!e) return [];
        this.read(`members:${e.id}`);
        return this.members.get(e.id) ?? [];
      case 'anyMitigation':
        return compact(strings(d.mitigations).map((id) => this.first<Mitigation>('mitigations', id)));
      case 'anyTarget':
        return compact(strings(d.targets).map((id) => this.first<Component>('components', id)));
      case 'anyComponent':
        this.read('all:components');
        return this.own && this.negation % 2 === 0 ? this.own.components : [...this.model.components];
      case 'anyFlow':
        this.read('all:flows');
        return this.own && this.negation % 2 === 0 ? this.own.flows : [...this.model.flows];
      case 'boundary':
        return e?.section === 'components' ? compact([this.first<Boundary>('boundaries', str(d.boundary))]) : [];
      case 'anyEnclosing':
        return e ? this.enclosing(e) : [];
      case 'anyUpstream':
        return e?.section === 'components' ? this.upstream(e as Component) : [];
      case 'anyCarrier':
        if (e?.section !== 'data') return [];
        // Flows write refd:<data id> for every data asset they carry (keysWrittenBy).
        this.read(`refd:${e.id}`);
        return inScope(this.carriers.get(e.id));
    }
  }

  /** The boundaries around an element, innermost first: a component's boundary and its parents, a boundary's parents. */
  private enclosing(e: Element): Boundary[] {
    const out: Boundary[] = [];
    const seen = new Set<string>([e.section === 'boundaries' ? e.id : '']);
    const d = e.data as { boundary?: unknown; parent?: unknown };
    let next = str(e.section === 'components' ? d.boundary : e.section === 'boundaries' ? d.parent : undefined);
    // Parent chains are short in real models; the cap keeps a cycle or a pathological chain cheap.
    while (next !== undefined && !seen.has(next) && out.length < MAX_ENCLOSING) {
      seen.add(next);
      const b = this.first<Boundary>('boundaries', next);
      if (!b) break;
      out.push(b);
      next = str(b.data.parent);
    }
    return out;
  }

  /**
   * The components whose calls reach `c`, breadth first, up to UPSTREAM_HOPS flows back: the producers behind a queue,
   * the ingest job and its sources behind a vector store. Responses, dependencies, builds and flows out of scope are
   * not calls.
   */
  private upstream(c: Component): Component[] {
    const out: Component[] = [];
    const seen = new Set<string>([c.id]);
    let frontier: Component[] = [c];
    for (let hop = 0; hop < UPSTREAM_HOPS && frontier.length > 0; hop++) {
      const next: Component[] = [];
      for (const node of frontier) {
        this.read(`in:${node.id}`);
        for (const f of inScope(this.inbound.get(node.id))) {
          if (!isCallFlow(f)) continue;
          const from = str(f.data.from);
          if (from === undefined || seen.has(from)) continue;
          seen.add(from);
          const source = this.first<Component>('components', from);
          if (!source || source.data.inScope === false) continue;
          out.push(source);
          next.push(source);
        }
      }
      frontier = next;
    }
    return out;
  }

  fact(name: string, subject: Subject): unknown {
    const e = subject.element;
    // Pack loading refuses unknown facts; a name that is none has no value.
    if (!e || !isFactName(name)) return undefined;
    let cache = this.factCache.get(e);
    if (!cache) this.factCache.set(e, (cache = new Map<string, { value: unknown; reads: readonly string[] }>()));
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

  private computeFact(name: FactName, subject: Subject): unknown {
    const e = subject.element!;
    const d = subject.data;
    switch (name) {
      case 'crossesBoundary':
        return crossesBoundary(this.first<Component>('components', str(d.from)), this.first<Component>('components', str(d.to)));
      case 'crossesIntoHigherTrust': {
        const from = this.first<Component>('components', str(d.from));
        const to = this.first<Component>('components', str(d.to));
        if (!from || !to) return undefined;
        // Within one boundary nothing crosses, whatever its trust.
        if (str(from.data.boundary) === str(to.data.boundary)) return false;
        // Unknown trust is never safe: an unknown source counts as untrusted, an unknown target as restricted.
        const scale = SCALES.trust;
        const rank = (c: Component, unknown: number) => {
          const trust = this.trustOf(c);
          return trust === 'unknown' ? unknown : scale.indexOf(trust);
        };
        return rank(to, scale.length - 1) > rank(from, 0);
      }
      case 'encrypted': {
        if (d.encryptedInTransit === true || d.encryptedInTransit === false) return d.encryptedInTransit;
        const protocol = str(d.protocol);
        if (protocol && ENCRYPTED_PROTOCOLS.has(protocol)) return true;
        if (protocol && CLEARTEXT_PROTOCOLS.has(protocol)) return false;
        return 'unknown';
      }
      case 'local':
        return isLocalFlow(e as Flow);
      case 'physical':
        return isPhysicalFlow(e as Flow);
      case 'wireless':
        return WIRELESS_PROTOCOLS.has(str(d.protocol) ?? '');
      case 'maxClassification': {
        // The highest known classification; `unknown` when some data is unclassified and nothing known is confidential.
        const scale = SCALES.classification;
        let best = -1;
        let unknown = false;
        for (const id of this.dataIdsOf(subject)) {
          const classification = str(this.first<DataAsset>('data', id)?.data.classification);
          if (classification === 'unknown') unknown = true;
          best = Math.max(best, scale.indexOf(classification ?? ''));
        }
        if (unknown && best < scale.indexOf('confidential')) return 'unknown';
        return best >= 0 ? scale[best] : undefined;
      }
      case 'sensitive':
        return [...this.dataIdsOf(subject)].some((id) => {
          const data = this.first<DataAsset>('data', id)?.data;
          if (!data) return false;
          const classification = str(data.classification);
          return (
            classification === 'confidential' ||
            classification === 'restricted' ||
            classification === 'unknown' ||
            PERSONAL.has(str(data.pii) ?? '') ||
            data.credentials === true
          );
        });
      case 'authenticated': {
        // The flow's own word, else what the target says of its callers, else the boundary around the target.
        const target = this.first<Component>('components', str(d.to));
        const own = str(d.authentication) ?? str(target?.data.authentication) ?? str(this.boundaryAuthenticationOf(str(d.to)));
        if (own === undefined || own === 'unknown') return 'unknown';
        return own !== 'none';
      }
      case 'isCall':
        return isCallFlow(e as Flow);
      case 'internetFacing': {
        // Hostile parties reach it over a network: the internet, or a network nobody vouches for. A guest, a tenant or
        // a less-privileged world on the same host reaches it too, but locally (calledByTenant), not from the internet.
        if (d.exposure === 'internet') return true;
        return this.hostileCalls(e as Component).some((c) => c.reach === 'network');
      }
      case 'calledByTenant':
        return this.hostileCalls(e as Component).some((c) => c.reach === 'local');
      case 'networkReachable': {
        if (d.exposure === 'internet' || d.exposure === 'partner' || d.exposure === 'internal') return true;
        if (d.exposure === 'local') return false;
        this.read(`in:${e.id}`);
        // A call from inside the same host (the nearest `machine` boundary around both ends) never crosses a network.
        const host = this.hostOf(e as Component);
        return inScope(this.inbound.get(e.id)).some((f) => {
          if (!isCallFlow(f) || isLocalFlow(f) || isPhysicalFlow(f)) return false;
          const source = this.first<Component>('components', str(f.data.from));
          return host === undefined || source === undefined || this.hostOf(source) !== host;
        });
      }
      case 'physicallyExposed':
        return this.physicallyExposed(e as Component);
      case 'authorization': {
        // Its own, else what the innermost boundary around it says for everything inside (format 1.3).
        const own = str(d.authorization);
        if (own !== undefined) return own;
        return e.section === 'components'
          ? str(this.enclosing(e).find((b) => b.data.authorization !== undefined)?.data.authorization)
          : undefined;
      }
      case 'sessionLifetime':
        return lifetimeBucket(readNested(d.sessions, 'lifetime'));
      case 'hostileInputPath': {
        const path = this.hostilePath(e as Component);
        this.paths.set(e, path);
        return path !== undefined;
      }
      case 'hasPersonalData':
        return [...this.dataIdsOf(subject)].some((id) => PERSONAL.has(str(this.first<DataAsset>('data', id)?.data.pii) ?? ''));
      case 'trust':
        return e.section === 'components' ? this.trustOf(e as Component) : undefined;
      case 'hasThreats':
        this.read(`threats:${e.id}`);
        return (this.threatsOf.get(e.id)?.length ?? 0) > 0;
      case 'hasFlows':
        this.read(`in:${e.id}`);
        this.read(`out:${e.id}`);
        return (this.inbound.get(e.id)?.length ?? 0) + (this.outbound.get(e.id)?.length ?? 0) > 0;
      case 'referenced':
        if (e.section === 'mitigations') {
          this.read(`refm:${e.id}`);
          return (this.referencedMitigations.get(e.id) ?? 0) > 0;
        }
        this.read(`refd:${e.id}`);
        return (this.referencedData.get(e.id) ?? 0) > 0;
      default:
        return assertNever(name);
    }
  }

  /**
   * The calls into `c` from components nobody vouches for (untrusted or unknown trust), each with how the caller
   * reaches it: `local` (on the same host or chip: a local protocol, a zone whose exposure is local, or an untrusted
   * machine, container or sandbox inside a boundary that also holds `c`), `physical` (a bus or port) or `network`.
   */
  private hostileCalls(c: Component): { readonly flow: Flow; readonly reach: 'local' | 'physical' | 'network' }[] {
    this.read(`in:${c.id}`);
    const out: { flow: Flow; reach: 'local' | 'physical' | 'network' }[] = [];
    for (const f of inScope(this.inbound.get(c.id))) {
      if (!isCallFlow(f)) continue;
      const source = this.first<Component>('components', str(f.data.from));
      if (!source || source.data.inScope === false) continue;
      const trust = this.trustOf(source);
      if (trust !== 'untrusted' && trust !== 'unknown') continue;
      const reach = this.reachOf(f, source, c);
      // A tenant is code that calls into something more trusted than itself: a person at their own computer is no
      // tenant, and a file read from an untrusted place is hostile input (other facts), not a co-located party.
      if (reach === 'local' && (source.data.kind === 'human' || source.data.type === 'datastore' || !this.moreTrusted(c, source))) continue;
      out.push({ flow: f, reach });
    }
    return out;
  }

  private reachOf(f: Flow, source: Component, target: Component): 'local' | 'physical' | 'network' {
    if (isLocalFlow(f)) return 'local';
    if (isPhysicalFlow(f)) return 'physical';
    const zones = this.enclosing(source);
    const stated = zones.find((b) => b.data.exposure !== undefined && b.data.exposure !== 'unknown');
    if (stated) return stated.data.exposure === 'local' ? 'local' : stated.data.exposure === 'physical' ? 'physical' : 'network';
    const zone = zones[0];
    if (zone && LOCAL_ZONE_TYPES.has(str(zone.data.type) ?? '')) {
      // A guest inside the host it calls: some boundary around the caller's zone also holds the target.
      const around = new Set(zones.slice(1).map((b) => b.id));
      if (this.enclosing(target).some((b) => around.has(b.id))) return 'local';
    }
    return 'network';
  }

  /**
   * Someone hostile can touch it: it (or a boundary around it) says anyone or its carrier has physical access, a bus
   * or port into it comes from outside the system, or a threat agent with physical access reaches it.
   */
  private physicallyExposed(c: Component): boolean {
    const zones = this.enclosing(c);
    const access = [c.data.physicalAccess, ...zones.map((b) => b.data.physicalAccess)].find((v) => v !== undefined && v !== 'unknown');
    if (access === 'owner' || access === 'public') return true;
    this.read(`in:${c.id}`);
    for (const f of inScope(this.inbound.get(c.id))) {
      if (!isPhysicalFlow(f)) continue;
      const source = this.first<Component>('components', str(f.data.from));
      if (source && (source.data.type === 'external' || ['untrusted', 'unknown'].includes(this.trustOf(source)))) return true;
    }
    this.read('all:threatAgents');
    const here = new Set([c.id, ...zones.map((b) => b.id)]);
    return this.current.threatAgents.some((a) => {
      if (!strings(a.data.access).includes('physical')) return false;
      const reaches = strings(a.data.reaches);
      return reaches.length === 0 || reaches.some((id) => here.has(id));
    });
  }

  /** The attack path `hostileInputPath` found for a component, from the hostile caller to it (for explanations). */
  pathTo(element: Element): readonly Flow[] | undefined {
    return this.paths.get(element);
  }

  /**
   * The shortest chain of flows by which input from a component nobody vouches for reaches `c` through at least one
   * trusted component that passes it on: a hop forwards when it carries a data asset the hop before it carried, when
   * the component in between only passes requests on (a gateway, a proxy, a queue), or through a data store, when a
   * reader reads what a writer wrote. Calls directly from the hostile component are other facts' concern. Bounded:
   * PATH_HOPS flows, PATH_VISITS components.
   */
  private hostilePath(c: Component): Flow[] | undefined {
    // What runs in a zone nobody vouches for is the attacker's side already.
    if (this.trustOf(c) === 'untrusted') return undefined;
    interface Step {
      readonly node: Component;
      /** Data ids an earlier hop must carry to count as forwarded here; undefined when anything does (pass-through). */
      readonly needs: ReadonlySet<string> | undefined;
      /** Flows from this node to `c`, in order. */
      readonly path: readonly Flow[];
    }
    const visited = new Set<string>([c.id]);
    let frontier: Step[] = [{ node: c, needs: undefined, path: [] }];
    for (let hop = 0; hop < PATH_HOPS && frontier.length > 0 && visited.size < PATH_VISITS; hop++) {
      const next: Step[] = [];
      for (const step of frontier) {
        for (const { flow, from, data } of this.taintSources(step.node)) {
          const carried = data.filter((id) => step.needs === undefined || step.needs.has(id));
          // The first hop into `c` needs nothing; later hops must carry what the hop after them carried.
          if (step.path.length > 0 && step.needs !== undefined && carried.length === 0) continue;
          const path = [flow, ...step.path];
          const trust = this.trustOf(from);
          if (trust === 'untrusted' || trust === 'unknown') {
            if (step.path.length > 0) return path;
            continue;
          }
          if (visited.has(from.id) || visited.size >= PATH_VISITS) continue;
          visited.add(from.id);
          // What `from` must have received to have passed it on here: what this hop carries. A hop that names no data
          // passes anything on from a gateway, proxy or queue, and nothing from anything else.
          const passes = PASS_THROUGH_KINDS.has(str(from.data.kind) ?? '');
          const forwarded = step.path.length === 0 || step.needs === undefined ? data : carried;
          next.push({ node: from, needs: data.length === 0 && passes ? undefined : new Set(forwarded), path });
        }
      }
      frontier = next;
    }
    return undefined;
  }

  /**
   * Where data reaching a component comes from: the calls into it (the caller's data), and for a process the data
   * stores it reads (what the store holds came from its writers). Logs are written, not read back.
   */
  private taintSources(node: Component): { readonly flow: Flow; readonly from: Component; readonly data: readonly string[] }[] {
    const out: { flow: Flow; from: Component; data: string[] }[] = [];
    this.read(`in:${node.id}`);
    for (const f of inScope(this.inbound.get(node.id))) {
      if (!isCallFlow(f) || f.data.readOnly === true) continue;
      const from = this.first<Component>('components', str(f.data.from));
      if (from && from.data.inScope !== false) out.push({ flow: f, from, data: strings(f.data.data) });
    }
    if (node.data.type === 'process') {
      this.read(`out:${node.id}`);
      for (const f of inScope(this.outbound.get(node.id))) {
        const store = this.first<Component>('components', str(f.data.to));
        if (!store || store.data.type !== 'datastore' || store.data.kind === 'log' || store.data.inScope === false) continue;
        out.push({ flow: f, from: store, data: strings(f.data.data) });
      }
    }
    return out;
  }

  /** The id of the nearest boundary of type `machine` around a component: the host it runs on, when the model says. */
  private hostOf(c: Component): string | undefined {
    return this.enclosing(c).find((b) => b.data.type === 'machine')?.id;
  }

  /** `to` is in a more trusted zone than `from` (an unknown zone counts as untrusted here: nothing vouches for it). */
  private moreTrusted(to: Component, from: Component): boolean {
    const rank = (c: Component) => SCALES.trust.indexOf(this.trustOf(c));
    return rank(to) > rank(from);
  }

  /** A component outside every boundary is treated as untrusted: nothing vouches for it. `unknown` when its boundary says so. */
  trustOf(c: Component): string {
    const b = this.first<Boundary>('boundaries', str(c.data.boundary));
    const trust = str(b?.data.trust);
    if (trust === 'unknown') return trust;
    return trust && SCALES.trust.includes(trust) ? trust : 'untrusted';
  }

  /** The authentication a flow into component `id` inherits from the innermost boundary around it that states one. */
  private boundaryAuthenticationOf(id: string | undefined): unknown {
    const target = this.first<Component>('components', id);
    if (!target) return undefined;
    for (const b of this.enclosing(target)) if (b.data.authentication !== undefined) return b.data.authentication;
    return undefined;
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
    case 'threatAgents':
      keys.push('all:threatAgents');
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
  // Threat agents and assumptions are not rule subjects: rules read threat agents through facts.
  threatAgents: 'model',
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

/** Adds an element to the list under `key`, keeping the list in model order (section index). */
function insert<V extends Element>(map: Map<string, V[]>, key: string | undefined, value: V): void {
  if (key === undefined) return;
  const list = map.get(key);
  if (!list) {
    map.set(key, [value]);
    return;
  }
  let at = list.length;
  while (at > 0 && list[at - 1].index > value.index) at--;
  list.splice(at, 0, value);
}

function extract<V>(map: Map<string, V[]>, key: string | undefined, value: V): void {
  if (key === undefined) return;
  const list = map.get(key);
  const at = list ? list.indexOf(value) : -1;
  if (at < 0) return;
  list!.splice(at, 1);
  if (list!.length === 0) map.delete(key);
}

function count(map: Map<string, number>, key: string, by: number): void {
  const n = (map.get(key) ?? 0) + by;
  if (n > 0) map.set(key, n);
  else map.delete(key);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Flows out of scope (and flows into or out of components out of scope) do not count for the rules. */
function inScope(flows: readonly Flow[] | undefined): Flow[] {
  return flows ? flows.filter((f) => f.data.inScope !== false) : [];
}

/** Responses, dependencies and builds carry data but are not calls: nobody invokes the target through them. */
export function isCallFlow(f: Flow): boolean {
  const usage = f.data.usage;
  return usage !== 'response' && usage !== 'dependency' && usage !== 'build';
}

const SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

/** A duration as the format writes it (`15m`, `8h`, `30d`) placed on the `sessionLifetime` scale. */
function lifetimeBucket(value: unknown): string | undefined {
  const m = typeof value === 'string' ? /^(\d+)([smhdwy])$/.exec(value) : null;
  if (!m) return undefined;
  const seconds = Number(m[1]) * SECONDS[m[2]];
  return seconds < 3600 ? 'minutes' : seconds < 86400 ? 'hours' : seconds <= 30 * 86400 ? 'days' : 'months';
}

function readNested(v: unknown, key: string): unknown {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined;
}

/** The flow stays on one host or chip: a local protocol, or `network: host`. */
export function isLocalFlow(f: Flow): boolean {
  return LOCAL_PROTOCOLS.has(str(f.data.protocol) ?? '') || f.data.network === 'host';
}

/** The flow runs over a bus or port someone must touch: a physical protocol, or `network: physical`. */
export function isPhysicalFlow(f: Flow): boolean {
  return PHYSICAL_PROTOCOLS.has(str(f.data.protocol) ?? '') || f.data.network === 'physical';
}

/** Boundaries around an element that enclosing() follows, at most (deeper nesting is a warning in the model). */
const MAX_ENCLOSING = MAX_BOUNDARY_NESTING;

function compact<T>(list: (T | undefined)[]): T[] {
  return list.filter((x): x is T => x !== undefined);
}

/**
 * Whether a flow between two components crosses a trust boundary: both ends known and in different boundaries
 * (undefined when an end is unknown). The rules' fact and the completeness gauge read this one definition.
 */
export function crossesBoundary(from: Component | undefined, to: Component | undefined): boolean | undefined {
  if (!from || !to) return undefined;
  return str(from.data.boundary) !== str(to.data.boundary);
}
