/**
 * Why a rule applies, and what covers it, in the words a security reviewer would use: "Login request is not encrypted
 * in transit", "Shop API has authentication: none", "controls.validatesInput: true". The rule language's own terms
 * (facts, operators, quantifiers) never reach a person; docs/rules.md keeps them for rule authors (`describe`).
 *
 * Each reason also says which element and property show it, so that an editor can point at them.
 */
import type { Element } from '../../model/types';
import { isSet, NAME_LIMIT, plainText, shown } from '../../shared/values';
import { actualValue, holds, shapeOf, show } from './evaluate';
import type { ModelIndex, Subject } from './facts';
import { type Condition, factInfo, type FactName, isFactName, type LeafCondition, type Operator, type Quantifier } from './types';

export interface Reason {
  /** The element the reason is about; undefined for the model. */
  readonly element: Element | undefined;
  /** The property of `element` that shows it, when it has one: editors point there. */
  readonly property: string | undefined;
  readonly text: string;
  /**
   * How well the property is *the* cause of the finding, for placing the finding on it: 1 for a value that fails the
   * rule's control or is a flaw in itself (`protocol: http`), 2 for a value that makes the rule apply
   * (`authentication: password`), 3 for a property that is merely stated, 0 for context and for absences (a finding
   * about something missing stays on the element's id).
   */
  readonly rank: number;
}

/** Why a condition that holds holds: the values along the path that made it true, in words. */
export function explain(cond: Condition, subject: Subject, index: ModelIndex): Reason[] {
  const shape = shapeOf(cond);
  switch (shape.kind) {
    case 'all':
      return shape.children.flatMap((c) => explain(c, subject, index));
    case 'any': {
      const first = shape.children.find((c) => holds(c, subject, index));
      return first ? explain(first, subject, index) : [];
    }
    case 'not':
      // Exclusions ("not a password people choose") are why a rule stays quiet elsewhere, not why it applies here.
      return [];
    case 'quantifier': {
      const related = index.related(shape.q, subject).map((e) => index.subject(e));
      if (shape.q.startsWith('all')) {
        const plural = ALL_PLURAL[shape.q] ?? 'related elements';
        const text =
          related.length === 0
            ? `${nameOf(subject)} has no ${plural}`
            : `${nameOf(subject)}: ${related.length === 1 ? `its one ${plural.replace(/s$/, '')}` : `all ${related.length} ${plural}`} with ${coverText(shape.child)}`;
        return [{ element: subject.element, property: undefined, text, rank: 0 }];
      }
      const match = related.find((r) => holds(shape.child, r, index));
      return match ? explain(shape.child, match, index) : [];
    }
    case 'leaf':
      return shape.op ? leafReasons(shape.leaf, shape.op, shape.name, subject, index) : [];
  }
}

function leafReasons(leaf: LeafCondition, op: Operator, name: string, subject: Subject, index: ModelIndex): Reason[] {
  const actual = actualValue(leaf, name, subject, index);
  const who = nameOf(subject);
  if (leaf.fact !== undefined) {
    // "is a call" and "leaves the host" say nothing a reader does not see: most rules are about such flows.
    if ((leaf.fact === 'isCall' && actual === true) || ((leaf.fact === 'local' || leaf.fact === 'physical') && actual === false)) return [];
    if (leaf.fact === 'hostileInputPath' && actual === true && subject.element) return pathReasons(subject.element, index);
    if (!isFactName(leaf.fact)) return [];
    const property = factProperty(leaf.fact, subject);
    return [
      {
        element: subject.element,
        property,
        text: `${who} ${factWords(leaf.fact, actual, subject)}`,
        rank: property && factInfo(leaf.fact)?.cause ? 1 : 0,
      },
    ];
  }
  // `ne` and `notIn` on a property exclude cases ("not a browser"); they do not say why the rule applies. Nor does an
  // element's type, which the finding's title names already.
  if (op === 'ne' || op === 'notIn' || name === 'type') return [];
  if (!isSet(actual)) return [{ element: subject.element, property: undefined, text: `${who} does not state ${name}`, rank: 0 }];
  // What an element is (its kind) is context; a value it was given (`authentication: password`) is a cause.
  const rank = name === 'kind' ? 0 : op === 'exists' ? 3 : 2;
  return [{ element: subject.element, property: name, text: `${who} has ${name}: ${show(actual)}`, rank }];
}

/**
 * An attack path, hop by hop, each on its flow: "Internet user calls Gateway (carries Order)", "… Gateway passes it to
 * Orders service". The first names where the hostile input starts.
 */
