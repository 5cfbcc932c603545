/**
 * Diagnostics as the core produces them: offset-based, editor-agnostic. The LSP server and the CLI convert them.
 * Every diagnostic carries a stable `code`: users filter on it, quick fixes dispatch on it, docs list it.
 */
import type { DiagnosticSeverity, Severity } from '../shared/vocabulary';
import type { Span } from './types';

export type { DiagnosticSeverity } from '../shared/vocabulary';

/** The stable codes of the core checks. Rule findings use their rule id as code. */
export const DiagnosticCode = {
  YamlSyntax: 'yaml-syntax',
  YamlWarning: 'yaml-warning',
  DuplicateKey: 'duplicate-key',
  MultipleDocuments: 'multiple-documents',
  TooDeep: 'nesting-too-deep',
  AliasLimit: 'alias-limit',
  EmptyDocument: 'empty-document',
  RootNotMapping: 'root-not-mapping',
  BinaryContent: 'binary-content',
  InvalidEncoding: 'invalid-encoding',
  FileTooLarge: 'file-too-large',
  UnknownKey: 'unknown-key',
  WrongType: 'wrong-type',
  BadEnum: 'bad-enum',
  BadValue: 'bad-value',
  MissingRequired: 'missing-required',
  InvalidId: 'invalid-id',
  InvalidDate: 'invalid-date',
  DuplicateId: 'duplicate-id',
  DanglingReference: 'dangling-reference',
  WrongReferenceKind: 'wrong-reference-kind',
  BoundaryCycle: 'boundary-cycle',
  BoundaryTooDeep: 'boundary-too-deep',
  SelfFlow: 'self-flow',
  AcceptanceWithoutJustification: 'acceptance-without-justification',
  AcceptanceWithoutOwner: 'acceptance-without-owner',
  AcceptanceExpired: 'acceptance-expired',
  OutOfScopeWithoutReason: 'out-of-scope-without-reason',
  PlaceholderText: 'placeholder-text',
  KindTypeMismatch: 'kind-type-mismatch',
  InvalidRule: 'invalid-rule',
  UnknownRule: 'unknown-rule',
  UnknownFramework: 'unknown-framework',
  ImportNotFound: 'import-not-found',
  ImportCycle: 'import-cycle',
  ImportRefused: 'import-refused',
  DanglingCodeLink: 'dangling-code-link',
  CodeLinkRefused: 'code-link-refused',
  CodeChangedSinceReview: 'code-changed-since-review',
  InfraDrift: 'infra-drift',
  InfraUnmodelled: 'infra-unmodelled',
  InfraMissing: 'infra-missing',
  InternalError: 'internal-error',
  DiagnosticLimit: 'diagnostic-limit',
} as const;

export type DiagnosticCode = (typeof DiagnosticCode)[keyof typeof DiagnosticCode];

/** Problems that leave no usable model: views show them instead of a diagram. */
export const FATAL_CODES: ReadonlySet<string> = new Set<DiagnosticCode>([
  DiagnosticCode.YamlSyntax,
  DiagnosticCode.RootNotMapping,
  DiagnosticCode.BinaryContent,
  DiagnosticCode.FileTooLarge,
  DiagnosticCode.TooDeep,
  DiagnosticCode.AliasLimit,
  DiagnosticCode.MultipleDocuments,
]);

export interface RelatedLocation {
  readonly span: Span;
  readonly message: string;
  /** The file the span is in, when it is not the diagnostic's own (an element defined in an imported model). */
  readonly uri?: string;
}

export interface CoreDiagnostic {
  readonly code: string;
  readonly severity: DiagnosticSeverity;
  readonly message: string;
  readonly span: Span;
  readonly related?: readonly RelatedLocation[];
  /** Machine-readable facts for quick fixes: a check's suggestions, or the finding a rule reported. */
  readonly data?: CheckData | FindingData;
}

/** What a core check's diagnostic carries for its quick fixes. */
export interface CheckData {
  /** Replacement suggestions for the text at `span`, best first. */
  readonly suggestions?: readonly string[];
  /** For a dangling reference: the id that is missing and the sections it should be created in. */
  readonly id?: string;
  readonly expected?: readonly string[];
  /** For missing-required: the property to add. */
  readonly property?: string;
  /** For a bad enum value: the values allowed. */
  readonly allowed?: readonly unknown[];
  /** For an expired acceptance: when it expired. */
  readonly expires?: string;
  /** For a code link or an infrastructure link: the component it belongs to. */
  readonly element?: string;
  /** For infra-drift: the property (dotted) and the infrastructure's value. */
  readonly value?: unknown;
  /** For infra-unmodelled: the source and the addresses no component stands for. */
  readonly source?: string;
  readonly addresses?: readonly string[];
}

