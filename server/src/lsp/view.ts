/** The `threatcode/view` request: diagram and completeness metrics for the webview, with LSP ranges. */
import type { Connection, TextDocuments } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { buildDiagram } from '../analysis/diagram';
import { buildSystemDiagram, MAX_SYSTEM_MODELS, type SystemMember } from '../analysis/system-diagram';
import type { Analysis } from '../analysis/analyze';
import { localDate } from '../shared/dates';
import type { CodeLinks } from '../analysis/code-links';
import { computeMetrics, type InfraSummary, type Metrics } from '../analysis/metrics';
import { FATAL_CODES } from '../model/diagnostics';
import type { Span } from '../model/types';
import { ViewRequest } from '../shared/protocol';
import type { ThreatcodeSettings } from '../shared/settings';
import { VIEW_LIST_LIMIT, type ViewParams, type ViewResult } from '../shared/view';
import type { Gates } from '../shared/vocabulary';
import { importedDocuments, toRange } from './convert';

/** The workspace's models as the system-of-systems view needs them. */
export interface WorkspaceSystem {
  /** Whether another model imports this one (from the import graph: nothing is analysed to answer). */
  importedBy(uri: string): boolean;
  /** How many models the workspace holds, this one included. */
  size(uri: string): number;
  /** Every model with its analysis: asked only when the system of systems is drawn. */
  members(): readonly SystemMember[];
}

/** A system given by its analysed members (tests, and callers that have them all at hand). */
export function systemOfMembers(members: () => readonly SystemMember[]): WorkspaceSystem {
  return {
    importedBy: (uri) => members().some((m) => m.uri !== uri && m.analysis.imports?.dependsOn.has(uri) === true),
    size: (uri) => members().length + (members().some((m) => m.uri === uri) ? 0 : 1),
    members,
  };
}

const NO_SYSTEM: WorkspaceSystem = { importedBy: () => false, size: () => 1, members: () => [] };

export function computeView(
  document: TextDocument,
  analysis: Analysis,
  params: ViewParams,
  gates?: Gates,
  detailLimit?: number,
  code?: CodeLinks,
  infra?: InfraSummary,
  /** Completeness over the model and the models it imports (threatcode.completenessIncludesImports). */
  includeImports = false,
  /** The workspace's models, for the system of systems. */
  system: WorkspaceSystem = NO_SYSTEM,
): ViewResult {
  const range = (span: Span) => toRange(document, span);
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error' && FATAL_CODES.has(d.code));
  const model = analysis.parsed.model;
  if (!model || errors.length) {
    return {
      uri: document.uri,
      version: document.version,
      errors: errors.length
        ? errors.map((e) => `Line ${range(e.span).start.line + 1}: ${e.message}`)
        : ['The file is not a threat model yet.'],
    };
  }
  const metrics = metricsOf(analysis, params.delivery, gates, code, infra, includeImports);
  // The system of systems is offered when this model takes part in one: it imports a model, or one imports it.
  const inSystem = !params.metricsOnly && (analysis.imports !== undefined || system.importedBy(document.uri));
  // Analysed only to be drawn: the question above is answered from the import graph.
  const members = params.system && inSystem ? system.members() : [];
  const diagram = params.metricsOnly
    ? undefined
    : params.system && inSystem
      ? buildSystemDiagram(
          [{ uri: document.uri, analysis }, ...members.filter((m) => m.uri !== document.uri)],
          document.uri,
          params.direction,
        )
      : buildDiagram(analysis, {
          focusBoundary: params.focusBoundary,
          focusElement: params.focusElement,
          overview: params.overview,
          direction: params.direction,
          maxNodes: detailLimit,
          // The panel colours severities from the theme (and its highlight must win over them).
          styled: false,
        });
  const imported = importedDocuments(analysis.imports);
  const memberDocuments = new Map<string, TextDocument>();
  /** The document a range is in: this one, an imported model, or (the system of systems) another model. */
  const others = (uri: string): TextDocument | undefined => {
    if (uri === document.uri) return document;
    const found = imported(uri) ?? memberDocuments.get(uri);
    if (found) return found;
    const member = members.find((m) => m.uri === uri);
    if (!member) return undefined;
    const made = TextDocument.create(uri, 'threatmodel', 0, member.analysis.parsed.text);
    memberDocuments.set(uri, made);
    return made;
  };
  /** A range in this model, or in the imported model that holds it. */
  const placed = (x: { span: Span; uri?: string }) => {
    const where = x.uri === undefined ? document : others(x.uri);
    return where && x.uri ? { range: toRange(where, x.span), uri: x.uri } : { range: range(x.uri ? { start: 0, end: 0 } : x.span) };
  };
  const item = (e: { modelId: string; span: Span; extent: Span; uri?: string }) => {
    const where = e.uri === undefined ? document : others(e.uri);
    return where
      ? { modelId: e.modelId, range: toRange(where, e.span), extent: toRange(where, e.extent), ...(e.uri && { uri: e.uri }) }
      : { modelId: e.modelId, range: range({ start: 0, end: 0 }), extent: range({ start: 0, end: 0 }) };
  };
  const named = (id: string | undefined, list: readonly { id: string; data: { name?: unknown } }[]) => {
    const e = id === undefined ? undefined : list.find((x) => x.id === id);
    return e && { id: e.id, name: typeof e.data.name === 'string' ? e.data.name : e.id };
  };
  return {
    uri: document.uri,
    version: document.version,
    errors: [],
    diagram: diagram && {
      mermaid: diagram.mermaid,
      nodes: Object.fromEntries(
        Object.entries(diagram.nodes).map(([id, n]) => [
          id,
          {
            ...item(n),
            kind: n.kind,
            label: n.label,
            severity: n.severity,
            delivery: n.delivery,
            ...(n.drill !== undefined && { drill: n.drill }),
            ...(n.members !== undefined && { members: n.members }),
          },
        ]),
      ),
      edges: diagram.edges.map((e) => ({ ...item(e), id: e.id, severity: e.severity, delivery: e.delivery })),
      level: diagram.level,
      overview: diagram.overview,
      focus: {
        boundary: named(diagram.focus.boundary, model.boundaries),
        element: named(diagram.focus.element, [...model.components, ...model.flows]),
      },
      boundaries: model.boundaries.map((b) => ({
        id: b.id,
        name: String(b.data.name ?? b.id),
        ...(typeof b.data.parent === 'string' && { parent: b.data.parent }),
      })),
      ...(typeof model.system?.release === 'string' && { release: model.system.release }),
      counts: { ...diagram.counts, modelComponents: model.components.length },
      ...(diagram.between && { between: diagram.between }),
      ...(inSystem && {
        systemModels: Math.min(system.size(document.uri), MAX_SYSTEM_MODELS),
      }),
    },
    metrics: {
      scope: metrics.scope,
      gauges: metrics.gauges.map((g) => ({
        ...g,
        missing: g.missing
          .slice(0, VIEW_LIST_LIMIT)
          .map((m) => ({ message: m.message, ...placed(m), ...(m.details && { details: m.details }) })),
        missingTotal: g.missing.length,
      })),
      stride: metrics.stride.slice(0, VIEW_LIST_LIMIT).map((r) => ({ element: r.element, ...placed(r), cells: r.cells })),
      strideTotal: metrics.stride.length,
      residualRisk: metrics.residualRisk,
      unrecordedRisks: metrics.unrecordedRisks,
      lastReview: metrics.freshness.lastReview,
      daysSinceReview: metrics.freshness.daysSinceReview,
      // What fixes a failing gate is in the verdict's next steps, placed; the gates themselves go without it.
      gates: metrics.gates.map(({ fix: _fix, ...gate }) => gate),
      verdict: {
        complete: metrics.verdict.complete,
        state: metrics.verdict.state,
        text: metrics.verdict.text,
        detail: metrics.verdict.detail,
        next: metrics.verdict.next.map((m) => ({ message: m.message, ...placed(m) })),
      },
      notes: metrics.notes,
    },
  };
}

