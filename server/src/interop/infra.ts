/**
 * Draft models from infrastructure as code: Docker Compose files and Kubernetes manifests. Networks and namespaces
 * become boundaries, services and workloads components (datastores where the image says so), and flows come from what
 * the configuration says one service needs of another (`depends_on`, addresses in environment variables). Each
 * component records the resources it stands for (`infra:`); what is inferred rather than stated is listed in the notes,
 * and what the configuration does not say stays unknown.
 */
import { isPlainObject } from '../shared/values';
import { asText, compact, emptyModel, IdMaker, type ImportResult, MAX_FLOWS_PER_RELATION, type StatedFact, text } from './imported';

type Node = Record<string, unknown>;

/** Datastores recognised from their container image names, with their kind. */
const DATASTORE_IMAGES: readonly [RegExp, string][] = [
  [/(^|\/)(postgres|postgresql|mysql|mariadb|mssql|sqlserver|cockroach|oracle)(:|$|-)/i, 'sql'],
  [/(^|\/)(mongo|mongodb|couchdb|cassandra|dynamodb|scylla)(:|$|-)/i, 'nosql'],
  [/(^|\/)(redis|memcached|valkey|keydb)(:|$|-)/i, 'cache'],
  [/(^|\/)(rabbitmq|kafka|nats|activemq|pulsar)(:|$|-)/i, 'queue'],
  [/(^|\/)(elasticsearch|opensearch|solr|meilisearch)(:|$|-)/i, 'search'],
  [/(^|\/)(minio)(:|$|-)/i, 'object'],
  [/(^|\/)(vault)(:|$|-)/i, 'secret-store'],
];

function datastoreKind(image: string): string | undefined {
  return DATASTORE_IMAGES.find(([re]) => re.test(image))?.[1];
}

/** Environment variable names that hold secrets when their value is written in the file. */
const SECRET_NAME = /(password|passwd|secret|token|api[_-]?key|private[_-]?key)/i;

/** Service names an environment value points at: `redis`, `db:5432`, `http://api:8080/x`, `postgres://u@db/x`. */
function referencedHosts(value: string, names: ReadonlySet<string>): string[] {
  const out = new Set<string>();
  for (const m of value.matchAll(/(?:^|[/@\s,=;])([a-z0-9][a-z0-9._-]*)(?=[:/\s,;]|$)/gi)) {
    const host = m[1].toLowerCase();
    if (names.has(host)) out.add(host);
  }
  return [...out];
}

function envEntries(env: unknown): [string, string][] {
  if (Array.isArray(env))
    return env.map((e) => {
      const s = asText(e);
      const i = s.indexOf('=');
      return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
    });
  if (isPlainObject(env)) return Object.entries(env).map(([k, v]) => [k, asText(v)]);
  return [];
}

// ---- Docker Compose ------------------------------------------------------------------------------------------------

