/**
 * `npm run bench:recall`: how many of the threats people wrote in public threat models the built-in rules find, and
 * how many findings are clearly wrong (test/recall/README.md). Two figures: the **first run** of each model (keyed
 * before the rules ran on it, scored before any rule changed for it, recorded in its key and never edited) and the
 * **current** score of the whole corpus. Then a table per model, the threats missed and partly hit, and any finding the
 * keys do not judge yet. `--verbose` lists every finding's verdict.
 *
 * `--schema-only <model.tm.yaml>` checks a translation with no rule loaded (its YAML, schema and references): a model
 * being translated is checked this way, so that its key is written before any finding has been seen.
 */
import { readFileSync } from 'node:fs';
import { analyzeText } from '../../server/src/analysis/analyze';
import { loadRuleSet } from '../../server/src/analysis/rules/ruleset';
import { type ModelScore, scoreCorpus, totals, type Totals } from '../support/recall';

const schemaOnly = process.argv.indexOf('--schema-only');
if (schemaOnly >= 0) {
  const file = process.argv[schemaOnly + 1];
  if (!file) throw new Error('--schema-only needs a model file');
  const analysis = analyzeText(readFileSync(file, 'utf8'), { rules: loadRuleSet([]).ruleSet });
  const lineOf = (offset: number) => analysis.parsed.text.slice(0, offset).split('\n').length;
  for (const d of analysis.diagnostics) console.log(`${file}:${lineOf(d.span.start)} ${d.code} ${d.message}`);
  console.log(`${analysis.diagnostics.length} problems (no rules loaded)`);
  process.exit(analysis.diagnostics.some((d) => d.severity === 'error') ? 1 : 0);
}

const verbose = process.argv.includes('--verbose');
const pct = (n: number, of: number) => (of === 0 ? '-' : `${Math.round((n / of) * 100)} %`);
const figure = (t: Totals) =>
  `${t.hits} of ${t.threats} threats hit (**${pct(t.hits, t.threats)}**; with partials ${pct(t.hits + t.partials, t.threats)}), ` +
  `${t.falsePositives} of ${t.findings} findings false positives (**${pct(t.falsePositives, t.findings)}**)`;

const score = scoreCorpus();
const count = (f: (m: ModelScore) => string) => new Set(score.scores.map(f)).size;
console.log(`Corpus: ${score.models} models, ${count((m) => m.project)} projects, ${count((m) => m.systemType)} system types.\n`);
console.log(`First run (held out), ${score.firstRun.models} models: ${figure(score.firstRun)}.`);
console.log(`  the same models today: ${figure(score.firstRunModelsNow)}.`);
// The first runs by the catalog that ran them: what the rules knew of systems they had never seen, release by release.
const byCatalog = new Map<string, ModelScore[]>();
for (const m of score.scores.filter((x) => x.firstRun)) {
  const catalog = m.firstRun!.rules.replace(/ at .*/, '');
  byCatalog.set(catalog, [...(byCatalog.get(catalog) ?? []), m]);
}
if (byCatalog.size > 1)
  for (const [catalog, models] of byCatalog)
    console.log(`  first runs with ${catalog}, ${models.length} models: ${figure(totals(models.map((m) => m.firstRun!)))}.`);
console.log(`Current, all ${score.models} models: ${figure(score)}.\n`);

console.log(
  '| model | system type | human threats | first run: hits | partials | FP | now: hits | partials | recall | findings | false positives |',
);
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const m of score.scores) {
  const first = m.firstRun
    ? `${m.firstRun.hits} (${pct(m.firstRun.hits, m.firstRun.threats)}) | ${m.firstRun.partials} | ${m.firstRun.falsePositives}/${m.firstRun.findings}`
    : '- | - | -';
  console.log(
    `| ${m.model} | ${m.systemType} | ${m.threats} | ${first} | ${m.hits} | ${m.partials} | ${pct(m.hits, m.threats)} | ${m.findings.length} | ${m.falsePositives} (${pct(m.falsePositives, m.findings.length)}) |`,
  );
}

const list = (title: string, pick: (m: ModelScore) => readonly string[]) => {
  const rows = score.scores.flatMap((m) => pick(m).map((x) => `  ${m.model}: ${x}`));
  if (rows.length) console.log(`\n${title} (${rows.length}):\n${rows.join('\n')}`);
};
list('Missed', (m) => m.missed.map((t) => `${t.source} — ${t.concern}`));
list('Partly hit', (m) => m.partlyHit.map((t) => `${t.source} — ${t.concern}`));
list('False positives', (m) => m.findings.filter((f) => f.verdict === 'false-positive').map((f) => `${f.id}: ${f.reason ?? ''}`));
list('Unjudged findings (add them to the key)', (m) => m.unjudged);
list('Stale keys', (m) => m.staleKey);
if (verbose) list('All findings', (m) => m.findings.map((f) => `${f.id} ${f.status} ${f.verdict}${f.reason ? `: ${f.reason}` : ''}`));
