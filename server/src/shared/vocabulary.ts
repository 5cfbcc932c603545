/**
 * The words of threat modeling as Threatcode uses them, defined once: every list is an `as const` array, every type
 * is derived from its list, every ordering is a rank helper. The schema (schemas/threatmodel.schema.json) spells the
 * same values for the file format; a unit test keeps the two in step.
 *
 * This module imports nothing, so the client, the webview, the server and the CLI can all use it.
 */

// ---- STRIDE and LINDDUN ---------------------------------------------------------------------------------------

export const STRIDE_CATEGORIES = [
  'spoofing',
  'tampering',
  'repudiation',
  'information-disclosure',
  'denial-of-service',
  'elevation-of-privilege',
] as const;
export type StrideCategory = (typeof STRIDE_CATEGORIES)[number];

/** The one-letter abbreviations, in STRIDE order (the heatmap's columns). */
export const STRIDE_LETTERS = ['S', 'T', 'R', 'I', 'D', 'E'] as const;
export type StrideLetter = (typeof STRIDE_LETTERS)[number];

const LETTER_OF: Readonly<Record<StrideCategory, StrideLetter>> = {
  spoofing: 'S',
  tampering: 'T',
  repudiation: 'R',
  'information-disclosure': 'I',
  'denial-of-service': 'D',
  'elevation-of-privilege': 'E',
};

/** The letter of a STRIDE category; undefined for anything else (a LINDDUN category, a typo). */
export function strideLetter(category: unknown): StrideLetter | undefined {
  return isStrideCategory(category) ? LETTER_OF[category] : undefined;
}

export function isStrideCategory(value: unknown): value is StrideCategory {
  return (STRIDE_CATEGORIES as readonly unknown[]).includes(value);
}

/** LINDDUN privacy threat types (LINDDUN GO). */
export const LINDDUN_CATEGORIES = [
  'linking',
  'identifying',
  'non-repudiation',
  'detecting',
  'data-disclosure',
  'unawareness',
  'non-compliance',
] as const;

/** A threat's category: STRIDE or LINDDUN. */
export const THREAT_CATEGORIES = [...STRIDE_CATEGORIES, ...LINDDUN_CATEGORIES] as const;
export type ThreatCategory = (typeof THREAT_CATEGORIES)[number];

/** One sentence per category, for hovers and documentation. */
export const CATEGORY_EXPLAINED: Readonly<Record<ThreatCategory, string>> = {
  spoofing: 'Spoofing: pretending to be someone or something else (violates authenticity).',
  tampering: 'Tampering: modifying data or code without authorisation (violates integrity).',
  repudiation: 'Repudiation: denying an action because nothing proves it (violates non-repudiation).',
  'information-disclosure': 'Information disclosure: exposing information to someone not allowed to see it (violates confidentiality).',
  'denial-of-service': 'Denial of service: making the system unavailable or degraded (violates availability).',
  'elevation-of-privilege': 'Elevation of privilege: gaining capabilities without authorisation (violates authorisation).',
  linking: 'LINDDUN linking: associating data items or actions to learn more about a person.',
  identifying: 'LINDDUN identifying: learning the identity of a person from data.',
  'non-repudiation': 'LINDDUN non-repudiation: a person cannot deny a claim when they should be able to.',
  detecting: 'LINDDUN detecting: deducing that a person is involved from observable traces.',
  'data-disclosure': 'LINDDUN data disclosure: excessive collection, storage, processing or sharing of personal data.',
  unawareness: 'LINDDUN unawareness: people are not informed or in control of how their data is processed.',
  'non-compliance': 'LINDDUN non-compliance: processing that deviates from legislation, regulation or policy.',
};

/** A category as a person reads it: "Information disclosure", "LINDDUN linking". */
export function categoryName(category: ThreatCategory): string {
  return CATEGORY_EXPLAINED[category].slice(0, CATEGORY_EXPLAINED[category].indexOf(':'));
}

export function isThreatCategory(value: unknown): value is ThreatCategory {
  return (THREAT_CATEGORIES as readonly unknown[]).includes(value);
}

// ---- Severity: of rules, threats and findings (risk), and of diagnostics (what an editor shows) -------------------

/** Risk severity of a rule or a threat, most severe first. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function isSeverity(value: unknown): value is Severity {
  return (SEVERITIES as readonly unknown[]).includes(value);
}

/** How severe a risk is: low 1 … critical 4; 0 for anything that is not a severity. Higher is worse. */
export function severityWeight(value: unknown): number {
  return isSeverity(value) ? SEVERITIES.length - SEVERITIES.indexOf(value) : 0;
}