export function importCompose(source: unknown, name = 'Compose application'): ImportResult {
  if (!isPlainObject(source) || !isPlainObject(source.services)) throw new Error('not a Compose file: it has no services.');
  const notes: string[] = [];
  const stated: StatedFact[] = [];
  const model = emptyModel(name);
  const ids = new IdMaker();
  const services = Object.entries(source.services).filter((e): e is [string, Node] => isPlainObject(e[1]));
  const names = new Set(services.map(([n]) => n.toLowerCase()));
  /** Service name as written, by its lower-case form (how environment values name it). */
  const serviceByName = new Map<string, string>();
  for (const [n] of services) if (!serviceByName.has(n.toLowerCase())) serviceByName.set(n.toLowerCase(), n);
  const networks = isPlainObject(source.networks) ? Object.keys(source.networks) : [];
  for (const n of networks) {
    model.boundaries.push({ id: ids.id(`network:${n}`, n, 'net-'), name: n, trust: 'unknown', tags: ['compose:network'] });
  }
  if (networks.length) notes.push(`networks ${networks.join(', ')} became boundaries of unknown trust: set trust`);
  for (const [service] of services) ids.id(`service:${service}`, service, '');
  for (const [service, s] of services) {
    const id = ids.known(`service:${service}`)!;
    const image = text(s.image) ?? '';
    const kind = datastoreKind(image);
    const serviceNetworks = Array.isArray(s.networks) ? s.networks.map(asText) : isPlainObject(s.networks) ? Object.keys(s.networks) : [];
    const component: Node = {
      id,
      name: service,
      type: kind ? 'datastore' : 'process',
      kind: kind ?? (s.build !== undefined ? 'service' : undefined),
      boundary: serviceNetworks.length ? ids.known(`network:${serviceNetworks[0]}`) : undefined,
      runtime: kind ? undefined : 'container',
      sourcing: s.build !== undefined ? 'custom' : undefined,
      infra: [`compose/${service}`],
      tags: image ? [`image:${image}`] : undefined,
    };
    if (serviceNetworks.length > 1) notes.push(`${id}: on networks ${serviceNetworks.join(', ')}; its boundary is the first`);
    const env = envEntries(s.environment);
    const secrets = env.filter(([k, v]) => SECRET_NAME.test(k) && v && !/^\$\{/.test(v));
    if (secrets.length) {
      if (!kind) component.secrets = 'env';
      notes.push(
        `${id}: ${secrets.map(([k]) => k).join(', ')} written in the Compose file's environment (stated: secrets in plain configuration)`,
      );
    }
    const ports = Array.isArray(s.ports) ? s.ports.map(asText) : [];
    if (ports.length) {
      const local = ports.every((p) => /^127\.0\.0\.1:|^localhost:/.test(p));
      if (local) component.exposure = 'local';
      notes.push(
        `${id}: publishes ${ports.join(', ')} on the host${local ? ' (loopback only: exposure local)' : '; say who can reach the host (exposure)'}`,
      );
    }
    if (s.privileged === true) component.container = { privileged: true };
    // What the file states outright, for the drift check: the store its image is, a privileged container.
    const address = `compose/${service}`;
    if (kind) stated.push({ component: id, address, path: ['type'], value: 'datastore', source: `image ${image}` });
    if (s.privileged === true)
      stated.push({ component: id, address, path: ['container', 'privileged'], value: true, source: 'privileged: true' });
    const volumes = Array.isArray(s.volumes) ? s.volumes.map(asText) : [];
    if (volumes.some((v) => /docker\.sock|^\/:/.test(v)) || s.network_mode === 'host')
      component.container = { ...(component.container as Node | undefined), hostAccess: true };
    model.components.push(compact(component));
    // Flows the configuration implies: what the service depends on, and the services its environment names.
    const deps = Array.isArray(s.depends_on) ? s.depends_on.map(asText) : isPlainObject(s.depends_on) ? Object.keys(s.depends_on) : [];
    const targets = new Map<string, string>();
    for (const d of deps) targets.set(d.toLowerCase(), 'depends_on');
    for (const [k, v] of env)
      for (const host of referencedHosts(v, names)) if (host !== service.toLowerCase()) targets.set(host, `environment ${k}`);
    if (targets.size > MAX_FLOWS_PER_RELATION) {
      notes.push(
        `${id}: depends on or names ${targets.size} services in its environment; flows from it are not drawn one by one (more than ${MAX_FLOWS_PER_RELATION}): draw the ones that carry data`,
      );
      continue;
    }
    for (const [target, why] of targets) {
      const to = ids.known(`service:${serviceByName.get(target) ?? target}`);
      if (!to) continue;
      const flowId = ids.id(`flow:${service}->${target}`, `${service} to ${target}`, 'flow-');
      model.flows.push({ id: flowId, from: id, to, tags: ['inferred'] });
      notes.push(`${flowId}: inferred from ${why}; say what it carries (data) and how (protocol, authentication)`);
    }
  }
  if (isPlainObject(source.volumes) && Object.keys(source.volumes).length)
    notes.push(`named volumes ${Object.keys(source.volumes).join(', ')}: say which data they hold`);
  return { model, notes: [...new Set(notes)], stated };
}

// ---- Kubernetes ------------------------------------------------------------------------------------------------------

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod']);

function podSpec(doc: Node): Node | undefined {
  const spec = isPlainObject(doc.spec) ? doc.spec : undefined;
  if (!spec) return undefined;
  if (doc.kind === 'Pod') return spec;
  if (doc.kind === 'CronJob') {
    const job = isPlainObject(spec.jobTemplate) && isPlainObject(spec.jobTemplate.spec) ? spec.jobTemplate.spec : undefined;
    return job && isPlainObject(job.template) && isPlainObject(job.template.spec) ? job.template.spec : undefined;
  }
  return isPlainObject(spec.template) && isPlainObject(spec.template.spec) ? spec.template.spec : undefined;
}

function podLabels(doc: Node): Record<string, string> {
  const spec = isPlainObject(doc.spec) ? doc.spec : {};
  const meta = doc.kind === 'Pod' ? doc.metadata : isPlainObject(spec.template) ? spec.template.metadata : undefined;
  const labels = isPlainObject(meta) && isPlainObject(meta.labels) ? meta.labels : {};
  return Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, asText(v)]));
}

