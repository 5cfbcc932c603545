/**
 * OWASP Threat Dragon models in (v1 and v2 JSON, every diagram merged) and out (v2, laid out with dagre so that it
 * opens readably in Threat Dragon). Threat Dragon's booleans default to false whether or not anyone decided them: a
 * `true` is taken, a `false` is reported, never read as "not encrypted".
 */
import dagre from '@dagrejs/dagre';
import type { Analysis } from '../analysis/analyze';
import type { Element } from '../model/types';
import { isPlainObject, own } from '../shared/values';
import { compact, emptyModel, firstLine, IdMaker, type ImportResult, text, asText, STRIDE_WORDS } from './imported';

type Cell = Record<string, unknown>;

const CATEGORY_OF_TYPE: Record<string, string> = {
  ...STRIDE_WORDS,
  // LINDDUN
  linkability: 'linking',
  identifiability: 'identifying',
  'non-repudiation': 'non-repudiation',
  detectability: 'detecting',
  'disclosure of information': 'data-disclosure',
  unawareness: 'unawareness',
  'non-compliance': 'non-compliance',
  // CIA
  confidentiality: 'information-disclosure',
  integrity: 'tampering',
  availability: 'denial-of-service',
};
const STATUS_OF: Record<string, string> = {
  open: 'open',
  mitigated: 'mitigated',
  notapplicable: 'not-applicable',
  'not applicable': 'not-applicable',
};
const SEVERITY_OF: Record<string, string> = { critical: 'critical', high: 'high', medium: 'medium', low: 'low' };
/** Protocol names as people write them in Threat Dragon. */
const PROTOCOL_ALIASES: Record<string, string> = {
  'http/s': 'https',
  'https/tls': 'https',
  tls: 'https',
  'sql/tls': 'sql-tls',
  jdbc: 'sql',
  'grpc/tls': 'grpc-tls',
};
const PROTOCOLS = new Set([
  'http',
  'https',
  'grpc',
  'grpc-tls',
  'ws',
  'wss',
  'amqp',
  'amqps',
  'mqtt',
  'mqtts',
  'kafka',
  'kafka-tls',
  'sql',
  'sql-tls',
  'ldap',
  'ldaps',
  'smtp',
  'smtps',
  'ssh',
  'sftp',
  'ftp',
  'smb',
]);

/** What a v1 or v2 cell is, in one vocabulary. */
function kindOf(cell: Cell): 'actor' | 'process' | 'store' | 'flow' | 'box' | 'curve' | 'text' | undefined {
  const shape = asText(cell.shape ?? '');
  const type = asText(cell.type ?? (isPlainObject(cell.data) ? cell.data.type : '') ?? '');
  if (shape === 'actor' || type === 'tm.Actor') return 'actor';
  if (shape === 'process' || type === 'tm.Process') return 'process';
  if (shape === 'store' || type === 'tm.Store') return 'store';
  if (shape === 'flow' || type === 'tm.Flow') return 'flow';
  if (shape === 'trust-boundary-box' || type === 'tm.BoundaryBox') return 'box';
  if (shape === 'trust-boundary-curve' || type === 'tm.Boundary') return 'curve';
  if (shape === 'td-text-block' || type === 'tm.Text') return 'text';
  return undefined;
}

/** A cell's own properties: v2 keeps them in `data`, v1 on the cell. */
function props(cell: Cell): Record<string, unknown> {
  return isPlainObject(cell.data) ? cell.data : cell;
}

function nameOf(cell: Cell): string | undefined {
  const p = props(cell);
  const label =
    Array.isArray(cell.labels) && isPlainObject(cell.labels[0])
      ? (cell.labels[0].attrs as { text?: { text?: unknown } } | undefined)?.text?.text
      : undefined;
  const attr = isPlainObject(cell.attrs) && isPlainObject(cell.attrs.text) ? cell.attrs.text.text : undefined;
  return text(p.name) ?? text(label) ?? text(attr);
}

