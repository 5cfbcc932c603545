/**
 * Draft models from Terraform: the JSON of `terraform show -json` for a plan (`planned_values`) or a state (`values`),
 * resources of the AWS, Azure and Google providers that matter for a data-flow diagram. Networks become boundaries,
 * stores, functions, services, gateways and load balancers components whose properties come from the attributes the
 * table below names (and nothing else: what the plan does not say stays unknown). Flows come from what the
 * configuration says: security-group ingress between groups, and resources an environment names. Every stated value
 * is recorded with the attribute it came from, for the drift check (interop/drift.ts).
 */
import { isPlainObject } from '../shared/values';
import { asText, compact, emptyModel, IdMaker, type ImportResult, MAX_FLOWS_PER_RELATION, type StatedFact, text } from './imported';

type Node = Record<string, unknown>;

/** One attribute of a resource that states a model property, and how its value translates. */
export interface AttributeMapping {
  /** Dotted path in the resource's values (`settings.ip_configuration.ipv4_enabled`; lists take their first item). */
  readonly attribute: string;
  /** The model property it states (a path under the component). */
  readonly property: string;
  /** For the docs: the translation, in words. */
  readonly means: string;
  /** The model value, or undefined when the attribute's value says nothing (null, unknown at plan time). */
  readonly value: (v: unknown, values: Node) => unknown;
}

export interface ResourceMapping {
  readonly provider: 'AWS' | 'Azure' | 'Google Cloud';
  readonly types: readonly string[];
  readonly becomes: 'component' | 'boundary';
  readonly type?: 'process' | 'datastore';
  readonly kind?: string;
  readonly attributes: readonly AttributeMapping[];
}

const bool = (t: unknown, f: unknown) => (v: unknown) => (v === true ? t : v === false ? f : undefined);
const encrypted = (v: unknown, values: Node) =>
  v === true ? (text(values.kms_key_id) || text(values.kms_master_key_id) ? 'customer-key' : 'platform') : v === false ? 'none' : undefined;
const exposure = (v: unknown) => (v === true ? 'internet' : v === false ? 'internal' : undefined);
const AT_REST: AttributeMapping = {
  attribute: 'storage_encrypted',
  property: 'encryptionAtRest',
  means: 'true → platform (customer-key with kms_key_id), false → none',
  value: encrypted,
};

