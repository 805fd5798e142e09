import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import { ManualClock } from '../../src/clock.js';
import { resolveConfig } from '../../src/config/load.js';
import { Exporter } from '../../src/exporter.js';
import { exporterApp } from '../../src/exporter-app.js';
import { memoryLogger } from '../../src/log.js';
import { SUMMARY_MAX_DAYS, summaryRouter } from '../../src/http/summary-api.js';
import { Redactor } from '../../src/redact.js';
import { Store } from '../../src/store/store.js';

const MAIN = { name: 'main', appid: 'wx0123456789abcdef' };
const NEWS = { name: 'news', appid: 'wx00000000000000aa' };

describe('JSON API: GET /api/v1/summary', () => {
  let dir: string;
  let store: Store;
  let app: express.Express;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'summary-api-'));
    store = new Store(join(dir, 'store.db'));
    const at = Date.parse('2026-03-10T08:15:00+08:00');
    store.saveDay(
      MAIN.appid,
      {
        refDate: '2026-03-07',
        status: 'complete',
        daily: { refDate: '2026-03-07', callbackCount: 130, failCount: 3, totalTimeCost: 26_042, maxTimeCost: 5042 },
        hours: [
          { refDate: '2026-03-07', refHour: 0, callbackCount: 10, failCount: 0, totalTimeCost: 1500, maxTimeCost: 300 },
          { refDate: '2026-03-07', refHour: 13, callbackCount: 120, failCount: 3, totalTimeCost: 24_542, maxTimeCost: 5042 },
        ],
      },
      at,
    );
    store.saveDay(MAIN.appid, { refDate: '2026-03-08', status: 'no_traffic', hours: [] }, at);
    // 2026-03-09 is not stored.
    app = express().use(summaryRouter({ store, accounts: () => [MAIN, NEWS] }));
  });
  after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (query: string) => request(app).get(`/api/v1/summary?${query}`);

  it('answers day rows, zeros for a day without traffic, and lists the days not stored', async () => {
    const res = await get('account=main&from=2026-03-07&to=2026-03-09&granularity=day')
      .expect(200)
      .expect('content-type', /application\/json/);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.deepEqual(res.body, {
      account: 'main',
      appid: MAIN.appid,
      granularity: 'day',
      from: '2026-03-07',
      to: '2026-03-09',
      rows: [
        {
          refDate: '2026-03-07',
          callbackCount: 130,
          failCount: 3,
          totalTimeCostSeconds: 26.042,
          maxTimeCostSeconds: 5.042,
          latencyAverageSeconds: 26_042 / 130 / 1000,
        },
        {
          refDate: '2026-03-08',
          callbackCount: 0,
          failCount: 0,
          totalTimeCostSeconds: 0,
          maxTimeCostSeconds: 0,
          latencyAverageSeconds: null,
        },
      ],
      missingDays: ['2026-03-09'],
      noTrafficDays: ['2026-03-08'],
      prunedDays: [],
      retentionKeptFrom: null,
    });
  });

  it('lists the days before the retention as pruned, not missing, and names the first day kept', async () => {
    const retained = express().use(summaryRouter({ store, accounts: () => [MAIN, NEWS], keptFrom: () => '2026-03-06' }));
    const res = await request(retained).get('/api/v1/summary?account=main&from=2026-03-04&to=2026-03-09').expect(200);
    assert.deepEqual(res.body.prunedDays, ['2026-03-04', '2026-03-05']);
    assert.deepEqual(res.body.missingDays, ['2026-03-06', '2026-03-09']);
    assert.equal(res.body.retentionKeptFrom, '2026-03-06');
    assert.equal(res.body.rows.length, 2);
  });

  it('answers 24 hour rows per stored day, unlisted hours as zeros', async () => {
    const res = await get('account=main&from=2026-03-07&to=2026-03-08&granularity=hour').expect(200);
    assert.equal(res.body.granularity, 'hour');
    assert.equal(res.body.rows.length, 48);
    assert.deepEqual(res.body.rows[13], {
      refDate: '2026-03-07',
      refHour: 13,
      callbackCount: 120,
      failCount: 3,
      totalTimeCostSeconds: 24.542,
      maxTimeCostSeconds: 5.042,
      latencyAverageSeconds: 24_542 / 120 / 1000,
    });
    assert.deepEqual(res.body.rows[5], {
      refDate: '2026-03-07',
      refHour: 5,
      callbackCount: 0,
      failCount: 0,
      totalTimeCostSeconds: 0,
      maxTimeCostSeconds: 0,
      latencyAverageSeconds: null,
    });
    assert.deepEqual(res.body.rows[47], {
      refDate: '2026-03-08',
      refHour: 23,
      callbackCount: 0,
      failCount: 0,
      totalTimeCostSeconds: 0,
      maxTimeCostSeconds: 0,
      latencyAverageSeconds: null,
    });
    assert.deepEqual(res.body.missingDays, []);
  });

  it('defaults to day granularity; an account with nothing stored has only missing days', async () => {
    const res = await get('account=news&from=2026-03-07&to=2026-03-08').expect(200);
    assert.equal(res.body.granularity, 'day');
    assert.equal(res.body.appid, NEWS.appid);
    assert.deepEqual(res.body.rows, []);
    assert.deepEqual(res.body.missingDays, ['2026-03-07', '2026-03-08']);
  });

  const bad: [string, string][] = [
    ['from=2026-03-07&to=2026-03-08', 'account: required (the account name, as in the config)'],
    ['account=main&to=2026-03-08', 'from: required (a Beijing date, YYYY-MM-DD)'],
    ['account=main&from=2026-03-07', 'to: required (a Beijing date, YYYY-MM-DD)'],
    ['account=main&from=07.03.2026&to=2026-03-08', 'from: "07.03.2026" is not a date (expected YYYY-MM-DD, a Beijing date)'],
    ['account=main&from=2026-03-08&to=2026-03-07', 'to: 2026-03-07 is before from 2026-03-08'],
    ['account=main&from=2014-11-01&to=2014-12-02', 'from: 2014-11-01 is before 2014-12-01, the first day WeChat keeps data for'],
    ['account=main&from=2026-03-07&to=2026-03-08&granularity=minute', 'granularity: "minute" is not one of hour, day'],
    ['account=main&from=2026-03-07&from=2026-03-08&to=2026-03-08', 'from: give it once, as a plain value'],
    ['account=main&from=2026-03-07&to=2026-03-08&form=x', 'form: unknown parameter (expected account, from, to, granularity)'],
  ];
  for (const [query, error] of bad) {
    it(`400 naming the parameter: ${query}`, async () => {
      const res = await get(query)
        .expect(400)
        .expect('content-type', /application\/json/);
      assert.deepEqual(res.body, { error });
    });
  }

  it('404 for an account that is not configured, naming the configured ones', async () => {
    const res = await get('account=shop&from=2026-03-07&to=2026-03-08').expect(404);
    assert.deepEqual(res.body, { error: 'account: no account named "shop" (configured: main, news)' });
  });

  it(`caps the range: ${SUMMARY_MAX_DAYS.hour} days of hours, ${SUMMARY_MAX_DAYS.day} days of days`, async () => {
    // 2025-12-08..2026-03-09 is 92 days; 2025-02-03..2026-03-09 is 400.
    await get('account=main&from=2025-12-08&to=2026-03-09&granularity=hour').expect(200);
    const hours = await get('account=main&from=2025-12-07&to=2026-03-09&granularity=hour').expect(400);
    assert.deepEqual(hours.body, { error: 'to: 2025-12-07..2026-03-09 is 93 days, more than the 92 allowed with granularity=hour' });
    const ok = await get('account=main&from=2025-02-03&to=2026-03-09&granularity=day').expect(200);
    assert.equal(ok.body.missingDays.length, 398);
    const days = await get('account=main&from=2025-02-02&to=2026-03-09').expect(400);
    assert.deepEqual(days.body, { error: 'to: 2025-02-02..2026-03-09 is 401 days, more than the 400 allowed with granularity=day' });
  });
});

describe('JSON API: mounted on the exporter app', () => {
  it('is served by the exporter app, before its 404 handler', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'summary-exporter-'));
    const store = new Store(join(dir, 'store.db'));
    const config = resolveConfig(
      { wechat: { baseUrls: ['http://127.0.0.1:9'] }, accounts: [{ ...MAIN, secret: 'test-secret-0123456789' }] },
      {},
      'test',
    );
    const redactor = new Redactor();
    const exporter = new Exporter({
      config,
      store,
      clock: new ManualClock('2026-03-10T09:00:00+08:00'),
      logger: memoryLogger(redactor).logger,
      redactor,
      env: {},
      build: { version: 'test', revision: 'test', nodejs: process.version },
      defaultMetrics: false,
    });
    try {
      const app = exporterApp(exporter, {
        store,
        clock: new ManualClock('2026-03-10T09:00:00+08:00'),
        build: { version: 'test', revision: 'test', nodejs: process.version },
      });
      const res = await request(app).get('/api/v1/summary?account=main&from=2026-03-08&to=2026-03-09').expect(200);
      assert.deepEqual(res.body.missingDays, ['2026-03-08', '2026-03-09']);
      await request(app).get('/api/v1/nothing').expect(404);
    } finally {
      await exporter.stop();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
