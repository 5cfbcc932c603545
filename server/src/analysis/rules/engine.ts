/**
 * Runs a rule set over a model and turns what it finds into findings and diagnostics.
 *
 * A rule applies to an element when its `when` holds. The finding is then
 *  - covered    when the rule's `unless` (a control) holds,
 *  - addressed  when a threat records it (`rule:` this rule, `targets:` this element), whatever its status,
 *  - disabled   when the model or the element disables the rule with a reason,
 *  - open       otherwise: only open findings become diagnostics.
 */
import { isMap, isScalar, type Node as YamlNode } from 'yaml';
import { type CoreDiagnostic, DiagnosticCode, type FindingData } from '../../model/diagnostics';
import { flatCopy } from '../../model/strings';
import { didYouMean, suggest } from '../../model/suggest';
import type { Element, Span, Threat, ThreatModel } from '../../model/types';
import { holds, readProperty } from './evaluate';
import { explain, explainUncovered, type Reason } from './explain';
import { ModelIndex, type Subject } from './facts';
import { type Condition, type LeafCondition, type Rule, type RuleSet, type RuleTarget } from './types';
import { isPlainObject, NAME_LIMIT, quoted, shown } from '../../shared/values';

export type FindingStatus = 'open' | 'covered' | 'addressed' | 'disabled';

export interface Finding {
  /** Stable id: RULE@element (RULE@model for model-wide rules). */
  readonly id: string;
  readonly rule: Rule;
  readonly element: Element | undefined;
  readonly elementId: string;
  readonly status: FindingStatus;
  readonly title: string;
  /**
   * Why the rule applies here, in words, each with the element and property that show it; for an open finding, then
   * the stated values that keep its control from covering it.
   */
  readonly because: readonly Reason[];
  /** The threat that records this finding, when addressed. */
  readonly threat?: Threat;
  readonly disabledReason?: string;
}

export interface RuleResult {
  readonly findings: readonly Finding[];
  readonly diagnostics: readonly CoreDiagnostic[];
  /** What each subject's evaluation read and found, for the next run after an edit. */
  readonly memo: RuleMemo;
}

export interface RunOptions {
  /** Where model-wide findings are shown (the `system` key, usually). */
  readonly modelSpan: Span;
  /**
   * The previous run on the same model before one element changed, with the dependency keys that element wrote
   * before and after (`keysWrittenBy`). Subjects that read none of those keys keep their findings.
   */
  readonly previous?: {
    readonly memo: RuleMemo;
    readonly changed: ReadonlySet<string>;
    /** The edited element's previous version, if it was an element. */
    readonly removed: Element | undefined;
    /** What its lines hold now: its new version, and elements added after it at the end of the section. */
    readonly added: readonly Element[];
  };
  /**
   * The file an element comes from when it was imported (format 1.2). Imported elements are context: rules read them,
   * but their own findings belong to the file that defines them, and reasons that point at them name that file.
   */
  readonly importedFrom?: (element: Element | undefined) => string | undefined;
}

export const MODEL_ELEMENT_ID = 'model';

type SubjectKey = Element | typeof MODEL_ELEMENT_ID;

/**
 * Opaque to callers: per subject (its element, or the model), what its evaluation read and what it found, and per
 * dependency key the subjects that read it. A run that follows an edit takes these over and updates them in place.
 */
export interface RuleMemo {
  readonly ruleSet: RuleSet;
  readonly subjects: Map<SubjectKey, SubjectMemo>;
  /** Small lists (a few subjects per key; at most a boundary's members): arrays take a fraction of a Set's memory. */
  readonly dependents: Map<string, SubjectKey[]>;
  readonly index: ModelIndex;
}

interface SubjectMemo {
  /** Distinct keys, kept as an array (tens of thousands of subjects: a Set each cost ~10 MB more). */
  readonly reads: readonly string[];
  /** In rule order. */
  readonly findings: readonly Finding[];
}

/**
 * Findings come subject by subject (the model first, then the elements in section order), each subject's in rule
 * order: a subject whose inputs did not change keeps its findings as a block.
 */
