import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { DROPPED_PROCESS_METRICS, registerProcessMetrics } from '../../src/metrics/process-metrics.js';

describe('process metrics', () => {
  it('keep the per-type gauges and drop their `_total` sums', async () => {
    const registry = new Registry();
    registerProcessMetrics(registry);
    const text = await registry.metrics();
    for (const name of DROPPED_PROCESS_METRICS) {
      assert.doesNotMatch(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
      assert.match(text, new RegExp(`^# TYPE ${name.replace(/_total$/, '')} gauge$`, 'm'), `${name} without _total stays`);
    }
    assert.match(text, /^process_cpu_seconds_total \d/m);
  });
});
