/**
 * Rule pack text -> validated RulePack, with diagnostics at exact places in the pack file. A pack with errors loses
 * only its broken rules; nothing in a pack is executed, and nothing here throws.
 */
import type { Document } from 'yaml';
import { isMap, isScalar } from 'yaml';
import schemaJson from '../../../../rules/rulepack.schema.json';
import { type CoreDiagnostic, DiagnosticCode } from '../../model/diagnostics';
import { parseYamlText, spanOf } from '../../model/parse';
import { type JsonSchema, nodeAtPath, schemaAt, YamlSchemaValidator } from '../../model/schema';
import { didYouMean, suggest } from '../../model/suggest';
import type { Span } from '../../model/types';
import {
  type CatalogCoverage,
  type CatalogMitigation,
  type ComplianceFramework,
  type ComplianceMapping,
  type Condition,
  factInfo,
  OPERATORS,
  type Operator,
  QUANTIFIER_DOMAIN,
  QUANTIFIERS,
  type Quantifier,
  type Rule,
  type RulePack,
  type RuleTarget,
  SCALES,
  type SubjectKind,
} from './types';
import { isPlainObject, own } from '../../shared/values';
import { builtinRuleDocsUrl } from '../../shared/vocabulary';

export const rulePackSchema = schemaJson as JsonSchema;

/** Packs are small data files; anything larger is refused before parsing. */
export const MAX_PACK_LENGTH = 1024 * 1024;
/** Nested all/any/not/quantifier levels in one condition. */
export const MAX_CONDITION_DEPTH = 12;
/** Quantifiers nested inside quantifiers: evaluation cost grows with the product of their ranges. */
export const MAX_QUANTIFIER_NESTING = 3;

type Segment = string | number;

const packValidator = new YamlSchemaValidator('rulepack', rulePackSchema, (doc, path) => {
  if (path[0] === 'rules' && typeof path[1] === 'number') {
    const item = nodeAtPath(doc, ['rules', path[1]]).node;
    const id = isMap(item) ? item.get('id') : undefined;
    return typeof id === 'string' ? `rule '${id}'` : 'rule';
  }
  if (path[0] === 'mitigations') return 'mitigation';
  return path.length === 0 ? 'the rule pack' : `'${String(path[path.length - 1])}'`;
});

export interface LoadedPack {
  readonly pack: RulePack | undefined;
  readonly diagnostics: readonly CoreDiagnostic[];
}

export interface LoadOptions {
  readonly uri: string;
  readonly builtin: boolean;
  /** Mitigation ids already known (from the built-in catalog) that rules of this pack may use. */
  readonly knownMitigations?: ReadonlySet<string>;
  /** Rule ids already defined by earlier packs, with the pack that defines them. */
  readonly definedRules?: ReadonlyMap<string, string>;
  /** Compliance frameworks defined by earlier packs, that this pack's mitigations may map to. */
  readonly knownFrameworks?: ReadonlyMap<string, ComplianceFramework>;
}

/** The most values (mappings, lists and scalars, aliases expanded) a rule pack may hold: 20 times the built-in catalog. */
export const MAX_PACK_VALUES = 200_000;

