/**
 * Model checks beyond the schema's reach: identity (duplicate ids), references between elements, boundary nesting,
 * flows, and risk-acceptance hygiene.
 */
import { isMap, isScalar, isSeq, type Pair } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import { type CoreDiagnostic, DiagnosticCode, MAX_PER_KIND } from './diagnostics';
import { spanOf } from './parse';
import { isPlaceholder } from './placeholders';
import { didYouMean, suggest } from './suggest';
import { type Boundary, type Element, elementsOf, SECTION_NOUN, type SectionName, type Span, type ThreatModel } from './types';
import { isPlainObject, quoted, shown } from '../shared/values';
import { COMPONENT_KINDS, type ComponentType, isComponentKind, isComponentType } from '../shared/vocabulary';

export interface CheckOptions {
  /** Today's date as YYYY-MM-DD; acceptances that expire before it are reported. */
  readonly today: string;
  /** The elements of the models this one imports, by id, with the file that defines each (format 1.2). */
  readonly imported?: ReadonlyMap<string, { readonly element: Element; readonly source: { readonly uri: string } }>;
}

type Imported = NonNullable<CheckOptions['imported']>;

export function checkModel(model: ThreatModel, options: CheckOptions): CoreDiagnostic[] {
  const imported: Imported = options.imported ?? new Map();
  return [
    ...checkDuplicateIds(model, imported),
    ...checkReferences(model, imported),
    ...checkBoundaryCycles(model),
    ...checkBoundaryDepth(model),
    ...checkFlows(model),
    ...checkComponents(model),
    ...checkAcceptances(model, options.today),
    ...checkPlaceholders(model),
  ];
}

/** Texts a quick fix inserted for a person to replace, still there: a decision without its reason. */
function checkPlaceholders(model: ThreatModel): CoreDiagnostic[] {
  const out: CoreDiagnostic[] = [];
  const report = (span: Span, what: string) =>
    out.push({
      code: DiagnosticCode.PlaceholderText,
      severity: 'warning',
      message: `Replace the placeholder with ${what}: a decision without its reason cannot be reviewed.`,
      span,
    });
  const flag = (node: unknown, what: string) => {
    if (isScalar(node) && isPlaceholder(node.value) && node.range) report(spanOf(node), what);
  };
  // The plain data is read first: looking a key up in a YAML map is a scan of its pairs, and this runs on every edit
  // over every element, almost none of which hold a placeholder.
  for (const t of model.threats) {
    const acceptance = isPlainObject(t.data.acceptance) ? t.data.acceptance : {};
    if (isPlaceholder(t.data.justification)) flag(t.node.get('justification', true), `why threat ${quoted(t.id)} does not apply`);
    if (isPlaceholder(acceptance.justification))
      flag(t.node.getIn(['acceptance', 'justification'], true), `why the risk of ${quoted(t.id)} is acceptable`);
    if (isPlaceholder(acceptance.by)) flag(t.node.getIn(['acceptance', 'by'], true), `who accepts the risk of ${quoted(t.id)}`);
  }
  for (const e of elementsOf(model)) {
    const listed = (e.data as { disabledRules?: unknown }).disabledRules;
    if (!Array.isArray(listed) || !listed.some((entry) => isPlainObject(entry) && isPlaceholder(entry.reason))) continue;
    const entries = e.node.get('disabledRules', true);
    if (!isSeq(entries)) continue;
    for (const entry of entries.items)
      if (isMap(entry)) flag(entry.get('reason', true), `why ${shown(entry.get('rule'))} does not apply to ${quoted(e.id)}`);
  }
  for (const entry of model.disabledRuleEntries)
    if (entry.reasonSpan && isPlaceholder(entry.reason)) report(entry.reasonSpan, `why ${shown(entry.rule)} does not apply to this model`);
  return out;
}

