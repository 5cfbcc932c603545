/**
 * What a change of settings causes in the server (lsp/settings.ts): settings arrive after the first documents are
 * open, so re-analysing more than a change needs would analyse a large model twice.
 */
import * as assert from 'node:assert/strict';
import { settingsEffects } from '../../server/src/lsp/settings';
import { DEFAULT_SETTINGS, type ThreatcodeSettings } from '../../server/src/shared/settings';

const MB = 1024 * 1024;
const change = (after: Partial<ThreatcodeSettings>) => settingsEffects(DEFAULT_SETTINGS, { ...DEFAULT_SETTINGS, ...after });

describe('settings effects: what a change of settings makes the server do', () => {
  it('does nothing when nothing changed', () => {
    const e = settingsEffects(DEFAULT_SETTINGS, { ...DEFAULT_SETTINGS });
    assert.deepEqual(
      [e.reloadRules, e.republish, e.viewsChanged, e.forgetClosedModels, e.reanalyse(100)],
      [false, false, false, false, false],
    );
  });

  it('reloads the rules (and so re-analyses everything) when the rule packs change, in content or order', () => {
    assert.equal(change({ rulePacks: ['team.yaml'] }).reloadRules, true);
    assert.equal(
      settingsEffects({ ...DEFAULT_SETTINGS, rulePacks: ['a', 'b'] }, { ...DEFAULT_SETTINGS, rulePacks: ['b', 'a'] }).reloadRules,
      true,
    );
    assert.equal(settingsEffects({ ...DEFAULT_SETTINGS, rulePacks: ['a'] }, { ...DEFAULT_SETTINGS, rulePacks: ['a'] }).reloadRules, false);
    const e = change({ rulePacks: ['team.yaml'] });
    assert.equal(e.viewsChanged, true);
    assert.equal(e.forgetClosedModels, true);
    // Everything is re-analysed anyway: no document is singled out.
    assert.equal(e.reanalyse(100 * MB), false);
  });

  it('re-analyses only the documents whose too-large state flips when the size limit changes', () => {
    const e = change({ maxFileSizeMB: 1 });
    assert.equal(e.reanalyse(0.5 * MB), false, 'small: analysed under both limits');
    assert.equal(e.reanalyse(4 * MB), true, 'analysed before, too large now');
    assert.equal(e.reanalyse(20 * MB), false, 'too large under both limits');
    assert.equal(e.forgetClosedModels, true);
    assert.equal(e.viewsChanged, true);
    assert.equal(e.republish, false);
  });

  it('publishes again without analysing when only the diagnostics limit changes', () => {
    const e = change({ maxDiagnosticsPerFile: 10 });
    assert.deepEqual(
      [e.republish, e.reloadRules, e.reanalyse(100), e.forgetClosedModels, e.viewsChanged],
      [true, false, false, false, true],
    );
  });

  it('refreshes the views, and nothing else, when gates or the diagram limit change', () => {
    for (const e of [change({ gates: { minFidelity: 0.5 } }), change({ diagramDetailLimit: 50 }), change({ maxOutlineItems: 200 })]) {
      assert.deepEqual([e.viewsChanged, e.republish, e.reloadRules, e.reanalyse(100)], [true, false, false, false]);
    }
  });
});
