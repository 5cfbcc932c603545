/**
 * Compliance of one model with one framework (and level, or baseline): for each control the model makes relevant,
 * whether it is evidenced, planned, a gap or not applicable, and what in the model says so.
 *
 * A control is relevant when a rule that applies to an element suggests a mitigation that implements it (the catalog's
 * `compliance:`), or when a mitigation of the model names it. What the finding of that rule on that element says
 * decides: covered by the element's stated controls, or its threat mitigated by a mitigation implemented or verified,
 * is evidence; a mitigation proposed, planned or in progress is planned; an open finding, or a risk accepted or
 * transferred, is a gap; a rule switched off with a reason, or a threat judged not applicable, is not applicable. A
 * control missing on one element is a gap whatever the others show, and one only planned somewhere is planned: the
 * evidence is listed with it. Controls of the level the model touches in no way are counted, not listed: the model
 * does not describe them.
 */
import type { Element, Mitigation, Span } from '../model/types';
import type { Analysis } from './analyze';
import { resolveFramework } from './compliance-frameworks';
import type { Finding } from './rules/engine';
import type { Rule, RuleSet } from './rules/types';

export type ControlStatus = 'evidenced' | 'planned' | 'gap' | 'not-applicable';

/** One thing in the model that bears on a control, with where it is written. */
export interface ComplianceItem {
  readonly text: string;
  /** The element it concerns, by id. */
  readonly element?: string;
  readonly rule?: string;
  readonly span: Span;
}

export interface ControlResult {
  readonly id: string;
  readonly title: string;
  readonly status: ControlStatus;
  readonly evidence: readonly ComplianceItem[];
  readonly planned: readonly ComplianceItem[];
  readonly gaps: readonly ComplianceItem[];
  readonly notApplicable: readonly ComplianceItem[];
}

export interface ComplianceReport {
  readonly framework: { readonly id: string; readonly title: string; readonly version?: string; readonly url?: string };
  /** The level or baseline assessed; all the framework's controls when undefined. */
  readonly level?: string;
  /** How many controls the level has. */
  readonly inScope: number;
  /** The relevant controls, in the framework's order. */
  readonly controls: readonly ControlResult[];
  readonly counts: Readonly<Record<ControlStatus, number>>;
  /** Controls of the level that nothing in the model bears on. */
  readonly untouched: number;
}

