/**
 * Draft models from infrastructure as code, on real public files (test/fixtures/infra/README.md): every service or
 * workload becomes a component that records the resources it stands for, datastores are recognised from their images,
 * flows come from what the configuration says, and what is inferred is listed to review. The drafts are valid models.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { Analysis } from '../../server/src/analysis/analyze';
import { importKubernetes } from '../../server/src/interop/infra';
import { analyze } from '../support/analyze';
import { REPO_ROOT } from '../support/paths';

const CLI = path.join(REPO_ROOT, 'dist/cli.js');
const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/infra');

function importDraft(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, 'import', ...args], { cwd: FIXTURES, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const analysis = analyze(r.stdout, { today: '2026-11-26' });
  assert.deepEqual(
    analysis.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
    [],
  );
  return { analysis, stdout: r.stdout, stderr: r.stderr };
}

const component = (a: Analysis, id: string) =>
  a.parsed.model!.components.find((c) => c.id === id)?.data as Record<string, unknown> | undefined;

describe('threatcode import compose and kubernetes', function () {
  this.timeout(60_000);

  it("drafts the voting app's Compose file: services, networks, datastores by image, flows from depends_on", () => {
    const { analysis, stderr } = importDraft(['compose', 'voting-app.compose.yml']);
    const model = analysis.parsed.model!;
    assert.deepEqual(model.components.map((c) => c.id).sort(), ['db', 'redis', 'result', 'seed', 'vote', 'worker']);
    assert.deepEqual(model.boundaries.map((b) => b.data.name).sort(), ['back-tier', 'front-tier']);
    assert.equal(component(analysis, 'db')?.type, 'datastore');
    assert.equal(component(analysis, 'db')?.kind, 'sql');
    assert.equal(component(analysis, 'redis')?.kind, 'cache');
    assert.deepEqual(component(analysis, 'vote')?.infra, ['compose/vote']);
    const flows = model.flows.map((f) => `${String(f.data.from)}->${String(f.data.to)}`).sort();
    assert.deepEqual(flows, ['result->db', 'seed->vote', 'vote->redis', 'worker->db', 'worker->redis']);
    assert.match(stderr, /db: POSTGRES_PASSWORD written in the Compose file's environment/);
    assert.match(stderr, /vote: publishes 8080:80 on the host; say who can reach the host/);
    assert.match(stderr, /inferred from depends_on/);
    // Nothing invented: the draft says nothing about trust or exposure the file does not state.
    assert.ok(model.boundaries.every((b) => b.data.trust === 'unknown'));
    assert.equal(component(analysis, 'vote')?.exposure, undefined);
  });

  it("drafts the voting app's Kubernetes folder: one component per workload, with its Deployment and Service", () => {
    const { analysis } = importDraft(['kubernetes', 'voting-app-k8s']);
    const model = analysis.parsed.model!;
    assert.equal(model.components.length, 5);
    assert.deepEqual(component(analysis, 'vote')?.infra, ['Deployment/default/vote', 'Service/default/vote']);
    assert.equal(component(analysis, 'db')?.kind, 'sql');
  });

  it('drafts Online Boutique: 12 workloads, the load balancer exposed, flows from service addresses in the environment', () => {
    const { analysis, stderr } = importDraft(['kubernetes', 'online-boutique.k8s.yaml']);
    const model = analysis.parsed.model!;
    assert.equal(model.components.length, 12);
    assert.equal(component(analysis, 'frontend')?.exposure, 'internet');
    assert.match(stderr, /frontend: Service frontend-external is a LoadBalancer; exposure internet inferred/);
    const flows = new Set(model.flows.map((f) => `${String(f.data.from)}->${String(f.data.to)}`));
    for (const f of [
      'frontend->cartservice',
      'frontend->productcatalogservice',
      'checkoutservice->paymentservice',
      'cartservice->redis-cart',
    ])
      assert.ok(flows.has(f), `${f} in ${[...flows].join(', ')}`);
    assert.equal(component(analysis, 'redis-cart')?.kind, 'cache');
    assert.match(stderr, /ServiceAccount\(s\) not modelled as elements/);
  });

  it('says clearly what it cannot read', () => {
    const r = spawnSync(process.execPath, [CLI, 'import', 'terraform', 'plan.json'], { cwd: FIXTURES, encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /plan\.json: no such file or folder: plan\.json/);
    // A Compose file is not a plan: said so, not guessed at.
    const t = spawnSync(process.execPath, [CLI, 'import', 'terraform', 'voting-app.compose.yml'], { cwd: FIXTURES, encoding: 'utf8' });
    assert.equal(t.status, 2);
    assert.match(t.stderr, /not the JSON of terraform show -json/);
    const c = spawnSync(process.execPath, [CLI, 'import', 'compose', 'voting-app-k8s/db-service.yaml'], {
      cwd: FIXTURES,
      encoding: 'utf8',
    });
    assert.equal(c.status, 2);
    assert.match(c.stderr, /not a Compose file: it has no services/);
  });

  it('draws the ingress a NetworkPolicy allows between pods of its namespace as flows', () => {
    const manifest = (kind: string, name: string, labels: Record<string, string>) => ({
      apiVersion: 'apps/v1',
      kind,
      metadata: { name, namespace: 'shop' },
      spec: { template: { metadata: { labels }, spec: { containers: [{ name, image: `example/${name}:1` }] } } },
    });
    const policy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'api-from-web', namespace: 'shop' },
      spec: {
        podSelector: { matchLabels: { app: 'api' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }, { namespaceSelector: { matchLabels: { team: 'ops' } } }] }],
      },
    };
    const result = importKubernetes([manifest('Deployment', 'web', { app: 'web' }), manifest('Deployment', 'api', { app: 'api' }), policy]);
    assert.deepEqual(
      result.model.flows.map((f) => [f.from, f.to, f.tags]),
      [['web', 'api', ['inferred']]],
    );
    assert.ok(
      result.notes.some((n) => /NetworkPolicy shop\/api-from-web: 1 allowed flow drawn; peers by namespace or address are not/.test(n)),
    );
  });
});
