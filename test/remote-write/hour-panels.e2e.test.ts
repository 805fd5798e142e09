/**
 * Issue 22, end to end: the cheap setup for large platforms. The exporter runs with
 * `metrics.hourly: false` and remote write into a real Prometheus 2.42 (out-of-order window on)
 * that also scrapes it. The dashboard's four "by hour" panels, which find no hourly gauge, must
 * show the reference day from the remote-written history: for each account and for all of them,
 * every hour with WeChat's (the simulator's) values.
 *
 * As test/remote-write/receivers.e2e.test.ts: real clock, since Prometheus keeps samples relative
 * to its own now; the reference day is the newest day the simulator has ready.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/clock.js';
import { simulatedHours } from '../../src/simulator/index.js';
import { HOUR_PANEL_QUERIES } from '../../scripts/hour-panels.js';
import { NEWS, SHOP, startExporter, type Harness, type TestAccount } from '../helpers/exporter-harness.js';
import { which } from '../helpers/tools.js';
import { startSimulator } from '../helpers/wechat-stack.js';
import { dashboardQueries, type DashboardQuery } from '../rules/dashboard-queries.js';
import type { ManagedProcess } from '../e2e/support/process.js';
import { done, notYet, waitFor } from '../e2e/support/wait.js';
import { PrometheusApi } from '../e2e/support/prometheus-api.js';
import { HISTORY_ROW, NEEDS_A_WEEK } from '../rules/dashboard-queries.js';
import { startPrometheus, type Receiver } from './support/receivers.js';
import type { WechatSimulator } from '../../src/simulator/index.js';

const ACCOUNTS = [SHOP, NEWS] as const;
const LOOKBACK_DAYS = 3;
/** The counters behind the dashboard's Exporter health row. */
const POLL_COUNTERS = 'wechat_exporter_(api_requests|api_errors|token_refreshes)_total|wechat_exporter_api_request_duration_seconds_count';
/** Every wait ends on its condition; this only bounds a broken run on a loaded 2-core machine. */
const WAIT = { timeoutMs: 120_000 } as const;

interface HourFigures {
  callbacks: number;
  failures: number;
  timeCost: number;
  max: number;
}

/** WeChat's hours of `day` for `accounts`, summed (maximum for the maximum); unlisted hours are zeros, as the exporter stores them. */
function wechatHours(accounts: readonly TestAccount[], day: string): HourFigures[] {
  const hours = Array.from({ length: 24 }, () => ({ callbacks: 0, failures: 0, timeCost: 0, max: 0 }));
  for (const a of accounts) {
    for (const r of simulatedHours(a.appid, day)) {
      const h = hours[r.ref_hour] as HourFigures;
      h.callbacks += r.callback_count;
      h.failures += r.fail_count;
      h.timeCost += r.total_time_cost / 1000;
      h.max = Math.max(h.max, r.max_time_cost / 1000);
    }
  }
  return hours;
}

/** What a panel target must show, by hour label. */
function expected(q: DashboardQuery, hours: readonly HourFigures[]): Map<string, number> {
  const out = new Map<string, number>();
  hours.forEach((h, i) => {
    const hh = String(i).padStart(2, '0');
    if (q.panelTitle === 'Callbacks by hour') out.set(hh, h.callbacks);
    else if (q.panelTitle === 'Failures by hour') out.set(hh, h.failures);
    else if (q.panelTitle === 'Failure ratio by hour') {
      if (h.callbacks > 0) out.set(hh, h.failures / h.callbacks);
    } else if (q.refId === 'A') {
      if (h.callbacks > 0) out.set(hh, h.timeCost / h.callbacks);
    } else out.set(hh, h.max);
  });
  return out;
}

/**
 * Prometheus 2.42 sometimes fails a read of its out-of-order head while it reorganises it ("cannot
 * populate chunk N from block 0000…: not found"), seen once in a full `npm test` on a loaded
 * machine; the same query answers on the next try. That error, and only it, is retried.
 */
const OOO_READ_RACE = /cannot populate chunk \d+ from block 0{26}: not found/;

