import assert from 'node:assert/strict';
import { join } from 'node:path';
import request from 'supertest';
import { ManualClock } from '../../src/clock.js';
import { NOMINAL_DAILY_LIMIT } from '../../src/simulator/quota-api.js';
import { WechatSimulator } from '../../src/simulator/index.js';
import { NEWS, SHOP, startExporter, tempDir, testConfig, type Harness } from '../helpers/exporter-harness.js';
import { parseSamples, valueOf } from '../helpers/metrics-text.js';

describe('quota in view (simulator on 127.0.0.1, real SQLite)', () => {
  let clock: ManualClock;
  let sim: WechatSimulator;
  let tmp: ReturnType<typeof tempDir>;
  let h: Harness | undefined;
  const start = () => (h = startExporter({ sim, clock, storePath: join(tmp.dir, 'data.db'), accounts: [SHOP, NEWS] }));
  const scrape = async () =>
    parseSamples(
      (
        await request((h as Harness).app)
          .get('/metrics')
          .expect(200)
      ).text,
    );
  const quotaCalls = (appid?: string) => sim.callCount({ api: 'quota_get', ...(appid ? { appid } : {}) });

  beforeEach(async () => {
    clock = new ManualClock('2026-03-10T09:00:00+08:00');
    sim = new WechatSimulator({ accounts: [SHOP, NEWS], clock });
    await sim.listen(0, '127.0.0.1');
    tmp = tempDir();
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
    await sim.close();
    tmp.remove();
  });

  it('after a poll that fetched data, asks both APIs once and exports limit, used and remaining', async () => {
    sim.configure(SHOP.appid, { dailyQuota: 100 });
    await start().exporter.pollAll();
    assert.equal(quotaCalls(SHOP.appid), 2);
    assert.equal(quotaCalls(NEWS.appid), 2);
    const m = await scrape();
    const daily = { appid: SHOP.appid, api: 'getinterfacesummary' };
    const hourly = { appid: SHOP.appid, api: 'getinterfacesummaryhour' };
    assert.equal(valueOf(m, 'wechat_exporter_api_quota_limit', daily), 100);
    assert.equal(valueOf(m, 'wechat_exporter_api_quota_used', daily), 1);
    assert.equal(valueOf(m, 'wechat_exporter_api_quota_remaining', daily), 99);
    assert.equal(valueOf(m, 'wechat_exporter_api_quota_used', hourly), 7);
    assert.equal(valueOf(m, 'wechat_exporter_api_quota_limit', { appid: NEWS.appid, api: 'getinterfacesummary' }), NOMINAL_DAILY_LIMIT);
  });

  it('at most once a Beijing day; a restart that needs no data makes no call, and shows the stored answer', async () => {
    sim.configure(SHOP.appid, { readyHour: 10 }); // yesterday not ready: retry polls fetch again
    await start().exporter.pollAll();
    clock.set('2026-03-10T10:30:00+08:00');
    await (h as Harness).exporter.pollAll('retry');
    assert.equal(quotaCalls(SHOP.appid), 2, 'asked once today although two polls fetched data');
    await (h as Harness).close();
    sim.resetCalls();
    start();
    await (h as Harness).exporter.pollAll();
    assert.equal(sim.calls.length, 0);
    assert.equal(
      valueOf(await scrape(), 'wechat_exporter_api_quota_limit', { appid: SHOP.appid, api: 'getinterfacesummary' }),
      NOMINAL_DAILY_LIMIT,
    );
    clock.set('2026-03-11T09:00:00+08:00');
    await (h as Harness).exporter.pollAll();
    assert.equal(quotaCalls(SHOP.appid), 2, 'asked again the next day');
  });

  it('an account without permission lacks the gauges (logged once), and its poll still succeeds', async () => {
    sim.inject({ kind: 'errcode', errcode: 48001 }, { api: 'quota_get', appid: SHOP.appid, times: 2 });
    const { exporter, lines } = start();
    await exporter.pollAll();
    const m = await scrape();
    assert.equal(valueOf(m, 'wechat_exporter_account_up', { account: 'shop' }), 1);
    assert.equal(valueOf(m, 'wechat_exporter_api_quota_limit', { appid: SHOP.appid }), undefined);
    assert.equal(valueOf(m, 'wechat_exporter_api_quota_limit', { appid: NEWS.appid }), NOMINAL_DAILY_LIMIT);
    assert.equal(lines.filter((l) => l.includes('quota look-up not permitted')).length, 1);
  });

  it('a failing look-up never counts against the poll, and is asked again after the next data poll', async () => {
    sim.inject({ kind: 'http', status: 502 }, { api: 'quota_get', appid: SHOP.appid, times: Infinity });
    const { exporter } = start();
    await exporter.pollAll();
    assert.equal(exporter.accounts.find((a) => a.name === 'shop')?.up, true);
    assert.equal(valueOf(await scrape(), 'wechat_exporter_api_quota_used', { appid: SHOP.appid }), undefined);
  });

  it('the quota gauges are rendered again only when an answer is stored or the accounts change, not at each scrape', async () => {
    const { exporter } = start();
    const limit = exporter.registry.getSingleMetric('wechat_exporter_api_quota_limit') as unknown as { get: () => Promise<unknown> };
    const get = limit.get.bind(limit);
    let renders = 0;
    limit.get = () => (renders++, get());
    await exporter.pollAll();
    await scrape();
    const afterPoll = renders;
    assert.ok(afterPoll >= 1);
    await scrape();
    await scrape();
    assert.equal(renders, afterPoll, 'nothing changed: the last rendering is served');
    exporter.applyAccounts(testConfig(sim, [SHOP]).accounts);
    const m = await scrape();
    assert.equal(renders, afterPoll + 1, 'an account removed: rendered again');
    assert.equal(valueOf(m, 'wechat_exporter_api_quota_limit', { appid: NEWS.appid, api: 'getinterfacesummary' }), undefined);
    assert.equal(valueOf(m, 'wechat_exporter_api_quota_limit', { appid: SHOP.appid, api: 'getinterfacesummary' }), NOMINAL_DAILY_LIMIT);
    await scrape();
    assert.equal(renders, afterPoll + 1);
  });
});