export function loadRulePack(text: string, options: LoadOptions): LoadedPack {
  // Aliases multiply what the checks and every evaluation walk: a 176 KB pack, within every other limit, expanded to
  // 4 million conditions (38 s per check). Counted before anything expands them.
  const parsed = parseYamlText(text, { maxLength: MAX_PACK_LENGTH, maxValues: MAX_PACK_VALUES });
  const diagnostics: CoreDiagnostic[] = [...parsed.diagnostics];
  // A pack with YAML errors contributes nothing until it is fixed: half-parsed rules would fire unpredictably.
  if (!parsed.ok || !parsed.doc || diagnostics.some((d) => d.severity === 'error')) return { pack: undefined, diagnostics };
  const doc = parsed.doc;
  if (!isMap(doc.contents)) {
    diagnostics.push({
      code: DiagnosticCode.RootNotMapping,
      severity: 'error',
      message: 'A rule pack is a mapping with `pack:` and `rules:`.',
      span: spanOf(doc.contents),
    });
    return { pack: undefined, diagnostics };
  }
  const schemaDiagnostics = packValidator.validate(doc, parsed.value);
  diagnostics.push(...schemaDiagnostics);

  const value = parsed.value as Record<string, unknown>;
  const packId = typeof value.pack === 'string' ? value.pack : '(unnamed pack)';
  // Rules with a schema error are dropped; the rest of the pack still works.
  const brokenRules = new Set<number>();
  for (const d of schemaDiagnostics) {
    const index = ruleIndexAt(doc, d.span);
    if (index !== undefined) brokenRules.add(index);
  }

  const frameworks = loadFrameworks(doc, value.frameworks, packId, options.knownFrameworks, diagnostics);
  const knownFrameworks = new Map([...(options.knownFrameworks ?? []), ...frameworks.map((f) => [f.id, f] as const)]);
  const controlsOf = new Map([...knownFrameworks].map(([id, f]) => [id, new Set(f.controls.map((c) => c.id))]));

  const mitigations: CatalogMitigation[] = [];
  const ownMitigations = new Set<string>();
  if (Array.isArray(value.mitigations)) {
    value.mitigations.forEach((m, i) => {
      if (!isPlainObject(m) || typeof m.id !== 'string' || typeof m.title !== 'string' || typeof m.description !== 'string') return;
      if (ownMitigations.has(m.id)) {
        diagnostics.push(
          packError(doc, ['mitigations', i, 'id'], DiagnosticCode.DuplicateId, `Mitigation '${m.id}' is defined twice in this pack.`),
        );
        return;
      }
      ownMitigations.add(m.id);
      const compliance = isPlainObject(m.compliance)
        ? checkCompliance(doc, m.compliance, ['mitigations', i, 'compliance'], controlsOf, diagnostics)
        : undefined;
      mitigations.push({ id: m.id, title: m.title, description: m.description, ...(compliance && { compliance }) });
    });
  }
  const knownMitigations = new Set([...(options.knownMitigations ?? []), ...ownMitigations]);

  const rules: Rule[] = [];
  const seenRules = new Map<string, number>();
  if (Array.isArray(value.rules)) {
    value.rules.forEach((raw, i) => {
      if (brokenRules.has(i) || !isPlainObject(raw)) return;
      const path: Segment[] = ['rules', i];
      const problems: CoreDiagnostic[] = [];
      const id = String(raw.id);
      const earlier = options.definedRules?.get(id);
      if (seenRules.has(id) || earlier) {
        problems.push(
          packError(
            doc,
            [...path, 'id'],
            DiagnosticCode.DuplicateId,
            `Rule '${id}' is already defined${earlier ? ` by pack '${earlier}'` : ' in this pack'}. Rule ids are unique.`,
          ),
        );
      }
      const target = raw.target as RuleTarget;
      const subject = subjectOf(target);
      const checker = new ConditionChecker(doc, subject, problems);
      checker.check(raw.when, [...path, 'when'], 0, 0);
      if (raw.unless !== undefined) checker.check(raw.unless, [...path, 'unless'], 0, 0);
      const ruleMitigations = Array.isArray(raw.mitigations) ? (raw.mitigations as string[]) : [];
      ruleMitigations.forEach((m, j) => {
        if (!knownMitigations.has(m)) {
          problems.push(
            packError(
              doc,
              [...path, 'mitigations', j],
              DiagnosticCode.DanglingReference,
              `Unknown mitigation '${m}': not in this pack's or the built-in catalog.${didYouMean(suggest(m, knownMitigations))}`,
            ),
          );
        }
      });
      checkTemplate(doc, String(raw.title), [...path, 'title'], subject, problems);
      diagnostics.push(...problems);
      if (problems.some((p) => p.severity === 'error')) return;
      seenRules.set(id, i);
      rules.push({
        id,
        target,
        title: String(raw.title),
        rationale: String(raw.rationale),
        stride: (raw.stride as Rule['stride']) ?? [],
        linddun: (raw.linddun as string[]) ?? [],
        cwe: (raw.cwe as number[]) ?? [],
        capec: (raw.capec as number[]) ?? [],
        severity: raw.severity as Rule['severity'],
        when: raw.when as Condition,
        unless: raw.unless as Condition | undefined,
        mitigations: ruleMitigations,
        // Explicit references first, then the CWE and CAPEC entries, so every rule links to its weakness.
        references: [
          ...((raw.references as Rule['references']) ?? []),
          ...((raw.cwe as number[]) ?? []).map((n) => ({ title: `CWE-${n}`, url: `https://cwe.mitre.org/data/definitions/${n}.html` })),
          ...((raw.capec as number[]) ?? []).map((n) => ({
            title: `CAPEC-${n}`,
            url: `https://capec.mitre.org/data/definitions/${n}.html`,
          })),
        ],
        docs: options.builtin
          ? builtinRuleDocsUrl(id)
          : ((raw.docs as string | undefined) ?? (raw.references as Rule['references'] | undefined)?.[0]?.url),
        designFlaws: (raw.designFlaws as number[]) ?? [],
        covers: (raw.covers as CatalogCoverage | undefined) ?? {},
        partlyCovers: (raw.partlyCovers as CatalogCoverage | undefined) ?? {},
        source: { pack: packId, uri: options.uri, span: spanOf(nodeAtPath(doc, path).node as never) },
      });
    });
  }

  return {
    pack: {
      id: packId,
      title: typeof value.title === 'string' ? value.title : packId,
      uri: options.uri,
      builtin: options.builtin,
      rules,
      mitigations,
      frameworks,
    },
    diagnostics,
  };
}

