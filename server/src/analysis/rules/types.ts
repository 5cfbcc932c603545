/**
 * The rule language. Rules are data: a target kind, a `when` condition (the rule applies) and an `unless` condition
 * (a control covers it), built from all/any/not, property tests, computed facts and bounded quantifiers over related
 * elements. No expression is ever executed as code; evaluation is a walk over this tree.
 */
import type { Span } from '../../model/types';
import { CLASSIFICATIONS, SEVERITIES, TRUST_LEVELS } from '../../shared/vocabulary';
import type { Severity, StrideCategory } from '../../shared/vocabulary';

export const RULE_TARGETS = [
  'process',
  'datastore',
  'external',
  'component',
  'flow',
  'boundary',
  'data',
  'threat',
  'mitigation',
  'model',
] as const;
export type RuleTarget = (typeof RULE_TARGETS)[number];

/** Comparison operators of a leaf test. Exactly one per leaf. */
export const OPERATORS = ['eq', 'ne', 'in', 'notIn', 'gte', 'lte', 'exists', 'contains', 'containsAny'] as const;
export type Operator = (typeof OPERATORS)[number];

/** Quantifiers: evaluate a condition on related elements. `any*` needs one match, `all*` needs every one. */
export const QUANTIFIERS = [
  'source',
  'target',
  'anyData',
  'allData',
  'anyInbound',
  'allInbound',
  'anyOutbound',
  'allOutbound',
  'anyStored',
  'anyMember',
  'anyMitigation',
  'anyTarget',
  'anyComponent',
  'anyFlow',
  'boundary',
  'anyEnclosing',
  'anyUpstream',
  'anyCarrier',
] as const;
export type Quantifier = (typeof QUANTIFIERS)[number];

/** How far the `hostileInputPath` fact looks back along flows. */
export const PATH_HOPS = 6;

/** How far `anyUpstream` looks back along calls: far enough for a queue or a store between producer and consumer. */
export const UPSTREAM_HOPS = 3;

/** Which subjects each quantifier is defined on, and what it ranges over. */
export const QUANTIFIER_DOMAIN: Readonly<Record<Quantifier, { on: readonly SubjectKind[]; over: SubjectKind; description: string }>> = {
  source: { on: ['flow'], over: 'component', description: 'the component the flow starts at' },
  target: { on: ['flow'], over: 'component', description: 'the component the flow goes to' },
  anyData: {
    on: ['flow', 'component'],
    over: 'data',
    description: 'some data asset carried by the flow (or, for a component, carried by its flows or stored in it)',
  },
  allData: { on: ['flow', 'component'], over: 'data', description: 'every data asset carried (true when there is none)' },
  anyInbound: { on: ['component'], over: 'flow', description: 'some flow into the component' },
  allInbound: { on: ['component'], over: 'flow', description: 'every flow into the component (true when there is none)' },
  anyOutbound: { on: ['component'], over: 'flow', description: 'some flow out of the component' },
  allOutbound: { on: ['component'], over: 'flow', description: 'every flow out of the component (true when there is none)' },
  anyStored: { on: ['component'], over: 'data', description: 'some data asset the data store keeps' },
  anyMember: { on: ['boundary'], over: 'component', description: 'some component directly inside the boundary' },
  anyMitigation: { on: ['threat'], over: 'mitigation', description: 'some mitigation linked to the threat' },
  anyTarget: { on: ['threat'], over: 'component', description: 'some component the threat targets' },
  anyComponent: { on: ['model'], over: 'component', description: 'some component of the model' },
  anyFlow: { on: ['model'], over: 'flow', description: 'some flow of the model' },
  boundary: { on: ['component'], over: 'boundary', description: 'the trust boundary the component is in' },
  anyEnclosing: {
    on: ['component', 'boundary'],
    over: 'boundary',
    description: "some boundary around it: a component's boundary and its parents, or a boundary's parents",
  },
  anyUpstream: {
    on: ['component'],
    over: 'component',
    description: `some component whose calls reach it, directly or through up to ${UPSTREAM_HOPS} others (responses, dependencies and builds are not calls)`,
  },
  anyCarrier: { on: ['data'], over: 'flow', description: 'some flow that carries the data asset (in scope)' },
};

export type SubjectKind = 'component' | 'flow' | 'boundary' | 'data' | 'threat' | 'mitigation' | 'model';

/** What the engine knows of a computed fact: where it is defined, its scale, what it means. */
export interface FactInfo {
  readonly on: readonly SubjectKind[];
  readonly scale?: string;
  readonly description: string;
  /** A flaw in itself, shown by one property ("not encrypted" is its protocol): the strongest cause of a finding. */
  readonly cause?: boolean;
}

