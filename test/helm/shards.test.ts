// The chart's shards: values, and the StatefulSet shape in the templates, as template text
// (rendered.test.ts checks what `helm template` makes of ci/shards-values.yaml).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse } from 'yaml';

const CHART = fileURLToPath(new URL('../../helm/wechat-interface-exporter/', import.meta.url));
const read = (path: string): string => readFileSync(join(CHART, path), 'utf8');

describe('helm chart: shards', () => {
  const values = parse(read('values.yaml')) as Record<string, unknown>;
  const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(read('values.schema.json')) as object);
  const workload = read('templates/deployment.yaml');
  const governing = read('templates/service-shards.yaml');
  const helpers = read('templates/_helpers.tpl');

  it('defaults to one shard (a Deployment); the schema takes 1 to 1000', () => {
    assert.equal(values['shards'], 1);
    for (const shards of [1, 2, 1000]) assert.ok(validate({ ...values, shards }), `shards: ${shards}`);
    for (const shards of [0, 1001, 1.5, '3']) assert.equal(validate({ ...values, shards }), false, `shards: ${JSON.stringify(shards)}`);
  });

  it('config.metrics.hourly is a boolean, true by default', () => {
    assert.deepEqual((values['config'] as Record<string, unknown>)['metrics'], { hourly: true });
    const config = values['config'] as Record<string, unknown>;
    assert.equal(validate({ ...values, config: { ...config, metrics: { hourly: 'no' } } }), false);
    assert.ok(validate({ ...values, config: { ...config, metrics: { hourly: false } } }));
  });

  it('shards > 1 makes the workload a StatefulSet of `shards` pods, each running --shard=auto/N', () => {
    assert.match(workload, /\$sharded := gt \(int \.Values\.shards\) 1/);
    assert.match(workload, /kind: \{\{ ternary "StatefulSet" "Deployment" \$sharded \}\}/);
    assert.match(workload, /\{\{- if \$sharded \}\}\s*\n\s*replicas: \{\{ \.Values\.shards \}\}\s*\n\s*serviceName: \{\{ include "wie\.fullname" \. \}\}-shards/);
    assert.match(workload, /\{\{- if \$sharded \}\}\s*\n\s*- --shard=auto\/\{\{ \.Values\.shards \}\}/);
    // Recreate is a Deployment strategy only.
    assert.match(workload, /\{\{- if not \$sharded \}\}[^{]*strategy:\s*\n\s*type: Recreate\s*\n\s*\{\{- end \}\}/);
  });

  it('each shard gets its own volume: volumeClaimTemplates, and no shared PVC or existing claim', () => {
    assert.match(workload, /volumeClaimTemplates:\s*\n\s*- metadata:\s*\n\s*name: data/);
    assert.match(workload, /\{\{- if and \$sharded \.Values\.persistence\.enabled \}\}\s*\n\s*# data: one PersistentVolumeClaim per shard/);
    assert.match(read('templates/pvc.yaml'), /\(le \(int \.Values\.shards\) 1\)/);
    assert.match(helpers, /define "wie\.validateShards"[\s\S]*existingClaim cannot be shared/);
    assert.match(workload, /include "wie\.validateShards" \./);
  });

  it('the governing Service is headless and not selected by the ServiceMonitor (each pod scraped once)', () => {
    assert.match(governing, /\{\{- if gt \(int \.Values\.shards\) 1 \}\}/);
    assert.match(governing, /clusterIP: None/);
    const labels = governing.slice(governing.indexOf('labels:'), governing.indexOf('spec:'));
    assert.doesNotMatch(labels, /wie\.(selectorLabels|labels)|app\.kubernetes\.io\/(name|instance)/);
    const monitor = read('templates/servicemonitor.yaml');
    assert.match(monitor, /matchLabels:\s*\n\s*\{\{- include "wie\.selectorLabels" \. \| nindent 6 \}\}/);
  });

  it('ci/shards-values.yaml is valid and asks for a StatefulSet with volumes', () => {
    const ci = parse(read('ci/shards-values.yaml')) as Record<string, unknown>;
    assert.equal(ci['shards'], 3);
    assert.deepEqual(ci['persistence'], { enabled: true, size: '1Gi' });
  });
});
