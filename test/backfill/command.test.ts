import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ManualClock } from '../../src/clock.js';
import { eachDay } from '../../src/dates.js';
import { DEMO_ACCOUNTS } from '../../src/demo.js';
import { simulatedDay, simulatedHours, type WechatSimulator } from '../../src/simulator/index.js';
import { MAIN, NEWS, hourEnd, parseSamples, runCommand, startSimulator, unlistedHour, writeConfig } from './helpers.js';

const NOW = '2026-03-10T09:00:00+08:00';
const FROM = '2026-02-24';
const TO = '2026-03-09';
const DAYS = eachDay(FROM, TO);

describe('backfill command (in-process, against the simulator)', () => {
  let clock: ManualClock;
  let sim: WechatSimulator;
  let dir: string;

  beforeEach(async () => {
    clock = new ManualClock(NOW);
    sim = await startSimulator(clock);
    dir = writeConfig(sim.url);
  });
  afterEach(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const output = (): Map<string, number> => parseSamples(readFileSync(join(dir, 'history.om'), 'utf8'));
  const dataCalls = (appid?: string): number =>
    sim.callCount({ api: 'getinterfacesummary', ...(appid ? { appid } : {}) }) +
    sim.callCount({ api: 'getinterfacesummaryhour', ...(appid ? { appid } : {}) });

  it("fetches the range, writes every hour and day of both accounts with the simulator's figures", async () => {
    const run = await runCommand(dir, clock, { from: FROM, to: TO });
    assert.equal(run.code, 0, run.stderr);
    const samples = output();
    for (const account of [MAIN, NEWS]) {
      const profile = account.profile;
      for (const date of DAYS) {
        const rows = simulatedHours(account.appid, date, profile);
        for (const r of rows) {
          const ts = hourEnd(date, r.ref_hour);
          assert.equal(samples.get(`wechat_interface_history_hourly_callbacks ${account.name} ${ts}`), r.callback_count);
          assert.equal(samples.get(`wechat_interface_history_hourly_failures ${account.name} ${ts}`), r.fail_count);
          assert.equal(samples.get(`wechat_interface_history_hourly_time_cost_seconds ${account.name} ${ts}`), r.total_time_cost / 1000);
          assert.equal(samples.get(`wechat_interface_history_hourly_latency_max_seconds ${account.name} ${ts}`), r.max_time_cost / 1000);
        }
        const quiet = unlistedHour(rows);
        if (quiet !== undefined) {
          assert.equal(samples.get(`wechat_interface_history_hourly_callbacks ${account.name} ${hourEnd(date, quiet)}`), 0);
          assert.equal(
            samples.has(`wechat_interface_history_hourly_latency_average_seconds ${account.name} ${hourEnd(date, quiet)}`),
            false,
          );
        }
        const day = simulatedDay(account.appid, date, profile);
        assert.equal(samples.get(`wechat_interface_history_daily_callbacks ${account.name} ${hourEnd(date, 23)}`), day.callback_count);
        assert.equal(samples.get(`wechat_interface_history_daily_failures ${account.name} ${hourEnd(date, 23)}`), day.fail_count);
      }
    }
    // 14 days x 24 hours x 4 always-present hourly families + daily, per account (+ averages).
    assert.ok(samples.size > 2 * DAYS.length * 24 * 4);
    // One daily call per account (14 days < 30) and one hourly call per day with traffic.
    assert.equal(sim.callCount({ api: 'getinterfacesummary' }), 2);
    assert.equal(sim.callCount({ api: 'getinterfacesummaryhour' }), 2 * DAYS.length);
    assert.match(run.stderr, /main \(wx0123456789abcdef\): 2026-02-24\.\.2026-03-09: 14 days, 0 stored, 14 to fetch/);
    assert.match(run.stderr, /wrote \d+ samples for 28 account-days/);
    assert.ok(!run.stderr.includes(MAIN.secret) && !run.stderr.includes(NEWS.secret));
  });

  it('costs no API call for days already stored, and writes the same file again', async () => {
    assert.equal((await runCommand(dir, clock, { from: FROM, to: TO })).code, 0);
    const first = readFileSync(join(dir, 'history.om'), 'utf8');
    sim.resetCalls();
    const again = await runCommand(dir, clock, { from: FROM, to: TO });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(sim.calls.length, 0);
    assert.equal(readFileSync(join(dir, 'history.om'), 'utf8'), first);
  });

  it('reports progress every 30 days on a long range', async () => {
    const run = await runCommand(dir, clock, { from: '2026-01-01', to: TO, account: 'news' });
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stderr.split('\n').filter((l) => l.startsWith('news (wx00000000000000aa): '));
    assert.deepEqual(
      lines.map((l) => l.split(': ')[1]),
      ['2026-01-01..2026-03-09', '2026-01-01..2026-01-30', '2026-01-31..2026-03-01', '2026-03-02..2026-03-09'],
    );
    assert.match(lines[1] as string, /30 days fetched \(31 API calls\)$/);
    assert.equal(sim.callCount({ api: 'getinterfacesummary' }), 3);
  });

  it('backfills one account with --account', async () => {
    const run = await runCommand(dir, clock, { from: TO, to: TO, account: 'news' });
    assert.equal(run.code, 0, run.stderr);
    const names = new Set([...output().keys()].map((k) => k.split(' ')[1]));
    assert.deepEqual([...names], ['news']);
    assert.equal(dataCalls(MAIN.appid), 0);
  });

  it('writes what it has and exits 1 naming the days WeChat has not published yet', async () => {
    sim.configure(MAIN.appid, { readyHour: 10 }); // "two hours late": 2026-03-09 is not there at 09:00
    const run = await runCommand(dir, clock, { from: '2026-03-07', to: TO });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /main \(wx0123456789abcdef\): 1 of 3 days NOT written: 2026-03-09 \(WeChat has not published them yet\)/);
    assert.doesNotMatch(run.stderr, /news \(wx00000000000000aa\): \d+ of 3 days NOT written/);
    const samples = output();
    assert.ok(samples.has(`wechat_interface_history_daily_callbacks main ${hourEnd('2026-03-08', 23)}`));
    assert.ok(!samples.has(`wechat_interface_history_daily_callbacks main ${hourEnd('2026-03-09', 23)}`));
    assert.ok(samples.has(`wechat_interface_history_daily_callbacks news ${hourEnd('2026-03-09', 23)}`));
  });

  it('stops an account at an error it cannot retry, still writes the others, exits 1', async () => {
    sim.configure(NEWS.appid, { ipWhitelisted: false });
    const run = await runCommand(dir, clock, { from: '2026-03-07', to: TO });
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /news \(wx00000000000000aa\): 3 of 3 days NOT written: 2026-03-07\.\.2026-03-09 \(fetching stopped: .*40164.*whitelist/,
    );
    assert.ok(output().has(`wechat_interface_history_daily_callbacks main ${hourEnd('2026-03-09', 23)}`));
    assert.ok(!run.stderr.includes(NEWS.secret));
  });

  it('after a spent quota, a run on the next day fetches only the days still missing', async () => {
    sim.configure(MAIN.appid, { dailyQuota: 3 });
    const first = await runCommand(dir, clock, { from: '2026-03-05', to: TO, account: 'main' });
    assert.equal(first.code, 1);
    assert.match(
      first.stderr,
      /main \(wx0123456789abcdef\): 2 of 5 days NOT written: 2026-03-08\.\.2026-03-09 \(fetching stopped: .*45009/,
    );

    clock.set('2026-03-11T09:00:00+08:00'); // the quota is per Beijing day
    sim.resetCalls();
    const second = await runCommand(dir, clock, { from: '2026-03-05', to: TO, account: 'main' });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(sim.callCount({ api: 'getinterfacesummaryhour' }), 2);
    assert.deepEqual(
      sim.calls.filter((c) => c.api === 'getinterfacesummary').map((c) => [c.beginDate, c.endDate]),
      [['2026-03-08', '2026-03-09']],
    );
    const samples = output();
    for (const date of eachDay('2026-03-05', TO)) {
      assert.equal(
        samples.get(`wechat_interface_history_daily_callbacks main ${hourEnd(date, 23)}`),
        simulatedDay(MAIN.appid, date).callback_count,
        date,
      );
    }
  });

  const usage: [string, Record<string, string>, RegExp][] = [
    ['a date that does not parse', { from: '2026/03/01', to: TO }, /^error: --from: "2026\/03\/01" is not a date/],
    ['from after to', { from: TO, to: '2026-03-01' }, /^error: --to: 2026-03-01 is before --from 2026-03-09/],
    ['a day before 2014-12-01', { from: '2014-11-01', to: '2014-12-01' }, /^error: --from: 2014-11-01 is before 2014-12-01/],
    ['today', { from: TO, to: '2026-03-10' }, /^error: --to: 2026-03-10 is today/],
    ['too long a range', { from: '2025-01-01', to: TO }, /^error: --to: 2025-01-01\.\.2026-03-09 is 433 days, more than the 400 allowed/],
    [
      'an unknown account',
      { from: TO, to: TO, account: 'shop' },
      /^error: --account: no account named "shop" in the configuration \(configured: main, news\)/,
    ],
    [
      'an output directory that does not exist',
      { from: TO, to: TO, output: '/nonexistent/dir/out.om' },
      /^error: --output: cannot write into \/nonexistent\/dir \(ENOENT\)/,
    ],
  ];
  for (const [what, flags, message] of usage) {
    it(`exits 2 without any API call for ${what}`, async () => {
      const run = await runCommand(dir, clock, flags);
      assert.equal(run.code, 2);
      assert.match(run.stderr, message);
      assert.equal(sim.calls.length, 0);
      assert.equal(existsSync(join(dir, 'store.db')), false, 'the store is not even opened');
    });
  }

  it('exits 2 on a configuration error (a secret variable not set)', async () => {
    const run = await runCommand(dir, clock, { from: TO, to: TO }, { MAIN_SECRET: MAIN.secret });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /accounts\[1\]\.secretEnv: environment variable NEWS_SECRET is not set or empty/);
    assert.equal(sim.calls.length, 0);
  });
});