export function runRules(model: ThreatModel, ruleSet: RuleSet, options: RunOptions): RuleResult {
  const findings: Finding[] = [];
  const modelDisabled = disabledRulesOf(model.disabledRules);
  const previous = options.previous?.memo.ruleSet === ruleSet ? options.previous : undefined;
  let index: ModelIndex;
  if (previous) {
    index = previous.memo.index;
    index.update(model, previous.removed, previous.added);
  } else {
    index = new ModelIndex(model);
  }
  // The previous run's memo is taken over (the previous analysis is consumed): only what changed is updated.
  const memos = previous?.memo.subjects ?? new Map<SubjectKey, SubjectMemo>();
  const dependents = previous?.memo.dependents ?? new Map<string, SubjectKey[]>();
  const stale = new Set<SubjectKey>();
  if (previous) {
    for (const key of previous.changed) for (const subject of dependents.get(key) ?? []) stale.add(subject);
    if (previous.removed) forget(previous.removed, memos, dependents);
  }
  const rulesOf = rulesByTarget(ruleSet);

  const visit = (key: SubjectKey, rules: readonly Rule[]) => {
    if (rules.length === 0) return;
    let memo = memos.get(key);
    if (!memo || stale.has(key)) {
      if (memo) forget(key, memos, dependents);
      const subject = key === MODEL_ELEMENT_ID ? index.modelSubject : index.subject(key);
      const reads = new Set<string>();
      const found: Finding[] = [];
      index.track(reads, () => {
        // A flow out of scope, or into or out of a component out of scope, gets no findings (read while tracked: an
        // edit to either end re-evaluates the flow).
        if (subject.kind === 'flow' && index.outOfScope(subject)) return;
        for (const rule of rules) {
          const finding = findingOf(rule, subject, index, modelDisabled);
          if (finding) found.push(finding);
        }
      });
      memos.set(key, (memo = { reads: [...reads], findings: found }));
      // `key` was forgotten just above if it had a memo: it is in no list yet.
      for (const read of reads) {
        const list = dependents.get(read);
        if (list) list.push(key);
        else dependents.set(read, [key]);
      }
    }
    for (const f of memo.findings) findings.push(f);
  };

  const importedFrom = options.importedFrom;
  const own = importedFrom ? (e: Element) => importedFrom(e) === undefined : () => true;
  if (importedFrom) index.setOwn(own);
  visit(MODEL_ELEMENT_ID, rulesOf.model);
  for (const c of model.components) if (own(c)) visit(c, c.data.inScope === false ? [] : rulesOf.component(c.data.type));
  for (const f of model.flows) if (own(f)) visit(f, rulesOf.flow);
  for (const b of model.boundaries) if (own(b)) visit(b, rulesOf.boundary);
  for (const d of model.data) if (own(d)) visit(d, rulesOf.data);
  for (const t of model.threats) if (own(t)) visit(t, rulesOf.threat);
  for (const m of model.mitigations) if (own(m)) visit(m, rulesOf.mitigation);

  // What a finding's diagnostic says beyond its title is the same for every finding of a rule: build it once.
  const perRule = new Map<Rule, RuleText>();
  const diagnostics: CoreDiagnostic[] = [];
  const textOf = (rule: Rule) => {
    let text = perRule.get(rule);
    if (!text) perRule.set(rule, (text = ruleText(rule, ruleSet)));
    return text;
  };
  for (const f of findings) if (f.status === 'open') diagnostics.push(findingDiagnostic(f, textOf, options.modelSpan, importedFrom));
  diagnostics.push(...checkRuleReferences(model, ruleSet, own));
  // Cached facts are only valid for this version of the model; the next run starts without them anyway.
  index.releaseCaches();
  return { findings, diagnostics, memo: { ruleSet, subjects: memos, dependents, index } };
}

/** Drops a subject's memo and its entries in the reverse index. */
function forget(key: SubjectKey, memos: Map<SubjectKey, SubjectMemo>, dependents: Map<string, SubjectKey[]>): void {
  const memo = memos.get(key);
  if (!memo) return;
  memos.delete(key);
  for (const read of memo.reads) {
    const list = dependents.get(read);
    const at = list ? list.indexOf(key) : -1;
    if (at < 0) continue;
    if (list!.length === 1) dependents.delete(read);
    else list!.splice(at, 1);
  }
}

interface RulesByTarget {
  readonly model: readonly Rule[];
  readonly flow: readonly Rule[];
  readonly boundary: readonly Rule[];
  readonly data: readonly Rule[];
  readonly threat: readonly Rule[];
  readonly mitigation: readonly Rule[];
  /** Rules for `component` and for the component's type, in rule order. */
  component(type: unknown): readonly Rule[];
}

const rulesByTargetCache = new WeakMap<RuleSet, RulesByTarget>();