/**
 * Computed facts, by the kind of subject they are defined on: the one list of them. Their computation
 * (`ModelIndex.computeFact`), the property that shows each and its words (`explain.ts`) are keyed by `FactName`, so
 * a fact missing there, or a name misspelt, does not compile.
 */
export const FACTS = {
  crossesBoundary: { on: ['flow'], description: 'source and target are in different trust boundaries' },
  crossesIntoHigherTrust: { on: ['flow'], description: "the target's trust level is higher than the source's" },
  encrypted: {
    on: ['flow'],
    cause: true,
    description: '`encryptedInTransit`, or derived from the protocol when unset (true, false or unknown)',
  },
  local: {
    on: ['flow'],
    description:
      'the flow stays on one host or chip (ipc, in-process, file, smc, syscall, hypercall, mmio, shared-memory, dma, or `network: host`)',
  },
  wireless: { on: ['flow'], description: 'the flow is a radio link anyone nearby can receive (bluetooth, nfc, wifi, zigbee)' },
  physical: {
    on: ['flow'],
    description: 'the flow runs over a bus or port someone must touch (usb, uart, spi, i2c, jtag, swd, can, pcie, or `network: physical`)',
  },
  maxClassification: {
    on: ['flow', 'component'],
    scale: 'classification',
    description: 'highest classification of the data carried (flow) or carried and stored (component)',
  },
  hasPersonalData: { on: ['flow', 'component'], description: 'some data carried or stored is personal or special-category' },
  trust: { on: ['component'], scale: 'trust', description: "trust level of the component's boundary (untrusted when it has none)" },
  hasThreats: { on: ['component', 'flow', 'boundary', 'data'], description: 'some recorded threat targets this element' },
  hasFlows: { on: ['component'], description: 'some flow starts or ends at this component' },
  referenced: { on: ['mitigation', 'data'], description: 'some threat (mitigation) or flow or data store (data) refers to this element' },
  sensitive: {
    on: ['flow', 'component'],
    description:
      'some data carried (flow) or carried and stored (component) is confidential or restricted, personal, a credential, or of unknown classification',
  },
  authenticated: {
    on: ['flow'],
    cause: true,
    description:
      "the caller authenticates: the flow's `authentication` (or, when unset, the target's, or the innermost boundary's around the target that states one) is neither none nor unknown",
  },
  isCall: { on: ['flow'], description: 'the flow is a call: its `usage` is not response, dependency or build' },
  internetFacing: {
    on: ['component'],
    description:
      'hostile parties reach it over a network: `exposure: internet`, or called over a network from an untrusted zone (or one of unknown trust) that is not a tenant of the same host',
  },
  calledByTenant: {
    on: ['component'],
    description:
      'called by a hostile party on the same host or chip: over a local protocol, from an untrusted zone whose exposure is local, or from an untrusted machine, container or sandbox inside a boundary that also holds it',
  },
  networkReachable: {
    on: ['component'],
    description: 'something calls it over a network (not a local protocol or a bus), or its exposure is internet, partner or internal',
  },
  physicallyExposed: {
    on: ['component'],
    description:
      'someone hostile can touch it: `physicalAccess` owner or public (its own or a boundary around it), a bus or port into it from outside, or a threat agent with physical access that reaches it',
  },
  authorization: {
    on: ['component'],
    description: "how access decisions are made: the component's `authorization`, else the innermost boundary's around it",
  },
  sessionLifetime: {
    on: ['component'],
    scale: 'sessionLifetime',
    description:
      'how long its sessions or tokens live at most (`sessions.lifetime`), on the scale minutes < hours < days (up to 30) < months',
  },
  hostileInputPath: {
    on: ['component'],
    description: `input from an untrusted zone reaches it through a chain of trusted components that pass it on (up to ${PATH_HOPS} flows); the finding names the path`,
  },
} satisfies Readonly<Record<string, FactInfo>>;

export type FactName = keyof typeof FACTS;

export function isFactName(name: string): name is FactName {
  return Object.hasOwn(FACTS, name);
}

/** What the engine knows of a fact named in a rule pack, or undefined for a name that is no fact. */
export function factInfo(name: string): FactInfo | undefined {
  return isFactName(name) ? FACTS[name] : undefined;
}

const LEAST_SEVERE_FIRST = [...SEVERITIES].reverse();

/** Ordered scales for gte/lte, by property name (the last segment of a property path) or by fact. */
export const SCALES: Readonly<Record<string, readonly string[]>> = {
  classification: CLASSIFICATIONS,
  trust: TRUST_LEVELS,
  severity: LEAST_SEVERE_FIRST,
  availability: LEAST_SEVERE_FIRST,
  integrity: LEAST_SEVERE_FIRST,
  tlsMin: ['none', '1.0', '1.1', '1.2', '1.3'],
  sessionLifetime: ['minutes', 'hours', 'days', 'months'],
};