function box(cell: Cell): { x: number; y: number; w: number; h: number } | undefined {
  const p = cell.position as { x?: unknown; y?: unknown } | undefined;
  const s = cell.size as { width?: unknown; height?: unknown } | undefined;
  if (!p || !s || typeof p.x !== 'number' || typeof p.y !== 'number' || typeof s.width !== 'number' || typeof s.height !== 'number')
    return undefined;
  return { x: p.x, y: p.y, w: s.width, h: s.height };
}

export function importThreatDragon(source: unknown): ImportResult {
  if (!isPlainObject(source) || !isPlainObject(source.summary) || !isPlainObject(source.detail) || !Array.isArray(source.detail.diagrams))
    throw new Error('not a Threat Dragon model: it has no summary and diagrams.');
  const notes: string[] = [];
  const summary = source.summary;
  const model = emptyModel(text(summary.title) ?? 'Imported model');
  Object.assign(model.system, compact({ description: text(summary.description), owner: text(summary.owner) }));
  const detail = source.detail;
  const diagrams = (detail.diagrams as unknown[]).filter(isPlainObject);
  if (Array.isArray(detail.contributors) && detail.contributors.length)
    notes.push(`contributors: ${detail.contributors.map((c) => (isPlainObject(c) ? asText(c.name) : asText(c))).join(', ')}`);
  if (text(detail.reviewer)) notes.push(`reviewer: ${text(detail.reviewer)}`);
  const ids = new IdMaker();
  const cells: { cell: Cell; diagram: string }[] = [];
  for (const diagram of diagrams) {
    const title = text(diagram.title) ?? 'diagram';
    const list = isPlainObject(diagram.diagramJson) ? diagram.diagramJson.cells : diagram.cells;
    if (Array.isArray(list)) for (const cell of list.filter(isPlainObject)) cells.push({ cell, diagram: title });
  }
  const boxes: { id: string; box: { x: number; y: number; w: number; h: number } }[] = [];
  for (const { cell } of cells) {
    const kind = kindOf(cell);
    if (kind === 'box') {
      const id = ids.id(asText(cell.id), nameOf(cell) ?? 'boundary', 'zone-');
      const b = box(cell);
      model.boundaries.push(compact({ id, name: nameOf(cell), trust: 'unknown' }));
      notes.push(`boundary ${id}: Threat Dragon does not rate trust; set trust`);
      if (b) boxes.push({ id, box: b });
    } else if (kind === 'curve') {
      notes.push(
        `trust boundary line '${nameOf(cell) ?? asText(cell.id)}': a line, not a box; draw it as a boundary around the elements on its trusted side`,
      );
    } else if (kind === 'text') {
      notes.push(`text block: ${nameOf(cell) ?? ''}`);
    }
  }
  // Nested boxes: the smallest enclosing box is the parent. Each point is tested against every box, so a drawing
  // with more boxes than anyone draws is taken without nesting (said in a note) instead of costing boxes².
  const geometric = boxes.length <= MAX_DRAWN_BOXES;
  if (!geometric)
    notes.push(
      `${boxes.length} trust boundary boxes: more than ${MAX_DRAWN_BOXES}, so which box holds which element is not read from the drawing; set boundary and parent`,
    );
  const enclosing = (x: number, y: number, except?: string) => {
    if (!geometric) return undefined;
    let best: (typeof boxes)[number] | undefined;
    for (const b of boxes)
      if (b.id !== except && x >= b.box.x && x <= b.box.x + b.box.w && y >= b.box.y && y <= b.box.y + b.box.h)
        if (!best || b.box.w * b.box.h < best.box.w * best.box.h) best = b;
    return best?.id;
  };
  const boundaryById = new Map(model.boundaries.map((b) => [String(b.id), b]));
  for (const b of boxes) {
    const parent = enclosing(b.box.x + 1, b.box.y + 1, b.id);
    const boundary = boundaryById.get(b.id);
    if (parent && boundary) boundary.parent = parent;
  }

  const threatsOf = (owner: Cell, target: string) => {
    const list = props(owner).threats;
    if (!Array.isArray(list)) return;
    for (const t of list.filter(isPlainObject)) {
      const title = text(t.title) ?? firstLine(text(t.description) ?? 'Threat');
      const type = asText(t.type ?? '').toLowerCase();
      const category = own(CATEGORY_OF_TYPE, type);
      if (!category)
        notes.push(
          `${target}: threat '${title}' has type '${asText(t.type ?? '')}' (${asText(t.modelType ?? 'no model')}), no STRIDE or LINDDUN category; information-disclosure set for review`,
        );
      const status = own(STATUS_OF, asText(t.status ?? '').toLowerCase());
      if (!status) notes.push(`${target}: threat '${title}' has status '${asText(t.status ?? '')}', read as open`);
      const mitigation = text(t.mitigation);
      const mitigations: string[] = [];
      if (mitigation) {
        const mid = ids.id(`mitigation:${asText(t.id ?? title)}@${target}`, firstLine(mitigation), 'M-');
        mitigations.push(mid);
        model.mitigations.push(
          compact({
            id: mid,
            title: firstLine(mitigation),
            description: mitigation.includes('\n') || mitigation.length > 120 ? mitigation : undefined,
            status: status === 'mitigated' ? 'implemented' : 'proposed',
          }),
        );
      }
      model.threats.push(
        compact({
          id: ids.id(`threat:${asText(t.id ?? title)}@${target}`, title, 'T-'),
          title,
          category: category ?? 'information-disclosure',
          targets: [target],
          status: status ?? 'open',
          severity: own(SEVERITY_OF, asText(t.severity ?? '').toLowerCase()),
          description: text(t.description),
          mitigations,
          tags: t.modelType && t.modelType !== 'STRIDE' ? [`model:${asText(t.modelType)}`] : undefined,
        }),
      );
      if (t.score !== undefined && t.score !== '')
        notes.push(`${target}: threat '${title}' score = ${asText(t.score)} (no place in this format)`);
    }
  };
  const falseFlag = (where: string, flag: string) =>
    notes.push(`${where}: ${flag} is false in the source, which may mean "not stated"; not taken`);

  const componentIds = new Map<string, string>();
  for (const { cell } of cells) {
    const kind = kindOf(cell);
    if (kind !== 'actor' && kind !== 'process' && kind !== 'store') continue;
    const p = props(cell);
    const id = ids.id(asText(cell.id), nameOf(cell) ?? kind, `${kind}-`);
    componentIds.set(asText(cell.id), id);
    const b = box(cell);
    const boundary = b ? enclosing(b.x + b.w / 2, b.y + b.h / 2) : undefined;
    const component: Record<string, unknown> = {
      id,
      name: nameOf(cell) ?? id,
      type: kind === 'actor' ? 'external' : kind === 'process' ? 'process' : 'datastore',
      boundary,
      description: text(p.description),
    };
    if (p.outOfScope === true) Object.assign(component, { inScope: false, outOfScopeReason: text(p.reasonOutOfScope) });
    if (kind === 'actor') {
      if (p.providesAuthentication === true) component.authenticatesItself = true;
      else if (p.providesAuthentication === false) falseFlag(id, 'providesAuthentication');
    }
    if (kind === 'process') {
      if (p.isWebApplication === true) component.kind = 'web-app';
      if (p.handlesCardPayment === true || p.handlesGoodsOrServices === true)
        notes.push(`${id}: handles ${p.handlesCardPayment === true ? 'card payments' : 'goods or services'} (say which data it processes)`);
      if (text(p.privilegeLevel)) notes.push(`${id}: privilege level '${text(p.privilegeLevel)}' (no place in this format)`);
    }
    if (kind === 'store') {
      if (p.isALog === true) Object.assign(component, { kind: 'log', storesLogs: true });
      if (p.storesCredentials === true) component.storesCredentials = true;
      else if (p.storesCredentials === false) falseFlag(id, 'storesCredentials');
      if (p.isEncrypted === true) notes.push(`${id}: encrypted at rest per the source, which does not say how; set encryptionAtRest`);
      else if (p.isEncrypted === false) falseFlag(id, 'isEncrypted');
      if (p.isSigned === true) notes.push(`${id}: signed per the source (no place in this format)`);
    }
    model.components.push(compact(component));
    threatsOf(cell, id);
  }
  if (diagrams.length > 1) notes.push(`${diagrams.length} diagrams merged into one model`);

  for (const { cell } of cells) {
    if (kindOf(cell) !== 'flow') continue;
    const p = props(cell);
    const src = isPlainObject(cell.source) ? asText(cell.source.cell ?? cell.source.id ?? '') : '';
    const dst = isPlainObject(cell.target) ? asText(cell.target.cell ?? cell.target.id ?? '') : '';
    const from = componentIds.get(src);
    const to = componentIds.get(dst);
    const name = nameOf(cell);
    if (!from || !to) {
      notes.push(
        `flow '${name ?? asText(cell.id)}' is not connected at both ends in the source; not imported${Array.isArray(p.threats) && p.threats.length ? ` (its ${p.threats.length} threats: ${p.threats.map((t) => (isPlainObject(t) ? `${asText(t.title)} [${asText(t.status)}]: ${asText(t.description ?? '')} Mitigation: ${asText(t.mitigation ?? '')}` : '')).join('; ')})` : ''}`,
      );
      continue;
    }
    const id = ids.id(asText(cell.id), name ?? `${from}-${to}`, 'flow-');
    const written = asText(p.protocol ?? '')
      .toLowerCase()
      .trim();
    const protocol = own(PROTOCOL_ALIASES, written) ?? written;
    const flow: Record<string, unknown> = {
      id,
      name,
      from,
      to,
      description: text(p.description),
      protocol: PROTOCOLS.has(protocol) ? protocol : undefined,
      bidirectional: p.isBidirectional === true ? true : undefined,
      encryptedInTransit: p.isEncrypted === true ? true : undefined,
      network: p.isPublicNetwork === true ? 'internet' : undefined,
    };
    if (protocol && !PROTOCOLS.has(protocol)) notes.push(`${id}: protocol '${asText(p.protocol)}' is not one this format names; tagged`);
    if (protocol && !PROTOCOLS.has(protocol)) flow.tags = [`protocol:${protocol}`];
    if (p.isEncrypted === false) falseFlag(id, 'isEncrypted');
    if (p.outOfScope === true) Object.assign(flow, { inScope: false, outOfScopeReason: text(p.reasonOutOfScope) });
    model.flows.push(compact(flow));
    threatsOf(cell, id);
  }
  return { model, notes: [...new Set(notes)] };
}

