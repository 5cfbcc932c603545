/**
 * The Explorer's context menu offers Threatcode's commands where they apply: Import on another tool's model, Draft on
 * infrastructure, and neither on a project's own configuration (package.json, tsconfig.json, CI YAML). The `when`
 * clauses of package.json are evaluated here as VS Code does for the two context keys they use.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/paths';

interface MenuItem {
  readonly command: string;
  readonly when: string;
}

const menus = (
  JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { contributes: { menus: Record<string, MenuItem[]> } }
).contributes.menus['explorer/context'];

/** `a && b || c && d` over `explorerResourceIsFolder`, its negation and `resourceFilename =~ /…/flags`. */
function offered(command: string, name: string, folder: boolean): boolean {
  const when = menus.find((m) => m.command === command)!.when;
  return when.split(' || ').some((conjunction) =>
    conjunction.split(' && ').every((term) => {
      if (term === 'explorerResourceIsFolder') return folder;
      if (term === '!explorerResourceIsFolder') return !folder;
      const match = /^resourceFilename =~ \/(.*)\/([a-z]*)$/.exec(term);
      assert.ok(match, `a term this test does not read: ${term}`);
      return new RegExp(match[1], match[2]).test(name);
    }),
  );
}

describe('the Explorer context menu', () => {
  it('offers Import Threat Model on other tools’ models only', () => {
    for (const name of [
      'legacy.json',
      'threat-dragon-v2-demo.json',
      'payments.tm7',
      'api.otm.yaml',
      'api.otm.json',
      'threagile-model.yaml',
      'app.tc.json',
    ])
      assert.ok(offered('threatcode.importThreatModel', name, false), name);
    for (const name of [
      'package.json',
      'package-lock.json',
      'tsconfig.build.json',
      '.eslintrc.json',
      'threatmodel.schema.json',
      'orders-aws.plan.json',
      'compose.yaml',
      'ci.yml',
      'webshop.tm.yaml',
    ])
      assert.ok(!offered('threatcode.importThreatModel', name, false), name);
    assert.ok(!offered('threatcode.importThreatModel', 'exports.json', true), 'never on a folder');
  });

  it('offers Draft from Infrastructure on Compose files, Terraform plans and states, and infrastructure folders', () => {
    for (const name of [
      'compose.yaml',
      'docker-compose.yml',
      'docker-compose.prod.yml',
      'voting-app.compose.yml',
      'orders-aws.plan.json',
      'terraform.tfstate',
      'api.k8s.yaml',
    ])
      assert.ok(offered('threatcode.importInfrastructure', name, false), name);
    for (const name of ['package.json', 'legacy.json', 'webshop.tm.yaml', 'ci.yml'])
      assert.ok(!offered('threatcode.importInfrastructure', name, false), name);
    for (const name of ['k8s', 'infra', 'terraform', 'manifests']) assert.ok(offered('threatcode.importInfrastructure', name, true), name);
    for (const name of ['src', 'services', 'docs']) assert.ok(!offered('threatcode.importInfrastructure', name, true), name);
  });
});
