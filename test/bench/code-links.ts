/**
 * The cost of code links on a repository of 10,000 files and 1,000 commits (made in a temporary folder): reading the
 * files and the history (batched git calls), linking a model of 200 components to them, the CodeLens match a source
 * file costs in the extension host, and whether the language server stays responsive while it reads the repository.
 * Each against a baseline measured in the same run: one `git rev-parse` (a process start), one hover at rest.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { analyzeText } from '../../server/src/analysis/analyze';
import { linkCode } from '../../server/src/analysis/code-links';
import { builtinRuleSet } from '../../server/src/files/package-files';
import { findRepository, gitAsync } from '../../server/src/files/git';
import { codeFactsOf, commitHistory, repositoryFiles, runAsync } from '../../server/src/files/repository';
import { CodeLinkIndex } from '../../server/src/shared/code-links';
import { TestLspClient } from '../support/lsp-client';
import { fmt, type Stat, stat } from './stats';

const FOLDERS = 200;
const FILES_PER_FOLDER = 50;
const COMMITS = 1000;

export interface CodeLinksBench {
  readonly files: number;
  readonly commits: number;
  readonly gitFloor: Stat;
  readonly listFiles: Stat;
  readonly history: Stat;
  readonly link: Stat;
  readonly relink: Stat;
  readonly lensMatchMicros: Stat;
  readonly hoverAtRest: Stat;
  readonly hoverWhileReading: Stat;
}

/** A repository made with one fast-import stream: 10,000 files, then 1,000 commits touching a few files each. */
function makeRepository(dir: string): void {
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  const lines: string[] = [];
  let mark = 0;
  const day = (i: number) => Date.UTC(2026, 0, 1) / 1000 + i * 6 * 3600;
  const commit = (i: number, message: string, files: readonly string[]) => {
    lines.push(`commit refs/heads/main`, `mark :${++mark}`, `committer Bench <bench@example.com> ${day(i)} +0000`);
    lines.push(`data ${Buffer.byteLength(message)}`, message);
    if (i > 0) lines.push(`from :${mark - 1}`);
    for (const f of files) {
      const content = `export const v = ${i};\n`;
      lines.push(`M 100644 inline ${f}`, `data ${Buffer.byteLength(content)}`, content);
    }
  };
  const all: string[] = [];
  for (let d = 0; d < FOLDERS; d++) for (let f = 0; f < FILES_PER_FOLDER; f++) all.push(`src/svc-${d}/file-${f}.ts`);
  commit(0, 'Import', all);
  for (let i = 1; i < COMMITS; i++) commit(i, `Change ${i}`, [all[(i * 37) % all.length], all[(i * 91) % all.length]]);
  execFileSync('git', ['fast-import', '--quiet'], { cwd: dir, input: lines.join('\n') + '\n', maxBuffer: 1 << 30 });
  execFileSync('git', ['checkout', '-q', 'main'], { cwd: dir });
}

function model(): string {
  const components = Array.from(
    { length: FOLDERS },
    (_, d) => `  - id: svc-${d}\n    name: Service ${d}\n    type: process\n    code: [src/svc-${d}/**]\n`,
  ).join('');
  return `threatcode: 1.1\nsystem:\n  name: Bench\n  reviewed: { by: bench, date: 2026-03-01 }\ncomponents:\n${components}`;
}

async function timed<T>(fn: () => Promise<T> | T, runs: number): Promise<Stat> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return stat(samples);
}