// ---- Export --------------------------------------------------------------------------------------------------------

const SHAPE_OF_TYPE: Record<string, { shape: string; type: string; width: number; height: number }> = {
  external: { shape: 'actor', type: 'tm.Actor', width: 160, height: 80 },
  process: { shape: 'process', type: 'tm.Process', width: 100, height: 100 },
  datastore: { shape: 'store', type: 'tm.Store', width: 160, height: 80 },
};
const TYPE_OF_CATEGORY: Record<string, string> = Object.fromEntries(
  Object.entries(CATEGORY_OF_TYPE)
    .filter(([w]) => !['confidentiality', 'integrity', 'availability'].includes(w))
    .map(([w, c]) => [c, w.replace(/^\w/, (x) => x.toUpperCase())]),
);
const STATUS_WORD: Record<string, string> = {
  mitigated: 'Mitigated',
  'not-applicable': 'NotApplicable',
  'false-positive': 'NotApplicable',
};

/** Boxes read for nesting from a drawing; more are taken without it (each point is tested against every box). */
const MAX_DRAWN_BOXES = 500;

/** Our model as a Threat Dragon v2 model: one diagram, boundaries as boxes around their members, laid out by dagre. */
export function exportThreatDragon(analysis: Analysis): Record<string, unknown> {
  const model = analysis.parsed.model!;
  const d = (e: Element) => e.data as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  // Threats by target, mitigations and boundaries by id, indexed once (searched per component, they were quadratic).
  const threatsByTarget = new Map<string, (typeof model.threats)[number][]>();
  for (const t of model.threats)
    for (const target of new Set(Array.isArray(t.data.targets) ? t.data.targets : [])) {
      const list = threatsByTarget.get(target);
      if (list) list.push(t);
      else threatsByTarget.set(target, [t]);
    }
  const mitigationById = new Map(model.mitigations.map((m) => [m.id, m]));
  const boundaryIds = new Set(model.boundaries.map((b) => b.id));
  const threatsOf = (id: string) =>
    (threatsByTarget.get(id) ?? []).map((t, i) => ({
      id: `${t.id}@${id}`,
      title: str(t.data.title) ?? t.id,
      status: own(STATUS_WORD, asText(t.data.status)) ?? 'Open',
      severity: str(t.data.severity) ? asText(t.data.severity).replace(/^\w/, (x) => x.toUpperCase()) : 'Medium',
      type: own(TYPE_OF_CATEGORY, asText(t.data.category)) ?? asText(t.data.category),
      description: str((t.data as Record<string, unknown>).description) ?? '',
      mitigation: (t.data.mitigations ?? [])
        .map((m) => str(mitigationById.get(m)?.data.title))
        .filter((x): x is string => x !== undefined)
        .join('\n'),
      modelType: (t.data.category ?? '')
        .toString()
        .match(/^(linking|identifying|non-repudiation|detecting|data-disclosure|unawareness|non-compliance)$/)
        ? 'LINDDUN'
        : 'STRIDE',
      number: i + 1,
      score: '',
    }));

  // Layout: dagre with boundaries as compound nodes, so members sit inside their boxes.
  const g = new dagre.graphlib.Graph({ compound: true, multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 60, ranksep: 120, marginx: 40, marginy: 40 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const b of model.boundaries) g.setNode(`b:${b.id}`, { label: b.id });
  for (const b of model.boundaries) {
    const parent = str(d(b).parent);
    if (parent && boundaryIds.has(parent) && parent !== b.id) g.setParent(`b:${b.id}`, `b:${parent}`);
  }
  for (const c of model.components) {
    const s = own(SHAPE_OF_TYPE, asText(d(c).type)) ?? SHAPE_OF_TYPE.process;
    g.setNode(`c:${c.id}`, { width: s.width, height: s.height });
    const boundary = str(d(c).boundary);
    if (boundary && boundaryIds.has(boundary)) g.setParent(`c:${c.id}`, `b:${boundary}`);
  }
  for (const f of model.flows) {
    const from = `c:${asText(d(f).from)}`;
    const to = `c:${asText(d(f).to)}`;
    if (g.hasNode(from) && g.hasNode(to) && from !== to) g.setEdge(from, to, {}, f.id);
  }
  // Boundaries without members are not drawn (dagre cannot place an empty compound node).
  for (const b of model.boundaries) if (!(g.children(`b:${b.id}`) ?? []).length) g.removeNode(`b:${b.id}`);
  dagre.layout(g);

  const cells: Record<string, unknown>[] = [];
  let z = 1;
  for (const b of model.boundaries) {
    const n = g.node(`b:${b.id}`) as { x: number; y: number; width: number; height: number } | undefined;
    if (!n) continue;
    cells.push({
      id: `boundary:${b.id}`,
      shape: 'trust-boundary-box',
      position: { x: Math.round(n.x - n.width / 2), y: Math.round(n.y - n.height / 2) },
      size: { width: Math.round(n.width), height: Math.round(n.height) },
      attrs: { headerText: { text: str(d(b).name) ?? b.id } },
      zIndex: z++,
      data: {
        name: str(d(b).name) ?? b.id,
        description: str(d(b).description) ?? '',
        type: 'tm.BoundaryBox',
        isTrustBoundary: true,
        hasOpenThreats: false,
      },
    });
  }
  for (const c of model.components) {
    const n = g.node(`c:${c.id}`) as { x: number; y: number; width: number; height: number };
    const s = own(SHAPE_OF_TYPE, asText(d(c).type)) ?? SHAPE_OF_TYPE.process;
    const threats = threatsOf(c.id);
    cells.push({
      id: c.id,
      shape: s.shape,
      position: { x: Math.round(n.x - n.width / 2), y: Math.round(n.y - n.height / 2) },
      size: { width: s.width, height: s.height },
      attrs: { text: { text: str(d(c).name) ?? c.id } },
      zIndex: z++,
      data: {
        name: str(d(c).name) ?? c.id,
        description: str(d(c).description) ?? '',
        type: s.type,
        isTrustBoundary: false,
        outOfScope: d(c).inScope === false,
        reasonOutOfScope: str(d(c).outOfScopeReason) ?? '',
        hasOpenThreats: threats.some((t) => t.status === 'Open'),
        threats,
        ...(s.type === 'tm.Store' && {
          isALog: d(c).storesLogs === true || d(c).kind === 'log',
          storesCredentials: d(c).storesCredentials === true,
          isEncrypted: ['platform', 'application', 'customer-key'].includes(asText(d(c).encryptionAtRest)),
          isSigned: false,
        }),
        ...(s.type === 'tm.Actor' && { providesAuthentication: d(c).authenticatesItself === true }),
        ...(s.type === 'tm.Process' && {
          handlesCardPayment: false,
          handlesGoodsOrServices: false,
          isWebApplication: d(c).kind === 'web-app',
          privilegeLevel: '',
        }),
      },
    });
  }
  for (const f of model.flows) {
    if (!g.hasNode(`c:${asText(d(f).from)}`) || !g.hasNode(`c:${asText(d(f).to)}`)) continue;
    const threats = threatsOf(f.id);
    cells.push({
      id: f.id,
      shape: 'flow',
      source: { cell: asText(d(f).from) },
      target: { cell: asText(d(f).to) },
      labels: [str(d(f).name) ?? f.id],
      zIndex: z++,
      data: {
        name: str(d(f).name) ?? f.id,
        description: str(d(f).description) ?? '',
        type: 'tm.Flow',
        isTrustBoundary: false,
        outOfScope: d(f).inScope === false,
        reasonOutOfScope: str(d(f).outOfScopeReason) ?? '',
        protocol: str(d(f).protocol) ?? '',
        isEncrypted: d(f).encryptedInTransit === true,
        isPublicNetwork: d(f).network === 'internet',
        isBidirectional: d(f).bidirectional === true,
        hasOpenThreats: threats.some((t) => t.status === 'Open'),
        threats,
      },
    });
  }
  return {
    version: '2.3.0',
    summary: {
      title: str(model.system?.name) ?? 'Threat model',
      owner: str(model.system?.owner) ?? '',
      description: str(model.system?.description) ?? '',
      id: 0,
    },
    detail: {
      contributors: [],
      diagrams: [
        {
          id: 0,
          title: str(model.system?.name) ?? 'Data flow',
          diagramType: 'STRIDE',
          placeholder: '',
          thumbnail: './public/content/images/thumbnail.stride.jpg',
          version: '2.3.0',
          cells,
        },
      ],
      diagramTop: 1,
      reviewer: '',
      threatTop: model.threats.length,
    },
  };
}
