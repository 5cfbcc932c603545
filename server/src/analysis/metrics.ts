/**
 * Completeness of a threat model, measured: separate gauges, each with the items that are missing, and gates that
 * pass or fail. This measures how complete the *analysis* is, not how secure the system is.
 */
import { isPlaceholder } from '../model/placeholders';
import type { Component, Element, Span, ThreatModel } from '../model/types';
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
  formatRatio,
  type Severity,
  type VerdictState,
  strideLetter,
  type StrideLetter,
} from '../shared/vocabulary';
import { type Analysis, systemModel } from './analyze';
import { originsOf } from './imports';
import type { CodeLinks } from './code-links';
import type { Finding } from './rules/engine';
import { crossesBoundary } from './rules/facts';
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
  /** done / total, or null when there is nothing to measure (shown as "—", never as 100 %). */
  readonly ratio: number | null;
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
  /** Why it fails, as a phrase for the verdict ("2 high or critical risks without a mitigation"); absent when it passes. */
  readonly reason?: string;
  /** What would make it pass, first things first (at most three); empty when it passes. */
  readonly fix: readonly MissingItem[];
}

/** "Is this delivery complete?" in one line, with what to do next. */
export interface Verdict {
  /** Every gate passes (or none is set). */
  readonly complete: boolean;
  /** Complete, not complete, or neither because nothing was measured (a delivery nothing is marked for) or judged. */
  readonly state: VerdictState;
  /** "Release 2.4: not complete — 1 gate fails: 2 high or critical risks without a mitigation". */
  readonly text: string;
  /** The text without what was measured and the words its state says ("1 gate fails: …", "(all 2 gates pass)"). */
  readonly detail: string;
  /** The next three things to do: what makes a failing gate pass, else the largest gaps in completeness. */
  readonly next: readonly MissingItem[];
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
  readonly verdict: Verdict;
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
  return { id, title, explanation, done, total, ratio: total === 0 ? null : done / total, missing };
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** What the gauges measure: the model (or its system) in scope, with what every gauge reads, computed once. */
interface Scope {
  readonly options: MetricsOptions;
  readonly model: ThreatModel;
  /** The model and its imports: what ids mean. */
  readonly system: ThreatModel;
  /** Scoped to this delivery (`system.release`). */
  readonly scoped: boolean;
  readonly inDelivery: (e: Element) => boolean;
  readonly components: readonly Component[];
  readonly flows: readonly Element<'flows'>[];
  readonly threats: readonly Element<'threats'>[];
  readonly findings: readonly Finding[];
  readonly open: readonly Finding[];
  /** Open findings of threat rules: risks nobody recorded yet. */
  readonly openRisks: readonly Finding[];
  readonly threatsByTarget: ReadonlyMap<string, readonly Element<'threats'>[]>;
  /** Where an element is: its id, in the file that defines it. */
  readonly where: (e: Element) => { span: Span; uri?: string };
  readonly at: (e: Element) => Span;
  readonly lastReview: string | undefined;
}

function scopeOf(analysis: Analysis, options: MetricsOptions): Scope | undefined {
  // What is counted: the model's own elements, or (asked for) its whole system. What ids mean is always the system's:
  // a threat here may be mitigated by a mitigation of an imported catalog.
  const system = systemModel(analysis);
  const withImports = options.includeImports === true && analysis.imports !== undefined;
  const model = withImports ? system : analysis.parsed.model;
  if (!model || !system) return undefined;
  const importedFrom = analysis.imports ? originsOf(analysis.imports) : () => undefined;
  const release = model.system?.release;
  const scoped = options.delivery === true && typeof release === 'string';
  const inDelivery = (e: Element) => !scoped || (e.data as { release?: unknown }).release === release;

  const components = model.components.filter((c) => c.data.inScope !== false && inDelivery(c));
  const flows = model.flows.filter(inDelivery);
  const ids = new Set([...components, ...flows].map((e) => e.id));
  const threats = scoped ? model.threats.filter((t) => (t.data.targets ?? []).some((x) => ids.has(x))) : model.threats;
  const findings = (withImports && analysis.systemFindings ? analysis.systemFindings() : analysis.findings).filter(
    (f) => !scoped || ids.has(f.elementId),
  );
  const open = findings.filter((f) => f.status === 'open');
  const threatsByTarget = new Map<string, Element<'threats'>[]>();
  for (const t of model.threats)
    for (const target of new Set(t.data.targets ?? [])) {
      const list = threatsByTarget.get(target);
      if (list) list.push(t);
      else threatsByTarget.set(target, [t]);
    }
  const at = (e: Element) => e.idSpan ?? e.span;
  const where = (e: Element): { span: Span; uri?: string } => {
    const uri = importedFrom(e);
    return uri ? { span: at(e), uri } : { span: at(e) };
  };
  const lastReview = typeof model.system?.reviewed?.date === 'string' ? model.system.reviewed.date : undefined;
  return {
    options,
    model,
    system,
    scoped,
    inDelivery,
    components,
    flows,
    threats,
    findings,
    open,
    openRisks: open.filter(isRiskFinding),
    threatsByTarget,
    where,
    at,
    lastReview,
  };
}

export function computeMetrics(analysis: Analysis, options: MetricsOptions): Metrics | undefined {
  const s = scopeOf(analysis, options);
  if (!s) return undefined;
  const stride = strideCoverage(s);
  const code = codeGauges(s);
  const gauges: Gauge[] = [
    fidelity(s),
    elementCoverage(s),
    stride.gauge,
    crossingCoverage(s),
    findingTriage(s),
    threatTreatment(s),
    mitigationProgress(s),
    acceptanceHygiene(s),
    ...code.gauges,
    ...infrastructure(s),
  ];
  const daysSinceReview = s.lastReview ? daysBetween(s.lastReview, options.today) : undefined;
  const gates = evaluateGates(s, gauges, daysSinceReview, code.staleElements, code.notes, options.gates ?? DEFAULT_SETTINGS.gates);
  return {
    scope: s.scoped ? String(s.model.system?.release) : 'all',
    gauges,
    stride: stride.rows,
    residualRisk: residualRisk(s),
    unrecordedRisks: s.openRisks.length,
    freshness: { lastReview: s.lastReview, daysSinceReview },
    staleElements: code.staleElements,
    notes: code.notes,
    gates,
    verdict: verdictOf(s, gates, gauges),
  };
}

/** Properties the rules need are filled in. */
function fidelity(s: Scope): Gauge {
  const missing: MissingItem[] = [];
  let total = 0;
  const check = (e: Element, kind: string) => {
    for (const prop of own(FIDELITY, kind) ?? []) {
      total++;
      if (!isKnown((e.data as Record<string, unknown>)[prop]))
        missing.push({ element: e.id, message: `${shown(e.id)}: '${prop}' is not set`, ...s.where(e) });
    }
  };
  for (const c of s.components) check(c, String(c.data.type));
  for (const f of s.flows) check(f, 'flow');
  if (!s.scoped) {
    for (const d of s.model.data) check(d, 'data');
    for (const b of s.model.boundaries) check(b, 'boundary');
  }
  return gauge(
    'fidelity',
    'Model fidelity',
    'Properties the rules need are filled in (unknown counts as missing).',
    total - missing.length,
    total,
    missing,
  );
}

/** In-scope components with a recorded threat or a review. */
function elementCoverage(s: Scope): Gauge {
  const uncovered = s.components.filter((c) => !s.threatsByTarget.has(c.id) && !isKnown((c.data as { reviewed?: unknown }).reviewed));
  const outOfScopeNoReason = s.model.components.filter((c) => c.data.inScope === false && !isKnown(c.data.outOfScopeReason));
  return gauge(
    'elementCoverage',
    'Element coverage',
    'In-scope components with at least one recorded threat or a review.',
    s.components.length - uncovered.length,
    s.components.length,
    [
      ...uncovered.map((c) => ({ element: c.id, message: `${shown(c.id)}: no threats recorded and not reviewed`, ...s.where(c) })),
      ...outOfScopeNoReason.map((c) => ({ element: c.id, message: `${shown(c.id)}: out of scope without a reason`, ...s.where(c) })),
    ],
  );
}

/** The STRIDE categories each kind of element is expected to have considered, and the table of them. */
function strideCoverage(s: Scope): { gauge: Gauge; rows: StrideRow[] } {
  const rows: StrideRow[] = [];
  let expectedCount = 0;
  let covered = 0;
  const missing: MissingItem[] = [];
  const row = (e: Element, kind: string) => {
    const expected = own(EXPECTED_STRIDE, kind);
    if (!expected) return;
    const present = new Set((s.threatsByTarget.get(e.id) ?? []).map((t) => strideLetter(t.data.category)));
    const cells: Partial<Record<StrideLetter, boolean>> = {};
    for (const letter of expected) {
      cells[letter] = present.has(letter);
      expectedCount++;
      if (cells[letter]) covered++;
    }
    const gaps = expected.filter((letter) => !cells[letter]);
    if (gaps.length) missing.push({ element: e.id, message: `${shown(e.id)}: no threat recorded for ${gaps.join(', ')}`, ...s.where(e) });
    rows.push({ element: e.id, ...s.where(e), cells });
  };
  for (const c of s.components) row(c, String(c.data.type));
  for (const f of s.flows) row(f, 'flow');
  return {
    gauge: gauge(
      'strideCoverage',
      'STRIDE coverage',
      'Expected STRIDE categories per element with a recorded threat (any status, not-applicable included).',
      covered,
      expectedCount,
      missing,
    ),
    rows,
  };
}

/**
 * Flows across a trust boundary with tampering, information disclosure and denial of service considered. "Across"
 * is the rules' `crossesBoundary`: both ends known, in different boundaries.
 */
function crossingCoverage(s: Scope): Gauge {
  const byId = new Map(s.system.components.map((c) => [c.id, c]));
  const crossing = s.flows.filter((f) => crossesBoundary(byId.get(String(f.data.from)), byId.get(String(f.data.to))) === true);
  const missing = crossing.filter((f) => {
    const present = new Set((s.threatsByTarget.get(f.id) ?? []).map((t) => strideLetter(t.data.category)));
    return !(['T', 'I', 'D'] as const).every((letter) => present.has(letter));
  });
  return gauge(
    'crossingCoverage',
    'Boundary-crossing flows',
    'Flows that cross a trust boundary with tampering, information disclosure and denial of service considered.',
    crossing.length - missing.length,
    crossing.length,
    missing.map((f) => ({
      element: f.id,
      message: `${shown(f.id)}: crosses a boundary; T, I and D not all considered`,
      ...s.where(f),
    })),
  );
}

/** Rule findings recorded, covered or disabled. */
function findingTriage(s: Scope): Gauge {
  return gauge(
    'findingTriage',
    'Finding triage',
    'Rule findings that are recorded as threats, covered by a control or disabled with a reason.',
    s.findings.length - s.open.length,
    s.findings.length,
    s.open.map((f) => ({
      element: f.element?.id,
      message: `${f.rule.id}: ${f.title}`,
      span: f.element ? s.at(f.element) : s.model.systemSpan,
    })),
  );
}

/**
 * Threat treatment: a decision (mitigated, accepted, ...) or a mitigation chosen for it. Recording a finding with the
 * mitigation its quick fix proposes is a treatment chosen, so "Mitigate with" never lowers this gauge; risks the rules
 * found and nobody recorded are untreated too, so recording one leaves the gauge as it was.
 */
function threatTreatment(s: Scope): Gauge {
  const mitigationStatus = new Map(s.system.mitigations.map((m) => [m.id, m.data.status]));
  const hasChosenMitigation = (t: Element<'threats'>) =>
    (t.data.mitigations ?? []).some((id) => mitigationStatus.has(id) && mitigationStatus.get(id) !== 'wont-do');
  const untreated = s.threats.filter((t) => !isTreatedThreatStatus(t.data.status) && !hasChosenMitigation(t));
  return gauge(
    'threatTreatment',
    'Threat treatment',
    'Known risks (recorded threats, and rule findings not recorded yet) with a treatment: a mitigation chosen, or mitigated, accepted, transferred, avoided, not applicable or a false positive.',
    s.threats.length - untreated.length,
    s.threats.length + s.openRisks.length,
    [
      ...untreated.map((t) => ({
        element: t.id,
        message: `${shown(t.id)}: ${shown(t.data.status ?? 'no status')} — ${shown(t.data.title ?? '', NAME_LIMIT)}`,
        ...s.where(t),
      })),
      ...s.openRisks.map((f) => ({
        element: f.element?.id,
        message: `${f.rule.id}: not recorded yet — ${f.title}`,
        span: f.element ? s.at(f.element) : s.model.systemSpan,
      })),
    ],
  );
}

/**
 * Of the mitigations the team committed to (planned and beyond), those in place. Proposed ones await a decision and
 * are listed apart; won't-do ones are decisions against.
 */
function mitigationProgress(s: Scope): Gauge {
  const linked = new Set(s.threats.flatMap((t) => t.data.mitigations ?? []));
  const mitigations = s.scoped ? s.model.mitigations.filter((m) => linked.has(m.id)) : s.model.mitigations;
  const committed = mitigations.filter((m) => isCommittedMitigationStatus(m.data.status));
  const notDone = committed.filter((m) => !isDoneMitigationStatus(m.data.status));
  const proposed = mitigations.filter((m) => !isCommittedMitigationStatus(m.data.status) && m.data.status !== 'wont-do');
  return gauge(
    'mitigationProgress',
    'Mitigation progress',
    'Mitigations committed to (planned or later) that are implemented or verified; proposed ones await a decision.',
    committed.length - notDone.length,
    committed.length,
    [
      ...notDone.map((m) => ({
        element: m.id,
        message: `${shown(m.id)}: ${shown(m.data.status ?? 'no status')} — ${shown(m.data.title ?? '', NAME_LIMIT)}`,
        ...s.where(m),
      })),
      ...proposed.map((m) => ({
        element: m.id,
        message: `${shown(m.id)}: ${shown(m.data.status ?? 'no status')}, not decided yet — ${shown(m.data.title ?? '', NAME_LIMIT)}`,
        ...s.where(m),
      })),
    ],
  );
}

/** Accepted risks with an owner, a justification and an unexpired review date. */
function acceptanceHygiene(s: Scope): Gauge {
  const accepted = s.threats.filter((t) => t.data.status === 'accepted');
  const bad = accepted.filter((t) => {
    const a = t.data.acceptance;
    return (
      !a ||
      !isKnown(a.by) ||
      !isKnown(a.justification) ||
      isPlaceholder(a.by) ||
      isPlaceholder(a.justification) ||
      !isKnown(a.expires) ||
      String(a.expires) < s.options.today
    );
  });
  return gauge(
    'acceptanceHygiene',
    'Acceptance hygiene',
    'Accepted risks with an owner, a justification and an unexpired review date.',
    accepted.length - bad.length,
    accepted.length,
    bad.map((t) => ({ element: t.id, message: `${shown(t.id)}: acceptance incomplete or expired`, ...s.where(t) })),
  );
}

/** Open risks by severity: open recorded threats, and open findings not recorded yet. */
function residualRisk(s: Scope): Record<Severity | 'unrated', number> {
  const risk = { critical: 0, high: 0, medium: 0, low: 0, unrated: 0 };
  for (const t of s.threats) {
    if (!isOpenThreatStatus(t.data.status)) continue;
    const severity = t.data.severity;
    if (isSeverity(severity)) risk[severity]++;
    else risk.unrated++;
  }
  for (const f of s.openRisks) risk[f.rule.severity]++;
  return risk;
}

/** Code: linked components reviewed since their code changed, and source folders linked at all. */
function codeGauges(s: Scope): { gauges: Gauge[]; notes: string[]; staleElements: number | undefined } {
  const gauges: Gauge[] = [];
  const notes: string[] = [];
  let staleElements: number | undefined;
  const code = s.options.code;
  if (!code) return { gauges, notes, staleElements };
  const linkedElements = code.elements.filter((e) => s.inDelivery(e.element) && e.element.data.inScope !== false);
  if (code.facts.commits) {
    const judged = linkedElements.filter((e) => e.stale || isKnown(e.element.data.reviewed) || s.lastReview || code.facts.range);
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
              span: s.at(e.element),
              details: e.stale!.commits.map(
                (c) => `${c.date} ${shown(c.author)}: ${shown(c.subject, NAME_LIMIT)} (${c.hash.slice(0, 10)})`,
              ),
            })),
            ...neverReviewed.map((e) => ({
              element: e.element.id,
              message: `${e.name}: linked to code, never reviewed`,
              span: s.at(e.element),
            })),
          ],
        ),
      );
  }
  // A model that links no code is not told that history was not read.
  if (code.facts.note && linkedElements.length > 0)
    notes.push(code.facts.commits ? code.facts.note : `Code history not read: ${code.facts.note}.`);
  if (code.coverage && !s.scoped) {
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
          span: s.model.systemSpan,
        })),
      ),
    );
  }
  return { gauges, notes, staleElements };
}

