/**
 * Property-based tests (fast-check): random mutations of the examples go through the whole analysis and every
 * editor feature. Nothing throws, every range lies inside the document, and quick fixes never add YAML errors.
 * The mocha timeout bounds each run.
 */
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { buildDiagram } from '../../server/src/analysis/diagram';
import { computeMetrics } from '../../server/src/analysis/metrics';
import { builtinRuleSet } from '../../server/src/files/package-files';
import { applyTextEdits } from '../../server/src/edits/text-edits';
import { codeActions, fixAll } from '../../server/src/features/code-actions';
import { complete } from '../../server/src/features/completion';
import { hover } from '../../server/src/features/hover';
import { codeLenses, definition, outline, references, rename } from '../../server/src/features/navigation';
import { analyze } from '../support/analyze';
import type { Span } from '../../server/src/model/types';
import { REPO_ROOT } from '../support/paths';

const EXAMPLES = readdirSync(path.join(REPO_ROOT, 'examples'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.tm.yaml'))
  .map((f) => readFileSync(path.join(REPO_ROOT, 'examples', f), 'utf8'));
const { ruleSet } = builtinRuleSet();
const TODAY = '2026-11-26';

/** Mutations a typing user or a hostile file could produce. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom(
        ':',
        '- ',
        '\n',
        '\r\n',
        '\t',
        '  ',
        '[',
        ']',
        '{',
        '}',
        '&a ',
        '*a',
        '<<: *a',
        '"',
        "'",
        '#',
        '---\n',
        '\u0000',
        '🔥',
        'id: dup',
        'null',
        '~',
        // The classes of docs/security.md: prototype names, control characters, YAML shapes around edits.
        'constructor',
        '__proto__: 1',
        'toString',
        '\u001b[2J',
        '\r',
        '\u2028',
        '<<: *a',
        '&a [*a]',
        '*missing',
        '...\n',
        '- # - comment\n',
        ', ]',
      ),
    ),
  }),
  fc.record({ kind: fc.constant('swapLines' as const), a: fc.nat(), b: fc.nat() }),
);

function mutate(text: string, mutations: readonly { kind: string; [k: string]: unknown }[]): string {
  let out = text;
  for (const m of mutations) {
    if (m.kind === 'delete') {
      const at = (m.at as number) % (out.length + 1);
      out = out.slice(0, at) + out.slice(at + (m.length as number));
    } else if (m.kind === 'insert') {
      const at = (m.at as number) % (out.length + 1);
      out = out.slice(0, at) + (m.text as string) + out.slice(at);
    } else {
      const lines = out.split('\n');
      const a = (m.a as number) % lines.length;
      const b = (m.b as number) % lines.length;
      [lines[a], lines[b]] = [lines[b], lines[a]];
      out = lines.join('\n');
    }
  }
  return out;
}

function inside(span: Span, text: string, what: string): void {
  assert.ok(
    0 <= span.start && span.start <= span.end && span.end <= text.length,
    `${what}: ${JSON.stringify(span)} outside 0..${text.length}`,
  );
}

const yamlErrors = (text: string) => analyze(text, { today: TODAY }).diagnostics.filter((d) => d.code === 'yaml-syntax').length;

describe('fuzzing the analysis and every feature with mutated examples', function () {
  this.timeout(120_000);

  it('never throws, keeps every range inside the document, and quick fixes add no YAML errors', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...EXAMPLES),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
        (base, mutations, offsets) => {
          const text = mutate(base, mutations);
          const analysis = analyze(text, { today: TODAY });
          for (const d of analysis.diagnostics) inside(d.span, text, `diagnostic ${d.code}`);
          for (const o of offsets.map((n) => n % (text.length + 1))) {
            hover(analysis, o, ruleSet);
            for (const c of complete(analysis, o, ruleSet)) inside(c.replace, text, 'completion');
            const def = definition(analysis, o);
            if (def) inside(def, text, 'definition');
            for (const r of references(analysis, o, true)) inside(r, text, 'reference');
            const renamed = rename(analysis, o, 'renamed-id');
            if ('edits' in renamed) for (const e of renamed.edits) inside(e.span, text, 'rename');
          }
          for (const s of outline(analysis)) inside(s.span, text, 'outline');
          for (const l of codeLenses(analysis)) inside(l.span, text, 'lens');
          computeMetrics(analysis, { today: TODAY });
          buildDiagram(analysis);
          const before = analysis.diagnostics.filter((d) => d.code === 'yaml-syntax').length;
          // Quick fixes for a sample of diagnostics (all of them would make each run slow).
          for (const d of analysis.diagnostics.slice(0, 8)) {
            for (const action of codeActions(analysis, [d], { today: '2026-11-26' })) {
              for (const e of action.edits) inside(e.span, text, `fix ${action.title}`);
              assert.ok(yamlErrors(applyTextEdits(text, action.edits)) <= before, `${action.title} adds YAML errors`);
            }
          }
          const all = fixAll(analysis);
          if (all) yamlErrors(applyTextEdits(text, all.edits));
        },
      ),
      { numRuns: 150, seed: 20261126 },
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400, unit: 'binary' }), (text) => {
        const analysis = analyze(text, { today: TODAY });
        for (const d of analysis.diagnostics) inside(d.span, text, d.code);
        complete(analysis, text.length, ruleSet);
        hover(analysis, 0, ruleSet);
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
