/**
 * Runs a rule set over a model and turns what it finds into findings and diagnostics.
 *
 * A rule applies to an element when its `when` holds. The finding is then
 *  - covered    when the rule's `unless` (a control) holds,
 *  - addressed  when a threat records it (`rule:` this rule, `targets:` this element), whatever its status,
 *  - disabled   when the model or the element disables the rule with a reason,
 *  - open       otherwise: only open findings become diagnostics.
 */
import { CoreDiagnostic, DiagnosticCode } from '../../model/diagnostics';
import { didYouMean, suggest } from '../../model/suggest';
import { STRIDE_LETTER } from '../../model/types';
import type { Element, Span, Threat, ThreatModel } from '../../model/types';
import { describe, explain, holds, readProperty } from './evaluate';
import { ModelIndex, Subject } from './facts';
import { Condition, LeafCondition, Rule, RuleSet, RuleTarget } from './types';

export type FindingStatus = 'open' | 'covered' | 'addressed' | 'disabled';

export interface Finding {
  /** Stable id: RULE@element (RULE@model for model-wide rules). */
  readonly id: string;
  readonly rule: Rule;
  readonly element: Element | undefined;
  readonly elementId: string;
  readonly status: FindingStatus;
  readonly title: string;
  /** The property values that made the rule apply. */
  readonly because: readonly string[];
  /** The threat that records this finding, when addressed. */
  readonly threat?: Threat;
  readonly disabledReason?: string;
}

/** What a quick fix needs to act on a finding; carried in the diagnostic's `data`. */
export interface FindingData {
  readonly findingId: string;
  readonly rule: string;
  readonly element: string;
  readonly title: string;
  readonly stride: readonly string[];
  readonly severity: string;
  readonly mitigations: readonly { id: string; title: string; description: string }[];
  /** Properties whose setting covers the rule, e.g. { property: 'controls.csrfProtection', value: true }. */
  readonly controls: readonly { property: string; value: unknown }[];
}

export interface RuleResult {
  readonly findings: readonly Finding[];
  readonly diagnostics: readonly CoreDiagnostic[];
}

export interface RunOptions {
  /** Where model-wide findings are shown (the `system` key, usually). */
  readonly modelSpan: Span;
}

export const MODEL_ELEMENT_ID = 'model';

export function runRules(model: ThreatModel, ruleSet: RuleSet, options: RunOptions): RuleResult {
  const index = new ModelIndex(model);
  const findings: Finding[] = [];
  const modelDisabled = disabledRulesOf(model.disabledRules);

  const elementDisabled = new Map<Element, Map<string, string>>();
  const subjectsByTarget = new Map<RuleTarget, Subject[]>();

  for (const rule of ruleSet.rules) {
    let subjects = subjectsByTarget.get(rule.target);
    if (!subjects) subjectsByTarget.set(rule.target, (subjects = subjectsFor(rule.target, model, index)));
    for (const subject of subjects) {
      if (!holds(rule.when, subject, index)) continue;
      const element = subject.element;
      const elementId = element?.id ?? MODEL_ELEMENT_ID;
      const id = `${rule.id}@${elementId}`;
      const title = renderTitle(rule.title, subject, index);
      // `when` holds (checked just above): only the explanation is left to build.
      const because = [...new Set(explain(rule.when, subject, index))];
      const base = { id, rule, element, elementId, title, because };
      let disabledHere: Map<string, string> | undefined;
      if (element) {
        disabledHere = elementDisabled.get(element);
        if (!disabledHere) elementDisabled.set(element, (disabledHere = disabledRulesOf(element.data.disabledRules)));
      }
      const disabled = disabledHere?.get(rule.id) ?? modelDisabled.get(rule.id);
      const threat = index.recorded.get(id);
      if (disabled !== undefined) findings.push({ ...base, status: 'disabled', disabledReason: disabled });
      else if (rule.unless && holds(rule.unless, subject, index)) findings.push({ ...base, status: 'covered' });
      else if (threat) findings.push({ ...base, status: 'addressed', threat });
      else findings.push({ ...base, status: 'open' });
    }
  }

  // What a finding's diagnostic says beyond its title is the same for every finding of a rule: build it once.
  const perRule = new Map<Rule, RuleText>();
  const diagnostics: CoreDiagnostic[] = [];
  for (const f of findings) {
    if (f.status !== 'open') continue;
    let text = perRule.get(f.rule);
    if (!text) perRule.set(f.rule, (text = ruleText(f.rule, ruleSet)));
    diagnostics.push(findingDiagnostic(f, text, options.modelSpan));
  }
  diagnostics.push(...checkRuleReferences(model, ruleSet));
  return { findings, diagnostics };
}

