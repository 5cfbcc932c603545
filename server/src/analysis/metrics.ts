/**
 * Completeness of a threat model, measured: separate gauges, each with the items that are missing, and gates that
 * pass or fail. This measures how complete the *analysis* is, not how secure the system is.
 */
import { isPlaceholder } from '../model/placeholders';
import type { Element, Span, ThreatModel } from '../model/types';
import { DEFAULT_SETTINGS } from '../shared/settings';
import {
  type GateName,
  type Gates,
  type GaugeId,
  isCommittedMitigationStatus,
  isDoneMitigationStatus,
  isOpenThreatStatus,
  isSeverity,
  isTreatedThreatStatus,
  type Severity,
  strideLetter,
  type StrideLetter,
} from '../shared/vocabulary';
import { type Analysis, systemModel } from './analyze';
import { originsOf } from './imports';
import type { CodeLinks } from './code-links';
import type { Finding } from './rules/engine';
import { isKnown, NAME_LIMIT, own, shown } from '../shared/values';

export interface MissingItem {
  /** The element the item is about (its id), or undefined for the model. */
  readonly element: string | undefined;
  readonly message: string;
  /** Where to jump to fix it. */
  readonly span: Span;
  /** The file `span` is in, when it is an imported model (completeness measured with the imports). */
  readonly uri?: string;
  /** What lies behind it, one line each (the commits that changed an element's code). */
  readonly details?: readonly string[];
}

export interface Gauge {
  readonly id: GaugeId;
  readonly title: string;
  readonly explanation: string;
  readonly done: number;
  readonly total: number;
  /** done / total, or 1 when there is nothing to measure. */
  readonly ratio: number;
  readonly missing: readonly MissingItem[];
}

export interface StrideRow {
  readonly element: string;
  readonly span: Span;
  readonly uri?: string;
  /** Expected categories and whether each is covered by a recorded threat (any status, including not-applicable). */
  readonly cells: Readonly<Partial<Record<StrideLetter, boolean>>>;
}

export interface GateResult {
  readonly id: GateName;
  readonly title: string;
  readonly passed: boolean;
  readonly detail: string;
}

export interface Metrics {
  /** 'all', or the release the metrics were scoped to. */
  readonly scope: string;
  readonly gauges: readonly Gauge[];
  readonly stride: readonly StrideRow[];
  /**
   * Open risks by severity: recorded threats that are open or in progress, and open rule findings (risks the rules
   * found that nobody has recorded yet). Recording a finding as a threat moves it from one to the other, so no quick
   * fix makes this number go up; only a decision (mitigated, accepted, not applicable, ...) brings it down.
   */
  readonly residualRisk: Readonly<Record<Severity | 'unrated', number>>;
  /** How many of `residualRisk` are open findings, not recorded threats. */
  readonly unrecordedRisks: number;
  readonly freshness: { readonly lastReview: string | undefined; readonly daysSinceReview: number | undefined };
  /** Components whose linked code changed after their review; undefined when history was not read. */
  readonly staleElements: number | undefined;
  /** What could not be measured, and why (no git, an untrusted workspace). */
  readonly notes: readonly string[];
  readonly gates: readonly GateResult[];
}

const EXPECTED_STRIDE: Readonly<Record<string, readonly StrideLetter[]>> = {
  external: ['S', 'R'],
  process: ['S', 'T', 'R', 'I', 'D', 'E'],
  datastore: ['T', 'R', 'I', 'D'],
  flow: ['T', 'I', 'D'],
};

/** Properties the rules need to judge an element; unset or `unknown` counts as missing. */
const FIDELITY: Readonly<Record<string, readonly string[]>> = {
  process: ['boundary', 'exposure', 'authentication', 'authorization'],
  datastore: ['boundary', 'encryptionAtRest', 'stores'],
  external: ['boundary', 'kind'],
  flow: ['protocol', 'data', 'authentication'],
  data: ['classification', 'pii'],
  boundary: ['trust'],
};

/** The model against its infrastructure (interop/drift.ts computes it from the sources the user names). */
export interface InfraSummary {
  /** Resources the sources hold. */
  readonly resources: number;
  /** Of those, the ones a component stands for with no property in disagreement. */
  readonly agreeing: number;
  /** Drifted properties, unmodelled resources and addresses that no longer exist. */
  readonly missing: readonly MissingItem[];
}

