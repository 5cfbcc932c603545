/**
 * The settings as VS Code shows them (package.json), as the server reads them (protocol.ts) and as the README lists
 * them must agree: a default or a range that differs between them is a setting that behaves unlike its description.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_SETTINGS, normaliseSettings, type ThreatcodeSettings } from '../../server/src/shared/settings';
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
});