/** Infrastructure: the resources of the sources named, modelled and agreeing with the model. */
function infrastructure(s: Scope): Gauge[] {
  const infra = s.options.infra;
  if (!infra || s.scoped) return [];
  return [
    gauge(
      'infrastructure',
      'Infrastructure modelled and agreeing',
      'Resources of the infrastructure sources (threatcode.infrastructure, check --infra) that a component stands for (infra:) with no property in disagreement.',
      infra.agreeing,
      infra.resources,
      [...infra.missing],
    ),
  ];
}

/** How many, with the noun in the plural when it is not one: "1 gate", "2 gates". */
function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

/** At most this many things to do are named: the next steps, not the whole list. */
const NEXT_STEPS = 3;

function evaluateGates(
  s: Scope,
  gauges: readonly Gauge[],
  days: number | undefined,
  stale: number | undefined,
  notes: readonly string[],
  gates: Gates,
): GateResult[] {
  const out: GateResult[] = [];
  const g = (id: GaugeId) => gauges.find((x) => x.id === id)!;
  const result = (id: GateName, title: string, passed: boolean, detail: string, reason: string, fix: () => readonly MissingItem[]) =>
    out.push(passed ? { id, title, passed, detail, fix: [] } : { id, title, passed, detail, reason, fix: fix().slice(0, NEXT_STEPS) });
  if (gates.maxOpenHighWithoutMitigation !== undefined) {
    // Open findings count: a high risk nobody recorded has no mitigation either. Recording one without a mitigation
    // leaves this number as it was; recording it with one lowers it.
    const high = (severity: unknown) => severity === 'high' || severity === 'critical';
    const threats = s.threats.filter(
      (t) => isOpenThreatStatus(t.data.status) && high(t.data.severity) && !(t.data.mitigations ?? []).length,
    );
    const findings = s.openRisks.filter((f) => high(f.rule.severity));
    const n = threats.length + findings.length;
    result(
      'maxOpenHighWithoutMitigation',
      'Open high or critical risks without a mitigation',
      n <= gates.maxOpenHighWithoutMitigation,
      `${n} (allowed ${gates.maxOpenHighWithoutMitigation})`,
      `${count(n, 'high or critical risk')} without a mitigation${gates.maxOpenHighWithoutMitigation ? ` (${gates.maxOpenHighWithoutMitigation} allowed)` : ''}`,
      () => [
        ...findings.map((f) => ({
          element: f.element?.id,
          message: `Mitigate ${f.rule.id}: ${f.title}`,
          ...(f.element ? s.where(f.element) : { span: s.model.systemSpan }),
        })),
        ...threats.map((t) => ({
          element: t.id,
          message: `Choose a mitigation for ${t.id}: ${shown(t.data.title ?? t.id, NAME_LIMIT)}`,
          ...s.where(t),
        })),
      ],
    );
  }
  const ratioGate = (id: GateName, title: string, gaugeId: GaugeId, min: number | undefined) => {
    if (min === undefined) return;
    const gauge = g(gaugeId);
    const r = gauge.ratio;
    // Nothing to measure holds nothing back: the gate passes and says so.
    result(
      id,
      title,
      r === null || r >= min,
      r === null ? `nothing to measure (required ${formatRatio(min)})` : `${formatRatio(r)} (required ${formatRatio(min)})`,
      `${title} ${formatRatio(r)} (${formatRatio(min)} required)`,
      () => gauge.missing,
    );
  };
  ratioGate('minFidelity', 'Model fidelity', 'fidelity', gates.minFidelity);
  ratioGate('minElementCoverage', 'Element coverage', 'elementCoverage', gates.minElementCoverage);
  ratioGate('minStrideCoverage', 'STRIDE coverage', 'strideCoverage', gates.minStrideCoverage);
  ratioGate('minFindingTriage', 'Finding triage', 'findingTriage', gates.minFindingTriage);
  if (gates.acceptancesValid) {
    const a = g('acceptanceHygiene');
    result(
      'acceptancesValid',
      'Accepted risks are owned, justified and unexpired',
      a.done === a.total,
      `${a.done} of ${a.total}`,
      `${count(a.total - a.done, 'accepted risk')} expired, without an owner or without a justification`,
      () => a.missing,
    );
  }
  if (gates.maxDaysSinceReview !== undefined) {
    result(
      'maxDaysSinceReview',
      'Model reviewed recently',
      days !== undefined && days <= gates.maxDaysSinceReview,
      days === undefined ? `never reviewed (system.reviewed)` : `${days} days ago (allowed ${gates.maxDaysSinceReview})`,
      days === undefined ? 'never reviewed' : `last reviewed ${count(days, 'day')} ago (${gates.maxDaysSinceReview} allowed)`,
      () => [{ element: undefined, message: 'Record a review of the model: system.reviewed { by, date }', span: s.model.systemSpan }],
    );
  }
  // A delivery being measured is not complete while code of its components changed after their review: counted as if
  // `maxStaleElements: 0` were set, once the history could be read (a gate the user set says what is allowed).
  const maxStale = gates.maxStaleElements ?? (s.scoped && stale !== undefined ? 0 : undefined);
  if (maxStale !== undefined) {
    // Not measured is not passed: a gate that cannot look must say so rather than wave the change through.
    const reason = notes[0]?.replace(/\.$/, '') ?? 'code history not read';
    result(
      'maxStaleElements',
      'Components reviewed since their code changed',
      stale !== undefined && stale <= maxStale,
      stale === undefined
        ? `not measured (${reason})`
        : `${stale} with code changed since their review (allowed ${maxStale}${gates.maxStaleElements === undefined ? ' in a delivery' : ''})`,
      stale === undefined
        ? `components' code changes not measured (${reason})`
        : `${count(stale, 'component')} with code changed since ${stale === 1 ? 'its' : 'their'} review`,
      () => gauges.find((x) => x.id === 'codeFreshness')?.missing ?? [],
    );
  }
  return out;
}