/**
 * The status bar and the panel both ask after each edit, for the same analysis: the metrics (about 120 ms at 5,000
 * components) are computed once per analysis, scope, day and gates.
 */
const metricsCache = new WeakMap<Analysis, Map<string, Metrics>>();
/** Code links and drift are computed once per analysis and facts: their identity says which facts. */
const factIds = new WeakMap<object, number>();
let factSeq = 0;
function idOf(facts: object | undefined): number {
  if (!facts) return 0;
  let id = factIds.get(facts);
  if (id === undefined) factIds.set(facts, (id = ++factSeq));
  return id;
}

function metricsOf(
  analysis: Analysis,
  delivery: boolean,
  gates: Gates | undefined,
  code: CodeLinks | undefined,
  infra: InfraSummary | undefined,
  includeImports: boolean,
): Metrics {
  const today = localDate(new Date());
  const key = JSON.stringify([delivery, today, gates ?? null, idOf(code), idOf(infra), includeImports]);
  let cached = metricsCache.get(analysis);
  if (!cached) metricsCache.set(analysis, (cached = new Map<string, Metrics>()));
  let metrics = cached.get(key);
  if (!metrics) cached.set(key, (metrics = computeMetrics(analysis, { today, delivery, gates, code, infra, includeImports })!));
  return metrics;
}

export function registerViewRequest(
  connection: Connection,
  documents: TextDocuments<TextDocument>,
  analysisOf: (document: TextDocument) => Analysis,
  settings: () => Pick<ThreatcodeSettings, 'gates' | 'diagramDetailLimit' | 'completenessIncludesImports'>,
  codeLinksOf: (document: TextDocument, analysis: Analysis) => CodeLinks | undefined = () => undefined,
  infraOf: (analysis: Analysis) => InfraSummary | undefined = () => undefined,
  /** The workspace's models, open or not. */
  system: WorkspaceSystem = NO_SYSTEM,
): void {
  connection.onRequest(ViewRequest, (params) => {
    const document = documents.get(params.uri);
    const { gates, diagramDetailLimit, completenessIncludesImports } = settings();
    if (!document) return null;
    const analysis = analysisOf(document);
    return computeView(
      document,
      analysis,
      params,
      gates,
      diagramDetailLimit,
      codeLinksOf(document, analysis),
      infraOf(analysis),
      completenessIncludesImports,
      system,
    );
  });
}
