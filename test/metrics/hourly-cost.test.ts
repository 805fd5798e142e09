/**
 * Issue 22: a platform past HOURLY_WARNING_ACCOUNTS with the hourly gauges on and no remote write
 * is told, once, what its Prometheus pays and which two settings make it cheap.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ManualClock } from '../../src/clock.js';
import { HOURLY_COST_PER_1000, HOURLY_WARNING_ACCOUNTS, hourlyCostWarning } from '../../src/metrics/hourly-cost.js';
import { WechatSimulator } from '../../src/simulator/index.js';
import { SHOP, startExporter, tempDir, testConfig, type Harness, type TestAccount } from '../helpers/exporter-harness.js';

const many = (n: number): TestAccount[] =>
  Array.from({ length: n }, (_, i) => ({
    name: `a${i}`,
    appid: `wx${i.toString(16).padStart(16, '0')}`,
    secret: `secret-${i}-0000000000000`,
  }));

describe('hourlyCostWarning (pure)', () => {
  const over = HOURLY_WARNING_ACCOUNTS + 1;

  it('is silent up to the threshold, with the gauges off, or with a remoteWrite target', () => {
    assert.equal(hourlyCostWarning({ accounts: HOURLY_WARNING_ACCOUNTS, hourly: true, remoteWriteTargets: 0 }), undefined);
    assert.equal(hourlyCostWarning({ accounts: over, hourly: false, remoteWriteTargets: 0 }), undefined);
    assert.equal(hourlyCostWarning({ accounts: over, hourly: true, remoteWriteTargets: 1 }), undefined);
  });

  it('names the measured cost and the two settings', () => {
    const w = hourlyCostWarning({ accounts: 5000, hourly: true, remoteWriteTargets: 0 });
    assert.ok(w);
    const series = HOURLY_COST_PER_1000.series * 5;
    const mib = HOURLY_COST_PER_1000.prometheusMiB * 5;
    assert.equal(
      w.message,
      `5000 accounts with metrics.hourly on: the hourly gauges add about ${series} series and ${mib} MiB of memory to the Prometheus ` +
        `that scrapes them (${HOURLY_COST_PER_1000.prometheusMiB} MiB per 1,000 accounts); set metrics.hourly: false and a remoteWrite ` +
        'target, whose history gives the dashboard the same hours (docs/remote-write.md)',
    );
    assert.deepEqual(w.fields, { accounts: 5000, threshold: HOURLY_WARNING_ACCOUNTS, hourlySeries: series, prometheusMiB: mib });
  });
});

describe('the exporter warns about the hourly gauges once', () => {
  const clock = new ManualClock('2026-03-10T09:00:00+08:00');
  let sim: WechatSimulator;
  let tmp: ReturnType<typeof tempDir>;
  let h: Harness | undefined;

  beforeEach(async () => {
    sim = new WechatSimulator({ accounts: [SHOP], clock });
    await sim.listen(0, '127.0.0.1');
    tmp = tempDir();
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
    await sim.close();
    tmp.remove();
  });

  const start = (accounts: readonly TestAccount[], extraConfig: Record<string, unknown> = {}): Harness =>
    (h = startExporter({ sim, clock, storePath: join(tmp.dir, 'store.db'), accounts, extraConfig }));
  const warnings = (harness: Harness): Record<string, unknown>[] =>
    harness.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => /metrics\.hourly on/.test(String(l['message'])));

  it('at start, past the threshold with hourly on and no remoteWrite: one warn line naming both settings', () => {
    const harness = start(many(HOURLY_WARNING_ACCOUNTS + 1));
    const [line, ...more] = warnings(harness);
    assert.equal(more.length, 0);
    assert.equal(line?.['level'], 'warn');
    assert.match(
      String(line?.['message']),
      /^1001 accounts with metrics\.hourly on: .* MiB of memory .*metrics\.hourly: false and a remoteWrite target/,
    );
    assert.equal(line?.['accounts'], HOURLY_WARNING_ACCOUNTS + 1);
  });

  it('not with metrics.hourly: false', () => {
    assert.deepEqual(warnings(start(many(HOURLY_WARNING_ACCOUNTS + 1), { metrics: { hourly: false } })), []);
  });

  it('when a reload or discovery first takes the accounts past it, and not again on later changes', () => {
    const harness = start(many(2));
    assert.deepEqual(warnings(harness), []);
    harness.exporter.applyAccounts(testConfig(sim, many(HOURLY_WARNING_ACCOUNTS + 5)).accounts);
    assert.equal(warnings(harness).length, 1);
    assert.equal(warnings(harness)[0]?.['accounts'], HOURLY_WARNING_ACCOUNTS + 5);
    harness.exporter.applyAccounts(testConfig(sim, many(2)).accounts);
    harness.exporter.applyAccounts(testConfig(sim, many(HOURLY_WARNING_ACCOUNTS + 9)).accounts);
    assert.equal(warnings(harness).length, 1);
  });
});
