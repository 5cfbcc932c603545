/**
 * Evaluates a condition tree on a subject and explains the result: which property values made it hold. Rules are
 * walked, never compiled or executed. Conditions were validated when their pack was loaded (shape, depth,
 * quantifier nesting), so evaluation is bounded by the model's size.
 */
import { ModelIndex, Subject } from './facts';
import { Condition, LeafCondition, OPERATORS, Operator, QUANTIFIERS, Quantifier, SCALES } from './types';

export interface Evaluation {
  readonly holds: boolean;
  /** When it holds: the facts that made it hold, e.g. "authentication = none". */
  readonly because: readonly string[];
}

const FALSE: Evaluation = { holds: false, because: [] };

export function evaluate(cond: Condition, subject: Subject, index: ModelIndex): Evaluation {
  if ('all' in cond && cond.all) {
    const because: string[] = [];
    for (const c of cond.all) {
      const r = evaluate(c, subject, index);
      if (!r.holds) return FALSE;
      because.push(...r.because);
    }
    return { holds: true, because };
  }
  if ('any' in cond && cond.any) {
    for (const c of cond.any) {
      const r = evaluate(c, subject, index);
      if (r.holds) return r;
    }
    return FALSE;
  }
  if ('not' in cond && cond.not) {
    const r = evaluate(cond.not, subject, index);
    return r.holds ? FALSE : { holds: true, because: [`not (${describe(cond.not)})`] };
  }
  const q = quantifierOf(cond);
  if (q) return evaluateQuantifier(q, (cond as Record<Quantifier, Condition>)[q], subject, index);
  return evaluateLeaf(cond as LeafCondition, subject, index);
}

function quantifierOf(cond: Condition): Quantifier | undefined {
  for (const q of QUANTIFIERS) if (q in cond) return q;
  return undefined;
}

function evaluateQuantifier(q: Quantifier, inner: Condition, subject: Subject, index: ModelIndex): Evaluation {
  const related = index.related(q, subject).map((e) => index.subject(e));
  if (q.startsWith('all')) {
    // Vacuously true over nothing; say so, because "every inbound flow..." over none surprises readers.
    if (related.length === 0) return { holds: true, because: [`${QUANTIFIER_PHRASE[q]}: there are none`] };
    for (const r of related) if (!evaluate(inner, r, index).holds) return FALSE;
    return { holds: true, because: [`${QUANTIFIER_PHRASE[q]} (${related.length}): ${describe(inner)}`] };
  }
  for (const r of related) {
    const e = evaluate(inner, r, index);
    if (e.holds) return { holds: true, because: e.because.map((b) => `${r.label}: ${b}`) };
  }
  return FALSE;
}

const QUANTIFIER_PHRASE: Readonly<Record<Quantifier, string>> = {
  source: 'source',
  target: 'target',
  anyData: 'some data',
  allData: 'every data asset',
  anyInbound: 'some inbound flow',
  allInbound: 'every inbound flow',
  anyOutbound: 'some outbound flow',
  allOutbound: 'every outbound flow',
  anyStored: 'some stored data',
  anyMember: 'some member',
  anyMitigation: 'some mitigation',
  anyTarget: 'some target',
  anyComponent: 'some component',
  anyFlow: 'some flow',
};

function operatorOf(cond: LeafCondition): Operator | undefined {
  for (const op of OPERATORS) if (op in cond) return op;
  return undefined;
}

export function readProperty(data: Readonly<Record<string, unknown>>, path: string): unknown {
  let v: unknown = data;
  for (const seg of path.split('.')) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[seg];
  }
  return v;
}

function isSet(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);
}

function evaluateLeaf(cond: LeafCondition, subject: Subject, index: ModelIndex): Evaluation {
  const op = operatorOf(cond);
  if (!op) return FALSE;
  const name = cond.prop ?? cond.fact ?? '';
  const actual = cond.fact !== undefined ? index.fact(cond.fact, subject) : readProperty(subject.data, name);
  const expected = cond[op];
  let holds: boolean;
  switch (op) {
    case 'eq':
      holds = actual === expected;
      break;
    case 'ne':
      holds = actual !== expected;
      break;
    case 'in':
      holds = (expected as unknown[]).includes(actual);
      break;
    case 'notIn':
      holds = !(expected as unknown[]).includes(actual);
      break;
    case 'gte':
    case 'lte': {
      const scaleName = cond.fact === 'maxClassification' ? 'classification' : (name.split('.').pop() ?? '');
      const scale = SCALES[scaleName] ?? [];
      const a = scale.indexOf(String(actual));
      const b = scale.indexOf(String(expected));
      holds = a >= 0 && b >= 0 && (op === 'gte' ? a >= b : a <= b);
      break;
    }
    case 'exists':
      holds = isSet(actual) === expected;
      break;
    case 'contains':
      holds = Array.isArray(actual) && actual.includes(expected);
      break;
    case 'containsAny':
      holds = Array.isArray(actual) && (expected as unknown[]).some((x) => actual.includes(x));
      break;
  }
  return holds ? { holds, because: [`${name} ${explainValue(op, actual, expected)}`] } : FALSE;
}

function show(v: unknown): string {
  if (v === undefined || v === null) return 'unset';
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  return String(v);
}

function explainValue(op: Operator, actual: unknown, expected: unknown): string {
  switch (op) {
    case 'eq':
      return `= ${show(actual)}`;
    case 'ne':
    case 'notIn':
      return actual === undefined ? 'is unset' : `= ${show(actual)}`;
    case 'in':
      return `= ${show(actual)}`;
    case 'gte':
      return `= ${show(actual)} (≥ ${show(expected)})`;
    case 'lte':
      return `= ${show(actual)} (≤ ${show(expected)})`;
    case 'exists':
      return expected ? `= ${show(actual)}` : 'is unset';
    case 'contains':
    case 'containsAny':
      return `= ${show(actual)}`;
  }
}

/** A condition in words, for "covered when ..." and docs. */
export function describe(cond: Condition): string {
  if ('all' in cond && cond.all) return cond.all.map((c) => wrap(c)).join(' and ');
  if ('any' in cond && cond.any) return cond.any.map((c) => wrap(c)).join(' or ');
  if ('not' in cond && cond.not) return `not (${describe(cond.not)})`;
  const q = quantifierOf(cond);
  if (q) return `${QUANTIFIER_PHRASE[q]}: ${describe((cond as Record<Quantifier, Condition>)[q])}`;
  const leaf = cond as LeafCondition;
  const op = operatorOf(leaf);
  const name = leaf.prop ?? leaf.fact ?? '?';
  if (!op) return name;
  const v = leaf[op];
  switch (op) {
    case 'eq':
      return `${name} = ${show(v)}`;
    case 'ne':
      return `${name} ≠ ${show(v)}`;
    case 'in':
      return `${name} in ${show(v)}`;
    case 'notIn':
      return `${name} not in ${show(v)}`;
    case 'gte':
      return `${name} ≥ ${show(v)}`;
    case 'lte':
      return `${name} ≤ ${show(v)}`;
    case 'exists':
      return v ? `${name} is set` : `${name} is unset`;
    case 'contains':
      return `${name} contains ${show(v)}`;
    case 'containsAny':
      return `${name} contains any of ${show(v)}`;
  }
}

function wrap(c: Condition): string {
  const text = describe(c);
  return ('all' in c && c.all) || ('any' in c && c.any) ? `(${text})` : text;
}
