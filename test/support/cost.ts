/**
 * How a cost grows with its input, measured in the same run: the input at n and at 4n, each run a few times, compared
 * by CPU time (this process's own, so a busy machine slows both sizes alike instead of failing a deadline). A linear
 * cost takes about 4× as long at 4n, a quadratic one 16×: the tests fail above 8×. No test states a time in seconds;
 * absolute times belong to `npm run bench`.
 */
import * as assert from 'node:assert/strict';

export interface Growth {
  /** The smaller size measured (grown from the one asked for until a run is long enough to measure). */
  readonly n: number;
  readonly factor: number;
  /** The least CPU time of the runs at n and at factor × n, in milliseconds. */
  readonly small: number;
  readonly large: number;
  readonly ratio: number;
}

export interface GrowthOptions {
  /** The size to start from. */
  readonly n: number;
  /** How much larger the second input is (4 unless said). */
  readonly factor?: number;
  /** n is doubled until one run at n takes this much CPU time, so that noise does not decide (30 ms unless said). */
  readonly minMs?: number;
  /** n never grows beyond this. */
  readonly maxN?: number;
  /** Runs per size (5 unless said); the least time of each size counts (noise only ever adds). */
  readonly repeats?: number;
}

/**
 * Milliseconds of CPU time this process spent in `run` (all its threads: the garbage collector's too). The heap is
 * collected first when the test runner exposes `gc` (test/unit/.mocharc.json), so that garbage left by earlier tests is
 * not charged to whichever run happens to trigger its collection.
 */
export function cpuMs(run: () => unknown): number {
  (globalThis as { gc?: () => void }).gc?.();
  const start = process.cpuUsage();
  run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

export function growth<I>(make: (n: number) => I, run: (input: I) => unknown, options: GrowthOptions): Growth {
  const factor = options.factor ?? 4;
  const minMs = options.minMs ?? 30;
  const maxN = options.maxN ?? options.n * 64;
  let n = options.n;
  let small = make(n);
  // Each size runs once before it is timed: the first run of a code path includes compiling it.
  run(small);
  // The smaller of two runs decides: one run can be slowed by the machine, never sped up.
  while (
    Math.min(
      cpuMs(() => run(small)),
      cpuMs(() => run(small)),
    ) < minMs &&
    n * 2 <= maxN
  ) {
    n *= 2;
    small = make(n);
    run(small);
  }
  const large = make(n * factor);
  // Both sizes warm up alike: the small input ran more often while n was chosen, and code the JIT has optimised
  // further runs faster (a Compose import measured 6.8 ms at n after the warm-ups, 62 ms at 4n after one run: 9×).
  for (let i = 0; i < 3; i++) {
    run(large);
    run(small);
  }
  const repeats = options.repeats ?? 5;
  let smallest = Infinity;
  let largest = Infinity;
  for (let i = 0; i < repeats; i++) {
    smallest = Math.min(
      smallest,
      cpuMs(() => run(small)),
    );
    largest = Math.min(
      largest,
      cpuMs(() => run(large)),
    );
  }
  return { n, factor, small: smallest, large: largest, ratio: largest / Math.max(smallest, 0.001) };
}

/** Fails when `factor` times the input costs more than 2 × `factor` times as much: super-linear growth. */
export function assertLinear<I>(label: string, make: (n: number) => I, run: (input: I) => unknown, options: GrowthOptions): Growth {
  const g = growth(make, run, options);
  if (process.env.THREATCODE_COST_LOG)
    console.log(`    ${label}: n=${g.n} ${g.small.toFixed(1)} ms, ${g.factor}n ${g.large.toFixed(1)} ms, ratio ${g.ratio.toFixed(2)}`);
  const bound = 2 * g.factor;
  assert.ok(
    g.ratio < bound,
    `${label}: ${g.factor}× the input cost ${g.ratio.toFixed(1)}× the time (n = ${g.n}: ${g.small.toFixed(1)} ms; ` +
      `${g.n * g.factor}: ${g.large.toFixed(1)} ms). Linear is about ${g.factor}×; the test fails at ${bound}×.`,
  );
  return g;
}