/** The resources Threatcode reads, with what each attribute states. docs/infrastructure.md is generated from it. */
export const TERRAFORM_MAPPINGS: readonly ResourceMapping[] = [
  // ---- AWS
  { provider: 'AWS', types: ['aws_vpc'], becomes: 'boundary', attributes: [] },
  { provider: 'AWS', types: ['aws_subnet'], becomes: 'boundary', attributes: [] },
  {
    provider: 'AWS',
    types: ['aws_db_instance', 'aws_rds_cluster'],
    becomes: 'component',
    type: 'datastore',
    kind: 'sql',
    attributes: [
      AT_REST,
      { attribute: 'publicly_accessible', property: 'exposure', means: 'true → internet, false → internal', value: exposure },
    ],
  },
  {
    provider: 'AWS',
    types: ['aws_dynamodb_table'],
    becomes: 'component',
    type: 'datastore',
    kind: 'nosql',
    attributes: [
      {
        attribute: 'server_side_encryption.enabled',
        property: 'encryptionAtRest',
        means: 'true → customer-key (a KMS key of yours), false → platform (AWS-owned key: DynamoDB always encrypts)',
        value: bool('customer-key', 'platform'),
      },
    ],
  },
  { provider: 'AWS', types: ['aws_s3_bucket'], becomes: 'component', type: 'datastore', kind: 'object', attributes: [] },
  {
    provider: 'AWS',
    types: ['aws_elasticache_replication_group', 'aws_elasticache_cluster'],
    becomes: 'component',
    type: 'datastore',
    kind: 'cache',
    attributes: [
      {
        attribute: 'at_rest_encryption_enabled',
        property: 'encryptionAtRest',
        means: 'true → platform, false → none',
        value: bool('platform', 'none'),
      },
    ],
  },
  {
    provider: 'AWS',
    types: ['aws_sqs_queue', 'aws_sns_topic', 'aws_kinesis_stream'],
    becomes: 'component',
    type: 'datastore',
    kind: 'queue',
    attributes: [
      {
        attribute: 'sqs_managed_sse_enabled',
        property: 'encryptionAtRest',
        means: 'true → platform (customer-key with kms_master_key_id), false → none unless kms_master_key_id',
        value: (v, values) =>
          text(values.kms_master_key_id) ? 'customer-key' : v === true ? 'platform' : v === false ? 'none' : undefined,
      },
    ],
  },
  {
    provider: 'AWS',
    types: ['aws_secretsmanager_secret', 'aws_ssm_parameter'],
    becomes: 'component',
    type: 'datastore',
    kind: 'secret-store',
    attributes: [],
  },
  { provider: 'AWS', types: ['aws_lambda_function'], becomes: 'component', type: 'process', kind: 'function', attributes: [] },
  {
    provider: 'AWS',
    types: ['aws_ecs_service', 'aws_instance', 'aws_eks_cluster'],
    becomes: 'component',
    type: 'process',
    kind: 'service',
    attributes: [],
  },
  {
    provider: 'AWS',
    types: ['aws_lb', 'aws_alb'],
    becomes: 'component',
    type: 'process',
    kind: 'load-balancer',
    attributes: [
      { attribute: 'internal', property: 'exposure', means: 'true → internal, false → internet', value: bool('internal', 'internet') },
    ],
  },
  {
    provider: 'AWS',
    types: ['aws_api_gateway_rest_api', 'aws_apigatewayv2_api'],
    becomes: 'component',
    type: 'process',
    kind: 'gateway',
    attributes: [],
  },
  // ---- Azure
  { provider: 'Azure', types: ['azurerm_virtual_network', 'azurerm_subnet'], becomes: 'boundary', attributes: [] },
  {
    provider: 'Azure',
    types: ['azurerm_storage_account'],
    becomes: 'component',
    type: 'datastore',
    kind: 'object',
    attributes: [
      { attribute: 'public_network_access_enabled', property: 'exposure', means: 'true → internet, false → internal', value: exposure },
      {
        attribute: 'allow_nested_items_to_be_public',
        property: 'publicAccess',
        means: 'false → none (true only allows public containers: not stated)',
        value: (v) => (v === false ? 'none' : undefined),
      },
    ],
  },
  {
    provider: 'Azure',
    types: ['azurerm_mssql_server', 'azurerm_postgresql_flexible_server', 'azurerm_mysql_flexible_server'],
    becomes: 'component',
    type: 'datastore',
    kind: 'sql',
    attributes: [
      { attribute: 'public_network_access_enabled', property: 'exposure', means: 'true → internet, false → internal', value: exposure },
    ],
  },
  {
    provider: 'Azure',
    types: ['azurerm_key_vault'],
    becomes: 'component',
    type: 'datastore',
    kind: 'secret-store',
    attributes: [
      { attribute: 'public_network_access_enabled', property: 'exposure', means: 'true → internet, false → internal', value: exposure },
    ],
  },
  {
    provider: 'Azure',
    types: ['azurerm_linux_function_app', 'azurerm_windows_function_app'],
    becomes: 'component',
    type: 'process',
    kind: 'function',
    attributes: [
      { attribute: 'public_network_access_enabled', property: 'exposure', means: 'true → internet, false → internal', value: exposure },
    ],
  },
  {
    provider: 'Azure',
    types: ['azurerm_linux_web_app', 'azurerm_container_app', 'azurerm_kubernetes_cluster'],
    becomes: 'component',
    type: 'process',
    kind: 'service',
    attributes: [],
  },
  {
    provider: 'Azure',
    types: ['azurerm_servicebus_namespace', 'azurerm_eventhub_namespace'],
    becomes: 'component',
    type: 'datastore',
    kind: 'queue',
    attributes: [],
  },
  // ---- Google Cloud
  { provider: 'Google Cloud', types: ['google_compute_network', 'google_compute_subnetwork'], becomes: 'boundary', attributes: [] },
  {
    provider: 'Google Cloud',
    types: ['google_sql_database_instance'],
    becomes: 'component',
    type: 'datastore',
    kind: 'sql',
    attributes: [
      {
        attribute: 'settings.ip_configuration.ipv4_enabled',
        property: 'exposure',
        means: 'true → internet (a public IP), false → internal',
        value: exposure,
      },
    ],
  },
  {
    provider: 'Google Cloud',
    types: ['google_storage_bucket'],
    becomes: 'component',
    type: 'datastore',
    kind: 'object',
    attributes: [
      {
        attribute: 'public_access_prevention',
        property: 'publicAccess',
        means: '"enforced" → none ("inherited" says nothing)',
        value: (v) => (v === 'enforced' ? 'none' : undefined),
      },
    ],
  },
  { provider: 'Google Cloud', types: ['google_pubsub_topic'], becomes: 'component', type: 'datastore', kind: 'queue', attributes: [] },
  {
    provider: 'Google Cloud',
    types: ['google_cloudfunctions_function', 'google_cloudfunctions2_function'],
    becomes: 'component',
    type: 'process',
    kind: 'function',
    attributes: [],
  },
  {
    provider: 'Google Cloud',
    types: ['google_cloud_run_service', 'google_cloud_run_v2_service', 'google_container_cluster'],
    becomes: 'component',
    type: 'process',
    kind: 'service',
    attributes: [],
  },
];

