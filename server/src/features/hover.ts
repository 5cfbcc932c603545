/**
 * Hover: a finding under the cursor is explained first (what is wrong, why here, how to cover it, what mitigates it);
 * where several sit (an element's id), the element comes first and each finding in one line. Then threats (STRIDE, severity, likelihood, owner, status, mitigations, the rule behind them), elements (where they
 * sit, what flows in and out, what threatens them), and any key or value from the schema. Returns Markdown in which
 * every string from the model and from rule packs is escaped: both are untrusted input.
 */
import type { Finding } from '../analysis/rules/engine';
import { coverText } from '../analysis/rules/explain';
import type { Rule, RuleSet } from '../analysis/rules/types';
import { type Analysis, systemModel } from '../analysis/analyze';
import { relativeUri } from '../analysis/imports';
import { isFindingDiagnostic } from '../model/diagnostics';
import { escapeMarkdown } from '../shared/escape';
import { CATEGORY_EXPLAINED, categoryName, isThreatCategory } from '../shared/vocabulary';
import { locateOffset } from '../model/locate';
import { deref, schemaAt } from '../model/schema';
import type { Element, Span, Threat } from '../model/types';
import { SECTION_NOUN } from '../model/types';
import { idAt } from './navigation';

export interface Hover {
  readonly markdown: string;
  readonly span: Span;
}

export function hover(analysis: Analysis, offset: number, ruleSet: RuleSet): Hover | undefined {
  const parsed = analysis.parsed;
  if (!parsed.doc) return undefined;
  const findings = findingsAt(analysis, offset);
  const span = findings.map((f) => f.span).reduce<Span | undefined>((a, b) => (!a || b.end - b.start < a.end - a.start ? b : a), undefined);
  if (findings.length === 1) {
    // One finding under the cursor: it is what the user pointed at, explained in full; what the cursor is on follows.
    const rest = elementOrKeyHover(analysis, offset, ruleSet);
    const parts = [findingCard(findings[0].finding, ruleSet), ...(rest ? [rest.markdown] : [])];
    return { markdown: parts.join('\n\n---\n\n'), span: rest ? rest.span : span! };
  }
  // Several (the findings about an element sit on its id): the element first, then one line per finding, each
  // linked to its rule's full explanation, instead of a stack of cards before the element.
  const rest = elementOrKeyHover(analysis, offset, ruleSet, { withFindings: findings.length === 0 });
  if (findings.length === 0) return rest;
  const lines = [`**${findings.length} findings here**`, '', ...findings.map(({ finding }) => `- ${findingLine(finding)}`)];
  return { markdown: [...(rest ? [rest.markdown] : []), lines.join('\n')].join('\n\n---\n\n'), span: rest ? rest.span : span! };
}

/** A finding in one line: rule, risk, what is wrong, its first reason, and a link to everything about the rule. */
function findingLine(f: Finding): string {
  const rule = f.rule;
  // The first reason, unless the title says it already ("API has no data flows").
  const reason = f.because[0]?.text;
  const because = reason && !f.title.toLowerCase().includes(reason.toLowerCase()) ? ` — *${escapeMarkdown(reason)}*` : '';
  const more = rule.docs ? ` · [explained](${safeUrl(rule.docs)})` : '';
  return `**${escapeMarkdown(rule.id)}** · ${rule.severity} · ${escapeMarkdown(f.title)}${because}${more}`;
}

/** The open findings whose diagnostics cover `offset`, each once, with where its diagnostic sits. */
function findingsAt(analysis: Analysis, offset: number): { finding: Finding; span: Span }[] {
  const out: { finding: Finding; span: Span }[] = [];
  const seen = new Set<string>();
  for (const d of analysis.diagnostics) {
    if (!isFindingDiagnostic(d) || d.span.start > offset || offset > d.span.end || seen.has(d.data.findingId)) continue;
    seen.add(d.data.findingId);
    const finding = analysis.findings.find((f) => f.id === d.data.findingId);
    if (finding) out.push({ finding, span: d.span });
  }
  return out;
}

/** A finding in a few lines: rule, what is wrong, why here, how to cover it, mitigations, CWE and CAPEC. */
function findingCard(f: Finding, ruleSet: RuleSet): string {
  const rule = f.rule;
  const head = [`**${escapeMarkdown(rule.id)}**`, ...rule.stride.map((c) => escapeMarkdown(categoryName(c))), `${rule.severity} risk`];
  const lines = [
    `${head.join(' · ')}${rule.docs ? ` · [rule documentation](${safeUrl(rule.docs)})` : ''}`,
    '',
    `${escapeMarkdown(f.title)}.`,
    '',
  ];
  lines.push(`- **Why it matters:** ${escapeMarkdown(rule.rationale)}`);
  if (f.because.length) lines.push(`- **Why here:** ${f.because.map((r) => escapeMarkdown(r.text)).join('; ')}.`);
  if (rule.unless) lines.push(`- **Covered when:** ${escapeMarkdown(coverText(rule.unless))}.`);
  const mitigations = rule.mitigations.flatMap((id) => ruleSet.mitigations.get(id) ?? []);
  if (mitigations.length) lines.push(`- **Mitigations:** ${mitigations.map((m) => escapeMarkdown(m.title)).join('; ')}.`);
  const links = weaknessLinks(rule.cwe, rule.capec);
  if (links) lines.push(`- ${links}`);
  return lines.join('\n');
}

