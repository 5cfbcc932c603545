/** New models get one model extension, however a save dialog combined the name typed with its filter. */
import * as assert from 'node:assert/strict';
import { modelFileName } from '../../server/src/shared/file-names';

describe('the name of a new threat model', () => {
  const cases: [string, string][] = [
    ['checkout.yaml.tm.yaml', 'checkout.tm.yaml'], // typed over the selected "threatmodel.tm", the filter appended
    ['checkout.tm.yaml', 'checkout.tm.yaml'],
    ['checkout', 'checkout.tm.yaml'],
    ['checkout.yaml', 'checkout.tm.yaml'],
    ['checkout.yml', 'checkout.tm.yaml'],
    ['checkout.tm', 'checkout.tm.yaml'],
    ['checkout.tm.tm.yaml', 'checkout.tm.yaml'],
    ['checkout.tm.yml', 'checkout.tm.yml'],
    ['checkout.YAML.tm.yaml', 'checkout.tm.yaml'],
    ['payments.v2.tm.yaml', 'payments.v2.tm.yaml'],
    ['.tm.yaml', 'threatmodel.tm.yaml'],
  ];
  for (const [typed, saved] of cases) it(`${typed} is saved as ${saved}`, () => assert.equal(modelFileName(typed), saved));
});