/** Severity of a diagnostic, most severe first (LSP's order). */
export const DIAGNOSTIC_SEVERITIES = ['error', 'warning', 'info', 'hint'] as const;
export type DiagnosticSeverity = (typeof DIAGNOSTIC_SEVERITIES)[number];

export function isDiagnosticSeverity(value: unknown): value is DiagnosticSeverity {
  return (DIAGNOSTIC_SEVERITIES as readonly unknown[]).includes(value);
}

/** How severe a diagnostic is: hint 1 … error 4. Higher is worse, as with severityWeight. */
export function diagnosticWeight(value: DiagnosticSeverity): number {
  return DIAGNOSTIC_SEVERITIES.length - DIAGNOSTIC_SEVERITIES.indexOf(value);
}

// ---- Statuses -------------------------------------------------------------------------------------------------

export const THREAT_STATUSES = [
  'open',
  'in-progress',
  'mitigated',
  'accepted',
  'transferred',
  'avoided',
  'not-applicable',
  'false-positive',
] as const;
export type ThreatStatus = (typeof THREAT_STATUSES)[number];

/** Threats still to be dealt with: they count as residual risk. */
export const OPEN_THREAT_STATUSES: readonly ThreatStatus[] = ['open', 'in-progress'];

export function isOpenThreatStatus(value: unknown): boolean {
  return (OPEN_THREAT_STATUSES as readonly unknown[]).includes(value);
}

/** Threats a decision was made on. */
export function isTreatedThreatStatus(value: unknown): boolean {
  return (THREAT_STATUSES as readonly unknown[]).includes(value) && !isOpenThreatStatus(value);
}

export const MITIGATION_STATUSES = ['proposed', 'planned', 'in-progress', 'implemented', 'verified', 'wont-do'] as const;
export type MitigationStatus = (typeof MITIGATION_STATUSES)[number];

/** Mitigations with nothing left to do: in place, verified, or explicitly not done. */
export const DONE_MITIGATION_STATUSES: readonly MitigationStatus[] = ['implemented', 'verified', 'wont-do'];

export function isDoneMitigationStatus(value: unknown): boolean {
  return (DONE_MITIGATION_STATUSES as readonly unknown[]).includes(value);
}

/** Mitigations the team committed to: planned, under way or done. `proposed` is a suggestion awaiting a decision. */
export const COMMITTED_MITIGATION_STATUSES: readonly MitigationStatus[] = ['planned', 'in-progress', 'implemented', 'verified'];

export function isCommittedMitigationStatus(value: unknown): boolean {
  return (COMMITTED_MITIGATION_STATUSES as readonly unknown[]).includes(value);
}

// ---- Model vocabulary -----------------------------------------------------------------------------------------

export const COMPONENT_TYPES = ['external', 'process', 'datastore'] as const;
export type ComponentType = (typeof COMPONENT_TYPES)[number];

export function isComponentType(value: unknown): value is ComponentType {
  return (COMPONENT_TYPES as readonly unknown[]).includes(value);
}

/**
 * Component kinds and the types each fits. A kind that fits several types (an identity provider can be your own
 * process or an external service) lists them all; a kind used with a type it does not fit is a warning.
 */
const E = 'external';
const P = 'process';
const D = 'datastore';
export const COMPONENT_KINDS = {
  human: [E],
  system: [E, P],
  saas: [E, P],
  partner: [E],
  device: [E, P],
  browser: [E, P],
  mobile: [P, E],
  desktop: [P, E],
  'web-app': [P],
  'web-server': [P],
  api: [P],
  service: [P],
  worker: [P],
  function: [P],
  gateway: [P],
  waf: [P],
  'reverse-proxy': [P],
  'load-balancer': [P],
  cdn: [P, E],
  bastion: [P],
  vpn: [P],
  'identity-provider': [P, E],
  vault: [P, E, D],
  llm: [P, E],
  agent: [P],
  'mcp-server': [P, E],
  'ml-inference': [P, E],
  'ml-training': [P],
  notebook: [P],
  'build-pipeline': [P, E],
  'service-registry': [P],
  monitoring: [P, E],
  analytics: [E, P],
  'control-plane': [P, E],
  dns: [E, P],
  // Format 1.3: systems software and hardware.
  daemon: [P],
  'ai-agent': [P],
  firmware: [P],
  bootloader: [P],
  hypervisor: [P],
  kernel: [P],
  'kernel-module': [P],
  driver: [P],
  'trusted-app': [P],
  hardware: [E, P],
  sql: [D],
  nosql: [D],
  database: [D],
  object: [D],
  file: [D],
  cache: [D],
  queue: [D, P],
  log: [D],
  'secret-store': [D],
  ldap: [D],
  search: [D],
  vector: [D],
  'source-repo': [D, E],
  'artifact-registry': [D, E],
  'model-registry': [D, E],
  dataset: [D, E],
  'key-value': [D],
  memory: [D],
  'nv-memory': [D],
  other: [E, P, D],
} as const satisfies Readonly<Record<string, readonly ComponentType[]>>;
export type ComponentKind = keyof typeof COMPONENT_KINDS;

