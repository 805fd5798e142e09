import assert from 'node:assert/strict';
import { join } from 'node:path';
import { freePort, get, runCli, waitFor } from '../helpers/daemon-process.js';
import { tempDir } from '../helpers/exporter-harness.js';
import { promtoolRemarks, requireTool } from '../helpers/tools.js';

describe('process metrics on a live daemon', () => {
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
      const r = promtoolRemarks(promtool, body);
      assert.deepEqual(r.remarks, [], 'promtool has no remark');
      assert.equal(r.status, 0);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
      tmp.remove();
    }
  });
});