/** What a rule finding's diagnostic carries: which finding it is, and what its quick fixes need. */
export interface FindingData {
  /** RULE@element, stable across edits. */
  readonly findingId: string;
  readonly rule: string;
  /** The element's id ('model' for model-wide findings). */
  readonly element: string;
  /** A model-wide finding (a rule on the model, not on an element that may be called 'model'). */
  readonly modelWide: boolean;
  readonly title: string;
  /** STRIDE categories of the rule, in the rule's order. */
  readonly stride: readonly string[];
  /** LINDDUN categories of the rule: a privacy threat when it has no STRIDE category. */
  readonly linddun: readonly string[];
  readonly severity: Severity;
  readonly mitigations: readonly { readonly id: string; readonly title: string; readonly description: string }[];
  /** Properties whose setting covers the rule, e.g. { property: 'controls.csrfProtection', value: true }. */
  readonly controls: readonly { readonly property: string; readonly value: unknown }[];
  /** Where the rule is documented (an https URL): editors link the finding's code there. */
  readonly docs?: string;
}

export type FindingDiagnostic = CoreDiagnostic & { readonly data: FindingData };

export function isFindingDiagnostic(d: CoreDiagnostic): d is FindingDiagnostic {
  return d.data !== undefined && 'findingId' in d.data;
}

/** The check data of a diagnostic that is not a finding (empty for findings and diagnostics without data). */
export function checkDataOf(d: CoreDiagnostic): CheckData {
  return d.data && !('findingId' in d.data) ? d.data : {};
}

/** The same diagnostic `delta` code units further on (its related locations too): text before it grew or shrank. */
export function shiftDiagnostic(d: CoreDiagnostic, delta: number): CoreDiagnostic {
  const move = (s: Span): Span => ({ start: s.start + delta, end: s.end + delta });
  return { ...d, span: move(d.span), ...(d.related ? { related: d.related.map((r) => (r.uri ? r : { ...r, span: move(r.span) })) } : {}) };
}

/** How many problems of one kind a list holds before one note says how many more there are. */
export const MAX_PER_KIND = 200;
/** The longest message (or related message) any diagnostic has; names and values in it are clipped long before. */
export const MAX_MESSAGE_LENGTH = 600;

/** `text` at most MAX_MESSAGE_LENGTH characters long (then `…`). */
function clipMessage(text: string): string {
  return text.length <= MAX_MESSAGE_LENGTH ? text : `${text.slice(0, MAX_MESSAGE_LENGTH - 1)}…`;
}

/**
 * Every list of diagnostics the core hands out passes here (the analysis, the code links, the infrastructure drift,
 * the rule packs' problems), so that what a file produces stays proportional to it whatever it holds:
 *
 * - at most MAX_PER_KIND diagnostics of each code that is not a rule finding, then one note saying how many more
 *   there are (100,000 broken items are 100,000 times the same lesson; findings are one per element and rule, and
 *   each is a decision to make, so they are all kept);
 * - no message and no related message longer than MAX_MESSAGE_LENGTH (producers clip the names and values they quote
 *   to 60 characters; this is the bound that holds when one of them does not).
 *
 * Linear in the number of diagnostics; the same list (not a copy) when nothing needed bounding.
 */
export function boundDiagnostics(diagnostics: readonly CoreDiagnostic[]): readonly CoreDiagnostic[] {
  const counts = new Map<string, number>();
  const last = new Map<string, CoreDiagnostic>();
  let changed = false;
  const out: CoreDiagnostic[] = [];
  for (const d of diagnostics) {
    if (!isFindingDiagnostic(d) && d.code !== DiagnosticCode.DiagnosticLimit) {
      const n = (counts.get(d.code) ?? 0) + 1;
      counts.set(d.code, n);
      if (n > MAX_PER_KIND) {
        changed = true;
        continue;
      }
    }
    const long = d.message.length > MAX_MESSAGE_LENGTH || d.related?.some((r) => r.message.length > MAX_MESSAGE_LENGTH);
    const kept = long
      ? {
          ...d,
          message: clipMessage(d.message),
          ...(d.related && { related: d.related.map((r) => ({ ...r, message: clipMessage(r.message) })) }),
        }
      : d;
    if (long) changed = true;
    out.push(kept);
    if (!isFindingDiagnostic(d)) last.set(d.code, kept);
  }
  for (const [code, n] of counts) {
    if (n <= MAX_PER_KIND) continue;
    out.push({
      code: DiagnosticCode.DiagnosticLimit,
      severity: 'info',
      message: `${(n - MAX_PER_KIND).toLocaleString('en-US')} more '${code}' problems in this file are not listed (the first ${MAX_PER_KIND} are).`,
      span: last.get(code)!.span,
    });
  }
  return changed ? out : diagnostics;
}
