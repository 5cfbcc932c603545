/**
 * Hover: explains threats (STRIDE, severity, status, mitigations, the rule behind them), elements (where they sit,
 * what flows in and out, what threatens them), and any key or value from the schema. Returns Markdown in which
 * every string from the model is escaped: a model is untrusted input.
 */
import type { Finding } from '../analysis/rules/engine';
import type { RuleSet } from '../analysis/rules/types';
import type { Analysis } from '../analysis/analyze';
import { escapeMarkdown } from '../shared/escape';
import { CATEGORY_EXPLAINED, isThreatCategory } from '../shared/vocabulary';
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
  const at = idAt(analysis, offset);
  if (at?.element) return { markdown: elementCard(analysis, at.element, ruleSet), span: at.span };

  const located = locateOffset(parsed.doc, parsed.model, offset);
  if (!located.scalar) return undefined;
  const path = located.path;
  const last = path[path.length - 1];
  if (!located.onKey && last === 'rule' && typeof located.scalar.value === 'string') {
    const rule = ruleSet.byId.get(located.scalar.value);
    if (rule)
      return {
        markdown: `**${escapeMarkdown(rule.id)}** — ${escapeMarkdown(rule.title)}\n\n${escapeMarkdown(rule.rationale)}`,
        span: located.scalar.span,
      };
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

function elementCard(analysis: Analysis, element: Element, ruleSet: RuleSet): string {
  const model = analysis.parsed.model!;
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
    lines.push(
      `- **Severity:** ${escapeMarkdown(t.data.severity ?? 'not set')} · **Status:** ${escapeMarkdown(t.data.status ?? 'not set')}`,
    );
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
      if (finding) lines.push('', `Found because ${escapeMarkdown(finding.because.join('; '))}.`);
    }
    const cwe = [...(t.data.cwe ?? []), ...(rule?.cwe ?? [])];
    const capec = [...(t.data.capec ?? []), ...(rule?.capec ?? [])];
    const links = [
      ...[...new Set(cwe)].map((n) => `[CWE-${n}](https://cwe.mitre.org/data/definitions/${n}.html)`),
      ...[...new Set(capec)].map((n) => `[CAPEC-${n}](https://capec.mitre.org/data/definitions/${n}.html)`),
    ];
    if (links.length) lines.push('', links.join(' · '));
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
    const open = analysis.findings.filter((f: Finding) => f.elementId === element.id && f.status === 'open');
    if (open.length) {
      lines.push('- **Open findings:**');
      for (const f of open) lines.push(`  - ${escapeMarkdown(f.rule.id)}: ${escapeMarkdown(f.title)}`);
    }
  }
  return lines.join('\n');
}