export interface MetricsOptions {
  /** Scope to the elements of `system.release` ("this delivery"). */
  readonly delivery?: boolean;
  readonly today: string;
  readonly gates?: Gates;
  /** The model's links to the repository (files and history), when they were read. */
  readonly code?: CodeLinks;
  /** The model against its infrastructure, when sources were named. */
  readonly infra?: InfraSummary;
  /**
   * Count the elements of the models this one imports too (format 1.2). By default a model's completeness is its own
   * elements': the imported ones are measured in their own files.
   */
  readonly includeImports?: boolean;
}

/** A finding of a threat rule (STRIDE or LINDDUN), as opposed to model hygiene: a risk until it is recorded. */
export function isRiskFinding(f: Finding): boolean {
  return f.rule.stride.length > 0 || f.rule.linddun.length > 0;
}

function gauge(id: GaugeId, title: string, explanation: string, done: number, total: number, missing: MissingItem[]): Gauge {
  return { id, title, explanation, done, total, ratio: total === 0 ? 1 : done / total, missing };
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export function computeMetrics(analysis: Analysis, options: MetricsOptions): Metrics | undefined {
  // What is counted: the model's own elements, or (asked for) its whole system. What ids mean is always the system's:
  // a threat here may be mitigated by a mitigation of an imported catalog.
  const system = systemModel(analysis);
  const withImports = options.includeImports === true && analysis.imports !== undefined;
  const model = withImports ? system : analysis.parsed.model;
  if (!model || !system) return undefined;
  const importedFrom = analysis.imports ? originsOf(analysis.imports) : () => undefined;
  const release = model.system?.release;
  const scoped = options.delivery && typeof release === 'string';
  const inDelivery = (e: Element) => !scoped || (e.data as { release?: unknown }).release === release;

  const components = model.components.filter((c) => c.data.inScope !== false && inDelivery(c));
  const flows = model.flows.filter(inDelivery);
  const ids = new Set([...components, ...flows].map((e) => e.id));
  const threats = scoped ? model.threats.filter((t) => (t.data.targets ?? []).some((x) => ids.has(x))) : model.threats;
  const findings: Finding[] = (withImports && analysis.systemFindings ? analysis.systemFindings() : analysis.findings).filter(
    (f) => !scoped || ids.has(f.elementId),
  );
  const threatsByTarget = new Map<string, (typeof model.threats)[number][]>();
  for (const t of model.threats)
    for (const target of new Set(t.data.targets ?? [])) {
      const list = threatsByTarget.get(target);
      if (list) list.push(t);
      else threatsByTarget.set(target, [t]);
    }
  const at = (e: Element) => e.idSpan ?? e.span;
  /** Where an element is: its id, in the file that defines it. */
  const where = (e: Element): { span: Span; uri?: string } => {
    const uri = importedFrom(e);
    return uri ? { span: at(e), uri } : { span: at(e) };
  };

  // 1. Fidelity
  const fidelityMissing: MissingItem[] = [];
  let fidelityTotal = 0;
  const fidelityOf = (e: Element, kind: string) => {
    for (const prop of own(FIDELITY, kind) ?? []) {
      fidelityTotal++;
      if (!isKnown((e.data as Record<string, unknown>)[prop]))
        fidelityMissing.push({ element: e.id, message: `${shown(e.id)}: '${prop}' is not set`, ...where(e) });
    }
  };
  for (const c of components) fidelityOf(c, String(c.data.type));
  for (const f of flows) fidelityOf(f, 'flow');
  if (!scoped) {
    for (const d of model.data) fidelityOf(d, 'data');
    for (const b of model.boundaries) fidelityOf(b, 'boundary');
  }

  // 2. Element coverage
  const uncovered = components.filter((c) => !threatsByTarget.has(c.id) && !isKnown((c.data as { reviewed?: unknown }).reviewed));
  const outOfScopeNoReason = model.components.filter((c) => c.data.inScope === false && !isKnown(c.data.outOfScopeReason));

  // 3. STRIDE coverage
  const strideRows: StrideRow[] = [];
  let strideExpected = 0;
  let strideCovered = 0;
  const strideMissing: MissingItem[] = [];
  const strideRow = (e: Element, kind: string) => {
    const expected = own(EXPECTED_STRIDE, kind);
    if (!expected) return;
    const present = new Set((threatsByTarget.get(e.id) ?? []).map((t) => strideLetter(t.data.category)));
    const cells: Partial<Record<StrideLetter, boolean>> = {};
    for (const s of expected) {
      cells[s] = present.has(s);
      strideExpected++;
      if (cells[s]) strideCovered++;
    }
    const gaps = expected.filter((s) => !cells[s]);
    if (gaps.length)
      strideMissing.push({ element: e.id, message: `${shown(e.id)}: no threat recorded for ${gaps.join(', ')}`, ...where(e) });
    strideRows.push({ element: e.id, ...where(e), cells });
  };
  for (const c of components) strideRow(c, String(c.data.type));
  for (const f of flows) strideRow(f, 'flow');

  // 4. Boundary-crossing flows with T, I and D covered
  const boundaryOf = new Map(system.components.map((c) => [c.id, c.data.boundary]));
  const crossing = flows.filter((f) => boundaryOf.get(String(f.data.from)) !== boundaryOf.get(String(f.data.to)));
  const crossingMissing = crossing.filter((f) => {
    const present = new Set((threatsByTarget.get(f.id) ?? []).map((t) => strideLetter(t.data.category)));
    return !(['T', 'I', 'D'] as const).every((s) => present.has(s));
  });

  // 5. Finding triage
  const open = findings.filter((f) => f.status === 'open');

  // 6. Threat treatment: a decision (mitigated, accepted, ...) or a mitigation chosen for it. Recording a finding
  // with the mitigation its quick fix proposes is a treatment chosen, so "Mitigate with" never lowers this gauge.
  const mitigationStatus = new Map(system.mitigations.map((m) => [m.id, m.data.status]));
  const hasChosenMitigation = (t: (typeof threats)[number]) =>
    (t.data.mitigations ?? []).some((id) => mitigationStatus.has(id) && mitigationStatus.get(id) !== 'wont-do');
  const untreated = threats.filter((t) => !isTreatedThreatStatus(t.data.status) && !hasChosenMitigation(t));
  // Risks the rules found and nobody recorded are untreated too: recording one leaves the gauge as it was.
  const openRisks = open.filter(isRiskFinding);

  // 7. Mitigation progress: of the mitigations the team committed to (planned and beyond), those in place. Proposed
  // ones await a decision and are listed apart; won't-do ones are decisions against.
  const linked = new Set(threats.flatMap((t) => t.data.mitigations ?? []));
  const mitigations = scoped ? model.mitigations.filter((m) => linked.has(m.id)) : model.mitigations;
  const committed = mitigations.filter((m) => isCommittedMitigationStatus(m.data.status));
  const notDone = committed.filter((m) => !isDoneMitigationStatus(m.data.status));
  const proposed = mitigations.filter((m) => !isCommittedMitigationStatus(m.data.status) && m.data.status !== 'wont-do');

  // 8. Residual risk: open threats, and open findings (not recorded yet).
  const residualRisk = { critical: 0, high: 0, medium: 0, low: 0, unrated: 0 };
  for (const t of threats) {
    if (!isOpenThreatStatus(t.data.status)) continue;
    const s = t.data.severity;
    if (isSeverity(s)) residualRisk[s]++;
    else residualRisk.unrated++;
  }
  for (const f of openRisks) residualRisk[f.rule.severity]++;

  // 9. Acceptance hygiene
  const accepted = threats.filter((t) => t.data.status === 'accepted');
  const badAcceptances = accepted.filter((t) => {
    const a = t.data.acceptance;
    return (
      !a ||
      !isKnown(a.by) ||
      !isKnown(a.justification) ||
      isPlaceholder(a.by) ||
      isPlaceholder(a.justification) ||
      !isKnown(a.expires) ||
      String(a.expires) < options.today
    );
  });

  // 10. Freshness
  const lastReview = typeof model.system?.reviewed?.date === 'string' ? model.system.reviewed.date : undefined;
  const daysSinceReview = lastReview ? daysBetween(lastReview, options.today) : undefined;

  const gauges: Gauge[] = [
    gauge(
      'fidelity',
      'Model fidelity',
      'Properties the rules need are filled in (unknown counts as missing).',
      fidelityTotal - fidelityMissing.length,
      fidelityTotal,
      fidelityMissing,
    ),
    gauge(
      'elementCoverage',
      'Element coverage',
      'In-scope components with at least one recorded threat or a review.',
      components.length - uncovered.length,
      components.length,
      [
        ...uncovered.map((c) => ({ element: c.id, message: `${shown(c.id)}: no threats recorded and not reviewed`, ...where(c) })),
        ...outOfScopeNoReason.map((c) => ({ element: c.id, message: `${shown(c.id)}: out of scope without a reason`, ...where(c) })),
      ],
    ),
    gauge(
      'strideCoverage',
      'STRIDE coverage',
      'Expected STRIDE categories per element with a recorded threat (any status, not-applicable included).',
      strideCovered,
      strideExpected,
      strideMissing,
    ),
    gauge(
      'crossingCoverage',
      'Boundary-crossing flows',
      'Flows that cross a trust boundary with tampering, information disclosure and denial of service considered.',
      crossing.length - crossingMissing.length,
      crossing.length,
      crossingMissing.map((f) => ({
        element: f.id,
        message: `${shown(f.id)}: crosses a boundary; T, I and D not all considered`,
        ...where(f),
      })),
    ),
    gauge(
      'findingTriage',
      'Finding triage',
      'Rule findings that are recorded as threats, covered by a control or disabled with a reason.',
      findings.length - open.length,
      findings.length,
      open.map((f) => ({
        element: f.element?.id,
        message: `${f.rule.id}: ${f.title}`,
        span: f.element ? at(f.element) : model.systemSpan,
      })),
    ),
    gauge(
      'threatTreatment',
      'Threat treatment',
      'Known risks (recorded threats, and rule findings not recorded yet) with a treatment: a mitigation chosen, or mitigated, accepted, transferred, avoided, not applicable or a false positive.',
      threats.length - untreated.length,
      threats.length + openRisks.length,
      [
        ...untreated.map((t) => ({
          element: t.id,
          message: `${shown(t.id)}: ${shown(t.data.status ?? 'no status')} — ${shown(t.data.title ?? '', NAME_LIMIT)}`,
          ...where(t),
        })),
        ...openRisks.map((f) => ({
          element: f.element?.id,
          message: `${f.rule.id}: not recorded yet — ${f.title}`,
          span: f.element ? at(f.element) : model.systemSpan,
        })),
      ],
    ),
    gauge(
      'mitigationProgress',
      'Mitigation progress',
      'Mitigations committed to (planned or later) that are implemented or verified; proposed ones await a decision.',
      committed.length - notDone.length,
      committed.length,
      [
        ...notDone.map((m) => ({
          element: m.id,
          message: `${shown(m.id)}: ${shown(m.data.status ?? 'no status')} — ${shown(m.data.title ?? '', NAME_LIMIT)}`,
          ...where(m),
        })),
        ...proposed.map((m) => ({
          element: m.id,
          message: `${shown(m.id)}: ${shown(m.data.status ?? 'no status')}, not decided yet — ${shown(m.data.title ?? '', NAME_LIMIT)}`,
          ...where(m),
        })),
      ],
    ),
    gauge(
      'acceptanceHygiene',
      'Acceptance hygiene',
      'Accepted risks with an owner, a justification and an unexpired review date.',
      accepted.length - badAcceptances.length,
      accepted.length,
      badAcceptances.map((t) => ({ element: t.id, message: `${shown(t.id)}: acceptance incomplete or expired`, ...where(t) })),
    ),
  ];

  // 11. Code: linked components reviewed since their code changed, and source folders linked at all.
  const notes: string[] = [];
  let staleElements: number | undefined;
  const code = options.code;
  if (code) {
    const linkedElements = code.elements.filter((e) => inDelivery(e.element) && e.element.data.inScope !== false);
    if (code.facts.commits) {
      const judged = linkedElements.filter((e) => e.stale || isKnown(e.element.data.reviewed) || lastReview || code.facts.range);
      const neverReviewed = code.facts.range ? [] : linkedElements.filter((e) => !judged.includes(e));
      const stale = judged.filter((e) => e.stale);
      staleElements = stale.length;
      if (linkedElements.length > 0)
        gauges.push(
          gauge(
            'codeFreshness',
            code.facts.range ? `Code changes reviewed (${code.facts.range})` : 'Code changes reviewed',
            'Components linked to code (code:) whose files no commit changed after the component’s review (or the model’s).',
            judged.length - stale.length,
            linkedElements.length,
            [
              ...stale.map((e) => ({
                element: e.element.id,
                // Short enough for the Explorer's width: the name, the count and the review; the commits beneath.
                message: `${e.name}: ${e.stale!.commits.length === 1 ? '1 commit' : `${e.stale!.commits.length} commits`} since ${e.stale!.reviewed ? `the review on ${e.stale!.reviewed}` : 'never reviewed'}`,
                span: at(e.element),
                details: e.stale!.commits.map(
                  (c) => `${c.date} ${shown(c.author)}: ${shown(c.subject, NAME_LIMIT)} (${c.hash.slice(0, 10)})`,
                ),
              })),
              ...neverReviewed.map((e) => ({
                element: e.element.id,
                message: `${e.name}: linked to code, never reviewed`,
                span: at(e.element),
              })),
            ],
          ),
        );
    }
    // A model that links no code is not told that history was not read.
    if (code.facts.note && linkedElements.length > 0)
      notes.push(code.facts.commits ? code.facts.note : `Code history not read: ${code.facts.note}.`);
    if (code.coverage && !scoped) {
      const { folders, unlinked } = code.coverage;
      gauges.push(
        gauge(
          'codeCoverage',
          'Code linked to the model',
          'Source folders under the model’s folder with a file some component links (code:).',
          folders - unlinked.length,
          folders,
          unlinked.map((folder) => ({
            element: undefined,
            message: `${shown(folder, NAME_LIMIT)}: no component links code here`,
            span: model.systemSpan,
          })),
        ),
      );
    }
  }

  // 12. Infrastructure: the resources of the sources named, modelled and agreeing with the model.
  if (options.infra && !scoped)
    gauges.push(
      gauge(
        'infrastructure',
        'Infrastructure modelled and agreeing',
        'Resources of the infrastructure sources (threatcode.infrastructure, check --infra) that a component stands for (infra:) with no property in disagreement.',
        options.infra.agreeing,
        options.infra.resources,
        [...options.infra.missing],
      ),
    );

  return {
    scope: scoped ? String(release) : 'all',
    gauges,
    stride: strideRows,
    residualRisk,
    unrecordedRisks: openRisks.length,
    freshness: { lastReview, daysSinceReview },
    staleElements,
    notes,
    gates: evaluateGates(threats, openRisks, gauges, daysSinceReview, staleElements, notes, options.gates ?? DEFAULT_SETTINGS.gates),
  };
}

function evaluateGates(
  threats: ThreatModel['threats'],
  openFindings: readonly Finding[],
  gauges: readonly Gauge[],
  days: number | undefined,
  stale: number | undefined,
  notes: readonly string[],
  gates: Gates,
): GateResult[] {
  const out: GateResult[] = [];
  const g = (id: GaugeId) => gauges.find((x) => x.id === id)!;
  const pct = (r: number) => `${Math.round(r * 100)}%`;
  if (gates.maxOpenHighWithoutMitigation !== undefined) {
    // Open findings count: a high risk nobody recorded has no mitigation either. Recording one without a mitigation
    // leaves this number as it was; recording it with one lowers it.
    const high = (s: unknown) => s === 'high' || s === 'critical';
    const n =
      threats.filter((t) => isOpenThreatStatus(t.data.status) && high(t.data.severity) && !(t.data.mitigations ?? []).length).length +
      openFindings.filter((f) => high(f.rule.severity)).length;
    out.push({
      id: 'maxOpenHighWithoutMitigation',
      title: 'Open high or critical risks without a mitigation',
      passed: n <= gates.maxOpenHighWithoutMitigation,
      detail: `${n} (allowed ${gates.maxOpenHighWithoutMitigation})`,
    });
  }
  const ratioGate = (id: GateName, title: string, gaugeId: GaugeId, min: number | undefined) => {
    if (min === undefined) return;
    const r = g(gaugeId).ratio;
    out.push({ id, title, passed: r >= min, detail: `${pct(r)} (required ${pct(min)})` });
  };
  ratioGate('minFidelity', 'Model fidelity', 'fidelity', gates.minFidelity);
  ratioGate('minElementCoverage', 'Element coverage', 'elementCoverage', gates.minElementCoverage);
  ratioGate('minStrideCoverage', 'STRIDE coverage', 'strideCoverage', gates.minStrideCoverage);
  ratioGate('minFindingTriage', 'Finding triage', 'findingTriage', gates.minFindingTriage);
  if (gates.acceptancesValid) {
    const a = g('acceptanceHygiene');
    out.push({
      id: 'acceptancesValid',
      title: 'Accepted risks are owned, justified and unexpired',
      passed: a.done === a.total,
      detail: `${a.done} of ${a.total}`,
    });
  }
  if (gates.maxDaysSinceReview !== undefined) {
    out.push({
      id: 'maxDaysSinceReview',
      title: 'Model reviewed recently',
      passed: days !== undefined && days <= gates.maxDaysSinceReview,
      detail: days === undefined ? `never reviewed (system.reviewed)` : `${days} days ago (allowed ${gates.maxDaysSinceReview})`,
    });
  }
  if (gates.maxStaleElements !== undefined) {
    // Not measured is not passed: a gate that cannot look must say so rather than wave the change through.
    out.push({
      id: 'maxStaleElements',
      title: 'Components reviewed since their code changed',
      passed: stale !== undefined && stale <= gates.maxStaleElements,
      detail:
        stale === undefined
          ? `not measured (${notes[0]?.replace(/\.$/, '') ?? 'code history not read'})`
          : `${stale} with code changed since their review (allowed ${gates.maxStaleElements})`,
    });
  }
  return out;
}
