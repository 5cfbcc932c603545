/**
 * Diagnostics as the core produces them: offset-based, editor-agnostic. The LSP server and the CLI convert them.
 * Every diagnostic carries a stable `code`: users filter on it, quick fixes dispatch on it, docs list it.
 */
import type { Span } from './types';

export type DiagnosticSeverity = 'error' | 'warning' | 'info' | 'hint';

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
  SelfFlow: 'self-flow',
  AcceptanceWithoutJustification: 'acceptance-without-justification',
  AcceptanceWithoutOwner: 'acceptance-without-owner',
  AcceptanceExpired: 'acceptance-expired',
  OutOfScopeWithoutReason: 'out-of-scope-without-reason',
  KindTypeMismatch: 'kind-type-mismatch',
  InvalidRule: 'invalid-rule',
  UnknownRule: 'unknown-rule',
  InternalError: 'internal-error',
  DiagnosticLimit: 'diagnostic-limit',
} as const;

export type DiagnosticCode = (typeof DiagnosticCode)[keyof typeof DiagnosticCode];

export interface RelatedLocation {
  readonly span: Span;
  readonly message: string;
}

export interface CoreDiagnostic {
  readonly code: string;
  readonly severity: DiagnosticSeverity;
  readonly message: string;
  readonly span: Span;
  readonly related?: readonly RelatedLocation[];
  /** Machine-readable facts for quick fixes (e.g. the suggested key or value). */
  readonly data?: DiagnosticData;
}

export interface DiagnosticData {
  /** Replacement suggestions for the text at `span`, best first. */
  readonly suggestions?: readonly string[];
  /** For a dangling reference: the sections the missing id should be created in. */
  readonly expected?: readonly string[];
  /** For missing-required: the property to add. */
  readonly property?: string;
  readonly [key: string]: unknown;
}

/** The same diagnostic `delta` code units further on (its related locations too): text before it grew or shrank. */
export function shiftDiagnostic(d: CoreDiagnostic, delta: number): CoreDiagnostic {
  const move = (s: Span): Span => ({ start: s.start + delta, end: s.end + delta });
  return { ...d, span: move(d.span), ...(d.related ? { related: d.related.map((r) => ({ ...r, span: move(r.span) })) } : {}) };
}
