/**
 * Hover: explains threats (STRIDE, severity, status, mitigations, the rule behind them), elements (where they sit,
 * what flows in and out, what threatens them), and any key or value from the schema. Returns Markdown in which
 * every string from the model is escaped: a model is untrusted input.
 */
import type { Finding } from '../analysis/rules/engine';
import type { RuleSet } from '../analysis/rules/types';
import type { Analysis } from '../model/analyze';
import { locateOffset } from '../model/locate';
import { deref, schemaAt } from '../model/schema';
import type { Element, Span, Threat } from '../model/types';
import { SECTION_NOUN } from '../model/types';
import { idAt } from './navigation';

export interface Hover {
  readonly markdown: string;
  readonly span: Span;
}

export const STRIDE_EXPLAINED: Readonly<Record<string, string>> = {
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

/** Escapes text for Markdown so that model strings render as plain text. */
export function md(text: unknown): string {
  return (
    String(text)
      .replace(/\r?\n/g, ' ')
      // Characters that start emphasis, code, links, images, tables, headings or HTML anywhere in a line.
      .replace(/[\\`*_[\]|~#!]/g, (c) => `\\${c}`)
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      // List markers only matter at the start.
      .replace(/^(\s*)([-+]|\d+[.)])/, (_, space: string, marker: string) => `${space}${marker.replace(/([-+.)])$/, '\\$1')}`)
  );
}

export function hover(analysis: Analysis, offset: number, ruleSet: RuleSet): Hover | undefined {
  const parsed = analysis.parsed;
  if (!parsed.doc) return undefined;
  const at = idAt(analysis, offset);
  if (at?.element) return { markdown: describeElement(analysis, at.element, ruleSet), span: at.span };

  const located = locateOffset(parsed.doc, parsed.model, offset);
  if (!located.scalar) return undefined;
  const path = located.path;
  const last = path[path.length - 1];
  if (!located.onKey && last === 'rule' && typeof located.scalar.value === 'string') {
    const rule = ruleSet.byId.get(located.scalar.value);
    if (rule) return { markdown: `**${md(rule.id)}** — ${md(rule.title)}\n\n${md(rule.rationale)}`, span: located.scalar.span };
  }
  const schema = deref(schemaAt(typeof last === 'number' ? path.slice(0, -1) : path));
  if (!schema?.description) return undefined;
  const lines = [`**${md(typeof last === 'number' ? path[path.length - 2] : last)}** — ${md(schema.description)}`];
  const value = located.scalar.value;
  if (!located.onKey && typeof value === 'string' && STRIDE_EXPLAINED[value] && (last === 'category' || path.includes('stride'))) {
    lines.push('', md(STRIDE_EXPLAINED[value]));
  }
  const enumValues = schema.enum ?? deref(schema.items)?.enum;
  if (enumValues) lines.push('', `Allowed: ${enumValues.map((v) => `\`${String(v)}\``).join(', ')}`);
  return { markdown: lines.join('\n'), span: located.scalar.span };
}

function describeElement(analysis: Analysis, element: Element, ruleSet: RuleSet): string {
  const model = analysis.parsed.model!;
  const d = element.data as Record<string, unknown>;
  const name = d.name ?? d.title ?? d.text ?? element.id;
  const lines: string[] = [`**${md(SECTION_NOUN[element.section])} ${md(element.id)}** — ${md(name)}`];
  if (typeof d.description === 'string') lines.push('', md(d.description));

  if (element.section === 'threats') {
    const t = element as Threat;
    lines.push('');
    if (typeof t.data.category === 'string') lines.push(`- **Category:** ${md(STRIDE_EXPLAINED[t.data.category] ?? t.data.category)}`);
    lines.push(`- **Severity:** ${md(t.data.severity ?? 'not set')} · **Status:** ${md(t.data.status ?? 'not set')}`);
    if (Array.isArray(t.data.targets)) lines.push(`- **Targets:** ${t.data.targets.map(md).join(', ')}`);
    const mitigations = (Array.isArray(t.data.mitigations) ? t.data.mitigations : []).map((id) => model.byId.get(id));
    if (mitigations.length) {
      lines.push('- **Mitigations:**');
      for (const m of mitigations) if (m) lines.push(`  - ${md(m.id)}: ${md((m.data as Record<string, unknown>).title ?? '')} (${md((m.data as Record<string, unknown>).status ?? 'no status')})`);
    } else {
      lines.push('- **Mitigations:** none yet');
    }
    if (t.data.acceptance) {
      const a = t.data.acceptance;
      lines.push(`- **Accepted** by ${md(a.by ?? '?')} until ${md(a.expires ?? 'no expiry')}: ${md(a.justification ?? 'no justification')}`);
    }
    const rule = typeof t.data.rule === 'string' ? ruleSet.byId.get(t.data.rule) : undefined;
    if (rule) {
      lines.push('', `**Rule ${md(rule.id)}:** ${md(rule.rationale)}`);
      const finding = analysis.findings.find((f) => f.threat === element);
      if (finding) lines.push('', `Found because ${md(finding.because.join('; '))}.`);
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
    lines.push(`- **Type:** ${md(d.type ?? '?')}${d.kind ? ` (${md(d.kind)})` : ''}`);
    const boundary = typeof d.boundary === 'string' ? model.byId.get(d.boundary) : undefined;
    if (boundary) lines.push(`- **Boundary:** ${md(boundary.id)} (trust: ${md((boundary.data as Record<string, unknown>).trust ?? '?')})`);
    else lines.push('- **Boundary:** none');
    const inbound = model.flows.filter((f) => f.data.to === element.id);
    const outbound = model.flows.filter((f) => f.data.from === element.id);
    lines.push(`- **Flows in:** ${inbound.length ? inbound.map((f) => `${md(f.id)} from ${md(f.data.from)}`).join(', ') : 'none'}`);
    lines.push(`- **Flows out:** ${outbound.length ? outbound.map((f) => `${md(f.id)} to ${md(f.data.to)}`).join(', ') : 'none'}`);
  } else if (element.section === 'flows') {
    lines.push(`- **From** ${md(d.from ?? '?')} **to** ${md(d.to ?? '?')} over ${md(d.protocol ?? 'an unknown protocol')}`);
    if (Array.isArray(d.data)) lines.push(`- **Data:** ${d.data.map(md).join(', ')}`);
  } else if (element.section === 'boundaries') {
    lines.push(`- **Trust:** ${md(d.trust ?? '?')}${d.parent ? ` · inside ${md(d.parent)}` : ''}`);
  } else if (element.section === 'data') {
    lines.push(`- **Classification:** ${md(d.classification ?? '?')}${d.pii && d.pii !== 'none' ? ` · personal data (${md(d.pii)})` : ''}`);
  } else if (element.section === 'mitigations') {
    lines.push(`- **Status:** ${md(d.status ?? '?')}${d.evidence ? ` · evidence: ${md(d.evidence)}` : ''}`);
  }
  if (['components', 'flows', 'boundaries', 'data'].includes(element.section)) {
    const threats = model.threats.filter((t) => Array.isArray(t.data.targets) && t.data.targets.includes(element.id));
    lines.push(`- **Threats:** ${threats.length ? threats.map((t) => `${md(t.id)} (${md(t.data.status ?? '?')})`).join(', ') : 'none recorded'}`);
    const open = analysis.findings.filter((f: Finding) => f.elementId === element.id && f.status === 'open');
    if (open.length) {
      lines.push('- **Open findings:**');
      for (const f of open) lines.push(`  - ${md(f.rule.id)}: ${md(f.title)}`);
    }
  }
  return lines.join('\n');
}
