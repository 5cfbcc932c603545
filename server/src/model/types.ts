/**
 * The typed threat model. Every element keeps the YAML node it came from so that any property can be traced back
 * to its exact source range. Ranges are UTF-16 offsets into the document text; conversion to line/character
 * positions happens only at the edges (LSP server, CLI).
 */
import type { YAMLMap } from 'yaml';
import type { Classification, ComponentType, MitigationStatus, Severity, ThreatStatus, TrustLevel } from '../shared/vocabulary';

/** A half-open range of UTF-16 offsets into the document text. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** The top-level lists of a model, in the order the format documents them. */
export const SECTIONS = ['boundaries', 'components', 'data', 'flows', 'threatAgents', 'threats', 'mitigations', 'assumptions'] as const;
export type SectionName = (typeof SECTIONS)[number];

/** What an element is called in messages, per section. */
export const SECTION_NOUN: Readonly<Record<SectionName, string>> = {
  boundaries: 'boundary',
  components: 'component',
  data: 'data asset',
  flows: 'flow',
  threatAgents: 'threat agent',
  threats: 'threat',
  mitigations: 'mitigation',
  assumptions: 'assumption',
};

export type TriState = boolean | 'unknown';

export interface Review {
  by?: string;
  date?: string;
}

export interface SystemData {
  name?: string;
  description?: string;
  owner?: string;
  release?: string;
  repository?: string;
  reviewed?: Review;
  /** The compliance frameworks the system must meet, each with its level (format 1.4). */
  compliance?: unknown;
}

export interface BoundaryData {
  id: string;
  name?: string;
  description?: string;
  type?: string;
  trust?: TrustLevel | 'unknown';
  parent?: string;
  owner?: string;
  tags?: string[];
  /** How callers are authenticated before they reach anything inside (format 1.1). */
  authentication?: string;
  /** How access is decided for what is inside (format 1.3). */
  authorization?: string;
  /** How a party inside reaches what is outside it, when hostile (format 1.3). */
  exposure?: string;
  /** Who can touch what is inside (format 1.3). */
  physicalAccess?: string;
  controls?: Record<string, TriState>;
  disabledRules?: unknown;
}

export interface ComponentData {
  id: string;
  name?: string;
  description?: string;
  type?: ComponentType;
  kind?: string;
  boundary?: string;
  inScope?: boolean;
  outOfScopeReason?: string;
  release?: string;
  stores?: string[];
  controls?: Record<string, TriState>;
  [property: string]: unknown;
}

export interface DataAssetData {
  id: string;
  name?: string;
  classification?: Classification | 'unknown';
  pii?: 'none' | 'personal' | 'special-category';
  [property: string]: unknown;
}

export interface FlowData {
  id: string;
  name?: string;
  from?: string;
  to?: string;
  protocol?: string;
  data?: string[];
  encryptedInTransit?: TriState;
  release?: string;
  [property: string]: unknown;
}

/** Someone the system must withstand (format 1.3): where they act from and where they start. */
export interface ThreatAgentData {
  id: string;
  name?: string;
  access?: string[];
  skill?: string;
  reaches?: string[];
  [property: string]: unknown;
}

export interface Acceptance {
  by?: string;
  justification?: string;
  expires?: string;
}

export interface ThreatData {
  id: string;
  title?: string;
  description?: string;
  category?: string;
  targets?: string[];
  rule?: string;
  severity?: Severity;
  status?: ThreatStatus;
  mitigations?: string[];
  acceptance?: Acceptance;
  justification?: string;
  cwe?: number[];
  capec?: number[];
  [property: string]: unknown;
}

export interface MitigationData {
  id: string;
  title?: string;
  status?: MitigationStatus;
  evidence?: string;
  [property: string]: unknown;
}

export interface AssumptionData {
  id: string;
  text?: string;
  [property: string]: unknown;
}

export interface SectionData {
  boundaries: BoundaryData;
  components: ComponentData;
  data: DataAssetData;
  flows: FlowData;
  threatAgents: ThreatAgentData;
  threats: ThreatData;
  mitigations: MitigationData;
  assumptions: AssumptionData;
}

/** One item of a top-level section, with its plain data and its source node. */
export interface Element<S extends SectionName = SectionName> {
  readonly section: S;
  /** Position in its section's list. */
  readonly index: number;
  readonly id: string;
  /** The whole list item. */
  readonly span: Span;
  /** The `id` value, when the item has one. */
  readonly idSpan: Span | undefined;
  /** Plain values (YAML aliases and merge keys resolved). Shape is checked by the schema, so read defensively. */
  readonly data: SectionData[S];
  readonly node: YAMLMap;
}

export type Boundary = Element<'boundaries'>;
export type Component = Element<'components'>;
export type DataAsset = Element<'data'>;
export type Flow = Element<'flows'>;
export type ThreatAgent = Element<'threatAgents'>;
export type Threat = Element<'threats'>;
export type Mitigation = Element<'mitigations'>;
export type Assumption = Element<'assumptions'>;

/** A place where one element names another by id. */
export interface Reference {
  readonly from: Element;
  /** Property path inside the referring element, e.g. ['targets', 2]. */
  readonly path: readonly (string | number)[];
  readonly targetId: string;
  readonly span: Span;
  /** Sections the id may point into. */
  readonly expected: readonly SectionName[];
}

/** One entry of the top-level `imports:` list (format 1.2): a path relative to the importing file. */
export interface ImportEntry {
  readonly path: string;
  readonly span: Span;
}

export interface ThreatModel {
  readonly version: unknown;
  /** The other model files this one builds on, as written (resolved by analysis/imports.ts). */
  readonly imports: readonly ImportEntry[];
  readonly system: SystemData | undefined;
  readonly boundaries: readonly Boundary[];
  readonly components: readonly Component[];
  readonly data: readonly DataAsset[];
  readonly flows: readonly Flow[];
  readonly threatAgents: readonly ThreatAgent[];
  readonly threats: readonly Threat[];
  readonly mitigations: readonly Mitigation[];
  readonly assumptions: readonly Assumption[];
  /** Every element by id; the first definition wins when an id is duplicated. */
  readonly byId: ReadonlyMap<string, Element>;
  /** Top-level `disabledRules` as written (validated by the schema). */
  readonly disabledRules: unknown;
  /** The rule ids named by top-level `disabledRules`, with their spans and reasons. */
  readonly disabledRuleEntries: readonly {
    readonly rule: string;
    readonly span: Span;
    readonly reason: unknown;
    readonly reasonSpan: Span | undefined;
  }[];
  /** Span of the `system` key, where model-wide findings are shown. */
  readonly systemSpan: Span;
  readonly references: readonly Reference[];
}

export function elementsOf(model: ThreatModel): Element[] {
  return SECTIONS.flatMap((s) => model[s] as readonly Element[]);
}
