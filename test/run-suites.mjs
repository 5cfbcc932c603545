#!/usr/bin/env node
/**
 * `npm test`: every suite named on the command line runs (`npm run <suite>`), in order, even when an earlier one
 * failed, so that one red suite does not hide the state of the others; a summary with each suite's result and time
 * follows, and the exit code is 1 if any suite failed.
 */
import { spawnSync } from 'node:child_process';

const suites = process.argv.slice(2);
if (suites.length === 0) {
  console.error('usage: node test/run-suites.mjs <npm script>...');
  process.exit(2);
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const results = [];
for (const suite of suites) {
  const started = Date.now();
  console.log(`\n=== ${suite} ===`);
  const run = spawnSync(npm, ['run', suite], { stdio: 'inherit', shell: process.platform === 'win32' });
  const seconds = (Date.now() - started) / 1000;
  results.push({ suite, status: run.status ?? 1, signal: run.signal, seconds });
}

console.log('\n=== summary ===');
for (const r of results) {
  const outcome = r.status === 0 ? 'passed' : r.signal ? `killed (${r.signal})` : `FAILED (exit ${r.status})`;
  console.log(`${r.suite.padEnd(20)} ${outcome.padEnd(16)} ${r.seconds.toFixed(0).padStart(5)} s`);
}
const failed = results.filter((r) => r.status !== 0);
if (failed.length > 0) {
  console.log(`\n${failed.length} of ${results.length} suites failed: ${failed.map((r) => r.suite).join(', ')}`);
  process.exit(1);
}
console.log(`\nall ${results.length} suites passed`);