export function assessCompliance(analysis: Analysis, ruleSet: RuleSet, selector: string): ComplianceReport | { error: string } {
  const resolved = resolveFramework(selector, ruleSet.frameworks);
  if ('error' in resolved) return resolved;
  const { framework, level } = resolved;
  const model = analysis.parsed.model;
  const scope = new Set(level !== undefined ? framework.levels[level] : framework.controls.map((c) => c.id));
  const items = new Map<
    string,
    { evidence: ComplianceItem[]; planned: ComplianceItem[]; gaps: ComplianceItem[]; notApplicable: ComplianceItem[] }
  >();
  const add = (ids: Iterable<string>, kind: 'evidence' | 'planned' | 'gaps' | 'notApplicable', item: ComplianceItem) => {
    for (const id of ids) {
      if (!scope.has(id)) continue;
      let entry = items.get(id);
      if (!entry) items.set(id, (entry = { evidence: [], planned: [], gaps: [], notApplicable: [] }));
      entry[kind].push(item);
    }
  };

  // What each rule's suggested mitigations implement in this framework, computed once per rule.
  const controlsOfRule = new Map<Rule, readonly string[]>();
  const controlsOf = (rule: Rule) => {
    let ids = controlsOfRule.get(rule);
    if (!ids) {
      ids = [...new Set(rule.mitigations.flatMap((m) => ruleSet.mitigations.get(m)?.compliance?.[framework.id] ?? []))];
      controlsOfRule.set(rule, ids);
    }
    return ids;
  };
  const mitigationsById = new Map((model?.mitigations ?? []).map((m) => [m.id, m]));

  for (const finding of analysis.findings) {
    const ids = controlsOf(finding.rule);
    if (ids.length === 0) continue;
    const where = findingItem(finding, model?.systemSpan ?? { start: 0, end: 0 });
    switch (finding.status) {
      case 'covered': {
        const stated = unlessProperties(finding.rule);
        add(ids, 'evidence', {
          ...where,
          text: `${where.text}: covered by what it states${stated ? ` (${stated})` : ''} (${finding.rule.id})`,
        });
        break;
      }
      case 'disabled':
        add(ids, 'notApplicable', {
          ...where,
          text: `${where.text}: ${finding.rule.id} switched off — ${finding.disabledReason ?? 'no reason given'}`,
        });
        break;
      case 'open':
        add(ids, 'gaps', { ...where, text: `${where.text}: ${finding.title} (${finding.rule.id}, open)` });
        break;
      case 'addressed': {
        const threat = finding.threat!;
        const status = String(threat.data.status ?? 'open');
        const threatSpan = threat.idSpan ?? threat.span;
        if (status === 'not-applicable' || status === 'false-positive' || status === 'avoided') {
          const why = typeof threat.data.justification === 'string' ? ` — ${threat.data.justification}` : '';
          add(ids, 'notApplicable', { ...where, span: threatSpan, text: `${where.text}: threat ${threat.id} is ${status}${why}` });
          break;
        }
        if (status === 'accepted' || status === 'transferred') {
          add(ids, 'gaps', { ...where, span: threatSpan, text: `${where.text}: ${finding.title} — risk ${status} (threat ${threat.id})` });
          break;
        }
        const linked = strings(threat.data.mitigations).flatMap((id) => mitigationsById.get(id) ?? []);
        const done = linked.filter((m) => isDone(m.data.status));
        const coming = linked.filter((m) => !isDone(m.data.status) && m.data.status !== 'wont-do');
        for (const m of done) add(ids, 'evidence', mitigationItem(m, `for threat ${threat.id} on ${where.text}`, where.element));
        if (done.length === 0) {
          for (const m of coming) add(ids, 'planned', mitigationItem(m, `for threat ${threat.id} on ${where.text}`, where.element));
          if (coming.length === 0)
            add(ids, 'gaps', {
              ...where,
              span: threatSpan,
              text: `${where.text}: ${finding.title} — threat ${threat.id} has no mitigation`,
            });
        }
        break;
      }
    }
  }

  // Mitigations of the model that name ASVS requirements themselves (`asvs:`).
  if (framework.id === 'asvs-5.0') {
    for (const m of model?.mitigations ?? []) {
      const ids = strings(m.data.asvs);
      if (ids.length === 0) continue;
      if (isDone(m.data.status)) add(ids, 'evidence', mitigationItem(m, 'names it'));
      else if (m.data.status !== 'wont-do') add(ids, 'planned', mitigationItem(m, 'names it'));
    }
  }

  const controls: ControlResult[] = [];
  const counts: Record<ControlStatus, number> = { evidenced: 0, planned: 0, gap: 0, 'not-applicable': 0 };
  for (const control of framework.controls) {
    const entry = items.get(control.id);
    if (!entry) continue;
    // Missing anywhere is a gap; else planned anywhere is not done yet; only then is evidence the whole answer.
    const status: ControlStatus =
      entry.gaps.length > 0 ? 'gap' : entry.planned.length > 0 ? 'planned' : entry.evidence.length > 0 ? 'evidenced' : 'not-applicable';
    counts[status]++;
    controls.push({ id: control.id, title: control.title, status, ...entry });
  }
  return {
    framework: {
      id: framework.id,
      title: framework.title,
      ...(framework.version !== undefined && { version: framework.version }),
      ...(framework.url !== undefined && { url: framework.url }),
    },
    ...(level !== undefined && { level }),
    inScope: scope.size,
    controls,
    counts,
    untouched: scope.size - controls.length,
  };
}

/** The properties a rule's `unless` reads (what, stated, covers it), for a person to find them: at most three. */
const unlessCache = new WeakMap<Rule, string>();
function unlessProperties(rule: Rule): string {
  let text = unlessCache.get(rule);
  if (text === undefined) {
    const props = new Set<string>();
    const walk = (c: unknown, depth: number): void => {
      if (!isObject(c) || depth > 20) return;
      // What kind of element it is is why the rule applies, not what covers it.
      if (typeof c.prop === 'string' && c.prop !== 'type' && c.prop !== 'kind') props.add(c.prop);
      for (const value of Object.values(c)) {
        if (Array.isArray(value)) for (const v of value) walk(v, depth + 1);
        else if (isObject(value)) walk(value, depth + 1);
      }
    };
    walk(rule.unless, 0);
    const list = [...props];
    text = list.length > 3 ? `${list.slice(0, 3).join(', ')} …` : list.join(', ');
    unlessCache.set(rule, text);
  }
  return text;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function findingItem(finding: Finding, modelSpan: Span): { text: string; element?: string; rule: string; span: Span } {
  const element = finding.element;
  return {
    text: element ? nameOf(element) : 'the model',
    ...(element && { element: element.id }),
    rule: finding.rule.id,
    span: element ? (element.idSpan ?? element.span) : modelSpan,
  };
}

function mitigationItem(m: Mitigation, why: string, element?: string): ComplianceItem {
  return {
    text: `${String(m.data.title ?? m.id)} (${String(m.data.status ?? 'no status')}) — ${why}`,
    ...(element !== undefined && { element }),
    span: m.idSpan ?? m.span,
  };
}

function nameOf(e: Element): string {
  const name = (e.data as { name?: unknown }).name;
  return typeof name === 'string' && name ? name : e.id;
}

/** Implemented or verified: `wont-do`, done in the tracker's sense, is evidence of nothing. */
function isDone(status: unknown): boolean {
  return status === 'implemented' || status === 'verified';
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
