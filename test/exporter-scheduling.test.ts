import assert from 'node:assert/strict';
import { ManualClock } from '../src/clock.js';
import type { TestAccount } from './helpers/exporter-harness.js';
import { waitFor } from './helpers/daemon-process.js';
import { simFixture } from './helpers/sim-fixture.js';

const HUNG_A: TestAccount = { name: 'hung-a', appid: 'wx00000000000000e1', secret: 'hung-a-secret-00000000000001' };
const HUNG_B: TestAccount = { name: 'hung-b', appid: 'wx00000000000000e2', secret: 'hung-b-secret-00000000000002' };
const HEALTHY: TestAccount = { name: 'healthy', appid: 'wx00000000000000e3', secret: 'healthy-secret-0000000000003' };

describe('accounts are scheduled independently', function () {
  this.timeout(30_000);
  const clock = new ManualClock('2026-03-10T09:00:00+08:00');
  const f = simFixture([HUNG_A, HUNG_B, HEALTHY], clock);

  it('as many hung accounts as concurrency slots do not hold back a healthy one', async () => {
    // WeChat never answers the data calls of A and B (each call waits for the 2 s timeout, retried).
    for (const a of [HUNG_A, HUNG_B]) f.sim.inject({ kind: 'timeout' }, { api: 'getinterfacesummary', appid: a.appid, times: Infinity });
    const h = f.start({ schedule: { concurrency: 2 } });
    const exporter = h.exporter;
    let runEnded = false;
    const run = exporter.pollAll('start').then(() => (runEnded = true));

    await waitFor('the healthy account stored', () => exporter.accounts[2]?.up === true, 15_000);
    const [a, b] = exporter.accounts;
    assert.equal(a?.up, undefined, 'hung-a is still in its first poll');
    assert.equal(b?.up, undefined, 'hung-b is still in its first poll');
    assert.equal(runEnded, false);
    assert.equal(h.store.storedDays(HEALTHY.appid, '2026-03-03', '2026-03-09').size, 7);

    await run;
    assert.equal(exporter.accounts[0]?.up, false);
    assert.equal(exporter.accounts[0]?.lastError?.reason, 'network_error');
  });

  it('polls of one account never overlap: a second trigger joins the poll in progress', async () => {
    f.sim.inject({ kind: 'slow', delayMs: 300 }, { api: 'getinterfacesummary', appid: HEALTHY.appid, times: 1 });
    const h = f.start({ accounts: [HEALTHY] });
    await Promise.all([h.exporter.pollAll('start'), h.exporter.pollAll('cron'), h.exporter.pollAll('retry')]);
    assert.equal(f.sim.callCount({ api: 'getinterfacesummary', appid: HEALTHY.appid }), 1);
  });
});
