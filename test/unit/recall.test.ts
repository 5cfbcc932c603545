/**
 * The quick form of `npm run bench:recall`: the built-in rules must keep finding what people found in public threat
 * models (test/recall/README.md explains the corpus and the matching rule).
 */
import * as assert from 'node:assert/strict';
import { type CorpusScore, loadKey, scoreCorpus } from '../support/recall';

const MIN_RECALL = 0.75;
const MAX_FALSE_POSITIVES = 0.05;

describe('recall on threat models written by people (test/recall/)', () => {
  let score: CorpusScore;
  before(() => {
    score = scoreCorpus();
  });

  it('has at least 8 models from at least 3 projects, each crediting its source', () => {
    assert.ok(score.models.length >= 8, `${score.models.length} models`);
    assert.ok(new Set(score.models.map((m) => m.project)).size >= 3);
    for (const m of score.models) {
      const { source, threats } = loadKey(m.model);
      assert.match(source.repository, /^https:\/\/github\.com\//, m.model);
      assert.match(source.commit, /^[0-9a-f]{40}$/, m.model);
      assert.ok(source.licence && source.path, m.model);
      assert.ok(threats.length > 0, `${m.model} has human threats`);
    }
  });

  it('keys name only elements and rules that exist', () => {
    assert.deepEqual(
      score.models.flatMap((m) => m.staleKey.map((s) => `${m.model}: ${s}`)),
      [],
    );
  });

  it('judges every finding the rules make on the corpus', () => {
    assert.deepEqual(
      score.models.flatMap((m) => m.unjudged.map((id) => `${m.model}: ${id}`)),
      [],
      'judge new findings in the keys (npm run bench:recall lists them)',
    );
  });

  it(`finds at least ${MIN_RECALL * 100} % of the human threats on the right element`, () => {
    const missed = score.models.flatMap((m) => m.missed.map((t) => `${m.model}: ${t.source}`));
    assert.ok(score.recall >= MIN_RECALL, `recall ${(score.recall * 100).toFixed(1)} %; missed:\n${missed.join('\n')}`);
  });

  it(`makes at most ${MAX_FALSE_POSITIVES * 100} % clear false positives`, () => {
    assert.ok(
      score.falsePositiveRate <= MAX_FALSE_POSITIVES,
      `${score.falsePositives} of ${score.findings} findings (${(score.falsePositiveRate * 100).toFixed(1)} %) are false positives`,
    );
  });
});