function rulesByTarget(ruleSet: RuleSet): RulesByTarget {
  let cached = rulesByTargetCache.get(ruleSet);
  if (cached) return cached;
  const of = (...targets: RuleTarget[]) => ruleSet.rules.filter((r) => targets.includes(r.target));
  const byType = new Map<unknown, readonly Rule[]>([
    ['process', of('component', 'process')],
    ['datastore', of('component', 'datastore')],
    ['external', of('component', 'external')],
  ]);
  const anyType = of('component');
  cached = {
    model: of('model'),
    flow: of('flow'),
    boundary: of('boundary'),
    data: of('data'),
    threat: of('threat'),
    mitigation: of('mitigation'),
    component: (type) => byType.get(type) ?? anyType,
  };
  rulesByTargetCache.set(ruleSet, cached);
  return cached;
}

/** The finding of one rule on one subject, or undefined when the rule does not apply there. */
function findingOf(rule: Rule, subject: Subject, index: ModelIndex, modelDisabled: ReadonlyMap<string, string>): Finding | undefined {
  if (!holds(rule.when, subject, index)) return undefined;
  const element = subject.element;
  const elementId = element?.id ?? MODEL_ELEMENT_ID;
  const disabledReason = (element ? disabledRulesOf(element.data.disabledRules).get(rule.id) : undefined) ?? modelDisabled.get(rule.id);
  // `unless` is what keeps the rule quiet: read as under a `not` (see ModelIndex.own).
  index.negation++;
  const covered = disabledReason === undefined && rule.unless !== undefined && holds(rule.unless, subject, index);
  index.negation--;
  const threat = disabledReason === undefined && !covered ? index.recordedThreat(rule.id, elementId) : undefined;
  const status: FindingStatus = disabledReason !== undefined ? 'disabled' : covered ? 'covered' : threat ? 'addressed' : 'open';
  // One object literal with every property, always in this order: built with spreads, each of the ~50,000 findings of
  // a large model got a hidden class of its own (about 20 MB at 5,000 components). Strings kept per finding are
  // joined flat rather than concatenated, which would keep a tree of their pieces alive.
  return {
    id: [rule.id, '@', elementId].join(''),
    rule,
    element,
    elementId,
    status,
    title: renderTitle(rule.title, subject, index),
    // `when` holds (checked just above): only the explanation is left to build.
    because: distinctReasons([
      ...explain(rule.when, subject, index),
      ...(status === 'open' && rule.unless ? uncovered(rule.unless, subject, index) : []),
    ]),
    threat,
    disabledReason,
  };
}

function uncovered(unless: Condition, subject: Subject, index: ModelIndex): Reason[] {
  index.negation++;
  const reasons = explainUncovered(unless, subject, index);
  index.negation--;
  return reasons;
}

function distinctReasons(reasons: readonly Reason[]): Reason[] {
  const seen = new Set<string>();
  const out: Reason[] = [];
  for (const r of reasons) {
    if (seen.has(r.text)) continue;
    seen.add(r.text);
    out.push({ element: r.element, property: r.property, text: flatCopy(r.text), rank: r.rank });
  }
  return out;
}

function disabledRulesOf(value: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (!Array.isArray(value)) return out;
  for (const entry of value as unknown[]) {
    if (!isPlainObject(entry)) continue;
    const { rule, reason } = entry;
    if (typeof rule === 'string' && typeof reason === 'string' && reason.trim()) out.set(rule, reason);
  }
  return out;
}

/** Fills {name}, {source.name}, {maxClassification}, ... Unknown values read as "?"; text stays plain. */
function renderTitle(template: string, subject: Subject, index: ModelIndex): string {
  const text = template.replace(/\{([^{}]*)\}/g, (_, field: string) => {
    let value: unknown;
    if (field.startsWith('source.') || field.startsWith('target.')) {
      const [end, prop] = field.split('.');
      const component = index.related(end as 'source' | 'target', subject)[0];
      value = component ? (readProperty(component.data as Record<string, unknown>, prop) ?? component.id) : undefined;
    } else if (field === 'maxClassification' || field === 'trust') {
      value = index.fact(field, subject);
    } else {
      value = readProperty(subject.data, field);
      if (value === undefined && field === 'name') value = subject.element?.id;
    }
    // Names and values clipped: a megabyte name must not make every finding on its element a megabyte.
    return value === undefined || value === null ? '?' : shown(value, NAME_LIMIT);
  });
  return [text.charAt(0).toUpperCase(), text.slice(1)].join('');
}

interface RuleText {
  readonly mitigations: FindingData['mitigations'];
  readonly controls: FindingData['controls'];
}

