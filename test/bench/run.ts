/**
 * `npm run bench`: generated models of 50 to 5,000 components, measured in one run against two baselines measured in
 * the same run: the YAML parse floor (`yaml` parseDocument on the same text) and yaml-language-server over stdio with
 * our JSON Schema on the same text and edits. Medians (min–max) in milliseconds; writes test/bench/results.json.
 *
 * Environment: BENCH_SIZES=50,200 to choose sizes; BENCH_PEER=0 to skip yaml-language-server; BENCH_RENDER=0 to
 * skip Chromium.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parseDocument } from 'yaml';
import { DEFAULT_DETAIL_LIMIT } from '../../server/src/analysis/diagram';
import { builtinRuleSet } from '../../server/src/files/package-files';
import { computeView } from '../../server/src/lsp/view';
import { type Analysis, analyzeChange, analyzeText } from '../../server/src/analysis/analyze';
import { CHROMIUM_PATH } from '../support/chromium';
import { generateModel } from '../support/generate-model';
import { benchCodeLinks } from './code-links';
import { benchImports } from './imports';
import { compareLayouts, type LayoutRun } from './layout';
import { measureRender, type RenderRun, startWebviewHost } from './render';
import { measureServer, middleComponentName, OUR_DEBOUNCE_MS, type ServerRun } from './servers';
import { fmt, machine, measure, type Stat, stat } from './stats';
import { benchTargets, targetsTable } from './targets';
import { REPO_ROOT } from '../support/paths';

const SIZES = (process.env.BENCH_SIZES ?? '50,200,1000,5000').split(',').map(Number);
const WITH_PEER = process.env.BENCH_PEER !== '0';
const WITH_RENDER = process.env.BENCH_RENDER !== '0' && existsSync(CHROMIUM_PATH);
const NO_LIMIT = Number.MAX_SAFE_INTEGER;
const EDITS = 20;
/** Targets from the benchmark issue: edit → diagnostics work per size, in ms. */
const EDIT_TARGET: Record<number, number> = { 50: 20, 200: 50, 1000: 100, 5000: 250 };

interface SizeResult {
  components: number;
  bytes: number;
  floor: Stat;
  full: Stat;
  /** Completeness metrics and the diagram view, computed from an analysis (what the panel asks for). */
  view: Stat;
  incrementalEdit: Stat;
  incrementalShare: number;
  findings: number;
  openFindings: number;
  ours: ServerRun;
  peer?: ServerRun;
  render?: RenderRun;
  /** The levels below the default: one boundary, and one element's neighbourhood. */
  views?: { readonly boundary: RenderRun; readonly element: RenderRun };
}

/** One character typed into a component name and deleted again, `count` times, analysed incrementally. */
function measureEdits(
  text: string,
  options: { rules: ReturnType<typeof builtinRuleSet>['ruleSet'] },
  count: number,
): { stat: Stat; share: number } {
  let analysis: Analysis = analyzeText(text, { maxLength: NO_LIMIT, ...options });
  const at = middleComponentName(text);
  const times: number[] = [];
  let incremental = 0;
  for (let i = 0; i < count; i++) {
    const next = i % 2 === 0 ? `${text.slice(0, at)}x${text.slice(at)}` : text;
    const t0 = process.hrtime.bigint();
    analysis = analyzeChange(analysis, next, { maxLength: NO_LIMIT, ...options });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (analysis.incremental) incremental++;
  }
  return { stat: stat(times), share: incremental / count };
}

