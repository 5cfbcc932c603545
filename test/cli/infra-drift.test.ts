/**
 * Terraform drafts and drift between a model and its infrastructure: a plan and a state written from the documented
 * `terraform show -json` format (test/fixtures/infra/README.md) imported to valid models, each property mapping
 * detected as drift when the model says otherwise, a renamed and a deleted resource, unmodelled resources drafted,
 * and `check --infra` in the CLI with clear messages for what it cannot read.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { codeActions } from '../../server/src/features/code-actions';
import { applyTextEdits } from '../../server/src/edits/text-edits';
import { draftComponents, infraDrift, inventoryOf } from '../../server/src/interop/drift';
import { toModelText } from '../../server/src/interop/imported';
import { importTerraform, TERRAFORM_COMPANIONS, TERRAFORM_MAPPINGS } from '../../server/src/interop/terraform';
import { computeMetrics } from '../../server/src/analysis/metrics';
import { analyze } from '../support/analyze';
import { REPO_ROOT } from '../support/paths';

const CLI = path.join(REPO_ROOT, 'dist/cli.js');
const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/infra');
const PLAN = JSON.parse(readFileSync(path.join(FIXTURES, 'orders-aws.plan.json'), 'utf8')) as Record<string, unknown>;
const STATE = JSON.parse(readFileSync(path.join(FIXTURES, 'reports-multicloud.state.json'), 'utf8')) as Record<string, unknown>;

const draftOf = (source: unknown) => {
  const result = importTerraform(source, 'Orders');
  const analysis = analyze(toModelText(result, 'test'), { today: '2026-11-29' });
  assert.deepEqual(
    analysis.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
    [],
  );
  return { result, analysis, text: analysis.parsed.text };
};

/** Writes `raw` at a dotted path, nested blocks as Terraform writes them (one-item lists). */
function setPath(values: Record<string, unknown>, dotted: string, raw: unknown): void {
  const keys = dotted.split('.');
  let at = values;
  for (const key of keys.slice(0, -1)) {
    const next: Record<string, unknown> = {};
    at[key] = [next];
    at = next;
  }
  at[keys[keys.length - 1]] = raw;
}

/** A plan with the resources changed by `edit` (a deep copy of the fixture). */
function planWith(edit: (resources: Record<string, unknown>[]) => void): Record<string, unknown> {
  const plan = structuredClone(PLAN) as { planned_values: { root_module: { resources: Record<string, unknown>[] } } };
  edit(plan.planned_values.root_module.resources);
  return plan;
}