export async function benchCodeLinks(): Promise<CodeLinksBench | undefined> {
  if (spawnSync('git', ['--version']).status !== 0) return undefined;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'threatcode-bench-git-'));
  try {
    makeRepository(dir);
    const text = model();
    const modelFile = path.join(dir, 'model.tm.yaml');
    writeFileSync(modelFile, text);
    const repository = findRepository(dir)!;
    const gitFloor = await timed(() => gitAsync(repository, ['rev-parse', 'HEAD']), 10);
    const listFiles = await timed(() => runAsync(repositoryFiles(dir, { trusted: true })), 10);
    const history = await timed(() => runAsync(commitHistory(repository, { since: '2026-03-01' })), 10);
    const { ruleSet } = builtinRuleSet();
    const analysis = analyzeText(text, { rules: ruleSet });
    const facts = await runAsync(codeFactsOf(modelFile, { trusted: true, history: { since: '2026-03-01' } }));
    // Cold: a listing never seen (a new array); warm: an edit of the model against the same listing.
    const link = await timed(() => linkCode(analysis, { ...facts, files: [...facts.files] }), 10);
    linkCode(analysis, facts);
    const relink = await timed(() => linkCode(analysis, facts), 10);
    const links = linkCode(analysis, facts)!;
    const stale = links.elements.filter((e) => e.stale).length;

    // The CodeLens: one index of 200 linked components, matched against a source file (per call, in microseconds).
    const index = new CodeLinkIndex([
      {
        uri: pathToFileURL(modelFile).toString(),
        folder: dir.split(path.sep).join('/'),
        elements: links.elements.map((e, i) => ({
          id: e.element.id,
          name: e.name,
          globs: e.globs.map((g) => g.glob),
          line: i,
          openThreats: [],
          openFindings: [],
        })),
      },
    ]);
    const probe = `${dir.split(path.sep).join('/')}/src/svc-150/file-7.ts`;
    const lensSamples: number[] = [];
    for (let r = 0; r < 20; r++) {
      const t0 = performance.now();
      for (let i = 0; i < 1000; i++) index.elementsFor(probe);
      lensSamples.push(((performance.now() - t0) * 1000) / 1000);
    }

    // The server: hover on the model while it reads the repository for the first time, and at rest afterwards.
    const client = new TestLspClient({}, { workspaceFolders: [pathToFileURL(dir).toString()] });
    await client.initialize();
    const uri = pathToFileURL(modelFile).toString();
    const hover = () =>
      client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 5, character: 10 } });
    const while_: number[] = [];
    const opened = client.open(uri, text);
    await opened;
    // The first publication does not wait for git: hovers now run while the files and history are being read.
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      await hover();
      while_.push(performance.now() - t0);
    }
    await client.next((p) => p.uri === uri && p.diagnostics.some((d) => d.code === 'code-changed-since-review'), true);
    const hoverAtRest = await timed(hover, 20);
    await client.stop();
    const result: CodeLinksBench = {
      files: FOLDERS * FILES_PER_FOLDER,
      commits: COMMITS,
      gitFloor,
      listFiles,
      history,
      link,
      relink,
      lensMatchMicros: stat(lensSamples),
      hoverAtRest,
      hoverWhileReading: stat(while_),
    };
    console.log(`\n### Code links: ${result.files} files, ${result.commits} commits, ${FOLDERS} linked components (${stale} stale)\n`);
    console.log('| step | median (min–max) ms | against the baseline |');
    console.log('| --- | ---: | ---: |');
    const x = (a: Stat, b: Stat) => `${(a.median / b.median).toFixed(1)}× one git start`;
    console.log(`| one git start (rev-parse): the baseline | ${fmt(gitFloor)} | 1× |`);
    console.log(`| list the files (ls-files, tracked and untracked) | ${fmt(listFiles)} | ${x(listFiles, gitFloor)} |`);
    console.log(`| read the history since the review (log --name-only) | ${fmt(history)} | ${x(history, gitFloor)} |`);
    console.log(`| link 200 components, dangling globs, staleness, coverage (a new listing) | ${fmt(link)} | in process |`);
    console.log(
      `| link again after an edit of the model (same listing) | ${fmt(relink)} | ${(relink.median / link.median).toFixed(2)}× a new listing |`,
    );
    console.log(`| CodeLens match of one source file (µs, in the extension host) | ${fmt(result.lensMatchMicros)} | — |`);
    console.log(
      `| hover while the server reads the repository | ${fmt(result.hoverWhileReading)} | ${(result.hoverWhileReading.median / hoverAtRest.median).toFixed(2)}× at rest |`,
    );
    console.log(`| hover at rest (the baseline) | ${fmt(hoverAtRest)} | 1× |`);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