function checkDuplicateIds(model: ThreatModel, imported: Imported): CoreDiagnostic[] {
  const out: CoreDiagnostic[] = [];
  for (const element of elementsOf(model)) {
    const elsewhere = imported.get(element.id);
    if (elsewhere) {
      const other = elsewhere.element;
      out.push({
        code: DiagnosticCode.DuplicateId,
        severity: 'error',
        message: `Duplicate id ${quoted(element.id)}: an imported model already defines ${SECTION_NOUN[other.section]} ${quoted(other.id)}. A model and its imports share one namespace.`,
        span: element.idSpan ?? element.span,
        related: [{ span: other.idSpan ?? other.span, message: `${quoted(other.id)} is defined here`, uri: elsewhere.source.uri }],
      });
      continue;
    }
    const first = model.byId.get(element.id);
    if (!first || first === element) continue;
    out.push({
      code: DiagnosticCode.DuplicateId,
      severity: 'error',
      message: `Duplicate id ${quoted(element.id)}: already used by ${SECTION_NOUN[first.section]} ${quoted(first.id)}. Ids are unique across the whole model.`,
      span: element.idSpan ?? element.span,
      related: [{ span: first.idSpan ?? first.span, message: `${quoted(first.id)} is first defined here` }],
    });
  }
  return out;
}

function nounList(sections: readonly SectionName[]): string {
  const nouns = sections.map((s) => SECTION_NOUN[s]);
  return nouns.length === 1 ? nouns[0] : `${nouns.slice(0, -1).join(', ')} or ${nouns[nouns.length - 1]}`;
}

function checkReferences(model: ThreatModel, imported: Imported): CoreDiagnostic[] {
  const out: CoreDiagnostic[] = [];
  let importedIds: { id: string; section: SectionName }[] | undefined;
  // The ids a reference could mean, per kind of reference (built once each), searched for suggestions only while
  // the diagnostic can still be shown: each search reads every id, so searching for every broken reference was
  // references × elements.
  const candidates = new Map<string, string[]>();
  let searchesLeft = MAX_PER_KIND;
  const suggestionsFor = (id: string, expected: readonly SectionName[]): string[] => {
    if (searchesLeft-- <= 0) return [];
    const key = expected.join();
    let ids = candidates.get(key);
    if (!ids) {
      importedIds ??= [...imported.values()].map((i) => ({ id: i.element.id, section: i.element.section }));
      ids = [
        ...expected.flatMap((s) => (model[s] as readonly Element[]).map((e) => e.id)),
        ...importedIds.filter((i) => expected.includes(i.section)).map((i) => i.id),
      ];
      candidates.set(key, ids);
    }
    return suggest(id, ids);
  };
  for (const ref of model.references) {
    const elsewhere = model.byId.has(ref.targetId) ? undefined : imported.get(ref.targetId);
    const target = model.byId.get(ref.targetId) ?? elsewhere?.element;
    const property = String(ref.path[0]);
    if (!target) {
      const suggestions = suggestionsFor(ref.targetId, ref.expected);
      out.push({
        code: DiagnosticCode.DanglingReference,
        severity: 'error',
        message: `${quoted(ref.targetId)} in ${quoted(property)} is not defined: no ${nounList(ref.expected)} has this id.${didYouMean(suggestions)}`,
        span: ref.span,
        data: { suggestions, expected: ref.expected, id: ref.targetId },
      });
    } else if (!ref.expected.includes(target.section)) {
      out.push({
        code: DiagnosticCode.WrongReferenceKind,
        severity: 'error',
        message: `${quoted(ref.targetId)} is a ${SECTION_NOUN[target.section]}, but ${quoted(property)} needs a ${nounList(ref.expected)}.`,
        span: ref.span,
        related: [
          {
            span: target.idSpan ?? target.span,
            message: `${quoted(target.id)} is defined here`,
            ...(elsewhere && { uri: elsewhere.source.uri }),
          },
        ],
        data: { suggestions: suggestionsFor(ref.targetId, ref.expected), expected: ref.expected },
      });
    }
  }
  return out;
}

/** How many boundaries a cycle's message names before it says how many more there are. */
const CYCLE_NAMES_SHOWN = 6;

/**
 * Boundaries nested inside themselves through `parent`. Each boundary is walked once (a chain already walked is not
 * walked again), so a 20,000-long chain or cycle costs 20,000 steps; each member of a cycle gets one message that names
 * at most a few of its members, not the whole cycle (which made the messages grow with the square of its length).
 */