function pathReasons(target: Element, index: ModelIndex): Reason[] {
  const path = index.pathTo(target) ?? [];
  return path.map((flow, i) => {
    const s = index.subject(flow);
    const from = index.related('source', s)[0];
    const to = index.related('target', s)[0];
    const name = (e: Element | undefined) => (e ? nameOf(index.subject(e)) : '?');
    const data = Array.isArray(flow.data.data) && flow.data.data.length ? ` (${show(flow.data.data)})` : '';
    const text =
      i === 0
        ? `Attack path: ${name(from)}, in a zone nobody vouches for, reaches ${name(to)}${data}`
        : `Attack path: ${name(from)} passes it to ${name(to)}${data}`;
    return { element: flow, property: undefined, text, rank: 0 };
  });
}

/**
 * Why a rule's control does not hold: the stated values that fail it ("Login request has protocol: http", "… is not
 * encrypted in transit"). These are the strongest causes: changing them is what covers the finding. Values that are
 * simply not stated are left out; the hover says which control covers the rule.
 */
export function explainUncovered(cond: Condition, subject: Subject, index: ModelIndex): Reason[] {
  const shape = shapeOf(cond);
  switch (shape.kind) {
    case 'all':
    case 'any':
      return shape.children.filter((c) => !holds(c, subject, index)).flatMap((c) => explainUncovered(c, subject, index));
    case 'not':
    case 'quantifier':
      return [];
    case 'leaf': {
      if (!shape.op) return [];
      const actual = actualValue(shape.leaf, shape.name, subject, index);
      const who = nameOf(subject);
      if (shape.leaf.fact !== undefined) {
        if (!isFactName(shape.leaf.fact)) return [];
        const property = factProperty(shape.leaf.fact, subject);
        if (!property || actual === undefined || actual === 'unknown') return [];
        return [{ element: subject.element, property, text: `${who} ${factWords(shape.leaf.fact, actual, subject)}`, rank: 1 }];
      }
      if (!isSet(actual)) return [];
      return [{ element: subject.element, property: shape.name, text: `${who} has ${shape.name}: ${show(actual)}`, rank: 1 }];
    }
  }
}

/** The property of the subject a fact is read from, when the element states it. */
function factProperty(fact: FactName, subject: Subject): string | undefined {
  const d = subject.data;
  const flow = subject.kind === 'flow';
  let property: string | undefined;
  switch (fact) {
    case 'encrypted':
      property = isSet(d.encryptedInTransit) ? 'encryptedInTransit' : 'protocol';
      break;
    case 'local':
    case 'physical':
      property = isSet(d.network) ? 'network' : 'protocol';
      break;
    case 'wireless':
      property = 'protocol';
      break;
    case 'crossesBoundary':
    case 'crossesIntoHigherTrust':
      property = 'to';
      break;
    case 'maxClassification':
    case 'sensitive':
    case 'hasPersonalData':
      property = flow ? 'data' : 'stores';
      break;
    case 'trust':
      property = 'boundary';
      break;
    case 'authenticated':
      property = 'authentication';
      break;
    case 'isCall':
      property = 'usage';
      break;
    case 'internetFacing':
    case 'networkReachable':
      property = 'exposure';
      break;
    case 'physicallyExposed':
      property = 'physicalAccess';
      break;
    case 'authorization':
      property = 'authorization';
      break;
  }
  return property && isSet(d[property]) ? property : undefined;
}

/** What a fact's value means, as the end of a sentence about the subject. */
function factWords(fact: FactName, value: unknown, subject: Subject): string {
  const carries = subject.kind === 'flow' ? 'carries' : subject.data.type === 'datastore' ? 'holds' : 'handles';
  switch (fact) {
    case 'crossesBoundary':
      return value === true
        ? 'crosses a trust boundary'
        : value === false
          ? 'stays inside one trust boundary'
          : 'has an end that is not defined';
    case 'crossesIntoHigherTrust':
      return value === true ? 'goes into a more trusted zone than it comes from' : 'does not go into a more trusted zone';
    case 'encrypted':
      return value === true
        ? 'is encrypted in transit'
        : value === false
          ? 'is not encrypted in transit'
          : 'does not say whether it is encrypted in transit';
    case 'local':
      return value === true ? 'stays on one host' : 'leaves the host';
    case 'maxClassification':
      return value === undefined
        ? `${carries} no classified data`
        : value === 'unknown'
          ? `${carries} data of unknown classification`
          : `${carries} ${plainText(value)} data`;
    case 'hasPersonalData':
      return value === true ? `${carries} personal data` : `${carries} no personal data`;
    case 'sensitive':
      return value === true ? `${carries} sensitive data` : `${carries} no sensitive data`;
    case 'trust':
      return value === 'unknown' ? 'is in a zone of unknown trust' : `is in ${article(plainText(value))} ${plainText(value)} zone`;
    case 'hasThreats':
      return value === true ? 'has recorded threats' : 'has no recorded threats';
    case 'hasFlows':
      return value === true ? 'has data flows' : 'has no data flows';
    case 'referenced':
      return value === true ? 'is referred to' : 'is referred to by nothing';
    case 'authenticated':
      return value === true
        ? 'authenticates its caller'
        : value === false
          ? 'does not authenticate its caller'
          : 'does not say how its caller authenticates';
    case 'isCall':
      return value === true ? 'is a call' : 'is a response, a dependency or a build input';
    case 'internetFacing':
      return value === true ? 'is reachable from the internet' : 'is not reachable from the internet';
    case 'physical':
      return value === true ? 'runs over a bus or port someone can touch' : 'does not run over a bus or port';
    case 'wireless':
      return value === true ? 'goes over the air' : 'does not go over the air';
    case 'calledByTenant':
      return value === true ? 'is called by a hostile party on the same host' : 'is not called by a hostile party on the same host';
    case 'networkReachable':
      return value === true ? 'is reachable over a network' : 'is reached only on its own host';
    case 'physicallyExposed':
      return value === true ? 'can be touched by someone hostile' : 'cannot be touched by anyone hostile';
    case 'hostileInputPath':
      return value === true
        ? 'receives input from an untrusted zone through other components'
        : 'receives no input from an untrusted zone through others';
    default:
      return `has ${fact}: ${show(value)}`;
  }
}