async function main(): Promise<void> {
  // BENCH_ONLY=code: the code links benchmark alone (a repository of 10,000 files and 1,000 commits).
  if (process.env.BENCH_ONLY === 'code') {
    await benchCodeLinks();
    return;
  }
  // BENCH_ONLY=imports: models across files alone (50 service models importing one platform model).
  if (process.env.BENCH_ONLY === 'imports') {
    await benchImports();
    return;
  }
  const { ruleSet } = builtinRuleSet();
  const results: SizeResult[] = [];
  console.log(`Node ${process.version}, ${ruleSet.rules.length} rules, sizes ${SIZES.join(', ')}. Milliseconds: median (min–max).`);
  const host = WITH_RENDER ? await startWebviewHost() : undefined;
  try {
    for (const n of SIZES) {
      const text = generateModel(n);
      const runs = n >= 5000 ? 3 : n >= 1000 ? 5 : 10;
      process.stderr.write(`${n} components: in-process… `);
      const floor = measure(() => parseDocument(text), runs);
      const full = measure(() => analyzeText(text, { maxLength: NO_LIMIT, rules: ruleSet }), runs);
      const edits = measureEdits(text, { rules: ruleSet }, EDITS);
      const analysis = analyzeText(text, { maxLength: NO_LIMIT, rules: ruleSet });
      const document = TextDocument.create('file:///bench/model.tm.yaml', 'threatmodel', 1, text);
      // A copy of the analysis per run: the server computes the metrics once per analysis, the first ask is the cost.
      const view = measure(() => computeView(document, { ...analysis }, { uri: document.uri, delivery: false }), runs);
      const timeoutMs = 300_000;
      process.stderr.write('our server… ');
      const ours = await measureServer('threatcode', text, { edits: EDITS, opens: n >= 5000 ? 1 : 3, timeoutMs });
      process.stderr.write('yaml-language-server… ');
      const peer = WITH_PEER
        ? await measureServer('yaml-language-server', text, { edits: EDITS, opens: n >= 5000 ? 1 : 3, timeoutMs })
        : undefined;
      process.stderr.write('render…\n');
      const render = host ? await measureRender(host, text, analysis, 5) : undefined;
      const views = host
        ? {
            boundary: await measureRender(host, text, analysis, 3, { focusBoundary: 'zone-0' }),
            element: await measureRender(host, text, analysis, 3, { focusElement: 'comp-1' }),
          }
        : undefined;
      results.push({
        components: n,
        bytes: text.length,
        floor,
        full,
        view,
        incrementalEdit: edits.stat,
        incrementalShare: edits.share,
        findings: analysis.findings.length,
        openFindings: analysis.findings.filter((f) => f.status === 'open').length,
        ours,
        peer,
        render,
        views,
      });
    }
  } finally {
    await host?.close();
  }
  // The largest diagram drawn in full detail by default: the render cost the detail limit is set by; and the two
  // layouts compared on the same views.
  let atLimit: RenderRun | undefined;
  let layouts: LayoutRun[] | undefined;
  if (WITH_RENDER) {
    const limitHost = await startWebviewHost();
    try {
      const text = generateModel(DEFAULT_DETAIL_LIMIT);
      atLimit = await measureRender(limitHost, text, analyzeText(text, { rules: ruleSet }), 5);
      process.stderr.write('layouts…\n');
      layouts = await compareLayouts(limitHost.browser);
    } finally {
      await limitHost.close();
    }
  }
  report(results, atLimit, layouts);
  const targets = await benchTargets({ sizes: SIZES.filter((n) => n === 1000 || n === 5000), workspace: true, runs: 5 });
  const targetsMarkdown = targetsTable(targets);
  console.log(`\n### Speed targets (ratios in one run)\n\n${targetsMarkdown}`);
  writePerformanceSection(ruleSet.rules.length, targetsMarkdown);
  const codeLinks = await benchCodeLinks();
  const imports = await benchImports();
  const out = path.join(REPO_ROOT, 'test/bench/results.json');
  writeFileSync(
    out,
    JSON.stringify(
      {
        node: process.version,
        date: new Date().toISOString(),
        rules: ruleSet.rules.length,
        debounceMs: OUR_DEBOUNCE_MS,
        results,
        renderAtDetailLimit: atLimit,
        layouts,
        targets,
        codeLinks,
        imports,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`\nWrote ${path.relative(process.cwd(), out)}`);
}

/** docs/performance.md between its bench markers: the targets as this run measured them, with date, rules and machine. */
function writePerformanceSection(rules: number, table: string): void {
  const file = path.join(REPO_ROOT, 'docs/performance.md');
  const text = readFileSync(file, 'utf8');
  const start = '<!-- bench:targets:start -->';
  const end = '<!-- bench:targets:end -->';
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`docs/performance.md has no ${start} … ${end} section`);
  const section = `${start}\n_Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${rules} rules, Node ${process.version}, ${machine()}; the raw results are in \`test/bench/results.json\`._\n\n${table}\n`;
  writeFileSync(file, text.slice(0, from) + section + text.slice(to));
}

const ratio = (a: number | undefined, b: number | undefined) =>
  a !== undefined && b !== undefined && b > 0 ? `${(a / b).toFixed(2)}×` : '—';
const mb = (v: number | undefined) => (v === undefined ? '—' : `${v.toFixed(0)} MB`);
const failed = (r: ServerRun | undefined, s: Stat | undefined) => (r?.failed && !s ? `failed: ${r.failed}` : fmt(s));

function report(results: readonly SizeResult[], atLimit: RenderRun | undefined, layouts: readonly LayoutRun[] | undefined): void {
  console.log('\n### In process: the parse floor, a full analysis, an incremental edit\n');
  console.log(
    '| components | size | yaml parse (floor) | full analysis | full / floor | metrics + view | edit (incremental) | edit / floor | findings (open) |',
  );
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    console.log(
      `| ${r.components} | ${(r.bytes / 1024).toFixed(0)} KB | ${fmt(r.floor)} | ${fmt(r.full)} | ${ratio(r.full.median, r.floor.median)} | ${fmt(r.view)} | ${fmt(r.incrementalEdit)} | ${ratio(r.incrementalEdit.median, r.floor.median)} | ${r.findings} (${r.openFindings}) |`,
    );
  }

  console.log(
    `\n### Over stdio: didOpen and one-character didChange → diagnostics (ours: work only, its ${OUR_DEBOUNCE_MS} ms debounce comes on top)\n`,
  );
  console.log(
    '| components | ours: open | ours: edit | of which in our server | yaml-ls: open | yaml-ls: edit (incl. its 200 ms delay) | edit: ours / yaml-ls | ours + debounce / yaml-ls | diagnostics (ours / yaml-ls) |',
  );
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    const ours = r.ours.edit?.median;
    const peer = r.peer?.edit?.median;
    console.log(
      `| ${r.components} | ${failed(r.ours, r.ours.open)} | ${failed(r.ours, r.ours.edit)} | ${fmt(r.ours.serverEdit)} | ${r.peer ? failed(r.peer, r.peer.open) : 'skipped'} | ${r.peer ? failed(r.peer, r.peer.edit) : 'skipped'} | ${ratio(ours, peer)} | ${ratio(ours !== undefined ? ours + OUR_DEBOUNCE_MS : undefined, peer)} | ${r.ours.diagnostics ?? '—'} / ${r.peer?.diagnostics ?? '—'} |`,
    );
  }

  console.log('\n### Requests while typing (ours, over stdio, at the component in the middle)\n');
  console.log('| components | completion | hover | code actions (lightbulb) | outline |');
  console.log('| ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    const q = r.ours.requests;
    console.log(`| ${r.components} | ${fmt(q?.completion)} | ${fmt(q?.hover)} | ${fmt(q?.codeAction)} | ${fmt(q?.documentSymbol)} |`);
  }

  console.log('\n### Server memory (RSS)\n');
  console.log(
    '| components | ours: after open | ours: during 20 edits, median (min–max) | ours: after 20 edits | yaml-ls: after open | yaml-ls: after 20 edits |',
  );
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    const during = r.ours.rssDuringEdits;
    console.log(
      `| ${r.components} | ${mb(r.ours.rssAfterOpenMB)} | ${during ? `${mb(during.median)} (${mb(during.min)}–${mb(during.max)})` : '—'} | ${mb(r.ours.rssAfterEditsMB)} | ${mb(r.peer?.rssAfterOpenMB)} | ${mb(r.peer?.rssAfterEditsMB)} |`,
    );
  }

  if (results.some((r) => r.render)) {
    console.log('\n### Diagram render in headless Chromium, in the panel beside the editor (700×900)\n');
    console.log('| components | view | nodes | edges | render | label size in the default view |');
    console.log('| ---: | --- | ---: | ---: | ---: | ---: |');
    const row = (components: number | string, name: string, run: RenderRun) =>
      console.log(
        `| ${components} | ${name}${run.error ? ` (error: ${run.error})` : ''} | ${run.nodes} | ${run.edges} | ${fmt(run.render)} | ${run.labelPx.toFixed(1)} px |`,
      );
    for (const r of results) {
      if (!r.render) continue;
      row(r.components, `opens with: ${r.render.level === 'overview' ? 'boundary overview' : 'whole model'}`, r.render);
      if (r.views) {
        row(r.components, 'one boundary (zone-0)', r.views.boundary);
        row(r.components, 'around one element (comp-1)', r.views.element);
      }
    }
    if (atLimit) row(`${DEFAULT_DETAIL_LIMIT} (the detail limit)`, 'whole model', atLimit);
  }

  if (layouts?.length) {
    console.log("\n### Layout: Mermaid's dagre against ELK on the same views\n");
    console.log('Drawing size at zoom 1, label size when the whole drawing is fitted into 700×900, and render time.\n');
    console.log('| view | direction | layout | drawing | labels when fitted | render |');
    console.log('| --- | --- | --- | ---: | ---: | ---: |');
    for (const l of layouts) {
      console.log(
        `| ${l.view} | ${l.direction} | ${l.layout} | ${l.width}×${l.height} | ${l.fittedLabelPx.toFixed(1)} px | ${fmt(l.render)} |`,
      );
    }
  }

  console.log('\n### Targets\n');
  for (const r of results) {
    const target = EDIT_TARGET[r.components];
    const work = r.ours.edit?.median;
    const checks = [
      target !== undefined
        ? `edit work ${work?.toFixed(0) ?? '—'} ms ≤ ${target} ms: ${work !== undefined && work <= target ? 'met' : 'missed'}`
        : undefined,
      r.components >= 1000 && r.peer
        ? `≥ 10× faster than yaml-ls: ${r.peer.edit && work !== undefined ? (r.peer.edit.median / work >= 10 ? 'met' : 'missed') : r.peer.failed ? 'yaml-ls failed' : '—'} (${r.peer.edit && work ? (r.peer.edit.median / work).toFixed(1) : '—'}×)`
        : undefined,
      r.components >= 5000 ? rssTarget(r.ours) : undefined,
      r.render ? `render < 1 s: ${r.render.render.median < 1000 ? 'met' : 'missed'}` : undefined,
    ].filter(Boolean);
    console.log(`- ${r.components}: ${checks.join('; ')}`);
  }
}

/** The highest RSS seen: after the open, during and after the edits. */
function rssTarget(run: ServerRun): string {
  const samples = [run.rssAfterOpenMB, run.rssDuringEdits?.max, run.rssAfterEditsMB].filter((v): v is number => v !== undefined);
  if (samples.length === 0) return 'RSS < 400 MB: not measured';
  const highest = Math.max(...samples);
  return `RSS < 400 MB: ${highest < 400 ? 'met' : 'missed'} (highest ${mb(highest)})`;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