function checkBoundaryCycles(model: ThreatModel): CoreDiagnostic[] {
  const out: CoreDiagnostic[] = [];
  const boundaryById = new Map<string, Boundary>();
  for (const b of model.boundaries) if (!boundaryById.has(b.id)) boundaryById.set(b.id, b);
  const parentOf = (b: Boundary): Boundary | undefined => {
    const parent: unknown = b.data.parent;
    return typeof parent === 'string' ? boundaryById.get(parent) : undefined;
  };
  // 1: on the chain being walked, 2: walked before (on no cycle, or on one already reported).
  const state = new Map<Boundary, 1 | 2>();
  for (const start of model.boundaries) {
    if (state.has(start)) continue;
    const chain: Boundary[] = [];
    let current: Boundary | undefined = start;
    while (current && !state.has(current)) {
      state.set(current, 1);
      chain.push(current);
      current = parentOf(current);
    }
    if (current && state.get(current) === 1) {
      const cycle = chain.slice(chain.indexOf(current));
      cycle.forEach((b, i) => {
        // The next few members from this one on, read round the cycle: copying the cycle per member was quadratic.
        const named = Array.from({ length: Math.min(CYCLE_NAMES_SHOWN, cycle.length) }, (_, k) => shown(cycle[(i + k) % cycle.length].id));
        const rest = cycle.length - named.length;
        const names = rest > 0 ? `${named.join(' → ')} → … (${rest} more) → ${shown(b.id)}` : `${[...named, shown(b.id)].join(' → ')}`;
        out.push({
          code: DiagnosticCode.BoundaryCycle,
          severity: 'error',
          message: `Boundary nesting forms a cycle: ${names}. A boundary cannot be inside itself.`,
          span: valueSpan(b, 'parent') ?? b.idSpan ?? b.span,
        });
      });
    }
    for (const b of chain) state.set(b, 2);
  }
  return out;
}

/**
 * How deep boundaries may nest before the model says so: the rules follow this many enclosing boundaries (facts.ts),
 * and nothing real is nested that deep. Deeper nesting is cut, not followed (a 20,000-level chain was 34 s per edit).
 */
export const MAX_BOUNDARY_NESTING = 32;

/** Boundaries nested deeper than MAX_BOUNDARY_NESTING: one warning where a chain first goes too deep. Linear. */
function checkBoundaryDepth(model: ThreatModel): CoreDiagnostic[] {
  const byId = new Map<string, Boundary>();
  for (const b of model.boundaries) if (!byId.has(b.id)) byId.set(b.id, b);
  const depth = new Map<Boundary, number>();
  const out: CoreDiagnostic[] = [];
  for (const start of model.boundaries) {
    if (depth.has(start)) continue;
    const chain: Boundary[] = [];
    const onChain = new Set<Boundary>();
    let current: Boundary | undefined = start;
    while (current && !depth.has(current) && !onChain.has(current)) {
      chain.push(current);
      onChain.add(current);
      const parent: unknown = current.data.parent;
      current = typeof parent === 'string' ? byId.get(parent) : undefined;
    }
    // A cycle (reported on its own) counts from zero where it closes.
    let d = current && depth.has(current) ? depth.get(current)! : 0;
    for (let i = chain.length - 1; i >= 0; i--) {
      d++;
      depth.set(chain[i], d);
      if (d === MAX_BOUNDARY_NESTING + 1) {
        out.push({
          code: DiagnosticCode.BoundaryTooDeep,
          severity: 'warning',
          message: `Boundary ${shown(chain[i].id)} is nested more than ${MAX_BOUNDARY_NESTING} boundaries deep: rules look at most ${MAX_BOUNDARY_NESTING} enclosing boundaries, and the diagram draws the deeper ones beside the last level.`,
          span: valueSpan(chain[i], 'parent') ?? chain[i].idSpan ?? chain[i].span,
        });
      }
    }
  }
  return out;
}

function checkFlows(model: ThreatModel): CoreDiagnostic[] {
  const out: CoreDiagnostic[] = [];
  for (const flow of model.flows) {
    const { from, to } = flow.data;
    if (typeof from === 'string' && from === to) {
      out.push({
        code: DiagnosticCode.SelfFlow,
        severity: 'warning',
        message: `Flow ${quoted(flow.id)} goes from ${quoted(from)} to itself. Model internal processing inside the component, or split the component if the flow crosses something.`,
        span: valueSpan(flow, 'to') ?? flow.span,
      });
    }
  }
  return out;
}

