/**
 * Scoring the built-in rules against threat models written by people (test/recall/, README there): each model is a
 * translation into .tm.yaml without its threats, and a key lists the human threats with the elements and rules that
 * count as finding them, and judges every other finding. Shared by `npm run bench:recall` and the threshold test.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import type { Finding } from '../../server/src/analysis/rules/engine';
import { analyze, BUILTIN_RULES } from './analyze';
import { REPO_ROOT } from './paths';

export const CORPUS = path.join(REPO_ROOT, 'test/recall');
/** Analyses are dated so that date-dependent checks do not change the score from one day to the next. */
const TODAY = '2026-11-29';

export interface HumanThreat {
  /** The threat's id or title in the source. */
  readonly source: string;
  readonly category: string;
  /** Elements of the translation a finding must be on to count (the threat's target, or its victim). */
  readonly on: readonly string[];
  /** What the threat is about, in a sentence: what a finding must also be about. */
  readonly concern: string;
  /** Rules whose finding on one of `on` is about the same concern: a hit. */
  readonly hit: readonly string[];
  /** Rules that would catch the same root cause by another mechanism: a partial. */
  readonly partial?: readonly string[];
}

export interface RecallKey {
  readonly model: string;
  readonly source: {
    readonly project: string;
    readonly repository: string;
    readonly path: string;
    readonly commit: string;
    readonly licence: string;
  };
  /** What kind of system the model is (a firmware, a container platform, …): the corpus must span many. */
  readonly systemType: string;
  /**
   * The score of the model's first run: keyed before the rules ran on it, scored before any rule changed for it, and
   * never edited afterwards. The held-out measure: the rules had never seen the model.
   */
  readonly firstRun?: FirstRun;
  readonly threats: readonly HumanThreat[];
  /**
   * Findings no human threat names, judged: `plausible` (a real concern the source did not record) or
   * `falsePositive` (clearly wrong for this model). Keys are RULE@element; `*` stands for any rule or element.
   */
  readonly judged?: { readonly plausible?: Readonly<Record<string, string>>; readonly falsePositive?: Readonly<Record<string, string>> };
}

export interface FirstRun {
  readonly date: string;
  /** The catalog that ran: how many rules, at which commit. */
  readonly rules: string;
  readonly threats: number;
  readonly hits: number;
  readonly partials: number;
  readonly findings: number;
  readonly falsePositives: number;
}

export type Verdict = 'expected' | 'related' | 'plausible' | 'false-positive' | 'unjudged';

export interface ModelScore {
  readonly model: string;
  readonly project: string;
  readonly systemType: string;
  readonly firstRun?: FirstRun;
  readonly threats: number;
  readonly hits: number;
  readonly partials: number;
  /** Human threats neither hit nor partly hit: source text and concern. */
  readonly missed: readonly HumanThreat[];
  readonly partlyHit: readonly HumanThreat[];
  /** Findings that count (open or covered, not hygiene), each with its verdict. */
  readonly findings: readonly { readonly id: string; readonly status: string; readonly verdict: Verdict; readonly reason?: string }[];
  readonly falsePositives: number;
  readonly unjudged: readonly string[];
  /** Keys naming elements or rules that do not exist: a key that has gone stale. */
  readonly staleKey: readonly string[];
}