/**
 * Workloads by the labels of their pods, for selectors: each workload's labels are read once, and a selector looks only
 * at the workloads of its namespace that carry its rarest label (a Service matched against every workload, reading
 * their labels each time, was Services × workloads).
 */
class WorkloadIndex {
  private readonly labels = new Map<Node, Record<string, string>>();
  private readonly byLabel = new Map<string, Node[]>();
  private readonly byNamespace = new Map<string, Node[]>();

  constructor(workloads: readonly Node[], nsOf: (d: Node) => string) {
    for (const w of workloads) {
      const labels = podLabels(w);
      this.labels.set(w, labels);
      const ns = nsOf(w);
      WorkloadIndex.push(this.byNamespace, ns, w);
      for (const [k, v] of Object.entries(labels)) WorkloadIndex.push(this.byLabel, `${ns}\0${k}\0${v}`, w);
    }
  }

  private static push(map: Map<string, Node[]>, key: string, w: Node): void {
    const list = map.get(key);
    if (list) list.push(w);
    else map.set(key, [w]);
  }

  /** The workloads of `ns` whose pods carry every label of `selector` (all of the namespace for an empty selector). */
  all(ns: string, selector: Readonly<Record<string, string>>, first = false): Node[] {
    const keys = Object.keys(selector);
    let candidates = this.byNamespace.get(ns) ?? [];
    for (const k of keys) {
      const list = this.byLabel.get(`${ns}\0${k}\0${selector[k]}`) ?? [];
      if (list.length < candidates.length) candidates = list;
    }
    const out: Node[] = [];
    for (const w of candidates) {
      const labels = this.labels.get(w)!;
      if (keys.every((k) => labels[k] === selector[k])) {
        out.push(w);
        if (first) break;
      }
    }
    return out;
  }

  /** The first workload a Service's selector matches; none for an empty selector (it selects nothing by itself). */
  first(ns: string, selector: Readonly<Record<string, string>>): Node | undefined {
    return Object.keys(selector).length ? this.all(ns, selector, true)[0] : undefined;
  }
}

/** The Services an Ingress routes to (networking.k8s.io/v1 and the older extensions/v1beta1 shape), lower case. */
function ingressBackends(spec: unknown): string[] {
  const out = new Set<string>();
  const add = (backend: unknown) => {
    if (!isPlainObject(backend)) return;
    const name = isPlainObject(backend.service) ? text(backend.service.name) : text(backend.serviceName);
    if (name) out.add(name.toLowerCase());
  };
  if (!isPlainObject(spec)) return [];
  add(spec.defaultBackend);
  add(spec.backend);
  for (const rule of Array.isArray(spec.rules) ? spec.rules : [])
    if (isPlainObject(rule) && isPlainObject(rule.http) && Array.isArray(rule.http.paths))
      for (const p of rule.http.paths) if (isPlainObject(p)) add(p.backend);
  return [...out];
}

