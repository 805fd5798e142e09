/**
 * Proof with the real tools: backfill 14 days of two simulator accounts, turn the file into TSDB
 * blocks with the real promtool, start a real Prometheus on them, and ask it for chosen past
 * hours: the answers must be the simulator's figures to the unit.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ManualClock } from '../../src/clock.js';
import { eachDay } from '../../src/dates.js';
import { simulatedDay, simulatedHours, type WechatSimulator } from '../../src/simulator/index.js';
import { HISTORY_ROW, dashboardQueries } from '../rules/dashboard-queries.js';
import { freePort } from '../helpers/daemon-process.js';
import { which } from '../helpers/tools.js';
import { MAIN, NEWS, hourEnd, runCommand, startSimulator, unlistedHour, writeConfig } from './helpers.js';

const NOW = '2026-03-10T09:00:00+08:00';
const FROM = '2026-02-24';
const TO = '2026-03-09';

interface PromSample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

describe('backfill → promtool → Prometheus (real tools)', function () {
  this.timeout(60_000);
  const promtool = which('promtool');
  const prometheusBin = which('prometheus');
  let sim: WechatSimulator | undefined;
  let dir: string | undefined;
  let prometheus: ChildProcess | undefined;
  let promLog = '';
  let base = '';

  before(async function () {
    if (!promtool || !prometheusBin) {
      console.log(`      skipped: ${!promtool ? 'promtool' : 'prometheus'} is not installed (Debian: apt-get install prometheus)`);
      this.skip();
    }
    const clock = new ManualClock(NOW);
    sim = await startSimulator(clock);
    dir = writeConfig(sim.url);
    const run = await runCommand(dir, clock, { from: FROM, to: TO });
    assert.equal(run.code, 0, run.stderr);

    // The recipe of docs/backfill.md. --max-block-duration only makes fewer, larger blocks (the
    // default, 2 h, makes one block per 2 hours: ~170 blocks and ~12 s for these 14 days).
    const data = join(dir, 'tsdb');
    mkdirSync(data);
    const history = join(dir, 'history.om');
    const { stdout } = await promisify(execFile)(promtool, [
      'tsdb',
      'create-blocks-from',
      'openmetrics',
      '--max-block-duration=168h',
      history,
      data,
    ]);
    // promtool skips an out-of-order sample without a word: every sample line must be in a block.
    const inBlocks = stdout
      .split('\n')
      .slice(1)
      .filter(Boolean)
      .reduce((n, line) => n + Number(line.trim().split(/\s+/)[4]), 0);
    const lines = readFileSync(history, 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#')).length;
    assert.equal(inBlocks, lines, `promtool imported ${inBlocks} of ${lines} samples:\n${stdout}`);

    const config = join(dir, 'prometheus.yml');
    writeFileSync(config, 'global:\n  scrape_interval: 1m\nscrape_configs: []\n');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      prometheusBin,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${data}`,
        '--storage.tsdb.retention.time=100y',
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prometheus.stdout?.on('data', (c: Buffer) => (promLog += c.toString()));
    prometheus.stderr?.on('data', (c: Buffer) => (promLog += c.toString()));
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (prometheus.exitCode !== null) assert.fail(`prometheus exited with ${prometheus.exitCode}:\n${promLog}`);
      try {
        if ((await fetch(`${base}/-/ready`)).status === 200) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) assert.fail(`prometheus not ready after 20 s:\n${promLog}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  after(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = once(prometheus, 'exit');
      prometheus.kill('SIGTERM');
      await exited;
    }
    await sim?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** An instant query at exactly `time` (the samples' own timestamps, so the 5 m lookback finds them). */
  async function query(expr: string, time: number): Promise<Map<string, number>> {
    const res = await fetch(`${base}/api/v1/query?${new URLSearchParams({ query: expr, time: String(time) })}`);
    const body = (await res.json()) as { status: string; data: { resultType: string; result: PromSample[] } };
    assert.equal(body.status, 'success', JSON.stringify(body));
    return new Map(body.data.result.map((s) => [s.metric['account'] ?? '', Number(s.value[1])]));
  }

  const accounts = [MAIN, NEWS];
  const chosenDays = [FROM, '2026-03-01', TO];

  it("answers the simulator's hourly figures at the end of each Beijing hour, for both accounts", async () => {
    for (const date of chosenDays) {
      for (const hour of [0, 9, 13, 20, 23]) {
        const t = hourEnd(date, hour);
        const callbacks = await query('wechat_interface_history_hourly_callbacks', t);
        const failures = await query('wechat_interface_history_hourly_failures', t);
        const cost = await query('wechat_interface_history_hourly_time_cost_seconds', t);
        const max = await query('wechat_interface_history_hourly_latency_max_seconds', t);
        for (const a of accounts) {
          const row = simulatedHours(a.appid, date, a.profile).find((r) => r.ref_hour === hour);
          const at = `${a.name} ${date} hour ${hour}`;
          assert.equal(callbacks.get(a.name), row?.callback_count ?? 0, at);
          assert.equal(failures.get(a.name), row?.fail_count ?? 0, at);
          assert.equal(cost.get(a.name), (row?.total_time_cost ?? 0) / 1000, at);
          assert.equal(max.get(a.name), (row?.max_time_cost ?? 0) / 1000, at);
        }
      }
    }
  });

  it('answers 0 callbacks for an hour WeChat did not list, and no average latency', async () => {
    let checked = 0;
    for (const a of accounts) {
      for (const date of eachDay(FROM, TO)) {
        const hour = unlistedHour(simulatedHours(a.appid, date, a.profile));
        if (hour === undefined) continue;
        const t = hourEnd(date, hour);
        assert.equal(
          (await query(`wechat_interface_history_hourly_callbacks{account="${a.name}"}`, t)).get(a.name),
          0,
          `${a.name} ${date} ${hour}`,
        );
        assert.equal((await query(`wechat_interface_history_hourly_latency_average_seconds{account="${a.name}"}`, t)).size, 0);
        checked++;
        break;
      }
    }
    assert.equal(checked, 2, 'each account has a quiet hour in the range');
  });

  it('answers the daily figures at 00:00 Beijing after each day', async () => {
    for (const date of chosenDays) {
      const t = hourEnd(date, 23);
      const callbacks = await query('wechat_interface_history_daily_callbacks', t);
      const failures = await query('wechat_interface_history_daily_failures', t);
      const average = await query('wechat_interface_history_daily_latency_average_seconds', t);
      for (const a of accounts) {
        const day = simulatedDay(a.appid, date, a.profile);
        assert.equal(callbacks.get(a.name), day.callback_count, `${a.name} ${date}`);
        assert.equal(failures.get(a.name), day.fail_count, `${a.name} ${date}`);
        assert.equal(average.get(a.name), day.total_time_cost / day.callback_count / 1000, `${a.name} ${date}`);
      }
    }
  });

  it("shows data in every panel of the dashboard's History row, for all accounts and for each one", async () => {
    // A week after the first backfilled day, so that the panels' "a week earlier" overlay has data too.
    const at = hourEnd('2026-03-08', 20) + 1800;
    let checked = 0;
    for (const account of [undefined, ...accounts.map((a) => a.name)]) {
      const history = dashboardQueries(undefined, account === undefined ? {} : { account }).filter((q) => q.rowTitle === HISTORY_ROW);
      assert.ok(history.length >= 4, 'the dashboard has a History row');
      for (const q of history) {
        const result = await query(q.expr, at);
        assert.ok(result.size >= 1, `panel ${q.panelId} "${q.panelTitle}" ${q.refId} (${account ?? 'all'}): no data for ${q.expr}`);
        if (account !== undefined) assert.deepEqual([...result.keys()], [account]);
        checked++;
      }
    }
    assert.ok(checked > 0);
  });

  it('holds every hour of the range, and the hours of a day add up to its daily total', async () => {
    const end = hourEnd(TO, 23);
    const count = await query('count_over_time(wechat_interface_history_hourly_callbacks[14d])', end);
    for (const a of accounts) assert.equal(count.get(a.name), 14 * 24, a.name);
    // Prometheus 2.x range selectors include both ends: 86399 s keeps the previous day's last hour out.
    const sums = await query('sum_over_time(wechat_interface_history_hourly_callbacks[86399s])', hourEnd('2026-03-01', 23));
    for (const a of accounts) assert.equal(sums.get(a.name), simulatedDay(a.appid, '2026-03-01', a.profile).callback_count, a.name);
  });
});
