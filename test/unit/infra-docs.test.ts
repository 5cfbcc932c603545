/** docs/infrastructure.md lists every Terraform mapping as the code has it: the table is generated, and kept equal. */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { terraformMappingTables } from '../../server/src/interop/terraform';
import { REPO_ROOT } from '../support/paths';

describe('docs/infrastructure.md', () => {
  it('holds the table generated from the Terraform mappings (regenerate it from terraformMappingTables())', () => {
    const doc = readFileSync(path.join(REPO_ROOT, 'docs/infrastructure.md'), 'utf8');
    const generated = /<!-- generated from TERRAFORM_MAPPINGS[^>]*-->\n([\s\S]*?)\n<!-- end of generated table -->/.exec(doc);
    assert.ok(generated, 'the generated section is marked');
    assert.equal(generated[1], terraformMappingTables());
  });
});
