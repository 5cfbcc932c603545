/**
 * The settings as VS Code shows them (package.json), as the server reads them (shared/settings.ts), as the CLI and
 * the core default them, and as the README lists them must agree: a default or a range that differs between them is a setting that behaves unlike its description.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_DETAIL_LIMIT } from '../../server/src/analysis/diagram';
import { COMMON_OPTIONS_HELP } from '../../server/src/cli/common';
import { DEFAULT_MAX_LENGTH, maxLengthForMB } from '../../server/src/model/parse';
import { DEFAULT_SETTINGS, normaliseSettings, type ThreatcodeSettings } from '../../server/src/shared/settings';
import { GATE_KINDS, GATE_NAMES } from '../../server/src/shared/vocabulary';
import { REPO_ROOT } from '../support/paths';

const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, { default: unknown; minimum?: number; maximum?: number }> } };
};
const contributed = Object.entries(manifest.contributes.configuration.properties);
/** Read by the language client itself, not by the server. */
const CLIENT_ONLY = new Set(['threatcode.trace.server']);

describe('settings: package.json, the server and the README agree', () => {
  it('every server setting is contributed, and every contributed one is read', () => {
    const server = Object.keys(DEFAULT_SETTINGS).map((k) => `threatcode.${k}`);
    assert.deepEqual(
      contributed
        .map(([name]) => name)
        .filter((n) => !CLIENT_ONLY.has(n))
        .sort(),
      server.sort(),
    );
  });

  for (const [name, schema] of contributed.filter(([n]) => !CLIENT_ONLY.has(n))) {
    const key = name.slice('threatcode.'.length) as keyof ThreatcodeSettings;
    it(`${name}: same default, and the server clamps to the advertised range`, () => {
      assert.deepEqual(DEFAULT_SETTINGS[key], schema.default);
      assert.deepEqual(normaliseSettings({})[key], schema.default);
      if (schema.minimum !== undefined) assert.equal(normaliseSettings({ [key]: schema.minimum - 1 })[key], schema.minimum);
      if (schema.maximum !== undefined) assert.equal(normaliseSettings({ [key]: schema.maximum + 1 })[key], schema.maximum);
    });
  }

  it('the README lists every setting', () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    assert.deepEqual(
      contributed.map(([name]) => name).filter((n) => !readme.includes(`\`${n}\``)),
      [],
    );
  });

  it('package.json offers exactly the gates the CLI and the metrics know, with the kind of value each takes', () => {
    const gates = manifest.contributes.configuration.properties['threatcode.gates'] as unknown as {
      properties: Record<string, { type: string; minimum?: number; maximum?: number }>;
    };
    assert.deepEqual(Object.keys(gates.properties).sort(), [...GATE_NAMES].sort());
    for (const name of GATE_NAMES) {
      const schema = gates.properties[name];
      const kind = GATE_KINDS[name];
      assert.equal(schema.type, kind === 'switch' ? 'boolean' : 'number', name);
      if (kind === 'ratio') assert.deepEqual([schema.minimum, schema.maximum], [0, 1], name);
      if (kind === 'count' || kind === 'days') assert.equal(schema.minimum, 0, name);
    }
    // What the server keeps of a gates setting: known names with values of their kind.
    assert.deepEqual(normaliseSettings({ gates: { minFidelity: 0.5, acceptancesValid: 'yes', bogus: 1, maxDaysSinceReview: -3 } }).gates, {
      minFidelity: 0.5,
    });
  });

  it('the core and the CLI take their defaults from the settings', () => {
    assert.equal(DEFAULT_MAX_LENGTH, maxLengthForMB(DEFAULT_SETTINGS.maxFileSizeMB));
    assert.equal(DEFAULT_DETAIL_LIMIT, DEFAULT_SETTINGS.diagramDetailLimit);
    assert.match(
      COMMON_OPTIONS_HELP,
      new RegExp(`--max-file-size <MB> +Do not analyse larger files \\(default: ${DEFAULT_SETTINGS.maxFileSizeMB}\\)`),
    );
  });
});
