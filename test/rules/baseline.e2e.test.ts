/**
 * The baseline alerts in a real Prometheus 2.42, on a week of history: TSDB blocks written with
 * promtool from test/rules/baseline-data.ts (the hourly snapshots the baseline group records, and
 * the last hour of the exporter's gauges), the real rules file with only the baseline group's
 * `interval: 1h` shortened to 1s so that it runs at once. Checks that WechatInterfaceCallbacksDropped
 * and WechatInterfaceLatencyRegression fire for exactly the accounts the model says (its medians
 * computed here, in TypeScript, from the same figures), and that every query of the dashboard's
 * "Reference day against its typical week" row has data.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { which } from '../helpers/tools.js';
import { startOnFreePort, type ManagedProcess } from '../e2e/support/process.js';
import { PrometheusApi } from '../e2e/support/prometheus-api.js';
import { done, notYet, waitFor } from '../e2e/support/wait.js';
import { buildBlocks, dayFigures, referenceDay, type GaugeModel } from './baseline-data.js';
import { dashboardQueries } from './dashboard-queries.js';
import { RULES_PATH } from './metric-names.js';

const ACCOUNTS = 30;
const DAY = 86_400;
const ROW = 'Reference day against its typical week';

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** The accounts each alert must fire for at `now`, from the model and the rules' default thresholds. */
function expectedAlerts(model: GaugeModel, now: number): { dropped: string[]; slower: string[]; withBaseline: number } {
  const dropped: string[] = [];
  const slower: string[] = [];
  let withBaseline = 0;
  // The subquery's steps: the last 7 multiples of 1d (08:00 Beijing), each holding the day before yesterday.
  const steps = Array.from({ length: 7 }, (_, k) => Math.floor(now / DAY) - k);
  for (let i = 0; i < model.accounts; i++) {
    const ref = referenceDay(i, now);
    const days = steps.map((c) => c - 2);
    if (Math.max(...days) >= ref) continue; // the reference day would be part of its own baseline
    withBaseline++;
    const week = days.map((d) => dayFigures(i, d, ref));
    const today = dayFigures(i, ref, ref);
    const typicalCallbacks = median(week.map((f) => f.callbacks));
    const typicalLatency = median(week.map((f) => f.timeCost / f.callbacks));
    const latency = today.timeCost / today.callbacks;
    if (typicalCallbacks >= 100 && today.callbacks < 0.5 * typicalCallbacks) dropped.push(`acct-${i}`);
    if (typicalCallbacks >= 100 && today.callbacks >= 100 && latency >= 2 * typicalLatency && latency >= 0.5) slower.push(`acct-${i}`);
  }
  return { dropped, slower, withBaseline };
}

describe('baseline alerts and the typical-week dashboard row in Prometheus 2.42, on a week of history', function () {
  const processes: ManagedProcess[] = [];
  let dir: string | undefined;
  let prometheus: PrometheusApi;
  let model: GaugeModel;
  let withBaseline = ACCOUNTS;

  before(async function () {
    this.timeout(120_000);
    if (!which('prometheus') || !which('promtool')) {
      console.log('      skipped: prometheus or promtool is not on PATH (CI installs the Debian package prometheus)');
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), 'wx-baseline-e2e-'));
    const now = Math.floor(Date.now() / 1000);
    model = { accounts: ACCOUNTS, stepSeconds: 60, hourSeconds: 0, end: now - (now % 60) };
    buildBlocks(model, now - 8 * DAY, now, join(dir, 'tsdb'), dir);
    const rules = parse(readFileSync(RULES_PATH, 'utf8')) as { groups: { name: string; interval?: string }[] };
    const baseline = rules.groups.find((g) => g.name === 'wechat-interface-exporter.baseline');
    assert.equal(baseline?.interval, '1h');
    baseline.interval = '1s';
    writeFileSync(join(dir, 'rules.yml'), stringify(rules));
    writeFileSync(join(dir, 'prometheus.yml'), stringify({ global: { evaluation_interval: '1s' }, rule_files: [join(dir, 'rules.yml')] }));
    const tsdb = join(dir, 'tsdb');
    const config = join(dir, 'prometheus.yml');
    const prom = await startOnFreePort(
      (port) => ({
        name: 'prometheus',
        command: 'prometheus',
        // Nothing is scraped: the gauges' last samples (up to a minute before the start) stay visible.
        args: [
          `--config.file=${config}`,
          `--storage.tsdb.path=${tsdb}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--query.lookback-delta=30m',
        ],
        readyUrl: `http://127.0.0.1:${port}/-/ready`,
      }),
      processes,
      60_000,
    );
    prometheus = new PrometheusApi(`http://127.0.0.1:${prom.port}`);
  });

  after(async function () {
    this.timeout(30_000);
    await Promise.all(processes.map((p) => p.stop()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('fires WechatInterfaceCallbacksDropped and WechatInterfaceLatencyRegression for exactly the accounts the model says', async function () {
    this.timeout(60_000);
    const expected = expectedAlerts(model, Date.now() / 1000);
    // The model has drops and slowdowns (every 10th account): the test cannot pass by firing nothing.
    assert.ok(expected.withBaseline > 0, 'no account has a baseline: run the test away from 08:00-08:45 Beijing');
    assert.ok(expected.dropped.length > 0 && expected.slower.length > 0, JSON.stringify(expected));
    withBaseline = expected.withBaseline;
    // Both alerts active: the group (rules in order, alerts last) has been through once at least.
    const firing = await waitFor('the baseline group to evaluate the days and both alerts', async () => {
      const days = await prometheus.query('appid_account:wechat_interface_baseline_days:count == 7');
      const alerts = await prometheus.alerts();
      const n = days.ok ? days.result.length : 0;
      const names = new Set(alerts.map((a) => a.labels['alertname']));
      const both = names.has('WechatInterfaceCallbacksDropped') && names.has('WechatInterfaceLatencyRegression');
      return n === expected.withBaseline && both
        ? done(alerts)
        : notYet(`${n} accounts with 7 days (${expected.withBaseline} expected), alerts: ${[...names].join(', ')}`);
    });
    const accountsOf = (name: string): string[] =>
      firing
        .filter((a) => a.labels['alertname'] === name && a.state === 'firing')
        .map((a) => a.labels['account'] ?? '')
        .sort();
    assert.deepEqual(accountsOf('WechatInterfaceCallbacksDropped'), [...expected.dropped].sort());
    assert.deepEqual(accountsOf('WechatInterfaceLatencyRegression'), [...expected.slower].sort());
  });

  it(`answers every query of the dashboard row "${ROW}" with data, for all accounts and for one`, async function () {
    this.timeout(30_000);
    for (const account of [undefined, 'acct-3']) {
      const queries = dashboardQueries(undefined, account === undefined ? {} : { account }).filter((q) => q.rowTitle === ROW);
      assert.ok(queries.length >= 6, `${queries.length} queries in the row`);
      for (const q of queries) {
        const answer = await prometheus.query(q.expr);
        assert.ok(answer.ok, `${q.refId} ${q.expr}: ${answer.ok ? '' : answer.error}`);
        // Every account has a reference day and a typical week; the days only with a full baseline.
        const all = q.expr.includes('baseline_days') ? withBaseline : ACCOUNTS;
        const expected = account === undefined ? all : 1;
        assert.equal(answer.result.length, expected, `${account ?? 'all'} ${q.refId}: ${q.expr}`);
      }
    }
  });
});
