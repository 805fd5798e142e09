import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { DROPPED_PROCESS_METRICS, registerProcessMetrics } from '../../src/metrics/process-metrics.js';
import { freePort, get, runCli, waitFor } from '../helpers/daemon-process.js';
import { tempDir } from '../helpers/exporter-harness.js';
import { requireTool } from '../helpers/tools.js';

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

  it('the live /metrics of the demo daemon, process metrics included, passes promtool check metrics without a remark', async function () {
    this.timeout(30_000);
    const promtool = requireTool(this, 'promtool');
    const tmp = tempDir();
    const port = await freePort();
    const run = runCli([`--demo`, `--storage.path=${join(tmp.dir, 'demo.db')}`, `--web.listen-address=127.0.0.1:${port}`]);
    try {
      const body = await waitFor('demo data on /metrics', async () => {
        const r = await get(`http://127.0.0.1:${port}/metrics`);
        return r && /^wechat_interface_day_callbacks\{/m.test(r.body) ? r.body : undefined;
      });
      assert.match(body, /^nodejs_active_handles\{type=/m, 'default metrics are on');
      assert.match(body, /^nodejs_eventloop_lag_seconds /m);
      const r = spawnSync(promtool, ['check', 'metrics'], { input: body, encoding: 'utf8' });
      assert.equal((r.stdout + r.stderr).trim(), '', 'promtool has no remark');
      assert.equal(r.status, 0);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
      tmp.remove();
    }
  });
});