export function isComponentKind(value: unknown): value is ComponentKind {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(COMPONENT_KINDS, value);
}

/** Trust levels of boundaries, least trusted first: an ordered scale. */
export const TRUST_LEVELS = ['untrusted', 'dmz', 'internal', 'restricted'] as const;
export type TrustLevel = (typeof TRUST_LEVELS)[number];

/** Data classifications, least sensitive first: an ordered scale. */
export const CLASSIFICATIONS = ['public', 'internal', 'confidential', 'restricted'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

// ---- Completeness: gauges and gates ---------------------------------------------------------------------------

export const GAUGE_IDS = [
  'fidelity',
  'elementCoverage',
  'strideCoverage',
  'crossingCoverage',
  'findingTriage',
  'threatTreatment',
  'mitigationProgress',
  'acceptanceHygiene',
  'codeFreshness',
  'codeCoverage',
  'infrastructure',
] as const;
export type GaugeId = (typeof GAUGE_IDS)[number];

/**
 * The gates a model can be held to, with the kind of value each takes: a count, a ratio (0–1), a number of days or a
 * switch. The CLI's --gate, the `threatcode.gates` setting and package.json all read this list.
 */
export const GATE_KINDS = {
  maxOpenHighWithoutMitigation: 'count',
  minFidelity: 'ratio',
  minElementCoverage: 'ratio',
  minStrideCoverage: 'ratio',
  minFindingTriage: 'ratio',
  acceptancesValid: 'switch',
  maxDaysSinceReview: 'days',
  maxStaleElements: 'count',
} as const;
export type GateName = keyof typeof GATE_KINDS;
export const GATE_NAMES = Object.keys(GATE_KINDS) as readonly GateName[];

/** Gate thresholds: numbers for counts, ratios and days; true/false for switches. Absent gates are not evaluated. */
export type Gates = { readonly [G in GateName]?: (typeof GATE_KINDS)[G] extends 'switch' ? boolean : number };

export function isGateName(value: string): value is GateName {
  return Object.prototype.hasOwnProperty.call(GATE_KINDS, value);
}

// ---- Where Threatcode is documented -------------------------------------------------------------------------------

/** The project's public home; docs links (diagnostic codes, SARIF help) point into it. */
export const PROJECT_URL = 'https://github.com/threatcode/threatcode';
/** The page that documents every built-in rule, one heading per rule id. */
export const RULES_DOCS_URL = `${PROJECT_URL}/blob/main/docs/rules.md`;

/** A built-in rule's section of docs/rules.md (GitHub's heading anchors are lower case). */
export function builtinRuleDocsUrl(ruleId: string): string {
  return `${RULES_DOCS_URL}#${ruleId.toLowerCase()}`;
}

/**
 * A gauge's ratio as people read it: "—" when there was nothing to measure (an empty model is not "100 %" complete),
 * else a whole percentage.
 */
export function formatRatio(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined ? '—' : `${Math.round(ratio * 100)}%`;
}

/** What a completeness verdict can say: complete, not, or neither (nothing in the delivery to measure; no gates). */
export const VERDICT_STATES = ['complete', 'not-complete', 'nothing-measured', 'no-gates'] as const;
export type VerdictState = (typeof VERDICT_STATES)[number];

/** A verdict in two or three words, for the status bar and the head of the completeness view. */
export const VERDICT_LABELS: Readonly<Record<VerdictState, string>> = {
  complete: 'Complete',
  'not-complete': 'Not complete',
  'nothing-measured': 'Nothing measured',
  'no-gates': 'No gates set',
};