describe('Terraform drafts and infrastructure drift', function () {
  this.timeout(60_000);

  it('drafts the AWS plan: boundaries, components with stated properties, flows from security groups and environments', () => {
    const { result, analysis } = draftOf(PLAN);
    const model = analysis.parsed.model!;
    assert.deepEqual(
      model.boundaries.map((b) => b.id),
      ['net-orders-vpc', 'net-orders-public', 'net-orders-private'],
    );
    assert.equal(model.boundaries[1].data.parent, 'net-orders-vpc');
    const c = (id: string) => model.components.find((x) => x.id === id)!.data as Record<string, unknown>;
    assert.deepEqual(
      model.components.map((x) => [x.id, x.data.type, x.data.kind]),
      [
        ['orders-alb', 'process', 'load-balancer'],
        ['orders-api', 'process', 'service'],
        ['orders-db', 'datastore', 'sql'],
        ['orders-invoices', 'datastore', 'object'],
        ['orders-invoice-jobs', 'datastore', 'queue'],
        ['invoicer', 'process', 'function'],
        ['internet-clients', 'external', undefined],
      ],
    );
    assert.equal(c('orders-alb').exposure, 'internet');
    assert.equal(c('orders-alb').boundary, 'net-orders-public');
    assert.equal(c('orders-api').boundary, 'net-orders-private');
    assert.deepEqual([c('orders-db').encryptionAtRest, c('orders-db').exposure], ['none', 'internal']);
    // From the bucket's companion resources: its public access block and its KMS encryption.
    assert.deepEqual([c('orders-invoices').publicAccess, c('orders-invoices').encryptionAtRest], ['none', 'customer-key']);
    assert.deepEqual(c('orders-db').infra, ['aws_db_instance.orders']);
    assert.deepEqual(
      model.flows.map((f) => `${String(f.data.from)}->${String(f.data.to)}`),
      [
        'orders-alb->orders-api',
        'orders-api->orders-db',
        'invoicer->orders-invoices',
        'invoicer->orders-invoice-jobs',
        'internet-clients->orders-alb',
      ],
    );
    // The HTTPS listener of the internet-facing load balancer: clients on the internet, over https.
    assert.equal(model.flows.find((f) => f.data.from === 'internet-clients')?.data.protocol, 'https');
    // The function URL signed with IAM: reachable from the internet, authenticated by the cloud.
    assert.deepEqual([c('invoicer').exposure, c('invoicer').authentication], ['internet', 'cloud-iam']);
    assert.ok(model.flows.every((f) => (f.data.tags as string[] | undefined)?.includes('inferred')));
    // Every stated value names the attribute that states it.
    assert.deepEqual(
      result.stated?.filter((f) => f.address === 'aws_db_instance.orders').map((f) => [f.path.join('.'), f.value, f.source]),
      [
        ['type', 'datastore', 'resource type aws_db_instance'],
        ['encryptionAtRest', 'none', 'storage_encrypted = false'],
        ['exposure', 'internal', 'publicly_accessible = false'],
      ],
    );
    assert.ok(result.notes.includes('1 aws_cloudwatch_log_group resource is not mapped (no place in a data-flow model)'));
  });

  it('drafts a Google Cloud and Azure state, modules included', () => {
    const { analysis } = draftOf(STATE);
    const c = (id: string) => analysis.parsed.model!.components.find((x) => x.id === id)?.data as Record<string, unknown> | undefined;
    assert.deepEqual(c('reports-db'), {
      id: 'reports-db',
      name: 'reports-db',
      type: 'datastore',
      kind: 'sql',
      infra: ['module.db.google_sql_database_instance.this'],
      exposure: 'internet',
    });
    assert.equal(c('reports-exports')?.publicAccess, 'none');
    assert.deepEqual([c('reportsarchive')?.exposure, c('reportsarchive')?.publicAccess], ['internet', 'none']);
    assert.equal(c('reports-kv')?.exposure, 'internal');
    assert.equal(c('reports-api')?.kind, 'service');
  });

  it('a model that agrees has no drift and a full infrastructure gauge', () => {
    const { result, analysis } = draftOf(PLAN);
    const drift = infraDrift(analysis, [inventoryOf(result, 'orders-aws.plan.json', 'terraform')])!;
    assert.deepEqual(drift.diagnostics, []);
    const gauge = computeMetrics(analysis, { today: '2026-11-29', infra: drift.summary })!.gauges.find((g) => g.id === 'infrastructure')!;
    assert.deepEqual([gauge.done, gauge.total], [6, 6]);
  });

  it('each attribute mapping is drift when the model says otherwise, on the model value, with a fix that takes the infrastructure’s', () => {
    const ENUMS: Record<string, readonly string[]> = {
      encryptionAtRest: ['none', 'platform', 'customer-key'],
      exposure: ['internet', 'internal', 'partner'],
      publicAccess: ['none', 'public', 'authenticated'],
      authentication: ['none', 'cloud-iam', 'password'],
    };
    // The resource a companion configures, by the attribute that references it.
    const CONFIGURED: Record<string, string> = { bucket: 'aws_s3_bucket', function_name: 'aws_lambda_function' };
    let checked = 0;
    for (const mapping of [...TERRAFORM_MAPPINGS, ...TERRAFORM_COMPANIONS.map((c) => ({ ...c, types: [c.type], becomes: 'companion' }))]) {
      for (const attribute of mapping.attributes) {
        for (const type of mapping.types) {
          // One resource (and, for a companion, the resource it configures) with a value the mapping reads.
          for (const raw of [true, false, 'enforced', 'AES256']) {
            const values: Record<string, unknown> = {};
            setPath(values, attribute.attribute, raw);
            if (raw === true) Object.assign(values, { block_public_acls: true, block_public_policy: true, ignore_public_acls: true });
            const stated = attribute.value(raw, values);
            if (stated === undefined) continue;
            const companion = mapping.becomes === 'companion';
            const resources = companion
              ? [
                  {
                    address: `${CONFIGURED[(mapping as { of: string }).of]}.b`,
                    mode: 'managed',
                    type: CONFIGURED[(mapping as { of: string }).of],
                    name: 'b',
                    values: {},
                  },
                  { address: `${type}.c`, mode: 'managed', type, name: 'c', values },
                ]
              : [{ address: `${type}.r`, mode: 'managed', type, name: 'r', values }];
            const plan = {
              format_version: '1.2',
              planned_values: { root_module: { resources } },
              configuration: companion
                ? {
                    root_module: {
                      resources: [
                        {
                          type,
                          name: 'c',
                          expressions: {
                            [(mapping as { of: string }).of]: { references: [`${CONFIGURED[(mapping as { of: string }).of]}.b`] },
                          },
                        },
                      ],
                    },
                  }
                : undefined,
            };
            const result = importTerraform(plan);
            const draft = result.model.components[0];
            const other = ENUMS[attribute.property].find(
              (v) => v !== stated && !(attribute.property === 'encryptionAtRest' && v === 'platform' && stated === 'customer-key'),
            )!;
            const text = toModelText(
              { ...result, model: { ...result.model, components: [{ ...draft, [attribute.property]: other }] } },
              'test',
            );
            const analysis = analyze(text, { today: '2026-11-29' });
            const drift = infraDrift(analysis, [inventoryOf(result, 'plan.json', 'terraform')])!;
            const d = drift.diagnostics.find((x) => x.code === 'infra-drift');
            assert.ok(d, `${type} ${attribute.attribute} = ${JSON.stringify(raw)}: no drift against ${attribute.property}: ${other}`);
            assert.equal(text.slice(d.span.start, d.span.end), other);
            assert.match(
              d.message,
              new RegExp(
                `^The model says ${attribute.property}: ${other}; ${String((draft.infra as string[])[0]).replace(/\./g, '\\.')} has `,
              ),
            );
            const [fix] = codeActions(analysis, [d], { today: '2026-11-29' });
            assert.equal(
              fix.title,
              `Take the infrastructure's value: ${attribute.property}: ${typeof stated === 'string' ? stated : JSON.stringify(stated)}`,
            );
            const fixed = analyze(applyTextEdits(text, fix.edits), { today: '2026-11-29' });
            assert.deepEqual(infraDrift(fixed, [inventoryOf(result, 'plan.json', 'terraform')])!.diagnostics, []);
            checked++;
          }
        }
      }
    }
    assert.ok(checked >= 20, `${checked} mappings checked`);
  });

  it('a renamed resource: the old address is missing (the new one offered), the new one unmodelled until linked', () => {
    const { text } = draftOf(PLAN);
    const renamed = planWith((rs) => {
      const db = rs.find((r) => r.address === 'aws_db_instance.orders')!;
      db.address = 'aws_db_instance.orders_v2';
      db.name = 'orders_v2';
    });
    const result = importTerraform(renamed);
    const inventories = [inventoryOf(result, 'orders-aws.plan.json', 'terraform')];
    const analysis = analyze(text, { today: '2026-11-29' });
    const drift = infraDrift(analysis, inventories)!;
    const missing = drift.diagnostics.find((d) => d.code === 'infra-missing')!;
    assert.equal(
      missing.message,
      "orders-db stands for aws_db_instance.orders, which orders-aws.plan.json no longer has. Renamed to 'aws_db_instance.orders_v2'?",
    );
    assert.equal(text.slice(missing.span.start, missing.span.end), 'aws_db_instance.orders');
    const [rename] = codeActions(analysis, [missing], { today: '2026-11-29' });
    assert.equal(rename.title, "Change to 'aws_db_instance.orders_v2'");
    const unmodelled = drift.diagnostics.find((d) => d.code === 'infra-unmodelled')!;
    assert.equal(unmodelled.message, "1 resource of orders-aws.plan.json is in no component's infra: aws_db_instance.orders_v2.");
    const after = analyze(applyTextEdits(text, rename.edits), { today: '2026-11-29' });
    assert.deepEqual(infraDrift(after, inventories)!.diagnostics, []);
  });

  it('a deleted resource is missing with nothing to offer; resources added later are drafted into the model', () => {
    const { text } = draftOf(
      planWith((rs) =>
        rs.splice(
          rs.findIndex((r) => r.address === 'aws_sqs_queue.invoice_jobs'),
          1,
        ),
      ),
    );
    const full = importTerraform(PLAN);
    const inventories = [inventoryOf(full, 'orders-aws.plan.json', 'terraform')];
    // The model was drafted without the queue: now the plan has it.
    const analysis = analyze(text, { today: '2026-11-29' });
    const unmodelled = infraDrift(analysis, inventories)!.diagnostics.find((d) => d.code === 'infra-unmodelled')!;
    const [add] = codeActions(analysis, [unmodelled], {
      today: '2026-11-29',
      infraDrafts: (a) => draftComponents(analysis, inventories, a),
    });
    assert.equal(add.title, 'Add draft components for the resource of orders-aws.plan.json');
    const added = analyze(applyTextEdits(text, add.edits), { today: '2026-11-29' });
    assert.deepEqual(
      added.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    assert.deepEqual(infraDrift(added, inventories)!.diagnostics, []);
    // Deleted from the plan: missing, no suggestion.
    const gone = [
      inventoryOf(
        importTerraform(
          planWith((rs) =>
            rs.splice(
              rs.findIndex((r) => r.address === 'aws_lambda_function.invoicer'),
              1,
            ),
          ),
        ),
        'p',
        'terraform',
      ),
    ];
    const missing = infraDrift(added, gone)!.diagnostics.filter((d) => d.code === 'infra-missing');
    assert.deepEqual(
      missing.map((d) => d.message),
      ['invoicer stands for aws_lambda_function.invoicer, which p no longer has.'],
    );
  });

  it('check --infra reports drift (a warning, so --fail-on warning fails on it); what it cannot read is exit 2 with the reason', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'threatcode-infra-'));
    try {
      const { text } = draftOf(PLAN);
      writeFileSync(path.join(dir, 'orders.tm.yaml'), text.replace('encryptionAtRest: none', 'encryptionAtRest: platform'));
      writeFileSync(path.join(dir, 'plan.json'), JSON.stringify(PLAN));
      const cli = (...args: string[]) =>
        spawnSync(process.execPath, [CLI, 'check', 'orders.tm.yaml', '--no-gates', ...args], { cwd: dir, encoding: 'utf8' });
      const r = cli('--infra', 'plan.json');
      assert.equal(r.status, 0, r.stderr);
      assert.match(
        r.stdout,
        /orders\.tm\.yaml:\d+:\d+ warning infra-drift The model says encryptionAtRest: platform; aws_db_instance\.orders has storage_encrypted = false\./,
      );
      const json = JSON.parse(cli('--infra', 'plan.json', '--format', 'json').stdout) as {
        files: { metrics: { gauges: { id: string; done: number; total: number }[] } }[];
      };
      const gauge = json.files[0].metrics.gauges.find((g) => g.id === 'infrastructure')!;
      assert.deepEqual([gauge.done, gauge.total], [5, 6]);
      // Without --infra nothing is compared.
      assert.doesNotMatch(cli().stdout, /infra-drift/);
      writeFileSync(path.join(dir, 'broken.json'), '{"format_version": "1.2", "planned_values": ');
      writeFileSync(path.join(dir, 'deep.json'), '['.repeat(100_000) + ']'.repeat(100_000));
      writeFileSync(
        path.join(dir, 'bomb.yaml'),
        'a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n',
      );
      for (const [file, message] of [
        ['broken.json', /--infra broken\.json: broken\.json is not valid JSON/],
        ['deep.json', /--infra deep\.json: deep\.json is not valid JSON: .*(deep|nest)/i],
        ['bomb.yaml', /--infra bomb\.yaml: bomb\.yaml: the source expands to more than 2,000,000 values through its YAML aliases/],
        ['nowhere.json', /--infra nowhere\.json: no such file or folder/],
        ['orders.tm.yaml', /is not a Compose file, Kubernetes manifests or the JSON of terraform show -json/],
      ] as const) {
        const bad = cli('--infra', file);
        assert.equal(bad.status, 2, `${file}: ${bad.stderr}`);
        assert.match(bad.stderr, message);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