export function corpusModels(): string[] {
  return readdirSync(CORPUS, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

export function loadKey(model: string): RecallKey {
  return parse(readFileSync(path.join(CORPUS, model, 'key.yaml'), 'utf8')) as RecallKey;
}

/** Hygiene rules measure the model, not the system: they are neither hits nor false positives. */
export function isHygiene(rule: string): boolean {
  return rule.startsWith('HYG-');
}

function matches(pattern: string, finding: Finding): boolean {
  const [rule, element] = pattern.split('@');
  return (rule === '*' || rule === finding.rule.id) && (element === '*' || element === finding.elementId);
}

export function scoreModel(model: string): ModelScore {
  const key = loadKey(model);
  const text = readFileSync(path.join(CORPUS, model, 'model.tm.yaml'), 'utf8');
  const analysis = analyze(text, { today: TODAY });
  const counted = analysis.findings.filter((f) => (f.status === 'open' || f.status === 'covered') && !isHygiene(f.rule.id));
  const on = (t: HumanThreat, f: Finding) => t.on.includes(f.elementId);
  const hitBy = (t: HumanThreat) => counted.some((f) => on(t, f) && t.hit.includes(f.rule.id));
  const partlyBy = (t: HumanThreat) => counted.some((f) => on(t, f) && (t.partial ?? []).includes(f.rule.id));

  const missed: HumanThreat[] = [];
  const partlyHit: HumanThreat[] = [];
  let hits = 0;
  for (const t of key.threats) {
    if (hitBy(t)) hits++;
    else if (partlyBy(t)) partlyHit.push(t);
    else missed.push(t);
  }

  const findings = counted.map((f) => {
    const base = { id: f.id, status: f.status };
    if (key.threats.some((t) => on(t, f) && t.hit.includes(f.rule.id))) return { ...base, verdict: 'expected' as const };
    if (key.threats.some((t) => on(t, f) && (t.partial ?? []).includes(f.rule.id))) return { ...base, verdict: 'related' as const };
    const fp = Object.entries(key.judged?.falsePositive ?? {}).find(([p]) => matches(p, f));
    if (fp) return { ...base, verdict: 'false-positive' as const, reason: fp[1] };
    const ok = Object.entries(key.judged?.plausible ?? {}).find(([p]) => matches(p, f));
    if (ok) return { ...base, verdict: 'plausible' as const, reason: ok[1] };
    return { ...base, verdict: 'unjudged' as const };
  });

  // A key that names elements or rules the model and the catalog no longer have cannot be trusted to score.
  const elements = analysis.parsed.model?.byId;
  const known = (id: string) => elements?.has(id) === true;
  const staleKey = [
    ...key.threats.flatMap((t) => t.on.filter((id) => !known(id)).map((id) => `threat '${t.source}': no element '${id}'`)),
    ...key.threats.flatMap((t) =>
      [...t.hit, ...(t.partial ?? [])].filter((r) => !BUILTIN_RULES.byId.has(r)).map((r) => `threat '${t.source}': no rule '${r}'`),
    ),
    ...[...Object.keys(key.judged?.plausible ?? {}), ...Object.keys(key.judged?.falsePositive ?? {})]
      .map((p) => p.split('@'))
      .filter(([, element]) => element !== '*' && element !== 'model' && !known(element))
      .map(([rule, element]) => `judgement ${rule}@${element}: no element '${element}'`),
  ];

  return {
    model,
    project: key.source.project,
    systemType: key.systemType,
    firstRun: key.firstRun,
    threats: key.threats.length,
    hits,
    partials: partlyHit.length,
    missed,
    partlyHit,
    findings,
    falsePositives: findings.filter((f) => f.verdict === 'false-positive').length,
    unjudged: findings.filter((f) => f.verdict === 'unjudged').map((f) => f.id),
    staleKey,
  };
}

/** Recall and false positives summed over some models. */
export interface Totals {
  readonly models: number;
  readonly threats: number;
  readonly hits: number;
  readonly partials: number;
  readonly findings: number;
  readonly falsePositives: number;
  readonly recall: number;
  readonly falsePositiveRate: number;
}

export interface CorpusScore extends Totals {
  readonly scores: readonly ModelScore[];
  /** The held-out figure: every model's first run, summed over the models that have one. */
  readonly firstRun: Totals;
  /** The same models scored by today's rules: how far tuning moved them. */
  readonly firstRunModelsNow: Totals;
}

export type Counts = Pick<Totals, 'threats' | 'hits' | 'partials' | 'findings' | 'falsePositives'>;

/** Recall and false positives summed over scores (a model's first run, or its score today). */
export function totals(counts: readonly Counts[]): Totals {
  const sum = (f: (c: Counts) => number) => counts.reduce((n, c) => n + f(c), 0);
  const threats = sum((c) => c.threats);
  const hits = sum((c) => c.hits);
  const findings = sum((c) => c.findings);
  const falsePositives = sum((c) => c.falsePositives);
  return {
    models: counts.length,
    threats,
    hits,
    partials: sum((c) => c.partials),
    findings,
    falsePositives,
    recall: threats === 0 ? 0 : hits / threats,
    falsePositiveRate: findings === 0 ? 0 : falsePositives / findings,
  };
}

const countsNow = (m: ModelScore): Counts => ({ ...m, findings: m.findings.length });

export function scoreCorpus(): CorpusScore {
  const scores = corpusModels().map(scoreModel);
  const withFirstRun = scores.filter((m) => m.firstRun !== undefined);
  return {
    ...totals(scores.map(countsNow)),
    scores,
    firstRun: totals(withFirstRun.map((m) => m.firstRun as FirstRun)),
    firstRunModelsNow: totals(withFirstRun.map(countsNow)),
  };
}
