/**
 * Threagile models (YAML) in. Technical assets ↔ components, communication links ↔ flows, data assets ↔ data, trust
 * boundaries ↔ boundaries; the human work is the individual risk categories (threats written by people) and the risk
 * tracking (a status and a justification for each generated risk), both kept as threats on the elements they name.
 */
import { isPlainObject, own } from '../shared/values';
import { compact, emptyModel, firstLine, IdMaker, type ImportResult, text, unmapped, asText } from './imported';

type Node = Record<string, unknown>;

const TYPE_OF: Record<string, string> = { 'external-entity': 'external', process: 'process', datastore: 'datastore' };
const CLASSIFICATION_OF: Record<string, string> = {
  public: 'public',
  internal: 'internal',
  restricted: 'restricted',
  confidential: 'confidential',
  'strictly-confidential': 'restricted',
};
const ENCRYPTION_OF: Record<string, string> = {
  none: 'none',
  transparent: 'platform',
  'data-with-symmetric-shared-key': 'application',
  'data-with-asymmetric-shared-key': 'application',
  'data-with-enduser-individual-key': 'customer-key',
};
const PROTOCOL_OF: Record<string, string> = {
  http: 'http',
  https: 'https',
  ws: 'ws',
  wss: 'wss',
  jdbc: 'sql',
  'jdbc-encrypted': 'sql-tls',
  odbc: 'sql',
  'odbc-encrypted': 'sql-tls',
  'sql-access-protocol': 'sql',
  'sql-access-protocol-encrypted': 'sql-tls',
  ldap: 'ldap',
  ldaps: 'ldaps',
  smtp: 'smtp',
  'smtp-encrypted': 'smtps',
  ssh: 'ssh',
  'ssh-tunnel': 'ssh',
  sftp: 'sftp',
  ftp: 'ftp',
  smb: 'smb',
  mqtt: 'mqtt',
  'in-process-library-call': 'in-process',
  'local-file-access': 'file',
};
const AUTHENTICATION_OF: Record<string, string> = {
  none: 'none',
  credentials: 'password',
  'session-id': 'session',
  token: 'token',
  'client-certificate': 'mtls',
  externalized: 'externalized',
};
const USAGE_OF: Record<string, string> = { business: 'business', devops: 'devops' };
const STATUS_OF: Record<string, string> = {
  unchecked: 'open',
  'in-discussion': 'open',
  accepted: 'accepted',
  'in-progress': 'in-progress',
  mitigated: 'mitigated',
  'false-positive': 'false-positive',
};
const STRIDE_OF: Record<string, string> = {
  spoofing: 'spoofing',
  tampering: 'tampering',
  repudiation: 'repudiation',
  'information-disclosure': 'information-disclosure',
  'denial-of-service': 'denial-of-service',
  'elevation-of-privilege': 'elevation-of-privilege',
};
const SEVERITY_OF: Record<string, string> = { critical: 'critical', elevated: 'high', high: 'high', medium: 'medium', low: 'low' };
/** Kinds from Threagile technologies, where the two vocabularies agree. */
const KIND_OF: Record<string, string> = {
  browser: 'browser',
  desktop: 'desktop',
  'mobile-app': 'mobile',
  'web-server': 'web-server',
  'web-application': 'web-app',
  'application-server': 'service',
  database: 'database',
  'file-server': 'file',
  'local-file-system': 'file',
  'ldap-server': 'ldap',
  'identity-provider': 'identity-provider',
  'load-balancer': 'load-balancer',
  'reverse-proxy': 'reverse-proxy',
  'message-queue': 'queue',
  'stream-processing': 'worker',
  'batch-processing': 'worker',
  'build-pipeline': 'build-pipeline',
  'sourcecode-repository': 'source-repo',
  'artifact-registry': 'artifact-registry',
  vault: 'vault',
  waf: 'waf',
  'web-service-rest': 'api',
  'web-service-soap': 'api',
  function: 'function',
  'search-index': 'search',
  'search-engine': 'search',
  'block-storage': 'object',
  cli: 'desktop',
  gateway: 'gateway',
  'iot-device': 'device',
  monitoring: 'monitoring',
};

function entries(v: unknown): [string, Node][] {
  return isPlainObject(v) ? Object.entries(v).filter((e): e is [string, Node] => isPlainObject(e[1])) : [];
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}