async function queryByHour(base: string, expr: string, attempts = 3): Promise<Map<string, number>> {
  const res = await fetch(`${base}/api/v1/query`, {
    method: 'POST',
    body: new URLSearchParams({ query: expr, time: String(Date.now() / 1000) }),
  });
  const body = (await res.json()) as {
    status: string;
    error?: string;
    data?: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  if (body.status !== 'success' && attempts > 1 && OOO_READ_RACE.test(body.error ?? '')) {
    await new Promise((r) => setTimeout(r, 1000));
    return queryByHour(base, expr, attempts - 1);
  }
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error ?? res.status}`);
  return new Map((body.data?.result ?? []).map((r) => [r.metric['hour'] ?? '?', Number(r.value[1])]));
}

describe('hourly: false + remote write into a real Prometheus: the dashboard hour panels from the history', function () {
  this.timeout(300_000);
  const processes: ManagedProcess[] = [];
  const promBin = which('prometheus');
  let tmp: string;
  let sim: WechatSimulator;
  let prometheus: Receiver;
  let harness: Harness | undefined;
  let server: http.Server | undefined;

  before(async function () {
    if (!promBin) {
      console.log('      skipped: prometheus is not on PATH (CI installs it with apt-get)');
      this.skip();
    }
    tmp = mkdtempSync(join(tmpdir(), 'hour-panels-e2e-'));
    sim = await startSimulator(systemClock, ACCOUNTS);
    // One "called too often" answer per account, retried and counted: the errcode panel has data too.
    for (const a of ACCOUNTS) sim.inject({ kind: 'errcode', errcode: 45011 }, { api: 'getinterfacesummary', appid: a.appid });
    // Prometheus needs the exporter's address and the exporter the receiver's: the server listens
    // first and is given the exporter's app once both are known.
    let app: http.RequestListener = (_req, res) => void res.writeHead(503).end();
    server = http.createServer((req, res) => app(req, res));
    server.listen(0, '127.0.0.1');
    await new Promise((r) => server?.once('listening', r));
    const target = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    prometheus = await startPrometheus(promBin, join(tmp, 'prom'), 'prometheus', '30d', processes, target);
    harness = startExporter({
      sim,
      clock: systemClock,
      storePath: join(tmp, 'store.db'),
      accounts: ACCOUNTS,
      schedule: { lookbackDays: LOOKBACK_DAYS },
      extraConfig: { metrics: { hourly: false }, remoteWrite: [{ url: prometheus.writeUrl, timeout: '5s' }] },
      remoteWriteBackoff: { minBackoffMs: 200, maxBackoffMs: 1_000 },
    });
    app = harness.app;
    const current = harness;
    current.start();
    await waitFor(
      'every stored day accepted by Prometheus, and the exporter scraped with its reference days',
      async () => {
        const pending = current.remoteWriter?.outbox.count(prometheus.writeUrl, 'pending') ?? -1;
        const acked = current.remoteWriter?.outbox.count(prometheus.writeUrl, 'acked') ?? -1;
        const refs = await queryByHour(prometheus.base, 'count by (hour) (wechat_interface_reference_day_timestamp_seconds)');
        const scraped = refs.get('?') ?? 0;
        // The health panels' increase() and rate() need a few scrapes of the counters the polls made.
        const counters = await queryByHour(prometheus.base, `min(count_over_time({__name__=~"${POLL_COUNTERS}"}[1m]))`);
        const scrapes = counters.get('?') ?? 0;
        const ok = acked >= ACCOUNTS.length * LOOKBACK_DAYS && pending === 0 && scraped === ACCOUNTS.length && scrapes >= 3;
        return ok
          ? done(undefined)
          : notYet(`acked=${acked} pending=${pending} reference days scraped=${scraped} counter scrapes=${scrapes}`);
      },
      WAIT,
    );
  });

  after(async () => {
    server?.closeAllConnections();
    server?.close();
    await harness?.close();
    await Promise.all(processes.map((p) => p.stop()));
    await sim?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('exports no hourly gauge', async () => {
    assert.deepEqual([...(await queryByHour(prometheus.base, 'wechat_interface_hour_callbacks'))], []);
  });

  it('answers every other panel of the dashboard in this mode too (as test/e2e/prometheus-alertmanager.e2e.test.ts does with the gauges)', async () => {
    const api = new PrometheusApi(prometheus.base);
    const problems: string[] = [];
    let checked = 0;
    for (const q of dashboardQueries()) {
      // The History row is shown at past times by receivers.e2e.test.ts; error info exists only while an account is down;
      // the typical week needs a week of snapshots (test/rules/baseline.e2e.test.ts).
      if (q.rowTitle === HISTORY_ROW || q.expr.includes('wechat_exporter_account_error_info') || NEEDS_A_WEEK.test(q.expr)) continue;
      const answer = q.instant ? await api.query(q.expr) : await api.queryRange(q.expr, 60, 5);
      checked++;
      if (!answer.ok) problems.push(`panel ${q.panelId} "${q.panelTitle}" ${q.refId}: ${answer.error}`);
      else if (answer.result.length === 0) problems.push(`panel ${q.panelId} "${q.panelTitle}" ${q.refId}: no data`);
    }
    assert.ok(checked >= 15, `only ${checked} queries checked`);
    assert.deepEqual(problems, []);
  });

  for (const scope of [undefined, SHOP, NEWS]) {
    it(`shows every hour of the reference day with WeChat's values (${scope ? `$account=${scope.name}` : 'all accounts'})`, async () => {
      const h = harness as Harness;
      const day = h.exporter.accounts[0]?.reference?.refDate;
      assert.ok(day, 'a reference day');
      assert.ok(h.exporter.accounts.every((a) => a.reference?.refDate === day));
      const hours = wechatHours(scope ? [scope] : ACCOUNTS, day);
      const queries = dashboardQueries(undefined, scope ? { account: scope.name } : {}).filter((q) => q.panelTitle in HOUR_PANEL_QUERIES);
      assert.equal(queries.length, 5);
      for (const q of queries) {
        const want = expected(q, hours);
        const got = await queryByHour(prometheus.base, q.expr);
        assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), `${q.panelTitle} ${q.refId}: hours of ${day}`);
        for (const [hour, value] of want) {
          const v = got.get(hour) as number;
          assert.ok(
            Math.abs(v - value) <= 1e-9 * Math.max(1, Math.abs(value)),
            `${q.panelTitle} ${q.refId} hour ${hour} of ${day}: ${v}, WeChat ${value}`,
          );
        }
      }
    });
  }
});
