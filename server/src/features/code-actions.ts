/**
 * Quick fixes, as pure functions from an analysis and the diagnostics under the cursor to named edits.
 *
 * For a finding, in this order (the first is preferred): mitigate with each of the rule's catalog mitigations (the
 * finding is recorded as a threat with that mitigation proposed), cover it with the control the design has, record it
 * as an open threat, accept the risk, mark it not applicable. Findings that are not threats (model hygiene, findings
 * about threats and mitigations) are fixed in place or disabled with a reason, never turned into a STRIDE threat.
 * Every title names the finding it fixes. Where a person has to say why, the edit leaves a placeholder the editor
 * selects (a snippet) and the model flags until it is replaced.
 *
 * Schema and reference errors: did-you-mean replacements, create the missing element, add a required property.
 */
import {
  addToList,
  appendAllToSection,
  appendToSection,
  EditRefused,
  mergeEdits,
  setProperty,
  tabStop,
  type TextEdit,
  withTabStops,
} from '../edits/text-edits';
import type { Analysis } from '../analysis/analyze';
import {
  checkDataOf,
  type CoreDiagnostic,
  DiagnosticCode,
  type FindingData,
  type FindingDiagnostic,
  isFindingDiagnostic,
} from '../model/diagnostics';
import { PLACEHOLDER } from '../model/placeholders';
import { deref, schemaAt } from '../model/schema';
import { type Element, SECTION_NOUN, type SectionName, SECTIONS } from '../model/types';
import { plainText } from '../shared/values';

export interface CodeAction {
  /**
   * Names the action for `codeAction/resolve`: the same id at a later version of the document is the same action,
   * whatever its title says. Derived from what it fixes (the finding, the diagnostic's code and place) and how.
   */
  readonly id: string;
  readonly title: string;
  readonly edits: readonly TextEdit[];
  /** The diagnostics this action resolves. */
  readonly diagnostics: readonly CoreDiagnostic[];
  readonly isPreferred?: boolean;
  /**
   * Why the action is offered but cannot be applied: the YAML around it has a shape an edit could damage (an anchor
   * shared with another element, a merge key, a second document). The editor shows it greyed out with this reason.
   */
  readonly disabled?: string;
}

/** The action, or the same action disabled with the reason its edit was refused. */
function attempt(action: Omit<CodeAction, 'edits' | 'disabled'>, build: () => TextEdit[]): CodeAction {
  try {
    return { ...action, edits: build() };
  } catch (e) {
    if (e instanceof EditRefused) return { ...action, edits: [], disabled: e.message };
    throw e;
  }
}

export interface CodeActionOptions {
  /** Today as YYYY-MM-DD: an accepted risk is proposed to expire 90 days later. */
  readonly today: string;
  /** Who records a review (git's user.name in the editor); the review's current reviewer is kept without it. */
  readonly reviewer?: string;
  /** Draft components for infrastructure resources nobody models (from the sources the user named). */
  readonly infraDrafts?: (addresses: readonly string[]) => Record<string, unknown>[];
}

/** How long a risk accepted by a quick fix stays accepted before it is reviewed again. */
const ACCEPTANCE_DAYS = 90;

export function codeActions(analysis: Analysis, diagnostics: readonly CoreDiagnostic[], options: CodeActionOptions): CodeAction[] {
  // While the YAML does not parse, the structure edits would be placed by a guess (a section the parser lost would be
  // created again): offer only in-place replacements until the syntax is fixed.
  const broken = (analysis.parsed.doc?.errors.length ?? 0) > 0;
  const out: CodeAction[] = [];
  for (const d of diagnostics) {
    if (isFindingDiagnostic(d)) {
      if (!broken) out.push(...findingActions(analysis, d, options));
    } else {
      out.push(...schemaActions(analysis, d, options).filter((a) => !broken || a.edits.every(isInPlace)));
    }
  }
  return out;
}

/** A replacement of text on one line (a typo fixed), as opposed to new lines whose place a broken parse guessed. */
function isInPlace(e: TextEdit): boolean {
  return e.span.start < e.span.end && !/[\r\n]/.test(e.newText);
}

/** An id not used yet in the model, derived from a readable base. */
function freshId(analysis: Analysis, base: string, taken: Set<string> = new Set()): string {
  const clean =
    base
      .replace(/[^A-Za-z0-9_.-]+/g, '-')
      .replace(/^[^A-Za-z]+/, '')
      .replace(/-+$/, '') || 'item';
  const used = (id: string) => analysis.parsed.model?.byId.has(id) || taken.has(id);
  if (!used(clean)) return clean;
  for (let i = 2; ; i++) if (!used(`${clean}-${i}`)) return `${clean}-${i}`;
}