function ruleText(rule: Rule, ruleSet: RuleSet): RuleText {
  return {
    mitigations: rule.mitigations.flatMap((id) => {
      const m = ruleSet.mitigations.get(id);
      return m ? [{ id: m.id, title: m.title, description: m.description }] : [];
    }),
    controls: rule.unless ? coveringControls(rule.unless) : [],
  };
}

/**
 * Where a finding and each of its reasons are shown: a property (from its key to the end of its value), an element's
 * id (its value node alone), or the model (undefined). Nodes, not offsets: an edit elsewhere moves nodes in place, so
 * the spans stay right for findings kept across edits, and they are read without allocating (an edit compares the
 * spans of every open finding: thousands).
 */
type Anchor = { readonly key: YamlNode; readonly value: YamlNode | undefined } | undefined;

/** An element's anchor: its id's value, or the whole item when it has none. */
function elementAnchor(e: Element | undefined): Anchor {
  if (!e) return undefined;
  const id = e.node.get('id', true) as YamlNode | undefined;
  return { key: id?.range ? id : e.node, value: undefined };
}

function anchorStart(anchor: Anchor, modelSpan: Span): number {
  return anchor ? anchor.key.range![0] : modelSpan.start;
}

function anchorEnd(anchor: Anchor, modelSpan: Span): number {
  return anchor ? (anchor.value ?? anchor.key).range![1] : modelSpan.end;
}

function anchorSpan(anchor: Anchor, modelSpan: Span): Span {
  return { start: anchorStart(anchor, modelSpan), end: anchorEnd(anchor, modelSpan) };
}

/** The property's key and value nodes in an element's mapping, following dotted paths through nested mappings. */
function propertyAnchor(element: Element, path: string): Anchor | undefined {
  let map: unknown = element.node;
  const segments = path.split('.');
  for (let i = 0; i < segments.length; i++) {
    if (!isMap(map)) return undefined;
    const pair = map.items.find((p) => isScalar(p.key) && p.key.value === segments[i]);
    if (!pair || !isScalar(pair.key) || !pair.key.range) return undefined;
    const value = pair.value as YamlNode | null;
    if (i === segments.length - 1) return { key: pair.key, value: value?.range ? value : undefined };
    map = value;
  }
  return undefined;
}

interface Placed {
  readonly diagnostic: CoreDiagnostic;
  readonly primary: Anchor;
  readonly related: readonly Anchor[];
}

/** Findings kept across edits keep their diagnostics too: the same object, its spans moved with the text. */
const placedOf = new WeakMap<Finding, Placed>();

type MovableSpan = { start: number; end: number };

/**
 * The diagnostic of a finding. A kept finding's diagnostic is the one the previous run made, its spans read again
 * from its anchors: the nodes were moved in place by the edit, and so are the spans (in place: the previous analysis
 * is consumed by the run that follows it, and an edit moves half the diagnostics of the model — thousands of new
 * objects per keystroke otherwise).
 */
function findingDiagnostic(
  f: Finding,
  textOf: (rule: Rule) => RuleText,
  modelSpan: Span,
  importedFrom: RunOptions['importedFrom'],
): CoreDiagnostic {
  const placed = placedOf.get(f);
  if (!placed) {
    const made = placeFinding(f, textOf(f.rule), modelSpan, importedFrom);
    placedOf.set(f, made);
    return made.diagnostic;
  }
  const { diagnostic, primary, related } = placed;
  moveTo(diagnostic.span, primary, modelSpan);
  for (let i = 0; i < related.length; i++) moveTo(diagnostic.related![i].span, related[i], modelSpan);
  return diagnostic;
}

function moveTo(span: MovableSpan, anchor: Anchor, modelSpan: Span): void {
  span.start = anchorStart(anchor, modelSpan);
  span.end = anchorEnd(anchor, modelSpan);
}

