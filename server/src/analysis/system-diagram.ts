/**
 * The system of systems: every model of a workspace as one node, and the flows that cross from one model into another
 * (a service's flow from the platform's gateway) as edges between them, counted. Models that import another without
 * a flow across are joined by a dotted "imports" edge. Activating a model's node opens that model.
 */
import { type Analysis } from './analyze';
import { type Diagram, type DiagramNode, mermaidText } from './diagram';
import { relativeUri, resolvedImport } from './imports';
import type { Flow } from '../model/types';
import { isOpenThreatStatus, severityWeight } from '../shared/vocabulary';

export interface SystemMember {
  readonly uri: string;
  readonly analysis: Analysis;
}

/** At most this many models are drawn; more are counted in the diagram's counts. */
export const MAX_SYSTEM_MODELS = 60;

/**
 * `models`: the workspace's models (each analysed with its imports). `current`: the model the diagram is shown for,
 * drawn first and marked as "this model" (the editor's panel; the CLI has none).
 */
export function buildSystemDiagram(models: readonly SystemMember[], current?: string, direction: 'LR' | 'TB' = 'LR'): Diagram {
  const from = current ?? models[0]?.uri ?? 'file:///';
  const members = [...new Map(models.filter((m) => m.analysis.parsed.model).map((m) => [m.uri, m])).values()]
    .sort((a, b) => Number(b.uri === current) - Number(a.uri === current) || a.uri.localeCompare(b.uri))
    .slice(0, MAX_SYSTEM_MODELS);
  const nodeOf = new Map(members.map((m, i) => [m.uri, `m${i}`]));
  const lines = [`flowchart ${direction}`];
  const nodes: Record<string, DiagramNode> = {};
  let components = 0;
  let flows = 0;
  for (const m of members) {
    const model = m.analysis.parsed.model!;
    const name = typeof model.system?.name === 'string' && model.system.name.trim() ? model.system.name : relativeUri(from, m.uri);
    const open = m.analysis.findings.filter((f) => f.status === 'open');
    let severity = 0;
    for (const f of open) severity = Math.max(severity, severityWeight(f.rule.severity));
    for (const t of model.threats) if (isOpenThreatStatus(t.data.status)) severity = Math.max(severity, severityWeight(t.data.severity));
    const count = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
    const facts = `${count(model.components.length, 'component')} · ${count(open.length, 'open finding')}`;
    const label = `${name}${m.uri === current ? ', this model' : ''} (${facts})`;
    const id = nodeOf.get(m.uri)!;
    nodes[id] = {
      modelId: '',
      span: model.systemSpan,
      extent: model.systemSpan,
      uri: m.uri,
      kind: 'model',
      label: `${name}, ${relativeUri(from, m.uri)}: ${facts}`,
      severity,
      delivery: false,
    };
    lines.push(`  ${id}[["${mermaidText(label)}"]]`);
    components += model.components.length;
    flows += model.flows.length;
  }

  // Flows whose ends are defined in two different models, per pair of models and direction.
  const across = new Map<string, { from: string; to: string; names: string[] }>();
  for (const c of crossModelFlows(members)) {
    const a = nodeOf.get(c.from);
    const b = nodeOf.get(c.to);
    if (!a || !b) continue;
    const key = `${a}>${b}`;
    const entry = across.get(key) ?? { from: a, to: b, names: [] };
    entry.names.push(String(c.flow.data.name ?? c.flow.id));
    across.set(key, entry);
  }
  const imports = new Set<string>();
  for (const m of members)
    for (const target of directImports(m)) if (nodeOf.has(target)) imports.add(`${nodeOf.get(m.uri)}>${nodeOf.get(target)}`);
  let edge = 0;
  for (const { from: a, to: b, names } of across.values()) {
    const text = names.length === 1 ? names[0] : `${names.length} flows`;
    lines.push(`  ${a} x${edge++}@-->|"${mermaidText(text)}"| ${b}`);
  }
  for (const pair of imports) {
    const [a, b] = pair.split('>');
    if (across.has(`${a}>${b}`) || across.has(`${b}>${a}`)) continue;
    lines.push(`  ${a} x${edge++}@-.->|"imports"| ${b}`);
  }
  return {
    mermaid: lines.join('\n'),
    nodes,
    edges: [],
    level: 'system',
    overview: false,
    focus: {},
    counts: { components, flows },
  };
}

/** A flow from a component of one model to a component of another. */
export interface CrossModelFlow {
  readonly flow: Flow;
  /** The model that defines the flow. */
  readonly owner: string;
  /** The models that define its two ends. */
  readonly from: string;
  readonly to: string;
}

/** The flows of `members` whose ends are defined in two different models. */
export function crossModelFlows(members: readonly SystemMember[]): CrossModelFlow[] {
  const out: CrossModelFlow[] = [];
  for (const m of members) {
    const model = m.analysis.parsed.model;
    if (!model) continue;
    const home = (id: unknown) =>
      typeof id !== 'string' ? undefined : model.byId.has(id) ? m.uri : m.analysis.imports?.byId.get(id)?.source.uri;
    for (const flow of model.flows) {
      const from = home(flow.data.from);
      const to = home(flow.data.to);
      if (from && to && from !== to) out.push({ flow, owner: m.uri, from, to });
    }
  }
  return out;
}

/** The models `m` names in its own `imports:` (not those reached through them). */
export function directImports(m: SystemMember): string[] {
  const model = m.analysis.parsed.model;
  if (!model || !m.analysis.imports) return [];
  const loaded = new Set(m.analysis.imports.sources.map((s) => s.uri));
  return model.imports.flatMap((entry) => {
    const uri = resolvedImport(m.uri, entry.path);
    return uri !== undefined && loaded.has(uri) ? [uri] : [];
  });
}
