/**
 * `npm run bench`: medians (and min–max) of the analysis stages on generated models, against the parse floor
 * measured in the same run. Writes bench/results.json.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { runRules } from '../server/src/analysis/rules/engine';
import { builtinRuleSet } from '../server/src/analysis/rules/ruleset';
import { analyzeText } from '../server/src/model/analyze';
import { parseThreatModel } from '../server/src/model/parse';
import { generateModel } from './generate';

const SIZES = (process.env.BENCH_SIZES ?? '50,200,1000,5000').split(',').map(Number);
const NO_LIMIT = Number.MAX_SAFE_INTEGER;

interface Stat {
  median: number;
  min: number;
  max: number;
  runs: number;
}

function measure(fn: () => void, runs: number): Stat {
  fn(); // warm-up (JIT, caches)
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], min: times[0], max: times[times.length - 1], runs };
}

const fmt = (s: Stat) => `${s.median.toFixed(1)} (${s.min.toFixed(1)}–${s.max.toFixed(1)})`;

function main(): void {
  const { ruleSet } = builtinRuleSet();
  const results: Record<string, unknown>[] = [];
  console.log(`Node ${process.version}, ${ruleSet.rules.length} rules. Milliseconds: median (min–max).\n`);
  console.log('| components | size | yaml parse (floor) | our parse+model | rules only | full analysis | full / floor | findings |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const n of SIZES) {
    const text = generateModel(n);
    const runs = n >= 5000 ? 5 : n >= 1000 ? 7 : 15;
    const floor = measure(() => parseDocument(text), runs);
    const parse = measure(() => parseThreatModel(text, { maxLength: NO_LIMIT }), runs);
    const model = parseThreatModel(text, { maxLength: NO_LIMIT }).model!;
    const rules = measure(() => runRules(model, ruleSet, { modelSpan: { start: 0, end: 0 } }), runs);
    const full = measure(() => analyzeText(text, { maxLength: NO_LIMIT, rules: ruleSet }), runs);
    const analysis = analyzeText(text, { maxLength: NO_LIMIT, rules: ruleSet });
    const open = analysis.findings.filter((f) => f.status === 'open').length;
    const ratio = full.median / floor.median;
    console.log(
      `| ${n} | ${(text.length / 1024).toFixed(0)} KB | ${fmt(floor)} | ${fmt(parse)} | ${fmt(rules)} | ${fmt(full)} | ${ratio.toFixed(2)}× | ${open} open / ${analysis.findings.length} |`,
    );
    results.push({ components: n, bytes: text.length, floor, parse, rules, full, fullOverFloor: ratio, findings: analysis.findings.length, openFindings: open });
  }
  const out = path.join(__dirname, '../../bench/results.json');
  writeFileSync(out, JSON.stringify({ node: process.version, date: new Date().toISOString(), rules: ruleSet.rules.length, results }, null, 2) + '\n');
  console.log(`\nWrote ${path.relative(process.cwd(), out)}`);
}

main();