function placeFinding(f: Finding, text: RuleText, modelSpan: Span, importedFrom: RunOptions['importedFrom']): Placed {
  const rule = f.rule;
  const anchorOf = (r: Reason): Anchor => (r.element && r.property && propertyAnchor(r.element, r.property)) || elementAnchor(r.element);
  // The finding sits on the property that is its strongest cause; on the element's id when it is about an absence.
  let primary: Anchor = elementAnchor(f.element);
  let cause: Reason | undefined;
  for (const r of f.because) {
    if (r.rank === 0 || !r.element || r.element !== f.element || !r.property || (cause && cause.rank <= r.rank)) continue;
    const anchor = propertyAnchor(r.element, r.property);
    if (anchor) {
      primary = anchor;
      cause = r;
    }
  }
  const related = f.because.map(anchorOf);
  const data: FindingData = {
    findingId: f.id,
    rule: rule.id,
    element: f.elementId,
    modelWide: f.element === undefined,
    title: f.title,
    stride: rule.stride,
    linddun: rule.linddun,
    severity: rule.severity,
    mitigations: text.mitigations,
    controls: text.controls,
    ...(rule.docs ? { docs: rule.docs } : {}),
  };
  const diagnostic: CoreDiagnostic = {
    code: rule.id,
    severity: rule.severity === 'low' ? 'info' : 'warning',
    message: findingMessage(f.title, primary),
    span: anchorSpan(primary, modelSpan),
    related: related.map((a, i) => {
      const uri = importedFrom?.(f.because[i].element);
      return { span: anchorSpan(a, modelSpan), message: f.because[i].text, ...(uri && { uri }) };
    }),
    data,
  };
  return { diagnostic, primary, related };
}

/** One sentence: the finding's title, and the value it sits on when that is a short scalar ("… (protocol: http)."). */
function findingMessage(title: string, primary: Anchor): string {
  let detail = '';
  if (primary && isScalar(primary.key) && primary.value && isScalar(primary.value)) {
    const value = String(primary.value.value);
    if (value.length <= 40 && !/[\r\n]/.test(value)) detail = ` (${String(primary.key.value)}: ${value})`;
  }
  const sentence = /[.!?]$/.test(title) ? title.slice(0, -1) : title;
  // "… (model extraction) (antiAutomation: false)" reads badly: one pair of parentheses.
  if (detail && sentence.endsWith(')')) return `${sentence.slice(0, -1)}; ${detail.slice(2, -1)}).`;
  return `${sentence}${detail}.`;
}

/**
 * Settings of the element's own properties that make `unless` hold on their own: the "Set control" quick fix offers
 * them. Only direct tests (not through quantifiers or negation) qualify.
 */
export function coveringControls(cond: Condition): { property: string; value: unknown }[] {
  if ('any' in cond && cond.any) return cond.any.flatMap(coveringControls);
  if ('all' in cond && cond.all) return cond.all.length === 1 ? coveringControls(cond.all[0]) : [];
  const leaf = cond as LeafCondition;
  if (typeof leaf.prop !== 'string') return [];
  if ('eq' in leaf) return [{ property: leaf.prop, value: leaf.eq }];
  if ('in' in leaf && Array.isArray(leaf.in) && leaf.in.length > 0) return [{ property: leaf.prop, value: leaf.in[0] }];
  return [];
}

/** Rule ids named in the model (threats' `rule`, `disabledRules`) must exist. */
function checkRuleReferences(model: ThreatModel, ruleSet: RuleSet, own: (e: Element) => boolean): CoreDiagnostic[] {
  const out: CoreDiagnostic[] = [];
  // The span is looked up only for an unknown id: finding a key in a YAML map scans its pairs, and this runs on every
  // edit over every threat.
  const report = (id: string, spanOf: () => Span | undefined) => {
    if (ruleSet.byId.has(id)) return;
    const span = spanOf();
    if (!span) return;
    const suggestions = suggest(id, ruleSet.byId.keys());
    out.push({
      code: DiagnosticCode.UnknownRule,
      severity: 'warning',
      message: `Unknown rule ${quoted(id)}: no loaded rule pack defines it.${didYouMean(suggestions)}`,
      span,
      data: { suggestions },
    });
  };
  for (const t of model.threats) {
    if (own(t) && typeof t.data.rule === 'string') report(t.data.rule, () => nodeSpan(t.node.get('rule', true)));
  }
  const elements: Element[] = [
    ...model.components,
    ...model.flows,
    ...model.boundaries,
    ...model.data,
    ...model.threats,
    ...model.mitigations,
  ];
  for (const e of elements) {
    const entries = e.data.disabledRules;
    if (!Array.isArray(entries) || !own(e)) continue;
    entries.forEach((entry: unknown, i) => {
      const id = entry && typeof entry === 'object' ? (entry as { rule?: unknown }).rule : undefined;
      if (typeof id === 'string') report(id, () => nodeSpan(e.node.getIn(['disabledRules', i, 'rule'], true)));
    });
  }
  for (const entry of model.disabledRuleEntries) report(entry.rule, () => entry.span);
  return out;
}

function nodeSpan(node: unknown): Span | undefined {
  const range = node && typeof node === 'object' && 'range' in node ? (node as { range?: [number, number, number] }).range : undefined;
  return range ? { start: range[0], end: range[1] } : undefined;
}
