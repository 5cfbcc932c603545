/**
 * `npm run bench:quick`, the regression guard `npm test` runs: the speed ratios of test/bench/targets.ts at 1,000
 * components, against test/bench/baseline.json. Ratios, not times: each is measured against its baseline in the same
 * run, so a slower machine moves both. A ratio more than 25 % above the committed one is measured up to twice more (one
 * run can be slowed by the machine, never sped up) and fails the run if its best is still above.
 *
 * BENCH_UPDATE=1 writes the baseline: the median of three runs (commit it with the change that moved it, and say why).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { builtinRuleSet } from '../../server/src/files/package-files';
import { REPO_ROOT } from '../support/paths';
import { machine } from './stats';
import { benchTargets, type Ratio, targetsTable } from './targets';

const BASELINE = path.join(REPO_ROOT, 'test/bench/baseline.json');
const ALLOWED_GROWTH = 1.25;

interface Baseline {
  readonly date: string;
  readonly node: string;
  readonly rules: number;
  readonly machine: string;
  readonly ratios: Readonly<Record<string, number>>;
}

async function measureOnce(): Promise<readonly Ratio[]> {
  return (await benchTargets({ sizes: [1000], workspace: false, runs: 3 })).ratios;
}

async function main(): Promise<void> {
  let ratios = await measureOnce();
  console.log(targetsTable({ ratios }));
  if (process.env.BENCH_UPDATE === '1') {
    // The baseline is the median of three runs: one run's luck, good or bad, does not set the bar.
    const runs = [ratios, await measureOnce(), await measureOnce()];
    const median = (name: string) => {
      const values = runs.map((run) => run.find((r) => r.name === name)!.ratio).sort((a, b) => a - b);
      return values[1];
    };
    const baseline: Baseline = {
      date: new Date().toISOString().slice(0, 10),
      node: process.version,
      rules: builtinRuleSet().ruleSet.rules.length,
      machine: machine(),
      ratios: Object.fromEntries(ratios.map((r) => [r.name, Number(median(r.name).toFixed(4))])),
    };
    writeFileSync(BASELINE, `${JSON.stringify(baseline, null, 2)}\n`);
    console.log(`\nWrote ${path.relative(process.cwd(), BASELINE)}`);
    return;
  }
  const baseline = JSON.parse(readFileSync(BASELINE, 'utf8')) as Baseline;
  const regressed = (list: readonly Ratio[]) =>
    list.filter((r) => baseline.ratios[r.name] !== undefined && r.ratio > baseline.ratios[r.name] * ALLOWED_GROWTH);
  const missing = ratios.filter((r) => baseline.ratios[r.name] === undefined).map((r) => r.name);
  if (missing.length > 0) throw new Error(`not in ${path.basename(BASELINE)} (run with BENCH_UPDATE=1): ${missing.join('; ')}`);
  // Up to two more runs while a ratio is above: each ratio's best run counts.
  for (let attempt = 0; attempt < 2 && regressed(ratios).length > 0; attempt++) {
    console.log('\nAbove the baseline: measured once more.');
    const again = await measureOnce();
    ratios = ratios.map((r) => {
      const other = again.find((a) => a.name === r.name);
      return other && other.ratio < r.ratio ? other : r;
    });
  }
  console.log(`\nAgainst ${path.basename(BASELINE)} (${baseline.date}, ${baseline.rules} rules, ${baseline.machine}):`);
  for (const r of ratios) {
    const was = baseline.ratios[r.name];
    console.log(`- ${r.name}: ${r.ratio.toFixed(3)}× (baseline ${was.toFixed(3)}×, ${((r.ratio / was - 1) * 100).toFixed(0)} %)`);
  }
  const failed = regressed(ratios);
  if (failed.length > 0) {
    console.error(
      `\nSlower than the baseline by more than ${Math.round((ALLOWED_GROWTH - 1) * 100)} %:\n${failed
        .map((r) => `- ${r.name}: ${r.ratio.toFixed(3)}× against ${baseline.ratios[r.name].toFixed(3)}×`)
        .join('\n')}`,
    );
    process.exit(1);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
