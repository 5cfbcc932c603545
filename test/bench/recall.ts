/**
 * `npm run bench:recall`: how many of the threats people wrote in public threat models the built-in rules find, and
 * how many findings are clearly wrong (test/recall/README.md). Prints a table per model and overall, the threats
 * missed and partly hit, and any finding the keys do not judge yet. `--verbose` lists every finding's verdict.
 */
import { type ModelScore, scoreCorpus } from '../support/recall';

const verbose = process.argv.includes('--verbose');
const pct = (n: number, of: number) => (of === 0 ? '-' : `${Math.round((n / of) * 100)} %`);

const score = scoreCorpus();
console.log('| model | source | human threats | hits | partials | recall | findings | false positives |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const m of score.models) {
  console.log(
    `| ${m.model} | ${m.project} | ${m.threats} | ${m.hits} | ${m.partials} | ${pct(m.hits, m.threats)} | ${m.findings.length} | ${m.falsePositives} (${pct(m.falsePositives, m.findings.length)}) |`,
  );
}
console.log(
  `| **all** | ${new Set(score.models.map((m) => m.project)).size} projects | ${score.threats} | ${score.hits} | ${score.partials} | **${pct(score.hits, score.threats)}** (with partials ${pct(score.hits + score.partials, score.threats)}) | ${score.findings} | **${score.falsePositives} (${pct(score.falsePositives, score.findings)})** |`,
);

const heldOut = score.models.filter((m) => m.heldOut);
if (heldOut.length > 0) {
  const threats = heldOut.reduce((n, m) => n + m.threats, 0);
  const hits = heldOut.reduce((n, m) => n + m.hits, 0);
  console.log(
    `\nHeld out (keyed before the rules ran on them, rules not changed since): ${heldOut.map((m) => m.model).join(', ')}: ${hits} of ${threats} (${pct(hits, threats)}).`,
  );
}

const list = (title: string, pick: (m: ModelScore) => readonly string[]) => {
  const rows = score.models.flatMap((m) => pick(m).map((x) => `  ${m.model}: ${x}`));
  if (rows.length) console.log(`\n${title} (${rows.length}):\n${rows.join('\n')}`);
};
list('Missed', (m) => m.missed.map((t) => `${t.source} — ${t.concern}`));
list('Partly hit', (m) => m.partlyHit.map((t) => `${t.source} — ${t.concern}`));
list('False positives', (m) => m.findings.filter((f) => f.verdict === 'false-positive').map((f) => `${f.id}: ${f.reason ?? ''}`));
list('Unjudged findings (add them to the key)', (m) => m.unjudged);
list('Stale keys', (m) => m.staleKey);
if (verbose) list('All findings', (m) => m.findings.map((f) => `${f.id} ${f.status} ${f.verdict}${f.reason ? `: ${f.reason}` : ''}`));
