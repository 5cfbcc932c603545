/**
 * Quick fixes, as pure functions from an analysis and the diagnostics under the cursor to named edits.
 * Findings: record the threat, mitigate with a catalog mitigation, set the covering control, mark not applicable.
 * Schema and reference errors: did-you-mean replacements, create the missing element, add a required property.
 */
import type { FindingData } from '../analysis/rules/engine';
import { appendAllToSection, appendToSection, mergeEdits, setProperty, TextEdit } from '../edits/text-edits';
import type { Analysis } from '../model/analyze';
import { CoreDiagnostic, DiagnosticCode } from '../model/diagnostics';
import { deref, schemaAt } from '../model/schema';
import { Element, SECTION_NOUN, SectionName } from '../model/types';

export interface CodeAction {
  readonly title: string;
  readonly kind: 'quickfix' | 'source.fixAll';
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
    if (isFinding(d)) {
      if (!broken) out.push(...findingActions(analysis, d));
    } else {
      out.push(...schemaActions(analysis, d).filter((a) => !broken || a.edits.every((e) => e.span.start < e.span.end)));
    }
  }
  return out;
}

function isFinding(d: CoreDiagnostic): d is CoreDiagnostic & { data: FindingData } {
  return typeof (d.data as Partial<FindingData> | undefined)?.findingId === 'string';
}

/** An id not used yet in the model, derived from a readable base. */
function freshId(analysis: Analysis, base: string, taken: Set<string> = new Set()): string {
  const clean = base.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[^A-Za-z]+/, '').replace(/-+$/, '') || 'item';
  const used = (id: string) => analysis.parsed.model?.byId.has(id) || taken.has(id);
  if (!used(clean)) return clean;
  for (let i = 2; ; i++) if (!used(`${clean}-${i}`)) return `${clean}-${i}`;
}

function elementOf(analysis: Analysis, id: string): Element | undefined {
  return analysis.parsed.model?.byId.get(id);
}