export type Condition =
  | { readonly all: readonly Condition[] }
  | { readonly any: readonly Condition[] }
  | { readonly not: Condition }
  | LeafCondition
  | QuantifiedCondition;

export interface LeafCondition {
  readonly prop?: string;
  readonly fact?: string;
  readonly eq?: unknown;
  readonly ne?: unknown;
  readonly in?: readonly unknown[];
  readonly notIn?: readonly unknown[];
  readonly gte?: string;
  readonly lte?: string;
  readonly exists?: boolean;
  readonly contains?: unknown;
  readonly containsAny?: readonly unknown[];
}

export type QuantifiedCondition = { readonly [Q in Quantifier]?: Condition };

export interface Reference {
  readonly title: string;
  readonly url: string;
}

export interface CatalogMitigation {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  /** The controls of compliance frameworks it implements, by framework id. */
  readonly compliance?: ComplianceMapping;
}

/** Controls of compliance frameworks, by framework id: `{ 'nist-800-53-r5': ['SC-8'] }`. */
export type ComplianceMapping = Readonly<Record<string, readonly string[]>>;

/**
 * A compliance framework (rule packs' `frameworks:`): a standard, a regulation or a team's own control catalog, as ids
 * and titles of its controls, with the levels or baselines a system may be required to meet.
 */
export interface ComplianceFramework {
  readonly id: string;
  readonly title: string;
  readonly version?: string;
  readonly url?: string;
  /** Level or baseline name → the ids of its controls. */
  readonly levels: Readonly<Record<string, readonly string[]>>;
  readonly controls: readonly { readonly id: string; readonly title: string }[];
  /** The pack that defines it. */
  readonly pack: string;
}

export interface Rule {
  readonly id: string;
  readonly target: RuleTarget;
  /** Template: {name}, {id}, {source.name}, {target.name}, {maxClassification}, ... */
  readonly title: string;
  readonly rationale: string;
  readonly stride: readonly StrideCategory[];
  readonly linddun: readonly string[];
  readonly cwe: readonly number[];
  readonly capec: readonly number[];
  readonly severity: Severity;
  readonly when: Condition;
  readonly unless: Condition | undefined;
  readonly mitigations: readonly string[];
  readonly references: readonly Reference[];
  /** Where the rule is documented: its section of docs/rules.md for built-in rules, else the pack's `docs` or first reference. */
  readonly docs: string | undefined;
  /** IEEE CSD top-10 design flaws this rule checks (1-10). */
  readonly designFlaws: readonly number[];
  /** Items of public catalogs this rule covers fully, and in part: catalog name → item ids. */
  readonly covers: CatalogCoverage;
  readonly partlyCovers: CatalogCoverage;
  /** Where the rule was defined, for diagnostics in the pack file. */
  readonly source: RuleSource;
}

/** The public threat catalogs rules are compared with (rules/catalogs/). */
export const PEER_CATALOGS = [
  'pytm',
  'threagile',
  'tmt',
  'owaspLlm',
  'owaspApi',
  'linddun',
  'emb3d',
  'k8sMatrix',
  'owaspCicd',
  'slsa',
  'owaspAgentic',
  'tuf',
] as const;
export type PeerCatalog = (typeof PEER_CATALOGS)[number];
export type CatalogCoverage = Readonly<Partial<Record<PeerCatalog, readonly string[]>>>;

/** One public catalog's items (rules/catalogs/*.yaml): what `covers` and `partlyCovers` refer to. */
export interface PeerCatalogItems {
  readonly catalog: PeerCatalog;
  readonly title: string;
  readonly url: string;
  readonly items: readonly { readonly id: string; readonly title: string }[];
}

export interface RuleSource {
  readonly pack: string;
  readonly uri: string;
  readonly span: Span;
}

export interface RulePack {
  readonly id: string;
  readonly title: string;
  readonly uri: string;
  readonly builtin: boolean;
  readonly rules: readonly Rule[];
  readonly mitigations: readonly CatalogMitigation[];
  readonly frameworks: readonly ComplianceFramework[];
}

/** The rules and mitigation catalog in force: built-in packs first, then user packs. */
export interface RuleSet {
  readonly rules: readonly Rule[];
  readonly byId: ReadonlyMap<string, Rule>;
  readonly mitigations: ReadonlyMap<string, CatalogMitigation>;
  /** The compliance frameworks the packs define, by id. */
  readonly frameworks: ReadonlyMap<string, ComplianceFramework>;
  readonly packs: readonly RulePack[];
}