/**
 * The pack's compliance frameworks: each with an id no earlier pack or framework of this pack took, and levels made of
 * its own controls. A framework with a problem is left out (what maps to it then says so).
 */
function loadFrameworks(
  doc: Document.Parsed,
  raw: unknown,
  pack: string,
  known: ReadonlyMap<string, ComplianceFramework> | undefined,
  diagnostics: CoreDiagnostic[],
): ComplianceFramework[] {
  const frameworks: ComplianceFramework[] = [];
  if (!Array.isArray(raw)) return frameworks;
  raw.forEach((f, i) => {
    if (!isPlainObject(f) || typeof f.id !== 'string' || typeof f.title !== 'string' || !Array.isArray(f.controls)) return;
    const path: Segment[] = ['frameworks', i];
    const earlier = known?.get(f.id)?.pack;
    if (earlier !== undefined || frameworks.some((x) => x.id === f.id)) {
      const by = earlier !== undefined ? ` by pack '${earlier}'` : ' in this pack';
      diagnostics.push(packError(doc, [...path, 'id'], DiagnosticCode.DuplicateId, `Framework '${f.id}' is already defined${by}.`));
      return;
    }
    const controls = f.controls.filter(
      (c): c is { id: string; title: string } => isPlainObject(c) && typeof c.id === 'string' && typeof c.title === 'string',
    );
    const ids = new Set<string>();
    let problems = 0;
    controls.forEach((c, j) => {
      if (ids.has(c.id)) {
        diagnostics.push(packError(doc, [...path, 'controls', j, 'id'], DiagnosticCode.DuplicateId, `Control '${c.id}' is listed twice.`));
        problems++;
      }
      ids.add(c.id);
    });
    const levels: Record<string, readonly string[]> = {};
    if (isPlainObject(f.levels)) {
      for (const [level, list] of Object.entries(f.levels)) {
        if (!Array.isArray(list)) continue;
        list.forEach((id, j) => {
          if (typeof id === 'string' && !ids.has(id)) {
            diagnostics.push(
              packError(
                doc,
                [...path, 'levels', level, j],
                DiagnosticCode.DanglingReference,
                `Level '${level}' lists '${id}', which is not among the framework's controls.${didYouMean(suggest(id, ids))}`,
              ),
            );
            problems++;
          }
        });
        levels[level] = list.filter((id): id is string => typeof id === 'string');
      }
    }
    if (problems > 0) return;
    frameworks.push({
      id: f.id,
      title: f.title,
      ...(typeof f.version === 'string' && { version: f.version }),
      ...(typeof f.url === 'string' && { url: f.url }),
      levels,
      controls: controls.map((c) => ({ id: c.id, title: c.title })),
      pack,
    });
  });
  return frameworks;
}

