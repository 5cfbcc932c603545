/**
 * Quick fixes, as pure functions from an analysis and the diagnostics under the cursor to named edits.
 * Findings: record the threat, mitigate with a catalog mitigation, set the covering control, mark not applicable.
 * Schema and reference errors: did-you-mean replacements, create the missing element, add a required property.
 */
import { appendAllToSection, appendToSection, mergeEdits, setProperty, type TextEdit } from '../edits/text-edits';
import type { Analysis } from '../analysis/analyze';
import { checkDataOf, type CoreDiagnostic, DiagnosticCode, type FindingDiagnostic, isFindingDiagnostic } from '../model/diagnostics';
import { deref, schemaAt } from '../model/schema';
import { type Element, SECTION_NOUN, type SectionName } from '../model/types';
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
}

const NOT_APPLICABLE_PLACEHOLDER = 'Explain why this does not apply here.';

export function codeActions(analysis: Analysis, diagnostics: readonly CoreDiagnostic[]): CodeAction[] {
  // While the YAML does not parse, the structure edits would be placed by a guess (a section the parser lost would be
  // created again): offer only in-place replacements until the syntax is fixed.
  const broken = (analysis.parsed.doc?.errors.length ?? 0) > 0;
  const out: CodeAction[] = [];
  for (const d of diagnostics) {
    if (isFindingDiagnostic(d)) {
      if (!broken) out.push(...findingActions(analysis, d));
    } else {
      out.push(...schemaActions(analysis, d).filter((a) => !broken || a.edits.every((e) => e.span.start < e.span.end)));
    }
  }
  return out;
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

function findingActions(analysis: Analysis, d: FindingDiagnostic): CodeAction[] {
  const parsed = analysis.parsed;
  const f = d.data;
  const actions: CodeAction[] = [];
  const element = elementOf(analysis, f.element);
  const category = f.stride[0] ?? 'tampering';
  const threatBase = { title: f.title, category, targets: [f.element], rule: f.rule, severity: f.severity };
  // Threats target components, flows, boundaries and data; findings about threats, mitigations or the whole model
  // (hygiene) are fixed in place or disabled instead.
  const canRecord = element !== undefined && ['components', 'flows', 'boundaries', 'data'].includes(element.section);

  if (canRecord) {
    actions.push({
      id: `record:${f.findingId}`,
      title: `Record threat ${f.rule} on '${f.element}'`,
      edits: [appendToSection(parsed, 'threats', { id: freshId(analysis, `T-${f.rule}-${f.element}`), ...threatBase, status: 'open' })],
      diagnostics: [d],
      isPreferred: f.mitigations.length === 0,
    });
    f.mitigations.forEach((m, i) => {
      const existing = parsed.model?.mitigations.find((x) => x.data.title === m.title);
      const mitigationId = existing?.id ?? freshId(analysis, `M-${m.id}`);
      const taken = new Set([mitigationId]);
      const edits: TextEdit[] = [];
      if (!existing)
        edits.push(
          appendToSection(parsed, 'mitigations', { id: mitigationId, title: m.title, description: m.description, status: 'proposed' }),
        );
      edits.push(
        appendToSection(parsed, 'threats', {
          id: freshId(analysis, `T-${f.rule}-${f.element}`, taken),
          ...threatBase,
          status: 'open',
          mitigations: [mitigationId],
        }),
      );
      actions.push({
        id: `mitigate:${f.findingId}:${m.id}`,
        title: `Mitigate with: ${m.title}`,
        edits: mergeEdits(edits),
        diagnostics: [d],
        isPreferred: i === 0,
      });
    });
  }
  if (element) {
    for (const c of f.controls) {
      actions.push({
        id: `control:${f.findingId}:${c.property}`,
        title: `Set ${c.property}: ${String(c.value)} on '${f.element}'`,
        edits: [setProperty(parsed, element, c.property.split('.'), c.value)],
        diagnostics: [d],
      });
    }
    if (!canRecord) {
      actions.push({
        id: `disable:${f.findingId}`,
        title: `Disable ${f.rule} for '${f.element}'…`,
        edits: [setProperty(parsed, element, ['disabledRules'], [{ rule: f.rule, reason: NOT_APPLICABLE_PLACEHOLDER }])],
        diagnostics: [d],
      });
    }
  }
  if (element && canRecord) {
    actions.push({
      id: `not-applicable:${f.findingId}`,
      title: `Mark ${f.rule} not applicable to '${f.element}'…`,
      edits: [
        appendToSection(parsed, 'threats', {
          id: freshId(analysis, `T-${f.rule}-${f.element}`),
          ...threatBase,
          status: 'not-applicable',
          justification: NOT_APPLICABLE_PLACEHOLDER,
        }),
      ],
      diagnostics: [d],
    });
  }

  // Record every open finding of this rule at once.
  const same = analysis.diagnostics.filter(
    (x): x is FindingDiagnostic => isFindingDiagnostic(x) && x.data.rule === f.rule && elementOf(analysis, x.data.element) !== undefined,
  );
  if (canRecord && same.length > 1) {
    const record = (): TextEdit[] => {
      const taken = new Set<string>();
      const items = same.map((x) => {
        const data = x.data;
        const id = freshId(analysis, `T-${data.rule}-${data.element}`, taken);
        taken.add(id);
        return {
          id,
          title: data.title,
          category: data.stride[0] ?? 'tampering',
          targets: [data.element],
          rule: data.rule,
          severity: data.severity,
          status: 'open',
        };
      });
      return [appendAllToSection(analysis.parsed, 'threats', items)];
    };
    let edits: TextEdit[] | undefined;
    actions.push({
      id: `record-all:${f.rule}`,
      title: `Record threats for all ${same.length} ${f.rule} findings`,
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

function schemaActions(analysis: Analysis, d: CoreDiagnostic): CodeAction[] {
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
    case DiagnosticCode.KindTypeMismatch:
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
      actions.push({
        id: `create:${section}:${id}`,
        title: `Create ${SECTION_NOUN[section]} '${id}'`,
        edits: [appendToSection(parsed, section, item)],
        diagnostics: [d],
      });
    }
  }
  if (d.code === DiagnosticCode.MissingRequired && data.property !== undefined) {
    const element = analysis.parsed.model && elementContaining(analysis, d.span.start);
    if (element) {
      const property = data.property;
      const schema = deref(schemaAt([element.section, 0, property]));
      // Only where a valid value can be filled in: the first allowed value, or the id as a name or title.
      const value = schema?.enum ? schema.enum[0] : ['name', 'title', 'text'].includes(property) ? element.id : undefined;
      if (value !== undefined) {
        actions.push({
          id: `add:${element.id}:${property}`,
          title: `Add '${property}: ${plainText(value)}'`,
          edits: [setProperty(parsed, element, [property], value)],
          diagnostics: [d],
        });
      }
    }
  }
  return actions;
}

function elementContaining(analysis: Analysis, offset: number): Element | undefined {
  const model = analysis.parsed.model!;
  for (const section of ['boundaries', 'components', 'data', 'flows', 'threats', 'mitigations', 'assumptions'] as const) {
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