/** Kinds that only make sense for one component type. */

function checkComponents(model: ThreatModel): CoreDiagnostic[] {
  const out: CoreDiagnostic[] = [];
  for (const c of model.components) {
    const { inScope, outOfScopeReason, kind, type } = c.data;
    if (inScope === false && !(typeof outOfScopeReason === 'string' && outOfScopeReason.trim())) {
      out.push({
        code: DiagnosticCode.OutOfScopeWithoutReason,
        severity: 'warning',
        message: `Component ${quoted(c.id)} is out of scope without a reason. Add 'outOfScopeReason' so reviewers know why it is not analysed.`,
        span: valueSpan(c, 'inScope') ?? c.span,
        data: { property: 'outOfScopeReason' },
      });
    }
    if (isComponentKind(kind) && isComponentType(type)) {
      // Several kinds are legitimately more than one type (an identity provider can be external SaaS).
      const fits: readonly ComponentType[] = COMPONENT_KINDS[kind];
      if (!fits.includes(type)) {
        out.push({
          code: DiagnosticCode.KindTypeMismatch,
          severity: 'warning',
          message: `Kind ${quoted(kind)} describes a ${fits.join(' or ')}, but component ${quoted(c.id)} has type ${quoted(type)}.`,
          span: valueSpan(c, 'kind') ?? c.span,
          data: { suggestions: [fits[0]] },
        });
      }
    }
  }
  return out;
}

function checkAcceptances(model: ThreatModel, today: string): CoreDiagnostic[] {
  const out: CoreDiagnostic[] = [];
  for (const t of model.threats) {
    if (t.data.status !== 'accepted') continue;
    const acceptance = t.data.acceptance;
    const justification = acceptance && typeof acceptance.justification === 'string' ? acceptance.justification.trim() : '';
    const statusSpan = valueSpan(t, 'status') ?? t.span;
    if (!justification) {
      out.push({
        code: DiagnosticCode.AcceptanceWithoutJustification,
        severity: 'warning',
        message: `Threat ${quoted(t.id)} is accepted without a justification. Record why the risk is acceptable under 'acceptance.justification'.`,
        span: acceptance ? (keySpanOf(t, 'acceptance') ?? statusSpan) : statusSpan,
        data: { property: 'acceptance.justification' },
      });
    }
    if (!acceptance || !(typeof acceptance.by === 'string' && acceptance.by.trim())) {
      out.push({
        code: DiagnosticCode.AcceptanceWithoutOwner,
        severity: 'warning',
        message: `Threat ${quoted(t.id)} is accepted without saying who accepted it. Add 'acceptance.by'.`,
        span: acceptance ? (keySpanOf(t, 'acceptance') ?? statusSpan) : statusSpan,
        data: { property: 'acceptance.by' },
      });
    }
    const expires = acceptance?.expires;
    if (typeof expires === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(expires) && expires < today) {
      const expiresNode = nodeAt(t, ['acceptance', 'expires']);
      out.push({
        code: DiagnosticCode.AcceptanceExpired,
        severity: 'warning',
        message: `The acceptance of threat ${quoted(t.id)} expired on ${expires}. Review the risk again and renew or treat it.`,
        span: expiresNode ? spanOf(expiresNode) : statusSpan,
        data: { expires },
      });
    }
  }
  return out;
}

function nodeAt(element: Element, path: string[]): YamlNode | undefined {
  const n = element.node.getIn(path, true);
  return n && typeof n === 'object' && 'range' in n ? (n as YamlNode) : undefined;
}

/** The span of a top-level property's value inside an element. */
export function valueSpan(element: Element, key: string): Span | undefined {
  const n = nodeAt(element, [key]);
  return n ? spanOf(n) : undefined;
}

export function keySpanOf(element: Element, key: string): Span | undefined {
  const pair = element.node.items.find((p: Pair) => isScalar(p.key) && p.key.value === key);
  return pair && isScalar(pair.key) ? spanOf(pair.key) : undefined;
}
