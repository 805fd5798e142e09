import assert from 'node:assert/strict';
import { join } from 'node:path';
import request from 'supertest';
import { ManualClock } from '../src/clock.js';
import { startOfBeijingDay } from '../src/dates.js';
import { WechatSimulator, simulatedDay, simulatedHours } from '../src/simulator/index.js';
import { NEWS, SHOP, startExporter, tempDir, type Harness } from './helpers/exporter-harness.js';
import { parseSamples, valueOf } from './helpers/metrics-text.js';

const accounts = [SHOP, NEWS];

describe('exporter end to end (simulator on 127.0.0.1, real SQLite, pinned clock)', () => {
  let clock: ManualClock;
  let sim: WechatSimulator;
  let tmp: ReturnType<typeof tempDir>;
  let storePath: string;
  let h: Harness | undefined;

  const start = (opts: { accounts?: typeof accounts; schedule?: Record<string, unknown> } = {}): Harness => {
    h = startExporter({ sim, clock, storePath, accounts: opts.accounts ?? accounts, schedule: opts.schedule });
    return h;
  };
  const restart = async (opts: Parameters<typeof start>[0] = {}): Promise<Harness> => {
    await h?.close();
    return start(opts);
  };
  const scrape = async (harness: Harness): Promise<Map<string, number>> =>
    parseSamples((await request(harness.app).get('/metrics').expect(200)).text);
  const calls = (api: string, appid?: string): number => sim.callCount({ api: api as 'getinterfacesummary', ...(appid ? { appid } : {}) });

  beforeEach(async () => {
    clock = new ManualClock('2026-03-10T08:01:00+08:00');
    sim = new WechatSimulator({ accounts, clock });
    await sim.listen(0, '127.0.0.1');
    tmp = tempDir();
    storePath = join(tmp.dir, 'data', 'wechat-exporter.db');
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
    await sim.close();
    tmp.remove();
  });

  it('at 08:01 Beijing fetches the lookback window up to yesterday: one daily call and one hourly call per day', async () => {
    const { exporter } = start();
    await exporter.pollAll();
    for (const a of accounts) {
      assert.equal(calls('getinterfacesummary', a.appid), 1);
      assert.equal(calls('getinterfacesummaryhour', a.appid), 7);
    }
    const m = await scrape(h as Harness);
    const want = simulatedDay(SHOP.appid, '2026-03-09');
    assert.equal(valueOf(m, 'wechat_interface_day_callbacks', { account: 'shop' }), want.callback_count);
    assert.equal(valueOf(m, 'wechat_interface_day_failures', { account: 'shop' }), want.fail_count);
    assert.equal(valueOf(m, 'wechat_interface_day_time_cost_seconds', { account: 'shop' }), want.total_time_cost / 1000);
    assert.equal(valueOf(m, 'wechat_interface_day_latency_max_seconds', { account: 'shop' }), want.max_time_cost / 1000);
    assert.equal(
      valueOf(m, 'wechat_interface_day_latency_average_seconds', { account: 'shop' }),
      want.total_time_cost / want.callback_count / 1000,
    );
    assert.equal(
      valueOf(m, 'wechat_interface_reference_day_timestamp_seconds', { account: 'news', appid: NEWS.appid }),
      startOfBeijingDay('2026-03-09') / 1000,
    );
    assert.equal(valueOf(m, 'wechat_exporter_account_up', { account: 'shop' }), 1);
    assert.equal(valueOf(m, 'wechat_exporter_last_success_timestamp_seconds', { account: 'shop' }), clock.now() / 1000);
    // Every hour is exposed; hours WeChat did not list are 0 callbacks and have no average.
    const hours = simulatedHours(SHOP.appid, '2026-03-09');
    const listed = new Set(hours.map((r) => r.ref_hour));
    assert.ok(listed.size < 24, 'the simulator omits some quiet hours');
    for (let hour = 0; hour < 24; hour++) {
      const label = { account: 'shop', hour: String(hour).padStart(2, '0') };
      const row = hours.find((r) => r.ref_hour === hour);
      assert.equal(valueOf(m, 'wechat_interface_hour_callbacks', label), row?.callback_count ?? 0);
      assert.equal(valueOf(m, 'wechat_interface_hour_failures', label), row?.fail_count ?? 0);
      assert.equal(valueOf(m, 'wechat_interface_hour_latency_max_seconds', label), (row?.max_time_cost ?? 0) / 1000);
      assert.equal(
        valueOf(m, 'wechat_interface_hour_latency_average_seconds', label),
        row ? row.total_time_cost / row.callback_count / 1000 : undefined,
      );
    }
  });

  it('at 07:59 Beijing yesterday is not due yet: the day before is the newest', async () => {
    clock.set('2026-03-10T07:59:00+08:00');
    const { exporter } = start();
    const { retry } = await exporter.pollAll();
    assert.equal(retry, false, 'nothing is missing, nothing to retry');
    assert.ok(sim.calls.every((c) => c.endDate === undefined || c.endDate <= '2026-03-08'));
    assert.equal(exporter.accounts[0]?.reference?.refDate, '2026-03-08');
    clock.set('2026-03-10T08:01:00+08:00');
    sim.resetCalls();
    await exporter.pollAll();
    assert.equal(calls('getinterfacesummary', SHOP.appid), 1);
    assert.equal(calls('getinterfacesummaryhour', SHOP.appid), 1);
    assert.equal(exporter.accounts[0]?.reference?.refDate, '2026-03-09');
  });

  it('works the same with the host in America/Los_Angeles', async () => {
    const saved = process.env['TZ'];
    process.env['TZ'] = 'America/Los_Angeles';
    try {
      // 08:01 Beijing = 16:01 the previous day in Los Angeles (PDT).
      assert.equal(new Date(clock.now()).getDate(), 9);
      const { exporter } = start();
      await exporter.pollAll();
      assert.equal(exporter.accounts[0]?.reference?.refDate, '2026-03-09');
      const m = await scrape(h as Harness);
      assert.equal(
        valueOf(m, 'wechat_interface_reference_day_timestamp_seconds', { account: 'shop' }),
        Date.parse('2026-03-09T00:00:00+08:00') / 1000,
      );
    } finally {
      if (saved === undefined) delete process.env['TZ'];
      else process.env['TZ'] = saved;
    }
  });

  it('restarts with zero API calls and the gauges back before the first scrape', async () => {
    await start().exporter.pollAll();
    const stored = (m: Map<string, number>) =>
      new Map([...m].filter(([k]) => k.startsWith('wechat_interface_') || k.startsWith('wechat_exporter_last_success')));
    const before = stored(await scrape(h as Harness));
    assert.ok(before.size > 2 * (24 * 4 + 5 + 1 + 1), 'every day and hour series');
    sim.resetCalls();
    const again = await restart();
    const after = stored(await scrape(again));
    assert.deepEqual(after, before, 'same samples straight after the restart, before any poll');
    await again.exporter.pollAll();
    assert.equal(sim.calls.length, 0, 'no API call for stored days');
  });

  it('catches up after 3 days down: one daily call for the missing range, one hourly call per missing day', async () => {
    await start().exporter.pollAll();
    await h?.close();
    h = undefined;
    clock.set('2026-03-13T08:20:00+08:00');
    sim.resetCalls();
    const { exporter } = start();
    await exporter.pollAll();
    const daily = sim.calls.filter((c) => c.api === 'getinterfacesummary' && c.appid === SHOP.appid);
    assert.deepEqual(
      daily.map((c) => [c.beginDate, c.endDate]),
      [['2026-03-10', '2026-03-12']],
    );
    assert.deepEqual(
      sim.calls.filter((c) => c.api === 'getinterfacesummaryhour' && c.appid === SHOP.appid).map((c) => c.beginDate),
      ['2026-03-10', '2026-03-11', '2026-03-12'],
    );
    assert.equal(exporter.accounts[0]?.reference?.refDate, '2026-03-12');
  });

  it('data two hours late: retries until it arrives, with no hourly call before', async () => {
    const { exporter } = start({ schedule: { retryInterval: '30m' } });
    await exporter.pollAll();
    sim.configure(SHOP.appid, { readyHour: 10 });
    sim.resetCalls();
    clock.set('2026-03-11T08:15:00+08:00');
    assert.deepEqual(await exporter.pollAll('cron'), { retry: true });
    const shop = exporter.accounts[0];
    assert.deepEqual(shop?.pendingDays, ['2026-03-10']);
    assert.equal(shop?.up, true, 'late data is not an error');
    assert.equal(shop?.nextPollAt, clock.now() + 30 * 60_000);
    for (const t of ['08:45', '09:15', '09:45']) {
      clock.set(`2026-03-11T${t}:00+08:00`);
      assert.deepEqual(await exporter.pollAll('retry'), { retry: true });
    }
    assert.equal(calls('getinterfacesummaryhour', SHOP.appid), 0);
    assert.equal(calls('getinterfacesummary', SHOP.appid), 4);
    clock.set('2026-03-11T10:15:00+08:00');
    assert.deepEqual(await exporter.pollAll('retry'), { retry: false });
    assert.equal(shop?.reference?.refDate, '2026-03-10');
    assert.equal(calls('getinterfacesummaryhour', SHOP.appid), 1);
    // The news account, on time, made exactly one daily and one hourly call that day.
    assert.equal(calls('getinterfacesummary', NEWS.appid), 1);
    assert.equal(calls('getinterfacesummaryhour', NEWS.appid), 1);
  });

  it('a day still empty at the end of the following Beijing day is stored as a day without traffic', async () => {
    const { exporter } = start();
    await exporter.pollAll();
    sim.inject({ kind: 'empty' }, { appid: SHOP.appid, api: 'getinterfacesummary', times: Infinity });
    clock.set('2026-03-11T08:15:00+08:00');
    await exporter.pollAll('cron');
    assert.deepEqual(exporter.accounts[0]?.pendingDays, ['2026-03-10']);
    clock.set('2026-03-11T23:59:00+08:00');
    await exporter.pollAll('retry');
    assert.deepEqual(exporter.accounts[0]?.pendingDays, ['2026-03-10']);
    clock.set('2026-03-12T00:00:00+08:00');
    await exporter.pollAll('retry');
    assert.deepEqual(exporter.accounts[0]?.pendingDays, []);
    assert.equal(calls('getinterfacesummaryhour', SHOP.appid), 7, 'no hourly call for a day without a total');
    assert.equal(exporter.accounts[0]?.reference?.refDate, '2026-03-10');
    const m = await scrape(h as Harness);
    assert.equal(valueOf(m, 'wechat_interface_day_callbacks', { account: 'shop' }), 0);
    assert.equal(valueOf(m, 'wechat_interface_day_latency_average_seconds', { account: 'shop' }), undefined);
    assert.equal(valueOf(m, 'wechat_interface_hour_callbacks', { account: 'shop', hour: '12' }), 0);
  });

  it('one misconfigured account beside a working one', async () => {
    sim.configure(NEWS.appid, { ipWhitelisted: false });
    const { exporter, lines, app } = start();
    const { retry } = await exporter.pollAll();
    assert.equal(retry, false, 'a configuration error is not retried before the next scheduled run');
    const [shop, news] = exporter.accounts;
    assert.equal(shop?.up, true);
    assert.equal(shop?.reference?.refDate, '2026-03-09');
    assert.equal(news?.up, false);
    assert.equal(news?.lastError?.reason, 'ip_not_whitelisted');
    assert.equal(news?.nextPollAt, Date.parse('2026-03-10T08:15:00+08:00'), 'the next scheduled run');
    const m = await scrape(h as Harness);
    assert.equal(valueOf(m, 'wechat_exporter_account_up', { account: 'news' }), 0);
    assert.equal(valueOf(m, 'wechat_exporter_account_error_info', { account: 'news', reason: 'ip_not_whitelisted', errcode: '40164' }), 1);
    assert.equal(valueOf(m, 'wechat_exporter_account_error_info', { account: 'shop' }), undefined);
    const page = (await request(app).get('/').expect(200)).text;
    assert.match(page, /ip_not_whitelisted \(40164\).*whitelist this server&#39;s egress IP/);
    const errorLine = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['message'] === 'poll failed');
    assert.equal(errorLine?.['level'], 'error');
    assert.equal(errorLine?.['account'], 'news');
    assert.equal(errorLine?.['appid'], NEWS.appid);
    // A retry run leaves it alone; the next scheduled run tries again.
    sim.resetCalls();
    clock.set('2026-03-10T08:10:00+08:00');
    await exporter.pollAll('retry');
    assert.equal(calls('stable_token', NEWS.appid), 0);
    sim.configure(NEWS.appid, { ipWhitelisted: true });
    clock.set('2026-03-11T08:15:00+08:00');
    await exporter.pollAll('cron');
    assert.equal(news?.up, true);
  });

  it('quota reached: the account is down and makes no call until the next Beijing day', async () => {
    sim.configure(SHOP.appid, { dailyQuota: 3 });
    const { exporter } = start();
    await exporter.pollAll();
    const shop = exporter.accounts[0];
    assert.equal(shop?.up, false);
    assert.equal(shop?.lastError?.reason, 'quota_exhausted');
    assert.equal(shop?.reference?.refDate, '2026-03-05', 'days fetched before the quota ran out are kept');
    assert.deepEqual(shop?.pendingDays, ['2026-03-06', '2026-03-07', '2026-03-08', '2026-03-09']);
    const m = await scrape(h as Harness);
    assert.equal(valueOf(m, 'wechat_exporter_account_error_info', { account: 'shop', reason: 'quota_exhausted', errcode: '45009' }), 1);
    sim.resetCalls();
    await exporter.pollAll('cron');
    assert.equal(calls('getinterfacesummaryhour', SHOP.appid), 0);
    assert.equal(calls('getinterfacesummary', SHOP.appid), 0);
    assert.deepEqual(
      [shop?.up, shop?.lastError?.reason, shop?.lastError?.errcode],
      [false, 'quota_exhausted', 45009],
      'still down for the quota',
    );
    assert.equal(exporter.accounts[1]?.up, true, 'the other account is not held up');
    clock.set('2026-03-11T08:15:00+08:00');
    sim.configure(SHOP.appid, { dailyQuota: Infinity });
    await exporter.pollAll('cron');
    assert.equal(shop?.up, true);
    assert.equal(shop?.reference?.refDate, '2026-03-10');
  });

  it('a transient failure is retried at retryInterval and recovers', async () => {
    sim.inject({ kind: 'http', status: 503 }, { appid: undefined, api: 'getinterfacesummaryhour', times: Infinity });
    const { exporter } = start({ accounts: [SHOP] });
    assert.deepEqual(await exporter.pollAll(), { retry: true });
    assert.equal(exporter.accounts[0]?.up, false);
    assert.equal(exporter.accounts[0]?.lastError?.reason, 'http_error');
    sim.clearFaults();
    assert.deepEqual(await exporter.pollAll('retry'), { retry: false });
    assert.equal(exporter.accounts[0]?.up, true);
    assert.equal(exporter.accounts[0]?.pendingDays.length, 0);
  });

  it('in steady state makes one hourly and one daily call per account per day', async () => {
    const { exporter } = start();
    await exporter.pollAll();
    sim.resetCalls();
    for (let day = 11; day <= 17; day++) {
      for (const t of ['08:15', '08:45', '13:00', '23:30']) {
        clock.set(`2026-03-${day}T${t}:00+08:00`);
        await exporter.pollAll(t === '08:15' ? 'cron' : 'retry');
      }
    }
    for (const a of accounts) {
      assert.equal(calls('getinterfacesummary', a.appid), 7);
      assert.equal(calls('getinterfacesummaryhour', a.appid), 7);
    }
    assert.equal(calls('stable_token'), 14, 'a token a day per account: the 2-hour token has expired by the next morning');
  });
});