function findingActions(analysis: Analysis, d: CoreDiagnostic & { data: FindingData }): CodeAction[] {
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
      title: `Record threat ${f.rule} on '${f.element}'`,
      kind: 'quickfix',
      edits: [appendToSection(parsed, 'threats', { id: freshId(analysis, `T-${f.rule}-${f.element}`), ...threatBase, status: 'open' })],
      diagnostics: [d],
      isPreferred: f.mitigations.length === 0,
    });
    f.mitigations.forEach((m, i) => {
      const existing = parsed.model?.mitigations.find((x) => x.data.title === m.title);
      const mitigationId = existing?.id ?? freshId(analysis, `M-${m.id}`);
      const taken = new Set([mitigationId]);
      const edits: TextEdit[] = [];
      if (!existing) edits.push(appendToSection(parsed, 'mitigations', { id: mitigationId, title: m.title, description: m.description, status: 'proposed' }));
      edits.push(
        appendToSection(parsed, 'threats', { id: freshId(analysis, `T-${f.rule}-${f.element}`, taken), ...threatBase, status: 'open', mitigations: [mitigationId] }),
      );
      actions.push({ title: `Mitigate with: ${m.title}`, kind: 'quickfix', edits: mergeEdits(edits), diagnostics: [d], isPreferred: i === 0 });
    });
  }
  if (element) {
    for (const c of f.controls) {
      actions.push({
        title: `Set ${c.property}: ${String(c.value)} on '${f.element}'`,
        kind: 'quickfix',
        edits: [setProperty(parsed, element, c.property.split('.'), c.value)],
        diagnostics: [d],
      });
    }
    if (!canRecord) {
      actions.push({
        title: `Disable ${f.rule} for '${f.element}'…`,
        kind: 'quickfix',
        edits: [setProperty(parsed, element, ['disabledRules'], [{ rule: f.rule, reason: NOT_APPLICABLE_PLACEHOLDER }])],
        diagnostics: [d],
      });
    }
  }
  if (element && canRecord) {
    actions.push({
      title: `Mark ${f.rule} not applicable to '${f.element}'…`,
      kind: 'quickfix',
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
  const same = analysis.diagnostics.filter((x) => isFinding(x) && x.data.rule === f.rule && elementOf(analysis, x.data.element));
  if (canRecord && same.length > 1) {
    const record = (): TextEdit[] => {
      const taken = new Set<string>();
      const items = same.map((x) => {
        const data = (x as CoreDiagnostic & { data: FindingData }).data;
        const id = freshId(analysis, `T-${data.rule}-${data.element}`, taken);
        taken.add(id);
        return { id, title: data.title, category: data.stride[0] ?? 'tampering', targets: [data.element], rule: data.rule, severity: data.severity, status: 'open' };
      });
      return [appendAllToSection(analysis.parsed, 'threats', items)];
    };
    let edits: TextEdit[] | undefined;
    actions.push({
      title: `Record threats for all ${same.length} ${f.rule} findings`,
      kind: 'quickfix',
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

function schemaActions(analysis: Analysis, d: CoreDiagnostic): CodeAction[] {
  const actions: CodeAction[] = [];
  const parsed = analysis.parsed;
  const suggestions = (d.data?.suggestions ?? []) as readonly string[];
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
        if (edit) actions.push({ title: `Change to '${s}'`, kind: 'quickfix', edits: [edit], diagnostics: [d], isPreferred: i === 0 && suggestions.length === 1 });
      });
      break;
  }
  if (d.code === DiagnosticCode.DanglingReference && typeof d.data?.id === 'string' && Array.isArray(d.data.expected)) {
    const id = d.data.id;
    const expected = d.data.expected as SectionName[];
    const section = expected[0];
    // Without a close match, let the user pick any existing id of the right kind (a few, in model order).
    if (suggestions.length === 0 && parsed.model) {
      const candidates = expected.flatMap((s) => (parsed.model![s] as readonly Element[]).map((e) => e.id)).slice(0, 8);
      for (const c of candidates) actions.push({ title: `Use ${SECTION_NOUN[parsed.model.byId.get(c)!.section]} '${c}'`, kind: 'quickfix', edits: [{ span: d.span, newText: c }], diagnostics: [d] });
    }
    const item = newElement(section, id);
    if (item && /^[A-Za-z][A-Za-z0-9_.-]*$/.test(id)) {
      actions.push({ title: `Create ${SECTION_NOUN[section]} '${id}'`, kind: 'quickfix', edits: [appendToSection(parsed, section, item)], diagnostics: [d] });
    }
  }
  if (d.code === DiagnosticCode.MissingRequired && typeof d.data?.property === 'string') {
    const element = analysis.parsed.model && elementContaining(analysis, d.span.start);
    if (element) {
      const property = d.data.property;
      const schema = deref(schemaAt([element.section, 0, property]));
      // Only where a valid value can be filled in: the first allowed value, or the id as a name or title.
      const value = schema?.enum ? schema.enum[0] : ['name', 'title', 'text'].includes(property) ? element.id : undefined;
      if (value !== undefined) {
        actions.push({ title: `Add '${property}: ${String(value)}'`, kind: 'quickfix', edits: [setProperty(parsed, element, [property], value)], diagnostics: [d] });
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
      [DiagnosticCode.UnknownKey, DiagnosticCode.BadEnum, DiagnosticCode.DanglingReference, DiagnosticCode.UnknownRule].includes(d.code as never) &&
      ((d.data?.suggestions ?? []) as string[]).length === 1,
  );
  if (fixable.length === 0) return undefined;
  return {
    title: `Fix ${fixable.length} typo${fixable.length === 1 ? '' : 's'} (did-you-mean)`,
    kind: 'source.fixAll',
    edits: fixable.map((d) => ({ span: d.span, newText: ((d.data?.suggestions ?? []) as string[])[0] })),
    diagnostics: fixable,
  };
}