function elementOf(analysis: Analysis, id: string): Element | undefined {
  return analysis.parsed.model?.byId.get(id);
}

/** Sections whose elements threats may target. */
const THREAT_TARGETS: readonly SectionName[] = ['components', 'flows', 'boundaries', 'data'];

/** Whether a finding can be recorded as a threat: a STRIDE or LINDDUN rule, on an element threats can target. */
function isRecordable(f: FindingData, element: Element | undefined): element is Element {
  return element !== undefined && f.stride.length + f.linddun.length > 0 && THREAT_TARGETS.includes(element.section);
}

/** The threat that records a finding, before its status and treatment. */
function threatOf(f: FindingData, id: string): Record<string, unknown> {
  return { id, title: f.title, category: f.stride[0] ?? f.linddun[0], targets: [f.element], rule: f.rule, severity: f.severity };
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function findingActions(analysis: Analysis, d: FindingDiagnostic, options: CodeActionOptions): CodeAction[] {
  const parsed = analysis.parsed;
  const f = d.data;
  const element = f.modelWide ? undefined : elementOf(analysis, f.element);
  const actions: CodeAction[] = [];
  const on = `'${f.element}'`;
  const threatId = () => freshId(analysis, `T-${f.rule}-${f.element}`);
  /** Appends the threat; the editor's cursor lands on its id (or on the first thing to type), showing the edit. */
  const recordEdit = (threat: Record<string, unknown>, stops: { n: number; text: string }[] = []) =>
    withTabStops(appendToSection(parsed, 'threats', threat), stops, `id: ${String(threat.id)}`);

  if (isRecordable(f, element)) {
    f.mitigations.forEach((m, i) => {
      // Reuse a mitigation the model already has under the same title.
      const existing = parsed.model?.mitigations.find((x) => x.data.title === m.title);
      const mitigationId = existing?.id ?? freshId(analysis, `M-${m.id}`);
      const edits = (): TextEdit[] =>
        existing
          ? []
          : [appendToSection(parsed, 'mitigations', { id: mitigationId, title: m.title, description: m.description, status: 'proposed' })];
      const id = freshId(analysis, `T-${f.rule}-${f.element}`, new Set([mitigationId]));
      actions.push(
        attempt(
          { id: `mitigate:${f.findingId}:${m.id}`, title: `Mitigate ${f.rule}: ${m.title}`, diagnostics: [d], isPreferred: i === 0 },
          () => mergeEdits([...edits(), recordEdit({ ...threatOf(f, id), status: 'open', mitigations: [mitigationId] })]),
        ),
      );
    });
  }
  if (element) {
    for (const c of f.controls) {
      actions.push(
        attempt(
          {
            id: `control:${f.findingId}:${c.property}`,
            title: `Covered by a control: set ${c.property}: ${plainText(c.value)} on ${on} (${f.rule})`,
            diagnostics: [d],
          },
          () => [setProperty(parsed, element, c.property.split('.'), c.value)],
        ),
      );
    }
  }
  if (isRecordable(f, element)) {
    actions.push(
      attempt(
        {
          id: `record:${f.findingId}`,
          title: `Record ${f.rule} as an open threat on ${on}`,
          diagnostics: [d],
          isPreferred: f.mitigations.length === 0,
        },
        () => [recordEdit({ ...threatOf(f, threatId()), status: 'open' })],
      ),
    );
    const owner = parsed.model?.system?.owner;
    actions.push(
      attempt({ id: `accept:${f.findingId}`, title: `Accept the risk of ${f.rule} on ${on}…`, diagnostics: [d] }, () => [
        recordEdit(
          {
            ...threatOf(f, threatId()),
            status: 'accepted',
            acceptance: { by: tabStop(1), justification: tabStop(2), expires: addDays(options.today, ACCEPTANCE_DAYS) },
          },
          [
            { n: 1, text: typeof owner === 'string' && /^[\w .@()-]+$/.test(owner) && owner.trim() ? owner : PLACEHOLDER.acceptedBy },
            { n: 2, text: PLACEHOLDER.acceptance },
          ],
        ),
      ]),
    );
    actions.push(
      attempt({ id: `not-applicable:${f.findingId}`, title: `Mark ${f.rule} not applicable to ${on}…`, diagnostics: [d] }, () => [
        recordEdit({ ...threatOf(f, threatId()), status: 'not-applicable', justification: tabStop(1) }, [
          { n: 1, text: PLACEHOLDER.notApplicable },
        ]),
      ]),
    );
  } else if (element) {
    actions.push(
      attempt(
        { id: `disable:${f.findingId}`, title: `${f.rule} does not apply to ${on}: disable it with a reason…`, diagnostics: [d] },
        () => [
          // Added to the element's list: its other suppressions and their reasons stay.
          withTabStops(addToList(parsed, element, 'disabledRules', { rule: f.rule, reason: tabStop(1) }), [
            { n: 1, text: PLACEHOLDER.disabledRule },
          ]),
        ],
      ),
    );
  } else if (parsed.model && (parsed.model.disabledRules === undefined || Array.isArray(parsed.model.disabledRules))) {
    actions.push(
      attempt(
        {
          id: `disable-model:${f.findingId}`,
          title: `${f.rule} does not apply to this model: disable it with a reason…`,
          diagnostics: [d],
        },
        () => [
          withTabStops(appendToSection(parsed, 'disabledRules', { rule: f.rule, reason: tabStop(1) }), [
            { n: 1, text: PLACEHOLDER.disabledRule },
          ]),
        ],
      ),
    );
  }
  return actions;
}

/**
 * Source actions for the findings of one rule at once ("Record all 7 AUTH-01 findings as open threats"): in the
 * Source Action menu, apart from the quick fixes of the finding under the cursor, and never run on save (they are
 * not `source.fixAll`).
 */
export function bulkFindingActions(analysis: Analysis, diagnostics: readonly CoreDiagnostic[]): CodeAction[] {
  if ((analysis.parsed.doc?.errors.length ?? 0) > 0) return [];
  const rules = new Set(diagnostics.filter(isFindingDiagnostic).map((d) => d.data.rule));
  const actions: CodeAction[] = [];
  for (const rule of rules) {
    const same = analysis.diagnostics.filter(
      (x): x is FindingDiagnostic =>
        isFindingDiagnostic(x) && x.data.rule === rule && !x.data.modelWide && isRecordable(x.data, elementOf(analysis, x.data.element)),
    );
    if (same.length < 2) continue;
    const record = (): TextEdit[] => {
      const taken = new Set<string>();
      const items = same.map((x) => {
        const id = freshId(analysis, `T-${x.data.rule}-${x.data.element}`, taken);
        taken.add(id);
        return { ...threatOf(x.data, id), status: 'open' };
      });
      return [appendAllToSection(analysis.parsed, 'threats', items)];
    };
    let edits: TextEdit[] | undefined;
    actions.push({
      id: `record-all:${rule}`,
      title: `Record all ${same.length} ${rule} findings as open threats`,
      // Written when asked: for a rule with 1,600 findings that is a few hundred milliseconds, and the editor asks for
      // the edit of the one action the user picks (codeAction/resolve).
      get edits() {
        return (edits ??= record());
      },
      diagnostics: same,
    });
  }
  return actions;
}

/** Where a diagnostic is, for action ids: its code and offset. */
function at(d: CoreDiagnostic): string {
  return `${d.code}@${d.span.start}`;
}

function schemaActions(analysis: Analysis, d: CoreDiagnostic, options: CodeActionOptions): CodeAction[] {
  const actions: CodeAction[] = [];
  const parsed = analysis.parsed;
  const data = checkDataOf(d);
  const suggestions = data.suggestions ?? [];
  switch (d.code) {
    case DiagnosticCode.UnknownKey:
    case DiagnosticCode.BadEnum:
    case DiagnosticCode.DanglingReference:
    case DiagnosticCode.WrongReferenceKind:
    case DiagnosticCode.UnknownRule:
    case DiagnosticCode.UnknownFramework:
    case DiagnosticCode.KindTypeMismatch:
    case DiagnosticCode.DanglingCodeLink:
    case DiagnosticCode.InfraMissing:
      suggestions.forEach((s, i) => {
        const current = parsed.text.slice(d.span.start, d.span.end);
        // Keep the user's quoting style when the value was quoted.
        const quote = /^["']/.test(current) ? current[0] : '';
        const edit = d.code === DiagnosticCode.KindTypeMismatch ? undefined : { span: d.span, newText: `${quote}${s}${quote}` };
        if (edit)
          actions.push({
            id: `replace:${at(d)}:${s}`,
            title: `Change to '${s}'`,
            edits: [edit],
            diagnostics: [d],
            isPreferred: i === 0 && suggestions.length === 1,
          });
      });
      break;
  }
  if (d.code === DiagnosticCode.YamlSyntax && suggestions.length === 1) {
    // A value with ": " in it: quote it (the message shows how).
    actions.push({
      id: `quote:${at(d)}`,
      title: 'Quote this value',
      edits: [{ span: d.span, newText: suggestions[0] }],
      diagnostics: [d],
      isPreferred: true,
    });
  }
  if (d.code === DiagnosticCode.DanglingReference && data.id !== undefined && data.expected !== undefined) {
    const id = data.id;
    const expected = data.expected as readonly SectionName[];
    const section = expected[0];
    // Without a close match, let the user pick any existing id of the right kind (a few, in model order).
    if (suggestions.length === 0 && parsed.model) {
      const candidates = expected.flatMap((s) => (parsed.model![s] as readonly Element[]).map((e) => e.id)).slice(0, 8);
      for (const c of candidates)
        actions.push({
          id: `use:${at(d)}:${c}`,
          title: `Use ${SECTION_NOUN[parsed.model.byId.get(c)!.section]} '${c}'`,
          edits: [{ span: d.span, newText: c }],
          diagnostics: [d],
        });
    }
    const item = newElement(section, id);
    if (item && /^[A-Za-z][A-Za-z0-9_.-]*$/.test(id)) {
      actions.push(
        attempt({ id: `create:${section}:${id}`, title: `Create ${SECTION_NOUN[section]} '${id}'`, diagnostics: [d] }, () => [
          appendToSection(parsed, section, item),
        ]),
      );
    }
  }
  if (d.code === DiagnosticCode.InfraDrift && data.element !== undefined && data.property !== undefined) {
    const element = elementOf(analysis, data.element);
    const property = data.property;
    if (element)
      actions.push(
        attempt(
          {
            id: `infra-value:${element.id}:${property}`,
            title: `Take the infrastructure's value: ${property}: ${plainText(data.value)}`,
            diagnostics: [d],
            isPreferred: true,
          },
          () => [setProperty(parsed, element, property.split('.'), data.value)],
        ),
      );
  }
  if (d.code === DiagnosticCode.InfraUnmodelled && data.addresses?.length && options.infraDrafts) {
    const drafts = options.infraDrafts(data.addresses);
    if (drafts.length)
      actions.push(
        attempt(
          {
            id: `infra-drafts:${data.source ?? ''}`,
            title: `Add draft components for the ${drafts.length === 1 ? 'resource' : `${drafts.length} resources`} of ${data.source ?? 'the infrastructure'}`,
            diagnostics: [d],
          },
          () => [appendAllToSection(parsed, 'components', drafts)],
        ),
      );
  }
  if (d.code === DiagnosticCode.CodeChangedSinceReview && data.element !== undefined) {
    const element = elementOf(analysis, data.element);
    if (element) actions.push(recordReview(analysis, element, [d], options));
  }
  if (d.code === DiagnosticCode.MissingRequired && data.property !== undefined) {
    const element = analysis.parsed.model && elementContaining(analysis, d.span.start);
    if (element) {
      const property = data.property;
      const schema = deref(schemaAt([element.section, 0, property]));
      // Only where a valid value can be filled in: the first allowed value, or the id as a name or title.
      const value = schema?.enum ? schema.enum[0] : ['name', 'title', 'text'].includes(property) ? element.id : undefined;
      if (value !== undefined) {
        actions.push(
          attempt({ id: `add:${element.id}:${property}`, title: `Add '${property}: ${plainText(value)}'`, diagnostics: [d] }, () => [
            setProperty(parsed, element, [property], value),
          ]),
        );
      }
    }
  }
  return actions;
}

/**
 * "Record a review of X today": the element's review date becomes today (its reviewer the user when known). A
 * component reviewed only through the model's date gets a review of its own.
 */
function recordReview(analysis: Analysis, element: Element, diagnostics: CoreDiagnostic[], options: CodeActionOptions): CodeAction {
  const name = typeof (element.data as { name?: unknown }).name === 'string' ? String((element.data as { name: string }).name) : element.id;
  const current = (element.data as { reviewed?: { by?: unknown } }).reviewed;
  const by = options.reviewer?.trim() || (typeof current?.by === 'string' ? current.by : undefined);
  return attempt(
    {
      id: `review:${element.id}:${options.today}`,
      title: `Record a review of ${name} today (${options.today})`,
      diagnostics,
      isPreferred: diagnostics.length > 0,
    },
    () => {
      if (current && typeof current === 'object') {
        const edits = [setProperty(analysis.parsed, element, ['reviewed', 'date'], options.today)];
        if (by !== undefined && by !== current.by) edits.push(setProperty(analysis.parsed, element, ['reviewed', 'by'], by));
        return mergeEdits(edits);
      }
      return [setProperty(analysis.parsed, element, ['reviewed'], { by: by ?? 'unknown', date: options.today })];
    },
  );
}

/**
 * Actions for where the cursor is, with no problem behind them: a component linked to code that has never been
 * reviewed is offered a review now, since its code can only be stale against a review date (the staleness check and
 * the `maxStaleElements` gate start from it).
 */
export function cursorActions(analysis: Analysis, start: number, end: number, options: CodeActionOptions): CodeAction[] {
  const model = analysis.parsed.model;
  if (!model || (analysis.parsed.doc?.errors.length ?? 0) > 0) return [];
  const component = model.components.find((c) => c.span.start <= start && end <= c.span.end);
  if (!component || component.data.code === undefined || component.data.reviewed !== undefined) return [];
  return [recordReview(analysis, component, [], options)];
}

/** The rest of one finding's fixes, behind one entry of the menu ("More actions for INP-01 on 'web'…"). */
export interface MoreActions {
  readonly title: string;
  readonly findingId: string;
  readonly actions: readonly CodeAction[];
  readonly diagnostics: readonly CoreDiagnostic[];
}

export type MenuEntry = { readonly action: CodeAction } | { readonly more: MoreActions };

/**
 * The quick-fix menu for what is under the cursor. One finding keeps all its fixes in the menu (five or six rows). With
 * several, each finding gets its preferred fix and one "More actions for …" entry for the rest: six findings on one
 * component were 27 flat rows, in which no one finds the fix they want. Fixes that are no finding's stay as they are.
 */
export function menuOf(actions: readonly CodeAction[]): MenuEntry[] {
  const byFinding = new Map<string, CodeAction[]>();
  const findingOfAction = (a: CodeAction) => {
    const d = a.diagnostics.length === 1 ? a.diagnostics[0] : undefined;
    return d && isFindingDiagnostic(d) ? d.data : undefined;
  };
  for (const a of actions) {
    const f = findingOfAction(a);
    if (!f) continue;
    const list = byFinding.get(f.findingId);
    if (list) list.push(a);
    else byFinding.set(f.findingId, [a]);
  }
  if (byFinding.size < 2) return actions.map((action) => ({ action }));
  const out: MenuEntry[] = [];
  for (const a of actions) {
    const f = findingOfAction(a);
    if (!f) {
      out.push({ action: a });
      continue;
    }
    const group = byFinding.get(f.findingId);
    if (!group) continue; // placed with its finding's first action
    byFinding.delete(f.findingId);
    const first = group.find((x) => x.isPreferred && !x.disabled) ?? group.find((x) => !x.disabled) ?? group[0];
    const rest = group.filter((x) => x !== first);
    out.push({ action: first });
    if (rest.length === 1) out.push({ action: rest[0] });
    else if (rest.length > 1) {
      const on = f.modelWide ? '' : ` on '${f.element}'`;
      out.push({
        more: { title: `More actions for ${f.rule}${on}…`, findingId: f.findingId, actions: rest, diagnostics: first.diagnostics },
      });
    }
  }
  return out;
}

function elementContaining(analysis: Analysis, offset: number): Element | undefined {
  const model = analysis.parsed.model!;
  for (const section of SECTIONS) {
    const e = (model[section] as readonly Element[]).find((x) => x.span.start <= offset && offset <= x.span.end);
    if (e) return e;
  }
  return undefined;
}

function newElement(section: SectionName, id: string): Record<string, unknown> | undefined {
  switch (section) {
    case 'boundaries':
      return { id, name: id, trust: 'internal' };
    case 'components':
      return { id, name: id, type: 'process' };
    case 'data':
      return { id, name: id, classification: 'internal' };
    case 'mitigations':
      return { id, title: id, status: 'proposed' };
    default:
      return undefined;
  }
}

/** Source action: apply every unambiguous did-you-mean fix in the document. */
export function fixAll(analysis: Analysis): CodeAction | undefined {
  const fixable = analysis.diagnostics.filter(
    (d) =>
      [DiagnosticCode.UnknownKey, DiagnosticCode.BadEnum, DiagnosticCode.DanglingReference, DiagnosticCode.UnknownRule].includes(
        d.code as never,
      ) && checkDataOf(d).suggestions?.length === 1,
  );
  if (fixable.length === 0) return undefined;
  return {
    id: 'fix-all-typos',
    title: `Fix ${fixable.length} typo${fixable.length === 1 ? '' : 's'} (did-you-mean)`,
    edits: fixable.map((d) => ({ span: d.span, newText: checkDataOf(d).suggestions![0] })),
    diagnostics: fixable,
  };
}