/** The verdict's words: `lead` says the state ("not complete — "), `detail` the rest. */
function said(subject: string, lead: string, detail: string): Pick<Verdict, 'text' | 'detail'> {
  return { text: `${subject}: ${lead}${detail}`, detail };
}

/**
 * The verdict on what was measured (the delivery, or the whole model): complete when every gate passes. What to do
 * next is what makes the failing gates pass, in their order; when all pass, the largest gaps in the gauges.
 */
function verdictOf(s: Scope, gates: readonly GateResult[], gauges: readonly Gauge[]): Verdict {
  const name = shown(s.model.system?.name ?? 'The model', NAME_LIMIT);
  const subject = s.scoped ? `Release ${shown(s.model.system?.release, NAME_LIMIT)}` : `${name} (whole model)`;
  const failing = gates.filter((gate) => !gate.passed);
  if (s.scoped && s.components.length + s.flows.length === 0 && failing.length === 0) {
    // A release nothing is marked for: the gates pass over nothing, which is not "complete".
    const release = shown(s.model.system?.release, NAME_LIMIT);
    return {
      complete: true,
      state: 'nothing-measured',
      ...said(subject, '', `nothing in this delivery yet (no component or flow says release: ${release}), so nothing was measured`),
      next: [{ element: undefined, message: `Mark what this delivery changes with release: ${release}`, span: s.model.systemSpan }],
    };
  }
  if (failing.length > 0) {
    return {
      complete: false,
      state: 'not-complete',
      ...said(
        subject,
        'not complete — ',
        `${count(failing.length, 'gate')} ${failing.length === 1 ? 'fails' : 'fail'}: ${failing.map((gate) => gate.reason).join('; ')}`,
      ),
      next: failing.flatMap((gate) => gate.fix).slice(0, NEXT_STEPS),
    };
  }
  // Complete: the gauges furthest from done say where the model can grow.
  const gaps = gauges
    .filter((gauge) => gauge.ratio !== null && gauge.ratio < 1 && gauge.missing.length > 0)
    .sort((a, b) => a.ratio! - b.ratio!);
  const next: MissingItem[] = [];
  for (let i = 0; next.length < NEXT_STEPS && gaps.some((gauge) => gauge.missing[i]); i++)
    for (const gauge of gaps) if (gauge.missing[i] && next.length < NEXT_STEPS) next.push(gauge.missing[i]);
  return {
    complete: true,
    state: gates.length === 0 ? 'no-gates' : 'complete',
    ...(gates.length === 0
      ? said(subject, '', 'no gates set, so nothing decides whether it is complete')
      : said(subject, 'complete ', `(${gates.length === 1 ? 'its gate passes' : `all ${gates.length} gates pass`})`)),
    next,
  };
}
