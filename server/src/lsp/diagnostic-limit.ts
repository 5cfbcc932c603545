/**
 * Which diagnostics an editor is sent when a model has more than it can show.
 *
 * VS Code keeps at most 1,000 diagnostics per file and source: above that it takes errors, then warnings, then
 * information, in the order received, and drops the rest. A 5,000-component model has ~24,000 findings; sending them
 * all on every keystroke cost ~10 MB of JSON and most of the edit latency, only to be thrown away by the editor. So
 * the server picks the ones to send itself, with more care than the editor would: by diagnostic severity, then by the
 * finding's risk severity (critical first), then in document order; and it says how many are not shown and where to
 * see all of them, within the same limit so that VS Code's own cut never drops that note.
 */
import { type CoreDiagnostic, DiagnosticCode, isFindingDiagnostic } from '../model/diagnostics';
import { DIAGNOSTIC_SEVERITIES, diagnosticWeight, SEVERITIES, severityWeight } from '../shared/vocabulary';

/** Ranks per diagnostic severity: the four risk severities and "not a finding" (core checks sort after findings). */
const RISKS = SEVERITIES.length + 1;

/** Lower is shown first: by diagnostic severity, then by the finding's risk (core checks last). */
function rank(d: CoreDiagnostic): number {
  const severityRank = DIAGNOSTIC_SEVERITIES.length - diagnosticWeight(d.severity);
  const riskRank = SEVERITIES.length - (isFindingDiagnostic(d) ? severityWeight(d.data.severity) : 0);
  return severityRank * RISKS + riskRank;
}

/**
 * At most `limit` diagnostics: all of them when they fit; otherwise the `limit - 1` most severe (in their original
 * order) and, first, one that says how many more there are. Linear in the number of diagnostics.
 */
export function limitDiagnostics(diagnostics: readonly CoreDiagnostic[], limit: number): readonly CoreDiagnostic[] {
  if (diagnostics.length <= limit) return diagnostics;
  const keep = Math.max(0, limit - 1);
  // Counting sort over the 20 ranks: find the rank where the kept ones end, and how many of that rank still fit.
  const ranks = diagnostics.map(rank);
  const counts = new Array<number>(DIAGNOSTIC_SEVERITIES.length * RISKS).fill(0);
  for (const r of ranks) counts[r]++;
  let cutoff = 0;
  let room = keep;
  while (cutoff < counts.length && counts[cutoff] <= room) room -= counts[cutoff++];
  const shown: CoreDiagnostic[] = [summary(diagnostics.length, keep)];
  for (let i = 0; i < diagnostics.length && shown.length <= keep; i++) {
    if (ranks[i] < cutoff) shown.push(diagnostics[i]);
    else if (ranks[i] === cutoff && room > 0) {
      shown.push(diagnostics[i]);
      room--;
    }
  }
  return shown;
}

function summary(total: number, shown: number): CoreDiagnostic {
  const format = (n: number) => n.toLocaleString('en-US');
  return {
    code: DiagnosticCode.DiagnosticLimit,
    severity: 'info',
    message:
      `${format(total - shown)} of ${format(total)} problems are not shown: the editor gets the ${format(shown)} most ` +
      'severe (setting threatcode.maxDiagnosticsPerFile). `threatcode check` lists all; the completeness panel counts all.',
    span: { start: 0, end: 0 },
  };
}