function weaknessLinks(cwe: readonly number[], capec: readonly number[]): string {
  return [
    ...[...new Set(cwe)].map((n) => `[CWE-${n}](https://cwe.mitre.org/data/definitions/${n}.html)`),
    ...[...new Set(capec)].map((n) => `[CAPEC-${n}](https://capec.mitre.org/data/definitions/${n}.html)`),
  ].join(' · ');
}

/** A link target from a rule pack, validated as https when loaded: kept from closing the Markdown link early. */
function safeUrl(url: string): string {
  return url.replace(/[()<>\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** `withFindings: false` leaves the element's open findings out of its card (they follow, one line each). */
function elementOrKeyHover(analysis: Analysis, offset: number, ruleSet: RuleSet, options = { withFindings: true }): Hover | undefined {
  const parsed = analysis.parsed;
  const at = idAt(analysis, offset);
  if (at?.element) return { markdown: elementCard(analysis, at.element, ruleSet, options.withFindings), span: at.span };
  const imported = at && analysis.imports?.byId.get(at.id);
  if (imported) {
    const from = relativeUri(analysis.imports!.from, imported.source.uri);
    const card = elementCard(analysis, imported.element, ruleSet, options.withFindings);
    return {
      markdown: `${card}

*Imported from \`${escapeMarkdown(from)}\`: edit it there.*`,
      span: at.span,
    };
  }

  const located = locateOffset(parsed.doc!, parsed.model, offset);
  if (!located.scalar) return undefined;
  const path = located.path;
  const last = path[path.length - 1];
  if (!located.onKey && last === 'rule' && typeof located.scalar.value === 'string') {
    const rule = ruleSet.byId.get(located.scalar.value);
    if (rule) return { markdown: ruleCard(rule), span: located.scalar.span };
  }
  const schema = deref(schemaAt(typeof last === 'number' ? path.slice(0, -1) : path));
  if (!schema?.description) return undefined;
  const lines = [`**${escapeMarkdown(typeof last === 'number' ? path[path.length - 2] : last)}** — ${escapeMarkdown(schema.description)}`];
  const value = located.scalar.value;
  if (!located.onKey && isThreatCategory(value) && (last === 'category' || path.includes('stride'))) {
    lines.push('', escapeMarkdown(CATEGORY_EXPLAINED[value]));
  }
  const enumValues = schema.enum ?? deref(schema.items)?.enum;
  if (enumValues) lines.push('', `Allowed: ${enumValues.map((v) => `\`${String(v)}\``).join(', ')}`);
  return { markdown: lines.join('\n'), span: located.scalar.span };
}

function ruleCard(rule: Rule): string {
  const lines = [`**${escapeMarkdown(rule.id)}** — ${escapeMarkdown(rule.title)}`, '', escapeMarkdown(rule.rationale)];
  if (rule.unless) lines.push('', `*Covered when:* ${escapeMarkdown(coverText(rule.unless))}.`);
  if (rule.docs) lines.push('', `[Rule documentation](${safeUrl(rule.docs)})`);
  return lines.join('\n');
}

function elementCard(analysis: Analysis, element: Element, ruleSet: RuleSet, withFindings = true): string {
  // With the models it imports: the flows and threats of the whole system around the element.
  const model = systemModel(analysis)!;
  const d = element.data as Record<string, unknown>;
  const name = d.name ?? d.title ?? d.text ?? element.id;
  const lines: string[] = [`**${escapeMarkdown(SECTION_NOUN[element.section])} ${escapeMarkdown(element.id)}** — ${escapeMarkdown(name)}`];
  if (typeof d.description === 'string') lines.push('', escapeMarkdown(d.description));

  if (element.section === 'threats') {
    const t = element as Threat;
    lines.push('');
    const category = t.data.category;
    if (typeof category === 'string')
      lines.push(`- **Category:** ${escapeMarkdown(isThreatCategory(category) ? CATEGORY_EXPLAINED[category] : category)}`);
    const likelihood = (t.data as Record<string, unknown>).likelihood;
    lines.push(
      `- **Severity:** ${escapeMarkdown(t.data.severity ?? 'not set')}${likelihood ? ` · **Likelihood:** ${escapeMarkdown(likelihood)}` : ''} · **Status:** ${escapeMarkdown(t.data.status ?? 'not set')}`,
    );
    const owner = (t.data as Record<string, unknown>).owner;
    if (owner) lines.push(`- **Owner:** ${escapeMarkdown(owner)}`);
    if (Array.isArray(t.data.targets)) lines.push(`- **Targets:** ${t.data.targets.map(escapeMarkdown).join(', ')}`);
    const mitigations = (Array.isArray(t.data.mitigations) ? t.data.mitigations : []).map((id) => model.byId.get(id));
    if (mitigations.length) {
      lines.push('- **Mitigations:**');
      for (const m of mitigations)
        if (m)
          lines.push(
            `  - ${escapeMarkdown(m.id)}: ${escapeMarkdown((m.data as Record<string, unknown>).title ?? '')} (${escapeMarkdown((m.data as Record<string, unknown>).status ?? 'no status')})`,
          );
    } else {
      lines.push('- **Mitigations:** none yet');
    }
    if (t.data.acceptance) {
      const a = t.data.acceptance;
      lines.push(
        `- **Accepted** by ${escapeMarkdown(a.by ?? '?')} until ${escapeMarkdown(a.expires ?? 'no expiry')}: ${escapeMarkdown(a.justification ?? 'no justification')}`,
      );
    }
    const rule = typeof t.data.rule === 'string' ? ruleSet.byId.get(t.data.rule) : undefined;
    if (rule) {
      lines.push('', `**Rule ${escapeMarkdown(rule.id)}:** ${escapeMarkdown(rule.rationale)}`);
      const finding = analysis.findings.find((f) => f.threat === element);
      if (finding?.because.length) lines.push('', `*Found because:* ${finding.because.map((r) => escapeMarkdown(r.text)).join('; ')}.`);
    }
    const links = weaknessLinks([...(t.data.cwe ?? []), ...(rule?.cwe ?? [])], [...(t.data.capec ?? []), ...(rule?.capec ?? [])]);
    if (links) lines.push('', links);
    return lines.join('\n');
  }

  lines.push('');
  if (element.section === 'components') {
    lines.push(`- **Type:** ${escapeMarkdown(d.type ?? '?')}${d.kind ? ` (${escapeMarkdown(d.kind)})` : ''}`);
    const boundary = typeof d.boundary === 'string' ? model.byId.get(d.boundary) : undefined;
    if (boundary)
      lines.push(
        `- **Boundary:** ${escapeMarkdown(boundary.id)} (trust: ${escapeMarkdown((boundary.data as Record<string, unknown>).trust ?? '?')})`,
      );
    else lines.push('- **Boundary:** none');
    const inbound = model.flows.filter((f) => f.data.to === element.id);
    const outbound = model.flows.filter((f) => f.data.from === element.id);
    lines.push(
      `- **Flows in:** ${inbound.length ? inbound.map((f) => `${escapeMarkdown(f.id)} from ${escapeMarkdown(f.data.from)}`).join(', ') : 'none'}`,
    );
    lines.push(
      `- **Flows out:** ${outbound.length ? outbound.map((f) => `${escapeMarkdown(f.id)} to ${escapeMarkdown(f.data.to)}`).join(', ') : 'none'}`,
    );
  } else if (element.section === 'flows') {
    lines.push(
      `- **From** ${escapeMarkdown(d.from ?? '?')} **to** ${escapeMarkdown(d.to ?? '?')} over ${escapeMarkdown(d.protocol ?? 'an unknown protocol')}`,
    );
    if (Array.isArray(d.data)) lines.push(`- **Data:** ${d.data.map(escapeMarkdown).join(', ')}`);
  } else if (element.section === 'boundaries') {
    lines.push(`- **Trust:** ${escapeMarkdown(d.trust ?? '?')}${d.parent ? ` · inside ${escapeMarkdown(d.parent)}` : ''}`);
  } else if (element.section === 'data') {
    lines.push(
      `- **Classification:** ${escapeMarkdown(d.classification ?? '?')}${d.pii && d.pii !== 'none' ? ` · personal data (${escapeMarkdown(d.pii)})` : ''}`,
    );
  } else if (element.section === 'mitigations') {
    lines.push(`- **Status:** ${escapeMarkdown(d.status ?? '?')}${d.evidence ? ` · evidence: ${escapeMarkdown(d.evidence)}` : ''}`);
  }
  if (['components', 'flows', 'boundaries', 'data'].includes(element.section)) {
    const threats = model.threats.filter((t) => Array.isArray(t.data.targets) && t.data.targets.includes(element.id));
    lines.push(
      `- **Threats:** ${threats.length ? threats.map((t) => `${escapeMarkdown(t.id)} (${escapeMarkdown(t.data.status ?? '?')})`).join(', ') : 'none recorded'}`,
    );
    const open = withFindings ? analysis.findings.filter((f: Finding) => f.elementId === element.id && f.status === 'open') : [];
    if (open.length) {
      lines.push('- **Open findings:**');
      for (const f of open) lines.push(`  - ${escapeMarkdown(f.rule.id)}: ${escapeMarkdown(f.title)}`);
    }
  }
  return lines.join('\n');
}
