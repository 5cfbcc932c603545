/**
 * Renders a rule set as Markdown: the source of docs/rules.md (a test fails when that file is stale).
 */
import { describe } from './evaluate';
import { STRIDE_CATEGORIES } from '../../shared/vocabulary';
import type { PeerCatalogItems, Rule, RuleSet } from './types';

const DESIGN_FLAWS: Readonly<Record<number, string>> = {
  1: 'Earn or give, but never assume, trust',
  2: 'Use an authentication mechanism that cannot be bypassed or tampered with',
  3: 'Authorize after you authenticate',
  4: 'Strictly separate data and control instructions',
  5: 'Define an approach that ensures all data are explicitly validated',
  6: 'Use cryptography correctly',
  7: 'Identify sensitive data and how they should be handled',
  8: 'Always consider the users',
  9: 'Understand how integrating external components changes your attack surface',
  10: 'Be flexible when considering future changes to objects and actors',
};

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function anchor(rule: Rule): string {
  return rule.id.toLowerCase();
}

/** For each item of a catalog, the rules that cover it fully and in part. */
function coverageOf(catalog: PeerCatalogItems, rules: readonly Rule[]) {
  return catalog.items.map((item) => ({
    item,
    full: rules.filter((r) => r.covers[catalog.catalog]?.includes(item.id)),
    partly: rules.filter((r) => r.partlyCovers[catalog.catalog]?.includes(item.id)),
  }));
}

function percent(n: number, of: number): string {
  return of === 0 ? '-' : `${Math.round((n / of) * 100)} %`;
}

function peerCoverage(ruleSet: RuleSet, catalogs: readonly PeerCatalogItems[]): string[] {
  if (catalogs.length === 0) return [];
  const link = (r: Rule) => `[${r.id}](#${anchor(r)})`;
  const out = ['## Coverage of other catalogs', ''];
  out.push(
    'Each rule names the items of public threat catalogs it finds as well (`covers`) or in part (`partlyCovers`): a',
    'partial match finds the same root cause by another mechanism, or only some of the cases. The catalogs are in',
    '`rules/catalogs/`, with their sources.',
    '',
    '| catalog | items | covered | partly | not covered | coverage |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  );
  const rows = catalogs.map((c) => ({ c, rows: coverageOf(c, ruleSet.rules) }));
  for (const { c, rows: r } of rows) {
    const full = r.filter((x) => x.full.length > 0).length;
    const partly = r.filter((x) => x.full.length === 0 && x.partly.length > 0).length;
    out.push(
      `| [${cell(c.title)}](${c.url}) | ${r.length} | ${full} | ${partly} | ${r.length - full - partly} | ${percent(full, r.length)} |`,
    );
  }
  out.push('');
  for (const { c, rows: r } of rows) {
    out.push(`### ${c.title}`, '', '| item | covered by | partly by |', '| --- | --- | --- |');
    for (const x of r)
      out.push(`| ${cell(x.item.id)}: ${cell(x.item.title)} | ${x.full.map(link).join(', ')} | ${x.partly.map(link).join(', ')} |`);
    out.push('');
  }
  return out;
}

export function rulesMarkdown(ruleSet: RuleSet, catalogs: readonly PeerCatalogItems[] = []): string {
  const out: string[] = [];
  out.push('# Rule catalog', '');
  out.push(
    '<!-- Generated from rules/builtin/*.yaml by `npm run docs`. Do not edit by hand: a test fails when this file is stale. -->',
    '',
  );
  out.push(
    `${ruleSet.rules.length} rules in ${ruleSet.packs.filter((p) => p.rules.length > 0).length} packs, and ${ruleSet.mitigations.size} mitigations they suggest.`,
    'A rule applies to an element when its **when** condition holds; a **covered when** condition (a control) turns the',
    'finding off. Findings are identified as `RULE@element`; record a threat with `rule:` and `targets:` to address one,',
    'or disable a rule with `disabledRules: [{ rule, reason }]` on the model or on an element.',
    '',
  );

  out.push('## Coverage', '', '| STRIDE category | rules |', '| --- | --- |');
  for (const s of STRIDE_CATEGORIES) {
    const ids = ruleSet.rules.filter((r) => r.stride.includes(s)).map((r) => `[${r.id}](#${anchor(r)})`);
    out.push(`| ${s} | ${ids.join(', ')} |`);
  }
  const linddun = ruleSet.rules.filter((r) => r.linddun.length > 0);
  out.push(`| LINDDUN (privacy) | ${linddun.map((r) => `[${r.id}](#${anchor(r)})`).join(', ')} |`, '');
  out.push('| IEEE CSD top-10 design flaw | rules |', '| --- | --- |');
  for (let i = 1; i <= 10; i++) {
    const ids = ruleSet.rules.filter((r) => r.designFlaws.includes(i)).map((r) => `[${r.id}](#${anchor(r)})`);
    out.push(`| ${i}. ${DESIGN_FLAWS[i]} | ${ids.join(', ')} |`);
  }
  out.push('');
  out.push(...peerCoverage(ruleSet, catalogs));

  out.push('## Rules', '', '| id | target | finding | STRIDE | severity | CWE |', '| --- | --- | --- | --- | --- | --- |');
  for (const r of ruleSet.rules) {
    out.push(
      `| [${r.id}](#${anchor(r)}) | ${r.target} | ${cell(r.title)} | ${r.stride.join(', ')} | ${r.severity} | ${r.cwe.join(', ')} |`,
    );
  }
  out.push('');

  for (const r of ruleSet.rules) {
    out.push(`### ${r.id}`, '', `**${cell(r.title)}** — ${r.target}, severity ${r.severity}.`, '', r.rationale, '');
    out.push(`- **When:** ${describe(r.when)}`);
    if (r.unless) out.push(`- **Covered when:** ${describe(r.unless)}`);
    if (r.stride.length) out.push(`- **STRIDE:** ${r.stride.join(', ')}`);
    if (r.linddun.length) out.push(`- **LINDDUN:** ${r.linddun.join(', ')}`);
    if (r.cwe.length) out.push(`- **CWE:** ${r.cwe.map((c) => `[CWE-${c}](https://cwe.mitre.org/data/definitions/${c}.html)`).join(', ')}`);
    if (r.capec.length)
      out.push(`- **CAPEC:** ${r.capec.map((c) => `[CAPEC-${c}](https://capec.mitre.org/data/definitions/${c}.html)`).join(', ')}`);
    if (r.designFlaws.length) out.push(`- **Design flaws:** ${r.designFlaws.map((f) => `${f}. ${DESIGN_FLAWS[f]}`).join('; ')}`);
    const mitigations = r.mitigations.map((id) => ruleSet.mitigations.get(id)).filter((m) => m !== undefined);
    if (mitigations.length) out.push(`- **Mitigations:** ${mitigations.map((m) => `${m.title} (\`${m.id}\`)`).join('; ')}`);
    const further = r.references.filter((ref) => !/^(CWE|CAPEC)-\d+$/.test(ref.title));
    for (const ref of further) out.push(`- **Reference:** [${ref.title}](${ref.url})`);
    out.push('');
  }

  out.push('## Mitigation catalog', '', '| id | title | description |', '| --- | --- | --- |');
  for (const m of [...ruleSet.mitigations.values()]) out.push(`| \`${m.id}\` | ${cell(m.title)} | ${cell(m.description)} |`);
  out.push('');
  return out.join('\n');
}
