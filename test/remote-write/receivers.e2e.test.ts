/**
 * Issue 13, end to end: the exporter stores a few simulated days and pushes them to real
 * receivers: Prometheus 2.42 (remote-write receiver, out-of-order window), VictoriaMetrics, and a
 * Prometheus without an out-of-order window, which must refuse them. VictoriaMetrics sits behind
 * a gate so that the exporter can be restarted while a push is in flight; then it is stopped for a
 * while and started again. Every receiver must end up with exactly the store's samples.
 *
 * The receivers keep only recent samples (Prometheus' out-of-order window is measured back from
 * its newest sample, which is now), so this test runs on the real clock: the days are the last
 * ones WeChat (the simulator) has ready.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { readHistory } from '../../src/store/history.js';
import { dayEndSeconds, hourEndSeconds } from '../../src/store/history-series.js';
import { systemClock } from '../../src/clock.js';
import { eachDay } from '../../src/dates.js';
import { lookbackWindow } from '../../src/poll/plan.js';
import { historyTimeSeries, sampleCount } from '../../src/remote-write/encode.js';
import { simulatedDay, simulatedHours, type WechatSimulator } from '../../src/simulator/index.js';
import { NEWS, SHOP, startExporter, type Harness } from '../helpers/exporter-harness.js';
import { which } from '../helpers/tools.js';
import { HISTORY_ROW, dashboardQueries } from '../rules/dashboard-queries.js';
import { sample, startSimulator } from '../helpers/wechat-stack.js';
import type { ManagedProcess } from '../e2e/support/process.js';
import { done, notYet, waitFor } from '../e2e/support/wait.js';
import { Gate } from './support/gate.js';
import {
  prometheusRawSamples,
  queryAt,
  restartVictoriaMetrics,
  startPrometheus,
  startVictoriaMetrics,
  victoriaFlush,
  victoriaRawSamples,
  type Receiver,
} from './support/receivers.js';

const ACCOUNTS = [SHOP, NEWS] as const;
const LOOKBACK_DAYS = 3;
const HISTORY = '{__name__=~"wechat_interface_history_.+"}';
/** Every wait ends on its condition; this only bounds a broken run on a loaded 2-core machine. */
const WAIT = { timeoutMs: 120_000 } as const;

