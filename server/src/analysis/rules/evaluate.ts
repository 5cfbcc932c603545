/**
 * Evaluates a condition tree on a subject. Rules are walked, never compiled or executed. Conditions were validated
 * when their pack was loaded (shape, depth, quantifier nesting), so evaluation is bounded by the model's size.
 * Why a condition holds, in words, is `explain.ts`.
 */
import { type ModelIndex, type Subject } from './facts';
import { type Condition, type LeafCondition, OPERATORS, type Operator, QUANTIFIERS, type Quantifier, SCALES } from './types';
import { isSet, NAME_LIMIT, own, shown } from '../../shared/values';

/**
 * What kind of node a condition is, worked out once per node (packs are validated when loaded, so a node has exactly
 * one shape). Most evaluations are false, so `holds` allocates nothing; explanations are built only for the
 * conditions that held.
 */
export type Shape =
  | { readonly kind: 'all'; readonly children: readonly Condition[] }
  | { readonly kind: 'any'; readonly children: readonly Condition[] }
  | { readonly kind: 'not'; readonly child: Condition }
  | { readonly kind: 'quantifier'; readonly q: Quantifier; readonly child: Condition }
  | { readonly kind: 'leaf'; readonly op: Operator | undefined; readonly name: string; readonly leaf: LeafCondition };

const shapes = new WeakMap<Condition, Shape>();

export function shapeOf(cond: Condition): Shape {
  let shape = shapes.get(cond);
  if (!shape) {
    if ('all' in cond && cond.all) shape = { kind: 'all', children: cond.all };
    else if ('any' in cond && cond.any) shape = { kind: 'any', children: cond.any };
    else if ('not' in cond && cond.not) shape = { kind: 'not', child: cond.not };
    else {
      const q = QUANTIFIERS.find((k) => k in cond);
      if (q) shape = { kind: 'quantifier', q, child: (cond as Record<Quantifier, Condition>)[q] };
      else {
        const leaf = cond as LeafCondition;
        shape = { kind: 'leaf', op: OPERATORS.find((o) => o in leaf), name: leaf.prop ?? leaf.fact ?? '', leaf };
      }
    }
    shapes.set(cond, shape);
  }
  return shape;
}

/** Whether the condition holds. Allocation-free on the common path. */
export function holds(cond: Condition, subject: Subject, index: ModelIndex): boolean {
  const shape = shapeOf(cond);
  switch (shape.kind) {
    case 'all':
      for (const c of shape.children) if (!holds(c, subject, index)) return false;
      return true;
    case 'any':
      for (const c of shape.children) if (holds(c, subject, index)) return true;
      return false;
    case 'not': {
      index.negation++;
      const inner = holds(shape.child, subject, index);
      index.negation--;
      return !inner;
    }
    case 'quantifier': {
      const related = index.related(shape.q, subject);
      if (shape.q.startsWith('all')) {
        for (const e of related) if (!holds(shape.child, index.subject(e), index)) return false;
        return true;
      }
      for (const e of related) if (holds(shape.child, index.subject(e), index)) return true;
      return false;
    }
    case 'leaf':
      return shape.op !== undefined && test(shape.op, shape.leaf, actualValue(shape.leaf, shape.name, subject, index));
  }
}

export function actualValue(leaf: LeafCondition, name: string, subject: Subject, index: ModelIndex): unknown {
  return leaf.fact !== undefined ? index.fact(leaf.fact, subject) : readProperty(subject.data, name);
}

export const QUANTIFIER_PHRASE: Readonly<Record<Quantifier, string>> = {
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
  boundary: 'its boundary',
  anyEnclosing: 'some enclosing boundary',
  anyUpstream: 'some component upstream',
  anyCarrier: 'some flow carrying it',
};

export function readProperty(data: Readonly<Record<string, unknown>>, path: string): unknown {
  let v: unknown = data;
  for (const seg of path.split('.')) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    v = own(v as Record<string, unknown>, seg);
  }
  return v;
}

function test(op: Operator, cond: LeafCondition, actual: unknown): boolean {
  const expected = cond[op];
  switch (op) {
    case 'eq':
      return actual === expected;
    case 'ne':
      return actual !== expected;
    case 'in':
      return (expected as unknown[]).includes(actual);
    case 'notIn':
      return !(expected as unknown[]).includes(actual);
    case 'gte':
    case 'lte': {
      const scaleName = cond.fact === 'maxClassification' ? 'classification' : ((cond.fact ?? cond.prop ?? '').split('.').pop() ?? '');
      const scale = own(SCALES, scaleName) ?? [];
      const a = scale.indexOf(String(actual));
      const b = scale.indexOf(String(expected));
      return a >= 0 && b >= 0 && (op === 'gte' ? a >= b : a <= b);
    }
    case 'exists':
      return isSet(actual) === expected;
    case 'contains':
      return listOf(actual).includes(expected);
    case 'containsAny':
      return (expected as unknown[]).some((x) => listOf(actual).includes(x));
  }
}

/** A property that takes one value or a list of them (a data asset's `category`) is read as a list. */
function listOf(value: unknown): readonly unknown[] {
  if (Array.isArray(value)) return value;
  return value === undefined || value === null ? [] : [value];
}

/** A value in a reason or a rule's description: as written, clipped like every value in a message. */
export function show(v: unknown): string {
  if (v === undefined || v === null) return 'unset';
  if (Array.isArray(v)) return shown(`[${v.slice(0, NAME_LIMIT).map(show).join(', ')}${v.length > NAME_LIMIT ? ', …' : ''}]`, NAME_LIMIT);
  return shown(v, NAME_LIMIT);
}

/** A condition in the rule language's own terms, for rule authors (docs/rules.md). People read `coverText`. */
export function describe(cond: Condition): string {
  const shape = shapeOf(cond);
  switch (shape.kind) {
    case 'all':
      return shape.children.map((c) => wrap(c)).join(' and ');
    case 'any':
      return shape.children.map((c) => wrap(c)).join(' or ');
    case 'not':
      return `not (${describe(shape.child)})`;
    case 'quantifier':
      return `${QUANTIFIER_PHRASE[shape.q]}: ${describe(shape.child)}`;
    case 'leaf':
      break;
  }
  const { op, name, leaf } = shape;
  if (!op) return name || '?';
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