/**
 * Resources that configure another one (S3 keeps its encryption and public access settings apart from the bucket):
 * what they state goes to the component of the resource their `bucket` attribute references.
 */
export interface CompanionMapping {
  readonly provider: 'AWS';
  readonly type: string;
  /** The attribute that references the resource configured. */
  readonly of: string;
  readonly attributes: readonly AttributeMapping[];
}

export const TERRAFORM_COMPANIONS: readonly CompanionMapping[] = [
  {
    provider: 'AWS',
    type: 'aws_lambda_function_url',
    of: 'function_name',
    attributes: [
      {
        attribute: 'authorization_type',
        property: 'exposure',
        means: 'any → internet (a function URL is a public endpoint)',
        value: () => 'internet',
      },
      {
        attribute: 'authorization_type',
        property: 'authentication',
        means: '"NONE" → none, "AWS_IAM" → cloud-iam',
        value: (v) => (v === 'NONE' ? 'none' : v === 'AWS_IAM' ? 'cloud-iam' : undefined),
      },
    ],
  },
  {
    provider: 'AWS',
    type: 'aws_s3_bucket_public_access_block',
    of: 'bucket',
    attributes: [
      {
        attribute: 'restrict_public_buckets',
        property: 'publicAccess',
        means: 'with block_public_acls, block_public_policy and ignore_public_acls all true → none',
        value: (v, values) =>
          v === true && values.block_public_acls === true && values.block_public_policy === true && values.ignore_public_acls === true
            ? 'none'
            : undefined,
      },
    ],
  },
  {
    provider: 'AWS',
    type: 'aws_s3_bucket_server_side_encryption_configuration',
    of: 'bucket',
    attributes: [
      {
        attribute: 'rule.apply_server_side_encryption_by_default.sse_algorithm',
        property: 'encryptionAtRest',
        means: '"aws:kms" with kms_master_key_id → customer-key, "AES256" or "aws:kms" → platform',
        value: (v, values) =>
          v === 'aws:kms' && text(valueAt(values, 'rule.apply_server_side_encryption_by_default.kms_master_key_id'))
            ? 'customer-key'
            : v === 'AES256' || v === 'aws:kms' || v === 'aws:kms:dsse'
              ? 'platform'
              : undefined,
      },
    ],
  },
];

/** Resources read for the flows between others (security groups and their rules), not drawn themselves. */
export const TERRAFORM_FLOW_SOURCES: readonly string[] = [
  'aws_security_group',
  'aws_security_group_rule',
  'aws_vpc_security_group_ingress_rule',
  'aws_lb_listener',
  'aws_alb_listener',
];

const BY_TYPE = new Map(TERRAFORM_MAPPINGS.flatMap((m) => m.types.map((t) => [t, m] as const)));