describe('remote write to real receivers (Prometheus 2.42, VictoriaMetrics)', function () {
  // Each step waits on conditions up to WAIT; the whole step gets room for a couple of them.
  this.timeout(300_000);
  const processes: ManagedProcess[] = [];
  const promBin = which('prometheus');
  const vmBin = which('victoria-metrics');
  const window = lookbackWindow(systemClock.now(), LOOKBACK_DAYS);
  const days = eachDay(window.from, window.to);
  let tmp: string;
  let sim: WechatSimulator;
  let prometheus: Receiver;
  let refusing: Receiver;
  let vm: Receiver & { port: number };
  let gate: Gate;
  let harness: Harness | undefined;

  before(async function () {
    for (const [tool, path] of [
      ['prometheus', promBin],
      ['victoria-metrics', vmBin],
    ] as const) {
      if (!path) {
        console.log(`      skipped: ${tool} is not on PATH (CI installs it with apt-get)`);
        this.skip();
      }
    }
    tmp = mkdtempSync(join(tmpdir(), 'remote-write-e2e-'));
    sim = await startSimulator(systemClock, ACCOUNTS);
    [prometheus, refusing, vm] = await Promise.all([
      startPrometheus(promBin as string, join(tmp, 'prom'), 'prometheus (out-of-order window 30d)', '30d', processes),
      startPrometheus(promBin as string, join(tmp, 'prom-strict'), 'prometheus (no out-of-order window)', undefined, processes),
      startVictoriaMetrics(vmBin as string, join(tmp, 'vm'), processes),
    ]);
    gate = new Gate(vm.writeUrl);
    // Both Prometheus have scraped themselves: their heads are at "now".
    for (const p of [prometheus, refusing]) {
      await waitFor(
        `${p.name} to scrape itself`,
        async () => ((await queryAt(p.base, 'up', Date.now() / 1000)).length > 0 ? done(undefined) : notYet('no up yet')),
        WAIT,
      );
    }
  });

  after(async () => {
    await harness?.close();
    await gate?.close();
    await Promise.all(processes.map((p) => p.stop()));
    await sim?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const start = (gateUrl: string): Harness =>
    (harness = startExporter({
      sim,
      clock: systemClock,
      storePath: join(tmp, 'store.db'),
      accounts: ACCOUNTS,
      schedule: { lookbackDays: LOOKBACK_DAYS },
      extraConfig: {
        remoteWrite: [
          { url: gateUrl, timeout: '5s' },
          { url: prometheus.writeUrl, timeout: '5s' },
          { url: refusing.writeUrl, timeout: '5s' },
        ],
      },
      remoteWriteBackoff: { minBackoffMs: 200, maxBackoffMs: 1_000 },
    }));

  const accountDays = ACCOUNTS.length * days.length;
  const storeSamples = (h: Harness): number =>
    sampleCount(historyTimeSeries(ACCOUNTS.map((a) => ({ ...a, days: readHistory(h.store, a.appid, window.from, window.to).days }))));
  const count = (h: Harness, url: string, state: 'acked' | 'failed' | 'pending'): number => h.remoteWriter?.outbox.count(url, state) ?? -1;

  let gateUrl: string;

  it('pushes the stored days; a restart while a push is held in flight loses nothing', async () => {
    gateUrl = await gate.listen();
    gate.mode = 'hold';
    const first = start(gateUrl);
    first.start();
    // In flight: held by the gate with the exporter still waiting (a held push also ends by the
    // target's 5 s timeout; then the next day is pushed and held).
    await waitFor(
      'days stored, Prometheus fed, the strict one refusing, a push to VictoriaMetrics in flight',
      async () => {
        const acked = count(first, prometheus.writeUrl, 'acked');
        const failed = count(first, refusing.writeUrl, 'failed');
        const ok = acked === accountDays && failed === accountDays && gate.inFlight > 0;
        return ok ? done(undefined) : notYet(`acked=${acked} failed=${failed} held=${gate.held} inFlight=${gate.inFlight}`);
      },
      WAIT,
    );
    assert.equal(count(first, gateUrl, 'acked'), 0);
    await first.close(); // the restart, in the middle of the held push
    harness = undefined;
  });

  it('VictoriaMetrics down for a while, then up: nothing lost', async () => {
    await vm.proc.stop();
    gate.mode = 'forward';
    const second = start(gateUrl);
    second.start();
    await waitFor(
      'pushes failing while VictoriaMetrics is down',
      async () => {
        const failures = await sample(second.exporter.registry, 'wechat_exporter_remote_write_failures_total', {
          url: gateUrl,
          status: 'network',
        });
        return failures >= 2 ? done(undefined) : notYet(`failures=${failures}`);
      },
      WAIT,
    );
    assert.equal(await sample(second.exporter.registry, 'wechat_exporter_remote_write_pending_days', { url: gateUrl }), accountDays);
    await restartVictoriaMetrics(vmBin as string, join(tmp, 'vm'), vm, processes);
    await waitFor(
      'every day acknowledged by VictoriaMetrics',
      async () => (count(second, gateUrl, 'acked') === accountDays ? done(undefined) : notYet(`acked=${count(second, gateUrl, 'acked')}`)),
      WAIT,
    );
  });

  it("both receivers hold exactly the store's samples, and answer a past Beijing hour with WeChat's value", async () => {
    const h = harness as Harness;
    const expected = storeSamples(h);
    assert.ok(expected > accountDays * 100, `about 125 samples per account-day (got ${expected})`);
    // Every day is acknowledged (previous step) and none is pending, so no push to VictoriaMetrics is
    // outstanding: once flushed, its export is final, a doubled push included.
    assert.equal(count(h, gateUrl, 'pending'), 0);
    assert.equal(gate.inFlight, 0);
    await victoriaFlush(vm.base);
    assert.equal(await victoriaRawSamples(vm.base, HISTORY), expected, 'VictoriaMetrics: raw samples = store');
    assert.equal(await prometheusRawSamples(prometheus.base, HISTORY, '30d'), expected, 'Prometheus: samples = store');
    assert.equal(await sample(h.exporter.registry, 'wechat_exporter_remote_write_samples_total', { url: gateUrl }), expected);

    const day = window.to;
    const wechatHour = simulatedHours(SHOP.appid, day).find((r) => r.ref_hour === 13);
    const wechatDay = simulatedDay(SHOP.appid, day);
    assert.ok(wechatHour && wechatHour.callback_count > 0);
    for (const r of [prometheus, vm]) {
      const hourly = await queryAt(r.base, `wechat_interface_history_hourly_callbacks{account="shop"}`, hourEndSeconds(day, 13));
      assert.deepEqual(hourly, [wechatHour.callback_count], `${r.name}: hour 13:00-14:00 Beijing of ${day}`);
      const daily = await queryAt(r.base, `wechat_interface_history_daily_failures{account="shop"}`, dayEndSeconds(day));
      assert.deepEqual(daily, [wechatDay.fail_count], `${r.name}: ${day} fail_count`);
    }
  });

  it("shows data in every panel of the dashboard's History row, from the pushed series, in both receivers", async () => {
    const at = hourEndSeconds(window.to, 20) + 1800;
    let checked = 0;
    for (const r of [prometheus, vm]) {
      for (const account of [undefined, SHOP.name]) {
        const history = dashboardQueries(undefined, account === undefined ? {} : { account }).filter((q) => q.rowTitle === HISTORY_ROW);
        assert.ok(history.length >= 4, 'the dashboard has a History row');
        for (const q of history) {
          // "The same hour a week earlier" has nothing to show: only the last few days were pushed.
          if (/offset 1w/.test(q.expr)) continue;
          const values = await queryAt(r.base, q.expr, at);
          assert.ok(
            values.length >= (account === undefined ? 2 : 1),
            `${r.name}: panel ${q.panelId} "${q.panelTitle}" ${q.refId}: no data for ${q.expr}`,
          );
          checked++;
        }
      }
    }
    assert.ok(checked >= 16);
  });

  it('a Prometheus without an out-of-order window refuses the days; each is failed with its message, on the page and in metrics', async () => {
    const h = harness as Harness;
    assert.equal(count(h, refusing.writeUrl, 'failed'), accountDays);
    const failed = h.remoteWriter?.outbox.entries(refusing.writeUrl, 'failed') ?? [];
    for (const f of failed) assert.deepEqual([f.lastStatus, f.lastError?.includes('out of bounds')], ['400', true], JSON.stringify(f));
    const page = await request(h.app).get('/');
    assert.match(page.text, new RegExp(`${days[0]} <code>${SHOP.appid}</code>: HTTP 400: out of bounds`));
    const metrics = (await request(h.app).get('/metrics')).text;
    assert.match(metrics, new RegExp(`wechat_exporter_remote_write_failed_days\\{url="${refusing.writeUrl}"\\} ${accountDays}`));
    // The refusals were counted by the first run, before the restart.
    assert.equal(
      await sample(h.exporter.registry, 'wechat_exporter_remote_write_failures_total', { url: refusing.writeUrl, status: '400' }),
      0,
    );
  });
});