describe('backfill command (subprocess, --demo)', function () {
  this.timeout(30_000);
  const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
  const run = promisify(execFile);
  const env = { ...process.env, WECHAT_EXPORTER_FAKE_NOW: NOW };

  it("writes the demo accounts' history to standard output, exit 0", async () => {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', cli, 'backfill', '--demo', '--from', TO, '--to', TO, '--output', '-'],
      { env, maxBuffer: 16 << 20 },
    );
    assert.match(stderr, /demo mode/);
    assert.ok(stdout.endsWith('# EOF\n'));
    const shop = DEMO_ACCOUNTS[0];
    assert.ok(shop);
    const samples = parseSamples(stdout);
    for (const r of simulatedHours(shop.appid, TO, shop.profile)) {
      assert.equal(samples.get(`wechat_interface_history_hourly_callbacks ${shop.name} ${hourEnd(TO, r.ref_hour)}`), r.callback_count);
    }
  });

  it('exits 2 with the reason on a bad range', async () => {
    const err = await run(
      process.execPath,
      ['--import', 'tsx', cli, 'backfill', '--demo', '--from', '2026-03-08', '--to', '2026-03-07', '--output', '-'],
      { env },
    ).then(
      () => assert.fail('expected a non-zero exit'),
      (e: { code: number; stderr: string }) => e,
    );
    assert.equal(err.code, 2);
    assert.match(err.stderr, /--to: 2026-03-07 is before --from 2026-03-08/);
  });
});