/** A value at a dotted path; a list on the way takes its first item (Terraform writes nested blocks as lists). */
function valueAt(values: Node, dotted: string): unknown {
  let v: unknown = values;
  for (const key of dotted.split('.')) {
    if (Array.isArray(v)) v = v[0];
    if (!isPlainObject(v)) return undefined;
    v = v[key];
  }
  return Array.isArray(v) && v.length === 1 && !isPlainObject(v[0]) ? v[0] : v;
}

interface PlannedResource {
  readonly address: string;
  readonly type: string;
  readonly name: string;
  readonly values: Node;
  /** The module's address ('' for the root), for matching configuration references. */
  readonly module: string;
}

const MAX_MODULE_DEPTH = 16;

/** Resources of a module and its children (managed ones: data sources are not part of the system). */
function resourcesOf(module: unknown, depth = 0): PlannedResource[] {
  if (!isPlainObject(module) || depth > MAX_MODULE_DEPTH) return [];
  const own = (Array.isArray(module.resources) ? module.resources : [])
    .filter(isPlainObject)
    .filter((r) => r.mode !== 'data' && typeof r.address === 'string' && typeof r.type === 'string')
    .map((r) => ({
      address: r.address as string,
      type: r.type as string,
      name: asText(r.name),
      values: isPlainObject(r.values) ? r.values : {},
      module: typeof module.address === 'string' ? module.address : '',
    }));
  const children = Array.isArray(module.child_modules) ? module.child_modules.flatMap((c) => resourcesOf(c, depth + 1)) : [];
  return [...own, ...children];
}

/** Configuration resources by address (module prefix + type.name), with every resource address their expressions reference. */
function referencesOf(configuration: unknown): Map<string, { all: Set<string>; byAttribute: Map<string, Set<string>> }> {
  const out = new Map<string, { all: Set<string>; byAttribute: Map<string, Set<string>> }>();
  const visit = (module: unknown, prefix: string, depth: number) => {
    if (!isPlainObject(module) || depth > MAX_MODULE_DEPTH) return;
    for (const r of Array.isArray(module.resources) ? module.resources.filter(isPlainObject) : []) {
      if (typeof r.type !== 'string' || typeof r.name !== 'string') continue;
      const entry = { all: new Set<string>(), byAttribute: new Map<string, Set<string>>() };
      // A reference counts for every attribute on its way: `network_configuration.security_groups` is both.
      const collect = (node: unknown, attributes: readonly string[], d: number) => {
        if (d > 32) return;
        if (Array.isArray(node)) for (const n of node) collect(n, attributes, d + 1);
        else if (isPlainObject(node)) {
          if (Array.isArray(node.references))
            for (const ref of node.references) {
              const target = resourceOfReference(asText(ref), prefix);
              if (!target) continue;
              entry.all.add(target);
              for (const attribute of attributes) {
                let set = entry.byAttribute.get(attribute);
                if (!set) entry.byAttribute.set(attribute, (set = new Set()));
                set.add(target);
              }
            }
          for (const [k, v] of Object.entries(node)) if (k !== 'references') collect(v, [...attributes, k], d + 1);
        }
      };
      if (isPlainObject(r.expressions)) for (const [k, v] of Object.entries(r.expressions)) collect(v, [k], 0);
      out.set(`${prefix}${r.type}.${r.name}`, entry);
    }
    if (isPlainObject(module.module_calls))
      for (const [name, call] of Object.entries(module.module_calls))
        if (isPlainObject(call)) visit(call.module, `${prefix}module.${name}.`, depth + 1);
  };
  if (isPlainObject(configuration)) visit(configuration.root_module, '', 0);
  return out;
}

