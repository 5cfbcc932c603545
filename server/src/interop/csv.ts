/**
 * Threats and open findings as CSV for issue trackers (Jira, GitHub, spreadsheets): one row each, RFC 4180 quoting, and
 * cells that a spreadsheet would run as a formula prefixed with `'` (OWASP's CSV injection advice): those that start
 * with `=`, `+`, `-`, `@` (or their full-width forms, which spreadsheets read as the same) after any spaces, or with a
 * tab or CR. A cell with a `;` or a tab is quoted too: in a locale whose list separator is `;` (German, French, Dutch)
 * Excel splits unquoted cells there, and `x;=cmd|…` would become a formula in the second half.
 */
import type { Analysis } from '../analysis/analyze';
import { asText } from './imported';
import { lineOf, lineStarts } from '../shared/lines';

const HEADER = ['kind', 'id', 'title', 'elements', 'category', 'severity', 'status', 'mitigations', 'rule', 'cwe', 'line'];

function cell(value: unknown): string {
  let s = value === undefined || value === null ? '' : Array.isArray(value) ? value.join('; ') : asText(value);
  if (/^[\t\r]|^[\s\u00a0\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20]/.test(s)) s = `'${s}`;
  return /[",;\t\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** 1-based line numbers of offsets, from one index of the line starts. */
function lineIndex(text: string): (offset: number) => number {
  const starts = lineStarts(text);
  return (offset) => lineOf(starts, offset) + 1;
}

export function exportCsv(analysis: Analysis): string {
  const model = analysis.parsed.model!;
  const rows: unknown[][] = [HEADER];
  const line = lineIndex(analysis.parsed.text);
  for (const t of model.threats) {
    const d = t.data;
    rows.push([
      'threat',
      t.id,
      d.title,
      d.targets ?? [],
      d.category,
      d.severity,
      d.status,
      d.mitigations ?? [],
      d.rule,
      (d.cwe ?? []).map((n) => `CWE-${n}`),
      line(t.span.start),
    ]);
  }
  for (const f of analysis.findings) {
    if (f.status !== 'open') continue;
    rows.push([
      'finding',
      f.id,
      f.title,
      [f.elementId],
      f.rule.stride.join('; '),
      f.rule.severity,
      'open (not recorded)',
      f.rule.mitigations,
      f.rule.id,
      f.rule.cwe.map((n) => `CWE-${n}`),
      line(f.element?.span.start ?? 0),
    ]);
  }
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