/** What makes a condition hold, in words: "controls.validatesInput: true", "a mitigation with status: implemented or verified". */
export function coverText(cond: Condition): string {
  const shape = shapeOf(cond);
  switch (shape.kind) {
    case 'all':
      return shape.children.map(nested).join(' and ');
    case 'any':
      return shape.children.map(nested).join(' or ');
    case 'not':
      return `not ${nested(shape.child)}`;
    case 'quantifier':
      return `${QUANTIFIER_NOUN[shape.q]} with ${nested(shape.child)}`;
    case 'leaf':
      return shape.op ? leafCoverText(shape.leaf, shape.op, shape.name) : shape.name;
  }
}

function nested(c: Condition): string {
  const kind = shapeOf(c).kind;
  return kind === 'all' || kind === 'any' ? `(${coverText(c)})` : coverText(c);
}

function leafCoverText(leaf: LeafCondition, op: Operator, name: string): string {
  const expected = leaf[op];
  if (leaf.fact !== undefined && isFactName(name)) {
    const subject = { kind: 'flow' } as Subject;
    const words = (v: unknown) => `it ${factWords(name, v, subject)}`;
    if (op === 'eq') return words(expected);
    if (op === 'ne' && typeof expected === 'boolean') return words(!expected);
    if (op === 'in') return (expected as unknown[]).map(words).join(' or ');
    if (op === 'exists') return expected ? `${name} known` : words(undefined);
    if (op === 'gte' && name === 'maxClassification') return `it carries ${show(expected)} or more sensitive data`;
  }
  switch (op) {
    case 'eq':
      return `${name}: ${show(expected)}`;
    case 'ne':
      return `${name} other than ${show(expected)}`;
    case 'in':
      return `${name}: ${alternatives(expected)}`;
    case 'notIn':
      return `${name} other than ${alternatives(expected)}`;
    case 'gte':
      return `${name}: ${show(expected)} or higher`;
    case 'lte':
      return `${name}: ${show(expected)} or lower`;
    case 'exists':
      return expected ? `${name} stated` : `no ${name}`;
    case 'contains':
      return `${name} including ${show(expected)}`;
    case 'containsAny':
      return `${name} including ${alternatives(expected)}`;
  }
}

function alternatives(values: unknown): string {
  const list = (Array.isArray(values) ? values : [values]).map(show);
  return list.length <= 1 ? (list[0] ?? '') : `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}`;
}

const QUANTIFIER_NOUN: Readonly<Record<Quantifier, string>> = {
  source: 'a source',
  target: 'a target',
  anyData: 'a data asset',
  allData: 'every data asset',
  anyInbound: 'an inbound flow',
  allInbound: 'every inbound flow',
  anyOutbound: 'an outbound flow',
  allOutbound: 'every outbound flow',
  anyStored: 'a stored data asset',
  anyMember: 'a member',
  anyMitigation: 'a mitigation',
  anyTarget: 'a target',
  anyComponent: 'a component',
  anyFlow: 'a flow',
  boundary: 'a boundary',
  anyEnclosing: 'an enclosing boundary',
  anyUpstream: 'a component upstream',
  anyCarrier: 'a flow carrying it',
};

const ALL_PLURAL: Readonly<Partial<Record<Quantifier, string>>> = {
  allData: 'data assets',
  allInbound: 'inbound flows',
  allOutbound: 'outbound flows',
};

/** An element as a person calls it: its name (or title), else its id. */
export function nameOf(subject: Subject): string {
  if (!subject.element) return 'The model';
  const d = subject.data;
  const name =
    typeof d.name === 'string' && d.name.trim() ? d.name : typeof d.title === 'string' && d.title.trim() ? d.title : subject.element.id;
  return shown(name, NAME_LIMIT);
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}