/** A mitigation's `compliance:`, each framework known and each id one of its controls; what is not is reported. */
function checkCompliance(
  doc: Document.Parsed,
  raw: Record<string, unknown>,
  path: Segment[],
  controlsOf: ReadonlyMap<string, ReadonlySet<string>>,
  diagnostics: CoreDiagnostic[],
): ComplianceMapping | undefined {
  const mapping: Record<string, readonly string[]> = {};
  for (const [framework, list] of Object.entries(raw)) {
    if (!Array.isArray(list)) continue;
    const controls = controlsOf.get(framework);
    if (!controls) {
      diagnostics.push(
        packError(
          doc,
          [...path, framework],
          DiagnosticCode.DanglingReference,
          `Unknown framework '${framework}': not defined by this pack or an earlier one.${didYouMean(suggest(framework, controlsOf.keys()))}`,
        ),
      );
      continue;
    }
    const valid: string[] = [];
    list.forEach((id, j) => {
      if (typeof id !== 'string') return;
      if (controls.has(id)) valid.push(id);
      else
        diagnostics.push(
          packError(
            doc,
            [...path, framework, j],
            DiagnosticCode.DanglingReference,
            `'${id}' is not a control of ${framework}.${didYouMean(suggest(id, controls))}`,
          ),
        );
    });
    if (valid.length > 0) mapping[framework] = valid;
  }
  return Object.keys(mapping).length > 0 ? mapping : undefined;
}

export function subjectOf(target: RuleTarget): SubjectKind {
  switch (target) {
    case 'process':
    case 'datastore':
    case 'external':
    case 'component':
      return 'component';
    default:
      return target;
  }
}

/** The threat-model schema path under which properties of a subject kind are described. */
const SUBJECT_SCHEMA_PATH: Readonly<Record<SubjectKind, readonly Segment[]>> = {
  component: ['components', 0],
  flow: ['flows', 0],
  boundary: ['boundaries', 0],
  data: ['data', 0],
  threat: ['threats', 0],
  mitigation: ['mitigations', 0],
  model: [],
};

class ConditionChecker {
  constructor(
    private readonly doc: Document.Parsed,
    private readonly subject: SubjectKind,
    private readonly out: CoreDiagnostic[],
  ) {}

  check(cond: unknown, path: Segment[], depth: number, quantifierDepth: number, subject: SubjectKind = this.subject): void {
    if (!isPlainObject(cond)) return; // the schema reported it
    if (depth > MAX_CONDITION_DEPTH) {
      this.error(path, `Condition nested more than ${MAX_CONDITION_DEPTH} levels deep. Split the rule.`);
      return;
    }
    const keys = Object.keys(cond);
    const combinators = keys.filter((k) => k === 'all' || k === 'any' || k === 'not');
    const quantifiers = keys.filter((k): k is Quantifier => (QUANTIFIERS as readonly string[]).includes(k));
    const operators = keys.filter((k): k is Operator => (OPERATORS as readonly string[]).includes(k));
    const subjects = keys.filter((k) => k === 'prop' || k === 'fact');

    if (combinators.length + quantifiers.length > 0) {
      if (keys.length !== 1) {
        this.error(path, `'${combinators[0] ?? quantifiers[0]}' must stand alone in its condition; wrap the rest in 'all' or 'any'.`);
        return;
      }
      const key = keys[0];
      if (key === 'all' || key === 'any') {
        const list = cond[key];
        if (Array.isArray(list)) list.forEach((c, i) => this.check(c, [...path, key, i], depth + 1, quantifierDepth, subject));
        return;
      }
      if (key === 'not') {
        this.check(cond.not, [...path, 'not'], depth + 1, quantifierDepth, subject);
        return;
      }
      const q = key as Quantifier;
      const domain = QUANTIFIER_DOMAIN[q];
      if (!domain.on.includes(subject)) {
        this.error([...path, q], `'${q}' is not defined on a ${subject}; it applies to ${domain.on.join(' and ')}.`, true);
        return;
      }
      if (quantifierDepth + 1 > MAX_QUANTIFIER_NESTING) {
        this.error([...path, q], `Quantifiers nest at most ${MAX_QUANTIFIER_NESTING} deep.`, true);
        return;
      }
      this.check(cond[q], [...path, q], depth + 1, quantifierDepth + 1, domain.over);
      return;
    }

    if (subjects.length !== 1) {
      this.error(path, "A test names one property ('prop') or one computed fact ('fact').");
      return;
    }
    if (operators.length !== 1) {
      this.error(
        path,
        `A test has exactly one operator (${OPERATORS.join(', ')}); this one has ${operators.length === 0 ? 'none' : operators.join(' and ')}.`,
      );
      return;
    }
    const op = operators[0];
    let scale: readonly string[] | undefined;
    if (subjects[0] === 'fact') {
      const fact = String(cond.fact);
      const info = factInfo(fact);
      if (info && !info.on.includes(subject)) {
        this.error([...path, 'fact'], `Fact '${fact}' is not defined on a ${subject}; it applies to ${info.on.join(' and ')}.`, true);
        return;
      }
      scale = info?.scale ? own(SCALES, info.scale) : undefined;
    } else {
      const prop = String(cond.prop);
      const segments = prop.split('.');
      if (!schemaAt([...SUBJECT_SCHEMA_PATH[subject], ...segments])) {
        const parent = schemaAt([...SUBJECT_SCHEMA_PATH[subject], ...segments.slice(0, -1)]);
        const candidates = Object.keys(parent?.properties ?? {});
        this.error(
          [...path, 'prop'],
          `'${prop}' is not a property of a ${subject}.${didYouMean(suggest(segments[segments.length - 1], candidates).map((c) => [...segments.slice(0, -1), c].join('.')))}`,
          true,
        );
        return;
      }
      scale = own(SCALES, segments[segments.length - 1]);
    }
    if (op === 'gte' || op === 'lte') {
      if (!scale) {
        this.error(
          [...path, op],
          `'${op}' compares on an ordered scale; '${String(cond.prop ?? cond.fact)}' has none. Use eq, in or notIn.`,
          true,
        );
        return;
      }
      if (!scale.includes(String(cond[op]))) {
        this.error([...path, op], `'${String(cond[op])}' is not on the scale ${scale.join(' < ')}.`, true);
      }
    }
  }