export function importThreagile(source: unknown): ImportResult {
  if (!isPlainObject(source) || !isPlainObject(source.technical_assets))
    throw new Error('not a Threagile model: it has no technical_assets.');
  const notes: string[] = [];
  const model = emptyModel(text(source.title) ?? 'Imported model');
  const author = isPlainObject(source.author) ? text(source.author.name) : undefined;
  const overview = isPlainObject(source.business_overview) ? text(source.business_overview.description) : undefined;
  Object.assign(model.system, compact({ description: overview ?? text(source.management_summary_comment), owner: author }));
  for (const key of [
    'management_summary_comment',
    'business_criticality',
    'technical_overview',
    'questions',
    'abuse_cases',
    'security_requirements',
    'shared_runtimes',
  ])
    if (source[key] !== undefined && source[key] !== null && !(key === 'management_summary_comment' && !overview))
      notes.push(unmapped('model', key, source[key]));
  const ids = new IdMaker();

  for (const [name, a] of entries(source.data_assets)) {
    const id = ids.id(asText(a.id ?? name), name, 'data-');
    const classification = own(CLASSIFICATION_OF, asText(a.confidentiality));
    model.data.push(compact({ id, name, description: text(a.description), classification: classification ?? 'unknown' }));
    if (a.integrity !== undefined || a.availability !== undefined)
      notes.push(`data ${id}: integrity ${asText(a.integrity)}, availability ${asText(a.availability)} (not rated here)`);
  }
  const boundaryOf = new Map<string, string>();
  const boundaries = entries(source.trust_boundaries);
  for (const [name, b] of boundaries) {
    const id = ids.id(asText(b.id ?? name), name, 'zone-');
    model.boundaries.push(
      compact({
        id,
        name,
        description: text(b.description),
        trust: 'unknown',
        tags: text(b.type) ? [`threagile:${asText(b.type)}`] : undefined,
      }),
    );
    notes.push(`boundary ${id}: Threagile does not rate trust (type ${asText(b.type)}); set trust`);
    for (const a of strings(b.technical_assets_inside)) boundaryOf.set(a, id);
  }
  const boundaryById = new Map(model.boundaries.map((x) => [x.id, x]));
  for (const [name, b] of boundaries)
    for (const nested of strings(b.trust_boundaries_nested)) {
      const child = boundaryById.get(ids.known(nested));
      if (child) child.parent = ids.known(asText(b.id ?? name));
    }

  const assets = entries(source.technical_assets);
  for (const [name, a] of assets) ids.id(asText(a.id ?? name), name, 'c-');
  for (const [name, a] of assets) {
    const id = ids.known(asText(a.id ?? name))!;
    const type = own(TYPE_OF, asText(a.type)) ?? 'process';
    const technology = asText(a.technology ?? '');
    const component: Node = {
      id,
      name,
      type,
      kind: own(KIND_OF, technology),
      boundary: boundaryOf.get(asText(a.id ?? name)),
      description: text(a.description),
      owner: text(a.owner),
      exposure: a.internet === true ? 'internet' : undefined,
      encryptionAtRest: type === 'datastore' ? own(ENCRYPTION_OF, asText(a.encryption)) : undefined,
      multiTenant: a.multi_tenant === true ? true : undefined,
      sourcing: a.custom_developed_parts === true ? 'custom' : undefined,
      stores: type === 'datastore' ? strings(a.data_assets_stored).map((x) => ids.known(x) ?? x) : undefined,
      tags: [...(technology ? [`threagile:${technology}`] : []), ...strings(a.tags)],
    };
    if (a.out_of_scope === true) Object.assign(component, { inScope: false, outOfScopeReason: text(a.justification_out_of_scope) });
    model.components.push(compact(component));
    if (type !== 'datastore' && strings(a.data_assets_stored).length)
      notes.push(unmapped(`component ${id}`, 'data_assets_stored', a.data_assets_stored));
    if (a.confidentiality !== undefined)
      notes.push(
        `component ${id}: rated confidentiality ${asText(a.confidentiality)}, integrity ${asText(a.integrity)}, availability ${asText(a.availability)} (the data it holds is what counts here)`,
      );
    for (const [linkName, l] of entries(a.communication_links)) {
      const to = ids.known(asText(l.target));
      if (!to) {
        notes.push(`link '${linkName}' of ${id} goes to '${asText(l.target)}', which the model does not define; not imported`);
        continue;
      }
      const flowId = ids.id(`${id}/${linkName}`, `${name} ${linkName}`, 'flow-');
      const protocol = own(PROTOCOL_OF, asText(l.protocol));
      model.flows.push(
        compact({
          id: flowId,
          name: linkName,
          from: id,
          to,
          description: text(l.description),
          protocol,
          authentication: own(AUTHENTICATION_OF, asText(l.authentication)),
          network: l.vpn === true ? 'vpn' : undefined,
          readOnly: l.readonly === true ? true : undefined,
          usage: own(USAGE_OF, asText(l.usage)),
          data: [...new Set([...strings(l.data_assets_sent), ...strings(l.data_assets_received)])].map((x) => ids.known(x) ?? x),
          tags: [...(protocol ? [] : [`threagile:${asText(l.protocol)}`]), ...strings(l.tags)],
        }),
      );
      if (text(asText(l.authorization ?? '')) && l.authorization !== 'none')
        notes.push(unmapped(`flow ${flowId}`, 'authorization', l.authorization));
    }
  }
  const elementIds = new Set([...model.components, ...model.flows, ...model.boundaries, ...model.data].map((e) => asText(e.id)));
  const mitigationIds = new Set(model.mitigations.map((m) => asText(m.id)));

  // Threats people wrote: each individual risk category, on the elements its identified risks name.
  for (const [name, c] of entries(source.individual_risk_categories)) {
    const stride = own(STRIDE_OF, asText(c.stride));
    for (const [title, r] of entries(c.risks_identified)) {
      const targets = [
        'most_relevant_technical_asset',
        'most_relevant_communication_link',
        'most_relevant_data_asset',
        'most_relevant_trust_boundary',
      ]
        .map((k) => (typeof r[k] === 'string' ? (ids.known(asText(r[k])) ?? asText(r[k])) : undefined))
        .filter((x): x is string => x !== undefined && elementIds.has(x));
      const mitigation = text(c.mitigation);
      const mid = mitigation ? ids.id(`mitigation:${asText(c.id ?? name)}`, firstLine(mitigation), 'M-') : undefined;
      if (mid && !mitigationIds.has(mid)) {
        mitigationIds.add(mid);
        model.mitigations.push(
          compact({
            id: mid,
            title: firstLine(mitigation!),
            description: mitigation!.length > 120 ? mitigation : undefined,
            status: 'proposed',
          }),
        );
      }
      if (!targets.length) {
        notes.push(`risk '${title}' (${name}) names no element of the model; kept here: ${text(c.description) ?? ''}`);
        continue;
      }
      model.threats.push(
        compact({
          id: ids.id(`risk:${title}`, title, 'T-'),
          title,
          category: stride ?? 'information-disclosure',
          targets,
          status: 'open',
          severity: own(SEVERITY_OF, asText(r.severity)),
          description: [text(c.description), text(c.impact)].filter(Boolean).join('\n\n') || undefined,
          cwe: typeof c.cwe === 'number' && c.cwe > 0 ? [c.cwe] : undefined,
          mitigations: mid ? [mid] : [],
        }),
      );
      if (!stride) notes.push(`risk '${title}': STRIDE '${asText(c.stride)}' unknown; information-disclosure set for review`);
    }
    for (const key of ['asvs', 'cheat_sheet', 'action', 'check', 'detection_logic', 'risk_assessment', 'false_positives'])
      if (text(c[key])) notes.push(unmapped(`risk category ${name}`, key, c[key]));
  }
  // The status and justification a person gave a generated risk: a threat recording it, on the elements its id names.
  for (const [riskId, t] of entries(source.risk_tracking)) {
    const [category, ...parts] = riskId.split('@');
    const targets = parts.map((p) => ids.known(p) ?? p).filter((p) => elementIds.has(p));
    const status = own(STATUS_OF, asText(t.status)) ?? 'open';
    if (!targets.length) {
      notes.push(
        `risk tracking '${riskId}' (${asText(t.status)}${text(t.justification) ? `: ${text(t.justification)}` : ''}) names no element of the model (wildcards); not imported as a threat`,
      );
      continue;
    }
    const justification = text(t.justification);
    const threat: Node = {
      id: ids.id(`tracking:${riskId}`, `${category} ${parts.filter((p) => p !== '*').join(' ')}`, 'T-'),
      title: `${category.replace(/-/g, ' ')} (Threagile risk ${riskId})`,
      category: 'information-disclosure',
      targets,
      status,
      owner: text(t.checked_by),
      tags: ['threagile:risk-tracking', ...(text(t.ticket) ? [`ticket:${text(t.ticket)}`] : [])],
    };
    if (status === 'accepted')
      threat.acceptance = compact({
        by: text(t.checked_by) ?? 'unknown',
        justification: justification ?? 'Accepted in Threagile.',
        expires: undefined,
      });
    else if (justification) threat.justification = justification;
    model.threats.push(compact(threat));
    notes.push(
      `risk tracking '${riskId}': category information-disclosure set for review (Threagile's generated risk types carry no STRIDE category in the model file)`,
    );
  }
  return { model, notes: [...new Set(notes)] };
}