function subjectsFor(target: RuleTarget, model: ThreatModel, index: ModelIndex): Subject[] {
  const inScope = (c: Element<'components'>) => c.data.inScope !== false;
  switch (target) {
    case 'process':
    case 'datastore':
    case 'external':
      return model.components.filter((c) => c.data.type === target && inScope(c)).map((c) => index.subject(c));
    case 'component':
      return model.components.filter(inScope).map((c) => index.subject(c));
    case 'flow':
      return model.flows.map((f) => index.subject(f));
    case 'boundary':
      return model.boundaries.map((b) => index.subject(b));
    case 'data':
      return model.data.map((d) => index.subject(d));
    case 'threat':
      return model.threats.map((t) => index.subject(t));
    case 'mitigation':
      return model.mitigations.map((m) => index.subject(m));
    case 'model':
      return [index.modelSubject];
  }
}

function disabledRulesOf(value: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (!Array.isArray(value)) return out;
  for (const entry of value) {
    if (entry && typeof entry === 'object' && typeof entry.rule === 'string' && typeof entry.reason === 'string' && entry.reason.trim()) {
      out.set(entry.rule, entry.reason);
    }
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
    return value === undefined || value === null ? '?' : String(value);
  });
  return text.charAt(0).toUpperCase() + text.slice(1);
}


interface RuleText {
  readonly stride: string;
  readonly covered: string;
  readonly mitigations: FindingData['mitigations'];
  readonly controls: FindingData['controls'];
}

function ruleText(rule: Rule, ruleSet: RuleSet): RuleText {
  return {
    stride: rule.stride.map((s) => STRIDE_LETTER[s]).join(''),
    covered: rule.unless ? ` Covered when ${describe(rule.unless)}.` : '',
    mitigations: rule.mitigations.flatMap((id) => {
      const m = ruleSet.mitigations.get(id);
      return m ? [{ id: m.id, title: m.title, description: m.description }] : [];
    }),
    controls: rule.unless ? coveringControls(rule.unless) : [],
  };
}

function findingDiagnostic(f: Finding, text: RuleText, modelSpan: Span): CoreDiagnostic {
  const rule = f.rule;
  const data: FindingData = {
    findingId: f.id,
    rule: rule.id,
    element: f.elementId,
    title: f.title,
    stride: rule.stride,
    severity: rule.severity,
    mitigations: text.mitigations,
    controls: text.controls,
  };
  return {
    code: rule.id,
    severity: rule.severity === 'low' ? 'info' : 'warning',
    message: `${f.title}${text.stride ? ` [${text.stride}]` : ''}. Applies because ${f.because.join('; ')}.${text.covered}`,
    span: f.element ? (f.element.idSpan ?? f.element.span) : modelSpan,
    data: data as unknown as CoreDiagnostic['data'],
  };
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
function checkRuleReferences(model: ThreatModel, ruleSet: RuleSet): CoreDiagnostic[] {
  const out: CoreDiagnostic[] = [];
  const report = (id: string, span: Span | undefined) => {
    if (!span || ruleSet.byId.has(id)) return;
    const suggestions = suggest(id, ruleSet.byId.keys());
    out.push({
      code: DiagnosticCode.UnknownRule,
      severity: 'warning',
      message: `Unknown rule '${id}': no loaded rule pack defines it.${didYouMean(suggestions)}`,
      span,
      data: { suggestions },
    });
  };
  for (const t of model.threats) {
    if (typeof t.data.rule === 'string') report(t.data.rule, nodeSpan(t.node.get('rule', true)));
  }
  const elements: Element[] = [...model.components, ...model.flows, ...model.boundaries, ...model.data, ...model.threats, ...model.mitigations];
  for (const e of elements) {
    const entries = e.data.disabledRules;
    if (!Array.isArray(entries)) continue;
    entries.forEach((entry: unknown, i) => {
      const id = entry && typeof entry === 'object' ? (entry as { rule?: unknown }).rule : undefined;
      if (typeof id === 'string') report(id, nodeSpan(e.node.getIn(['disabledRules', i, 'rule'], true)));
    });
  }
  for (const entry of model.disabledRuleEntries) report(entry.rule, entry.span);
  return out;
}

function nodeSpan(node: unknown): Span | undefined {
  const range = node && typeof node === 'object' && 'range' in node ? (node as { range?: [number, number, number] }).range : undefined;
  return range ? { start: range[0], end: range[1] } : undefined;
}