  private error(path: Segment[], message: string, exact = false): void {
    this.out.push(packError(this.doc, path, DiagnosticCode.InvalidRule, message, exact));
  }
}

const TEMPLATE_FIELDS: Readonly<Record<SubjectKind, readonly string[]>> = {
  component: ['id', 'name', 'kind', 'type', 'maxClassification', 'trust'],
  flow: ['id', 'name', 'protocol', 'source.name', 'target.name', 'source.id', 'target.id', 'maxClassification'],
  boundary: ['id', 'name', 'trust'],
  data: ['id', 'name', 'classification'],
  threat: ['id', 'title', 'severity', 'status'],
  mitigation: ['id', 'title', 'status'],
  model: ['name'],
};

function checkTemplate(doc: Document.Parsed, title: string, path: Segment[], subject: SubjectKind, out: CoreDiagnostic[]): void {
  for (const match of title.matchAll(/\{([^{}]*)\}/g)) {
    if (!TEMPLATE_FIELDS[subject].includes(match[1])) {
      out.push(
        packError(
          doc,
          path,
          DiagnosticCode.InvalidRule,
          `Unknown placeholder {${match[1]}} in the title. Available here: ${TEMPLATE_FIELDS[subject].map((f) => `{${f}}`).join(', ')}.`,
          true,
        ),
      );
    }
  }
}

function packError(doc: Document.Parsed, path: Segment[], code: string, message: string, exact = true): CoreDiagnostic {
  const located = nodeAtPath(doc, path);
  let span: Span = spanOf(located.node as never);
  // For a whole condition, point at its first key rather than the whole block.
  if (!exact && isMap(located.node) && located.node.items.length > 0 && isScalar(located.node.items[0].key)) {
    span = spanOf(located.node.items[0].key);
  }
  return { code, severity: 'error', message, span };
}

function ruleIndexAt(doc: Document.Parsed, span: Span): number | undefined {
  const rules = nodeAtPath(doc, ['rules']).node;
  if (!rules || typeof rules !== 'object' || !('items' in rules)) return undefined;
  const items = (rules as { items: unknown[] }).items;
  for (let i = 0; i < items.length; i++) {
    const s = spanOf(items[i] as never);
    if (s.start <= span.start && span.end <= Math.max(s.end, s.start)) return i;
  }
  return undefined;
}
