/**
 * SARIF 2.1.0 for GitHub code scanning and other SARIF consumers: rule metadata with help and CWE tags, precise
 * regions, and partial fingerprints from finding ids so that results keep their identity across commits.
 */
import { createHash } from 'node:crypto';
import type { Rule, RuleSet } from '../analysis/rules/types';
import { type CoreDiagnostic, isFindingDiagnostic } from '../model/diagnostics';
import { PROJECT_URL, RULES_DOCS_URL } from '../shared/vocabulary';

export interface SarifFileResult {
  /** Path relative to the repository root, with forward slashes. */
  readonly uri: string;
  readonly text: string;
  readonly diagnostics: readonly (CoreDiagnostic & { line: number; column: number; endLine: number; endColumn: number })[];
}

const LEVEL = { error: 'error', warning: 'warning', info: 'note', hint: 'note' } as const;
const SECURITY_SEVERITY = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0' } as const;

export function toSarif(files: readonly SarifFileResult[], ruleSet: RuleSet, version: string): object {
  const rules: object[] = [];
  const ruleIndex = new Map<string, number>();
  const ruleFor = (code: string, rule: Rule | undefined): number => {
    const known = ruleIndex.get(code);
    if (known !== undefined) return known;
    ruleIndex.set(code, rules.length);
    if (rule) {
      const help = [
        rule.rationale,
        '',
        ...rule.mitigations
          .map((id) => ruleSet.mitigations.get(id))
          .filter((m) => m)
          .map((m) => `- ${m!.title}: ${m!.description}`),
      ].join('\n');
      rules.push({
        id: rule.id,
        name: rule.id.replace(/-/g, ''),
        shortDescription: { text: rule.title.replace(/\{[^}]*\}/g, '…') },
        fullDescription: { text: rule.rationale },
        help: { text: help, markdown: help },
        helpUri: rule.docs ?? RULES_DOCS_URL,
        defaultConfiguration: { level: rule.severity === 'low' ? 'note' : 'warning' },
        properties: {
          tags: ['security', 'threat-model', ...rule.stride, ...rule.cwe.map((c) => `external/cwe/cwe-${c}`)],
          'security-severity': SECURITY_SEVERITY[rule.severity],
          precision: 'high',
        },
      });
    } else {
      rules.push({
        id: code,
        name: code.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase()),
        shortDescription: { text: `Threat model problem: ${code}` },
        helpUri: `${PROJECT_URL}/blob/main/docs/format.md#diagnostics`,
        defaultConfiguration: { level: 'error' },
        properties: { tags: ['threat-model', 'correctness'] },
      });
    }
    return rules.length - 1;
  };

  const results = files.flatMap((file) =>
    file.diagnostics.map((d) => {
      const findingId = isFindingDiagnostic(d) ? d.data.findingId : undefined;
      const rule = findingId ? ruleSet.byId.get(d.code) : undefined;
      const fingerprint =
        findingId ??
        createHash('sha256')
          .update(`${d.code}\0${file.text.slice(d.span.start, d.span.end)}\0${d.message}`)
          .digest('hex')
          .slice(0, 32);
      return {
        ruleId: d.code,
        ruleIndex: ruleFor(d.code, rule),
        level: LEVEL[d.severity],
        message: { text: d.message },
        locations: [
          {
            physicalLocation: {
              // A relative URI reference: each path segment percent-encoded (a space, # or % broke the schema's format).
              artifactLocation: { uri: file.uri.split('/').map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' },
              region: { startLine: d.line, startColumn: d.column, endLine: d.endLine, endColumn: d.endColumn },
            },
          },
        ],
        partialFingerprints: { 'threatcodeFindingId/v1': fingerprint },
      };
    }),
  );

  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Threatcode',
            version,
            semanticVersion: version,
            informationUri: PROJECT_URL,
            rules,
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The repository root (where threatcode ran).' } } },
        artifacts: files.map((f) => ({ location: { uri: f.uri, uriBaseId: '%SRCROOT%' }, mimeType: 'application/yaml' })),
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}