/** `aws_subnet.private[0].id` → `aws_subnet.private`; variables, locals and module outputs name no resource. */
function resourceOfReference(ref: string, prefix: string): string | undefined {
  const m = /^((?:module\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?\.)*)([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)/.exec(ref);
  if (!m || ['var', 'local', 'module', 'data', 'path', 'terraform', 'each', 'count', 'self'].includes(m[2])) return undefined;
  return `${prefix}${m[1].replace(/\[[^\]]*\]/g, '')}${m[2]}.${m[3]}`;
}

/** The configuration address of a planned resource: its module path without indexes, then type.name. */
function configAddress(r: PlannedResource): string {
  const module = r.module ? `${r.module.replace(/\[[^\]]*\]/g, '')}.` : '';
  return `${module}${r.type}.${r.name}`;
}

function displayName(r: PlannedResource): string {
  const tags = isPlainObject(r.values.tags) ? r.values.tags : undefined;
  return text(tags?.Name) ?? text(r.values.name) ?? text(r.values.bucket) ?? text(r.values.identifier) ?? r.name;
}

export function isTerraformJson(source: unknown): boolean {
  return (
    isPlainObject(source) &&
    typeof source.format_version === 'string' &&
    (isPlainObject(source.planned_values) || isPlainObject(source.values))
  );
}

export function importTerraform(source: unknown, name = 'Terraform configuration'): ImportResult {
  if (!isTerraformJson(source))
    throw new Error('not the JSON of terraform show -json: it has no format_version with planned_values or values.');
  const plan = source as Node;
  const root = isPlainObject(plan.planned_values) ? plan.planned_values.root_module : (plan.values as Node).root_module;
  const resources = resourcesOf(root);
  if (resources.length === 0) throw new Error('the plan has no managed resources.');
  const references = referencesOf(plan.configuration);
  const refs = (r: PlannedResource) => references.get(configAddress(r));
  const byConfig = new Map<string, PlannedResource[]>();
  for (const r of resources) {
    const list = byConfig.get(configAddress(r));
    if (list) list.push(r);
    else byConfig.set(configAddress(r), [r]);
  }
  const model = emptyModel(name);
  const notes: string[] = [];
  const stated: StatedFact[] = [];
  const ids = new IdMaker();
  const skipped = new Map<string, number>();

  // Boundaries: networks, and subnets inside the network they reference.
  const boundaryOf = new Map<string, string>(); // config address → boundary id
  const resourceOfBoundary = new Map<string, (typeof resources)[number]>();
  for (const r of resources) {
    if (BY_TYPE.get(r.type)?.becomes !== 'boundary') continue;
    const id = ids.id(`boundary:${r.address}`, displayName(r), 'net-');
    boundaryOf.set(configAddress(r), id);
    model.boundaries.push({ id, name: displayName(r), trust: 'unknown', tags: [`terraform:${r.type}`] });
  }
  // The first resource whose configuration is each boundary's (found once, not searched for per boundary).
  for (const r of resources) {
    const id = boundaryOf.get(configAddress(r));
    if (id !== undefined && !resourceOfBoundary.has(id)) resourceOfBoundary.set(id, r);
  }
  for (const b of model.boundaries) {
    const r = resourceOfBoundary.get(String(b.id));
    const parent = r && [...(refs(r)?.all ?? [])].map((a) => boundaryOf.get(a)).find((p) => p !== undefined && p !== b.id);
    if (parent) b.parent = parent;
  }
  if (model.boundaries.length) notes.push(`${model.boundaries.length} networks and subnets became boundaries of unknown trust: set trust`);

  // Components, each standing for one resource.
  const componentOf = new Map<string, string>(); // config address → component id (the first instance)
  for (const r of resources) {
    const mapping = BY_TYPE.get(r.type);
    if (!mapping) {
      if (TERRAFORM_COMPANIONS.some((c) => c.type === r.type) || TERRAFORM_FLOW_SOURCES.includes(r.type)) continue;
      skipped.set(r.type, (skipped.get(r.type) ?? 0) + 1);
      continue;
    }
    if (mapping.becomes !== 'component') continue;
    const id = ids.id(`resource:${r.address}`, displayName(r), '');
    if (!componentOf.has(configAddress(r))) componentOf.set(configAddress(r), id);
    const component: Node = { id, name: displayName(r), type: mapping.type, kind: mapping.kind, infra: [r.address] };
    stated.push({ component: id, address: r.address, path: ['type'], value: mapping.type, source: `resource type ${r.type}` });
    for (const a of mapping.attributes) {
      const raw = valueAt(r.values, a.attribute);
      const value = raw === undefined || raw === null ? undefined : a.value(raw, r.values);
      if (value === undefined) continue;
      component[a.property] = value;
      stated.push({ component: id, address: r.address, path: [a.property], value, source: `${a.attribute} = ${JSON.stringify(raw)}` });
    }
    // The nearest network the resource (or what it references) sits in.
    const seen = new Set<string>();
    let frontier = [configAddress(r)];
    // At most four references away, and at most 256 resources looked at: a resource everything refers to must not
    // make this walk cost resources × references.
    for (let depth = 0; depth < 4 && !component.boundary && frontier.length && seen.size <= 256; depth++) {
      const next: string[] = [];
      for (const a of frontier) {
        for (const t of references.get(a)?.all ?? []) {
          if (seen.has(t)) continue;
          seen.add(t);
          const b = boundaryOf.get(t);
          if (b && !component.boundary) component.boundary = b;
          next.push(t);
        }
      }
      frontier = next;
    }
    model.components.push(compact(component));
  }

  const componentById = new Map(model.components.map((c) => [String(c.id), c]));
  // What companion resources state about the resource they configure.
  for (const r of resources) {
    const companion = TERRAFORM_COMPANIONS.find((c) => c.type === r.type);
    if (!companion) continue;
    const target = [...(refs(r)?.byAttribute.get(companion.of) ?? [])].map((t) => componentOf.get(t)).find((t) => t !== undefined);
    const component = target && componentById.get(target);
    if (!component) continue;
    for (const a of companion.attributes) {
      const raw = valueAt(r.values, a.attribute);
      const value = raw === undefined || raw === null ? undefined : a.value(raw, r.values);
      if (value === undefined) continue;
      component[a.property] = value;
      const address = (component.infra as string[])[0];
      stated.push({
        component: target,
        address,
        path: [a.property],
        value,
        source: `${r.address}: ${a.attribute} = ${JSON.stringify(raw)}`,
      });
    }
  }

  // Flows: security-group ingress between groups, and resources an environment names.
  const members = new Map<string, string[]>(); // security group config address → component ids
  for (const r of resources) {
    const id = componentOf.get(configAddress(r));
    if (!id) continue;
    for (const [attribute, targets] of refs(r)?.byAttribute ?? [])
      if (/security_group/.test(attribute))
        for (const t of targets) {
          if (!/aws_security_group\./.test(t)) continue;
          const list = members.get(t);
          if (!list) members.set(t, [id]);
          else if (list.at(-1) !== id) list.push(id);
        }
  }
  const allowed: [string, string, string][] = []; // [from group, to group, why]
  for (const r of resources) {
    const at = configAddress(r);
    const expressions = refs(r);
    if (!expressions) continue;
    if (r.type === 'aws_security_group')
      for (const src of expressions.byAttribute.get('ingress') ?? []) if (src !== at) allowed.push([src, at, `ingress of ${r.address}`]);
    if (['aws_security_group_rule', 'aws_vpc_security_group_ingress_rule'].includes(r.type) && r.values.type !== 'egress') {
      const to = [...(expressions.byAttribute.get('security_group_id') ?? [])][0];
      const from = [
        ...(expressions.byAttribute.get('source_security_group_id') ?? expressions.byAttribute.get('referenced_security_group_id') ?? []),
      ][0];
      if (to && from) allowed.push([from, to, r.address]);
    }
  }
  const flowSeen = new Set<string>();
  const addFlow = (from: string, to: string, why: string) => {
    const key = `${from}->${to}`;
    if (from === to || flowSeen.has(key)) return;
    flowSeen.add(key);
    const flowId = ids.id(`flow:${key}`, `${from} to ${to}`, 'flow-');
    model.flows.push({ id: flowId, from, to, tags: ['inferred'] });
    notes.push(`${flowId}: inferred from ${why}; say what it carries (data) and how (protocol, authentication)`);
  };
  for (const [fromGroup, toGroup, why] of allowed) {
    const sources = members.get(fromGroup) ?? [];
    const targets = members.get(toGroup) ?? [];
    // Many members on both sides: one note for the relation, not a flow (and a note) per pair of members.
    if (sources.length * targets.length > MAX_FLOWS_PER_RELATION) {
      notes.push(
        `${why} allows ${sources.length} × ${targets.length} resource pairs (${fromGroup} to ${toGroup}); they are not drawn one by one (more than ${MAX_FLOWS_PER_RELATION}): draw the flows that carry data`,
      );
      continue;
    }
    for (const from of sources) for (const to of targets) addFlow(from, to, why);
  }
  for (const r of resources) {
    const from = componentOf.get(configAddress(r));
    if (!from) continue;
    for (const t of refs(r)?.byAttribute.get('environment') ?? []) {
      const to = componentOf.get(t);
      if (to) addFlow(from, to, `the environment of ${r.address}`);
    }
  }
  // Listeners of an internet-facing load balancer: clients on the internet reach it, over the listener's protocol.
  const LISTENER_PROTOCOLS: Readonly<Record<string, string>> = {
    HTTPS: 'https',
    HTTP: 'http',
    TLS: 'custom',
    TCP: 'custom',
    UDP: 'custom',
  };
  for (const r of resources.filter((x) => x.type === 'aws_lb_listener' || x.type === 'aws_alb_listener')) {
    const lb = [...(refs(r)?.byAttribute.get('load_balancer_arn') ?? [])].map((t) => componentOf.get(t)).find((t) => t !== undefined);
    const target = lb && componentById.get(lb);
    if (!target || target.exposure !== 'internet') continue;
    let clients = model.components.find((c) => c.id === ids.known('external:internet'));
    if (!clients) {
      clients = {
        id: ids.id('external:internet', 'Internet clients', ''),
        name: 'Clients on the internet',
        type: 'external',
        tags: ['inferred'],
      };
      model.components.push(clients);
    }
    const protocol = LISTENER_PROTOCOLS[asText(r.values.protocol).toUpperCase()];
    const port = asText(r.values.port);
    const flowId = ids.id(`flow:listener:${r.address}`, `${String(clients.id)} to ${String(target.id)}${port ? ` ${port}` : ''}`, 'flow-');
    model.flows.push(compact({ id: flowId, from: clients.id, to: target.id, protocol, tags: ['inferred'] }));
    notes.push(`${flowId}: from listener ${r.address} (${asText(r.values.protocol)} ${port}); say what it carries (data)`);
  }
  for (const [type, n] of skipped)
    notes.push(`${n} ${type} ${n === 1 ? 'resource is' : 'resources are'} not mapped (no place in a data-flow model)`);
  return { model, notes: [...new Set(notes)], stated };
}

/** The Markdown tables of docs/infrastructure.md: every resource type and attribute read, and what it becomes. */
export function terraformMappingTables(): string {
  const rows = ['| provider | resource types | becomes | attribute → model property |', '| --- | --- | --- | --- |'];
  for (const m of TERRAFORM_MAPPINGS) {
    const becomes = m.becomes === 'boundary' ? 'boundary (trust unknown)' : `${m.type}, kind \`${m.kind}\``;
    const attributes = m.attributes.length
      ? m.attributes.map((a) => `\`${a.attribute}\` → \`${a.property}\`: ${a.means}`).join('<br>')
      : '—';
    rows.push(`| ${m.provider} | ${m.types.map((t) => `\`${t}\``).join(', ')} | ${becomes} | ${attributes} |`);
  }
  for (const c of TERRAFORM_COMPANIONS)
    rows.push(
      `| ${c.provider} | \`${c.type}\` | (the resource its \`${c.of}\` references) | ${c.attributes.map((a) => `\`${a.attribute}\` → \`${a.property}\`: ${a.means}`).join('<br>')} |`,
    );
  rows.push(
    `| AWS | ${TERRAFORM_FLOW_SOURCES.map((t) => `\`${t}\``).join(', ')} | flows (tagged inferred): between the resources in the groups that ingress allows; from clients on the internet to an internet-facing load balancer, over each listener's protocol (HTTPS → https, HTTP → http) | — |`,
  );
  return rows.join('\n');
}