/** Kubernetes manifests (all documents of the given files) as a draft model. */
export function importKubernetes(documents: readonly unknown[], name = 'Kubernetes application'): ImportResult {
  const docs = documents.filter(isPlainObject).filter((d) => typeof d.kind === 'string');
  if (!docs.length) throw new Error('no Kubernetes objects (documents with a kind) found.');
  const notes: string[] = [];
  const stated: StatedFact[] = [];
  const model = emptyModel(name);
  const ids = new IdMaker();
  const nsOf = (d: Node) => (isPlainObject(d.metadata) ? text(d.metadata.namespace) : undefined) ?? 'default';
  const nameOf = (d: Node) => (isPlainObject(d.metadata) ? text(d.metadata.name) : undefined) ?? 'unnamed';
  const namespaces = [...new Set(docs.map(nsOf))];
  for (const ns of namespaces)
    model.boundaries.push({
      id: ids.id(`ns:${ns}`, `ns ${ns}`, 'ns-'),
      name: `Namespace ${ns}`,
      trust: 'unknown',
      tags: ['k8s:namespace'],
    });
  notes.push(`namespaces ${namespaces.join(', ')} became boundaries of unknown trust: set trust`);

  const workloads = docs.filter((d) => WORKLOADS.has(asText(d.kind)));
  const services = docs.filter((d) => d.kind === 'Service');
  const byService = new Map<string, string>();
  const selectable = new WorkloadIndex(workloads, nsOf);
  const componentById = new Map<string, Node>();
  for (const w of workloads) {
    const wname = nameOf(w);
    const id = ids.id(`${asText(w.kind)}/${nsOf(w)}/${wname}`, wname, '');
    const spec = podSpec(w) ?? {};
    const containers = Array.isArray(spec.containers) ? spec.containers.filter(isPlainObject) : [];
    const images = containers.map((c) => text(c.image) ?? '').filter(Boolean);
    const kind = images.map(datastoreKind).find((k) => k !== undefined);
    const privileged = containers.some((c) => isPlainObject(c.securityContext) && c.securityContext.privileged === true);
    const runsAsRoot = containers.some((c) => isPlainObject(c.securityContext) && c.securityContext.runAsNonRoot === false);
    const component = compact({
      id,
      name: wname,
      type: kind ? 'datastore' : 'process',
      kind,
      boundary: ids.known(`ns:${nsOf(w)}`),
      runtime: kind ? undefined : 'container',
      container: privileged ? { privileged: true } : undefined,
      runsAs: runsAsRoot ? 'root' : undefined,
      infra: [`${asText(w.kind)}/${nsOf(w)}/${wname}`],
      tags: images.map((i) => `image:${i}`),
    });
    model.components.push(component);
    componentById.set(id, component);
    const address = `${asText(w.kind)}/${nsOf(w)}/${wname}`;
    if (kind) stated.push({ component: id, address, path: ['type'], value: 'datastore', source: `image ${images.join(', ')}` });
    if (privileged)
      stated.push({ component: id, address, path: ['container', 'privileged'], value: true, source: 'securityContext.privileged: true' });
    const secretRefs = containers
      .flatMap((c) => (Array.isArray(c.env) ? c.env.filter(isPlainObject) : []))
      .filter((e) => isPlainObject(e.valueFrom) && isPlainObject(e.valueFrom.secretKeyRef));
    if (secretRefs.length)
      notes.push(`${id}: reads ${secretRefs.length} value(s) from Kubernetes Secrets (say where the secrets are managed: secrets)`);
  }
  // A Service routes to the workloads its selector matches: its name is how others reach them.
  for (const s of services) {
    const spec = isPlainObject(s.spec) ? s.spec : {};
    const selector = isPlainObject(spec.selector) ? Object.fromEntries(Object.entries(spec.selector).map(([k, v]) => [k, asText(v)])) : {};
    const target = selectable.first(nsOf(s), selector);
    if (!target) {
      notes.push(`Service ${nsOf(s)}/${nameOf(s)} selects no workload in these manifests`);
      continue;
    }
    const id = ids.known(`${asText(target.kind)}/${nsOf(target)}/${nameOf(target)}`)!;
    byService.set(nameOf(s).toLowerCase(), id);
    const component = componentById.get(id)!;
    (component.infra as string[]).push(`Service/${nsOf(s)}/${nameOf(s)}`);
    const type = asText(spec.type);
    if (type === 'LoadBalancer' || type === 'NodePort') {
      component.exposure = 'internet';
      notes.push(`${id}: Service ${nameOf(s)} is a ${type}; exposure internet inferred (say if the load balancer is internal)`);
    }
  }
  for (const ing of docs.filter((d) => d.kind === 'Ingress')) {
    const id = ids.id(`Ingress/${nsOf(ing)}/${nameOf(ing)}`, nameOf(ing), 'ingress-');
    model.components.push({
      id,
      name: `Ingress ${nameOf(ing)}`,
      type: 'process',
      kind: 'gateway',
      exposure: 'internet',
      boundary: ids.known(`ns:${nsOf(ing)}`),
      infra: [`Ingress/${nsOf(ing)}/${nameOf(ing)}`],
    });
    const drawn = new Set<string>();
    for (const svc of ingressBackends(ing.spec)) {
      const to = byService.get(svc);
      if (!to || drawn.has(to)) continue;
      drawn.add(to);
      model.flows.push({ id: ids.id(`flow:${id}->${to}`, `${nameOf(ing)} to ${svc}`, 'flow-'), from: id, to, tags: ['inferred'] });
    }
  }
  // Flows the configuration implies: environment values that name another Service.
  const names = new Set(byService.keys());
  for (const w of workloads) {
    const from = ids.known(`${asText(w.kind)}/${nsOf(w)}/${nameOf(w)}`)!;
    const containers = Array.isArray(podSpec(w)?.containers) ? (podSpec(w)!.containers as unknown[]).filter(isPlainObject) : [];
    const seen = new Set<string>();
    for (const c of containers)
      for (const e of Array.isArray(c.env) ? c.env.filter(isPlainObject) : []) {
        const value = text(e.value);
        if (!value) continue;
        for (const host of referencedHosts(value, names)) {
          const to = byService.get(host);
          if (!to || to === from || seen.has(to)) continue;
          seen.add(to);
          if (seen.size > MAX_FLOWS_PER_RELATION) continue;
          const flowId = ids.id(`flow:${from}->${to}`, `${nameOf(w)} to ${host}`, 'flow-');
          model.flows.push({ id: flowId, from, to, tags: ['inferred'] });
          notes.push(
            `${flowId}: inferred from environment ${asText(e.name)}; say what it carries (data) and how (protocol, authentication)`,
          );
        }
      }
  }
  const policies = docs.filter((d) => d.kind === 'NetworkPolicy');
  const boundaryById = new Map(model.boundaries.map((b) => [String(b.id), b]));
  const flowPairs = new Set(model.flows.map((f) => `${String(f.from)}\0${String(f.to)}`));
  for (const p of policies) {
    const spec = isPlainObject(p.spec) ? p.spec : {};
    const selectsAll = isPlainObject(spec.podSelector) && Object.keys(spec.podSelector).length === 0;
    const types = Array.isArray(spec.policyTypes) ? spec.policyTypes.map(asText) : [];
    const denyIngress = selectsAll && types.includes('Ingress') && !(Array.isArray(spec.ingress) && spec.ingress.length);
    const boundary = boundaryById.get(ids.known(`ns:${nsOf(p)}`) ?? '');
    if (denyIngress && boundary) boundary.controls = { defaultDeny: true };
    // Ingress a policy allows from pods of its namespace (podSelector peers) to the pods it selects: flows.
    const matching = (selector: unknown) => {
      const labels =
        isPlainObject(selector) && isPlainObject(selector.matchLabels) ? selector.matchLabels : isPlainObject(selector) ? {} : undefined;
      if (!labels) return [];
      return selectable.all(nsOf(p), Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, asText(v)])));
    };
    const targets = matching(spec.podSelector);
    let allowed = 0;
    for (const rule of Array.isArray(spec.ingress) ? spec.ingress.filter(isPlainObject) : [])
      for (const peer of Array.isArray(rule.from) ? rule.from.filter(isPlainObject) : []) {
        if (peer.podSelector === undefined || peer.namespaceSelector !== undefined) continue;
        const sources = matching(peer.podSelector);
        if (sources.length * targets.length > MAX_FLOWS_PER_RELATION) {
          notes.push(
            `NetworkPolicy ${nsOf(p)}/${nameOf(p)} allows ${sources.length} × ${targets.length} pod pairs; they are not drawn one by one (more than ${MAX_FLOWS_PER_RELATION}): draw the flows that carry data`,
          );
          continue;
        }
        for (const source of sources)
          for (const target of targets) {
            const from = ids.known(`${asText(source.kind)}/${nsOf(source)}/${nameOf(source)}`);
            const to = ids.known(`${asText(target.kind)}/${nsOf(target)}/${nameOf(target)}`);
            if (!from || !to || from === to || flowPairs.has(`${from}\0${to}`)) continue;
            flowPairs.add(`${from}\0${to}`);
            const flowId = ids.id(`flow:${from}->${to}`, `${nameOf(source)} to ${nameOf(target)}`, 'flow-');
            model.flows.push({ id: flowId, from, to, tags: ['inferred'] });
            notes.push(
              `${flowId}: allowed by NetworkPolicy ${nsOf(p)}/${nameOf(p)}; say what it carries (data) and how (protocol, authentication)`,
            );
            allowed++;
          }
      }
    notes.push(
      `NetworkPolicy ${nsOf(p)}/${nameOf(p)}${denyIngress ? ': default-deny ingress for the namespace (controls.defaultDeny)' : allowed ? `: ${allowed} allowed ${allowed === 1 ? 'flow' : 'flows'} drawn; peers by namespace or address are not` : ': its allowed peers (namespaces, addresses) are not flows here; review'}`,
    );
  }
  const counts = new Map<string, number>();
  for (const d of docs) counts.set(asText(d.kind), (counts.get(asText(d.kind)) ?? 0) + 1);
  const counted = (kind: string) => counts.get(kind) ?? 0;
  for (const kind of ['Secret', 'ServiceAccount', 'ConfigMap', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'])
    if (counted(kind)) notes.push(`${counted(kind)} ${kind}(s) not modelled as elements; review what they grant or hold`);
  for (const d of docs)
    if (
      !WORKLOADS.has(asText(d.kind)) &&
      ![
        'Service',
        'Ingress',
        'NetworkPolicy',
        'Namespace',
        'Secret',
        'ServiceAccount',
        'ConfigMap',
        'Role',
        'RoleBinding',
        'ClusterRole',
        'ClusterRoleBinding',
      ].includes(asText(d.kind))
    )
      notes.push(`${asText(d.kind)} ${nsOf(d)}/${nameOf(d)} is not read`);
  return { model, notes: [...new Set(notes)], stated };
}

/** A short name for the system from a path: `online-boutique.k8s.yaml` → `online-boutique`. */
export function nameFromPath(file: string): string {
  return (file.split(/[\\/]/).filter(Boolean).pop() ?? 'application')
    .replace(/(\.k8s|\.compose)?\.(ya?ml|json)$/i, '')
    .replace(/^docker-compose$/, 'Compose application');
}
