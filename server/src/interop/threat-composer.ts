/**
 * AWS Threat Composer workspaces (`.tc.json`) in: threat statements, mitigations, assumptions and their links.
 * Threat Composer has no diagram elements, so threats get targets this way, said in the notes: each impacted asset
 * becomes a data asset of unknown classification, and a threat targets the assets it impacts; a threat that names
 * none targets one component standing for the application. The diagram images are not read.
 */
import { isPlainObject, own } from '../shared/values';
import { compact, emptyModel, firstLine, IdMaker, type ImportResult, text, asText } from './imported';

type Node = Record<string, unknown>;

const STRIDE_OF: Record<string, string> = {
  S: 'spoofing',
  T: 'tampering',
  R: 'repudiation',
  I: 'information-disclosure',
  D: 'denial-of-service',
  E: 'elevation-of-privilege',
};
const STATUS_OF: Record<string, string> = {
  threatIdentified: 'open',
  threatResolved: 'mitigated',
  threatResolvedNotUseful: 'not-applicable',
};
const MITIGATION_STATUS_OF: Record<string, string> = {
  mitigationIdentified: 'proposed',
  mitigationInProgress: 'in-progress',
  mitigationResolved: 'implemented',
  mitigationResolvedWillNotAction: 'wont-do',
};
const SEVERITY_OF: Record<string, string> = { High: 'high', Medium: 'medium', Low: 'low' };

function list(v: unknown): Node[] {
  return Array.isArray(v) ? v.filter(isPlainObject) : [];
}

function meta(item: Node, key: string): unknown {
  return list(item.metadata).find((m) => m.key === key)?.value;
}

export function importThreatComposer(source: unknown): ImportResult {
  if (!isPlainObject(source) || !Array.isArray(source.threats)) throw new Error('not a Threat Composer workspace: it has no threats.');
  const notes: string[] = [];
  const info = isPlainObject(source.applicationInfo) ? source.applicationInfo : {};
  const name = text(info.name) ?? 'Imported application';
  const model = emptyModel(name);
  Object.assign(model.system, compact({ description: text(info.description) }));
  for (const part of ['architecture', 'dataflow'] as const) {
    const p = isPlainObject(source[part]) ? (source[part] as Node) : {};
    if (text(p.description)) notes.push(`${part} description: ${text(p.description)}`);
    if (text(p.image)) notes.push(`${part} image (not read: the diagram is drawn from the model)`);
  }
  const ids = new IdMaker();

  const mitigationOf = new Map<string, string>();
  for (const m of list(source.mitigations)) {
    const content = text(m.content) ?? 'Mitigation';
    const id = ids.id(asText(m.id), firstLine(content), 'M-');
    mitigationOf.set(asText(m.id), id);
    const comments = text(meta(m, 'Comments'));
    model.mitigations.push(
      compact({
        id,
        title: firstLine(content),
        status: own(MITIGATION_STATUS_OF, asText(m.status)) ?? 'proposed',
        description: [content.length > 120 ? content : undefined, comments].filter(Boolean).join('\n\n') || undefined,
        tags: Array.isArray(m.tags) ? m.tags.map(String) : undefined,
      }),
    );
  }
  const assumptionOf = new Map<string, string>();
  for (const a of list(source.assumptions)) {
    const content = text(a.content) ?? '';
    const id = ids.id(asText(a.id), firstLine(content), 'A-');
    assumptionOf.set(asText(a.id), id);
    const comments = text(meta(a, 'Comments'));
    model.assumptions.push(
      compact({ id, text: comments ? `${content}\n\n${comments}` : content, tags: Array.isArray(a.tags) ? a.tags.map(String) : undefined }),
    );
  }

  const assetOf = new Map<string, string>();
  let application: string | undefined;
  // Links by the threat they belong to, grouped once (filtered per threat, they were threats × links).
  const byLinkedId = (links: unknown) => {
    const out = new Map<unknown, Node[]>();
    for (const l of list(links)) {
      const group = out.get(l.linkedId);
      if (group) group.push(l);
      else out.set(l.linkedId, [l]);
    }
    return out;
  };
  const mitigationLinks = byLinkedId(source.mitigationLinks);
  const assumptionLinks = byLinkedId(source.assumptionLinks);
  for (const t of list(source.threats)) {
    const statement = text(t.statement) ?? [t.threatSource, t.prerequisites, t.threatAction, t.threatImpact].filter(Boolean).join(' ');
    const assets = Array.isArray(t.impactedAssets) ? t.impactedAssets.map(String).filter((a) => a.trim()) : [];
    const targets = assets.map((asset) => {
      let id = assetOf.get(asset);
      if (!id) {
        id = ids.id(`asset:${asset}`, asset, 'data-');
        assetOf.set(asset, id);
        model.data.push({ id, name: asset, classification: 'unknown' });
      }
      return id;
    });
    if (!targets.length) {
      if (!application) {
        application = ids.id('application', name, 'app-');
        model.components.push({ id: application, name, type: 'process', tags: ['threat-composer:application'] });
        notes.push(
          `component ${application}: stands for the application, for the threats that name no impacted asset (Threat Composer has no diagram elements)`,
        );
      }
      targets.push(application);
    }
    const letters = Array.isArray(meta(t, 'STRIDE')) ? (meta(t, 'STRIDE') as unknown[]).map(String) : [];
    const categories = letters.map((l) => own(STRIDE_OF, l)).filter((c): c is string => c !== undefined);
    if (!categories.length)
      notes.push(`threat #${asText(t.numericId ?? '')}: no STRIDE category in the source; information-disclosure set for review`);
    const status = own(STATUS_OF, asText(t.status));
    const mitigations = (mitigationLinks.get(t.id) ?? [])
      .map((l) => mitigationOf.get(asText(l.mitigationId)))
      .filter((x): x is string => x !== undefined);
    const assumptions = (assumptionLinks.get(t.id) ?? [])
      .map((l) => assumptionOf.get(asText(l.assumptionId)))
      .filter((x): x is string => x !== undefined);
    const comments = text(meta(t, 'Comments'));
    model.threats.push(
      compact({
        id: ids.id(asText(t.id), `threat ${asText(t.numericId ?? '')} ${firstLine(asText(t.threatAction ?? statement))}`, 'T-'),
        title: firstLine(statement),
        category: categories[0] ?? 'information-disclosure',
        targets,
        status: status ?? 'open',
        severity: own(SEVERITY_OF, asText(meta(t, 'Priority'))),
        description:
          [
            statement.length > 120 ? statement : undefined,
            comments,
            assumptions.length ? `Assumptions: ${assumptions.join(', ')}` : undefined,
          ]
            .filter(Boolean)
            .join('\n\n') || undefined,
        mitigations,
        tags: [
          ...categories.slice(1).map((c) => `also:${c}`),
          ...(Array.isArray(t.impactedGoal) ? t.impactedGoal.map((g) => `goal:${asText(g)}`) : []),
          ...(Array.isArray(t.tags) ? t.tags.map(String) : []),
        ],
      }),
    );
    if (!status && t.status !== undefined) notes.push(`threat #${asText(t.numericId ?? '')}: status '${asText(t.status)}' read as open`);
  }
  if (assetOf.size)
    notes.push(
      `${assetOf.size} impacted assets became data assets of unknown classification: classify them, and say which components store and carry them`,
    );
  return { model, notes: [...new Set(notes)] };
}
