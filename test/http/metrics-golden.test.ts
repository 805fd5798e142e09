import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { ManualClock } from '../../src/clock.js';
import { resolveConfig } from '../../src/config/load.js';
import { Exporter } from '../../src/exporter.js';
import { exporterApp } from '../../src/exporter-app.js';
import { memoryLogger } from '../../src/log.js';
import { Redactor } from '../../src/redact.js';
import { Store } from '../../src/store/store.js';
import { BUILD } from '../helpers/exporter-harness.js';
import { promtoolRemarks, requireTool } from '../helpers/tools.js';

const CLOCK = new ManualClock('2026-03-10T09:00:00+08:00');

const GOLDEN = fileURLToPath(new URL('../fixtures/metrics/golden.prom', import.meta.url));
const SHOP = 'wx00000000000000a1';
const NEWS = 'wx00000000000000b2';

/** A fixed store: shop has a busy day with two quiet hours missing; news had no traffic. */
function fixedStore(): Store {
  const store = new Store(':memory:');
  const hours = [0, 1, 8, 9, 12, 20, 23].map((refHour, i) => ({
    refDate: '2026-03-09',
    refHour,
    callbackCount: 100 * (i + 1),
    failCount: i,
    totalTimeCost: 15_000 * (i + 1),
    maxTimeCost: 400 + 700 * i,
  }));
  const daily = {
    refDate: '2026-03-09',
    callbackCount: hours.reduce((s, h) => s + h.callbackCount, 0),
    failCount: hours.reduce((s, h) => s + h.failCount, 0),
    totalTimeCost: hours.reduce((s, h) => s + h.totalTimeCost, 0),
    maxTimeCost: Math.max(...hours.map((h) => h.maxTimeCost)),
  };
  store.saveDay(SHOP, { refDate: '2026-03-08', status: 'no_traffic', hours: [] }, 1);
  store.saveDay(SHOP, { refDate: '2026-03-09', status: 'complete', daily, hours }, 1);
  store.saveDay(NEWS, { refDate: '2026-03-09', status: 'no_traffic', hours: [] }, 1);
  store.setLastSuccess(SHOP, Date.parse('2026-03-10T08:15:02+08:00'));
  return store;
}

function fixedExporter(store: Store): Exporter {
  const redactor = new Redactor();
  const config = resolveConfig(
    {
      wechat: { baseUrls: ['http://127.0.0.1:9'] },
      accounts: [
        { name: 'shop', appid: SHOP, secretEnv: 'UNUSED', labels: { team: 'payments', customer: 'acme' } },
        { name: 'news', appid: NEWS, secretEnv: 'UNUSED' },
      ],
    },
    { UNUSED: 'unused-secret-000000' },
    'test',
  );
  const exporter = new Exporter({
    config,
    store,
    clock: CLOCK,
    logger: memoryLogger(redactor).logger,
    redactor,
    env: {},
    build: BUILD,
    defaultMetrics: false,
  });
  // The account states as a poll leaves them: shop fine, news refused for its IP.
  const [shop, news] = exporter.accounts;
  Object.assign(shop as object, { up: true });
  Object.assign(news as object, { up: false, lastError: { reason: 'ip_not_whitelisted', errcode: 40164, message: 'whitelist', at: 0 } });
  return exporter;
}

describe('/metrics golden file', () => {
  let store: Store;
  let exporter: Exporter;
  beforeEach(() => {
    store = fixedStore();
    exporter = fixedExporter(store);
  });
  afterEach(async () => {
    await exporter.stop();
    store.close();
  });

  it('renders exactly the checked-in fixture', async () => {
    const res = await request(exporterApp(exporter, { store, clock: CLOCK, build: BUILD }))
      .get('/metrics')
      .expect(200)
      .expect('Content-Type', /^text\/plain; version=0\.0\.4/);
    if (process.env['UPDATE_GOLDEN']) writeFileSync(GOLDEN, res.text);
    assert.equal(res.text, readFileSync(GOLDEN, 'utf8'), 'run with UPDATE_GOLDEN=1 to accept a deliberate change');
  });

  it('passes promtool check metrics without a remark', function () {
    const promtool = requireTool(this, 'promtool');
    const r = promtoolRemarks(promtool, readFileSync(GOLDEN));
    assert.deepEqual(r.remarks, []);
    assert.equal(r.status, 0);
  });

  it('serves OpenMetrics when Prometheus asks for it, without renaming counters for later text scrapes', async () => {
    const accept =
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
    const om = await request(exporterApp(exporter, { store, clock: CLOCK, build: BUILD }))
      .get('/metrics')
      .set('Accept', accept)
      .expect(200)
      .expect('Content-Type', /^application\/openmetrics-text; version=1\.0\.0/);
    assert.match(om.text, /# EOF\n$/);
    assert.match(om.text, /^# TYPE wechat_exporter_api_requests counter$/m);
    const text = await request(exporterApp(exporter, { store, clock: CLOCK, build: BUILD }))
      .get('/metrics')
      .expect(200);
    assert.equal(text.text, readFileSync(GOLDEN, 'utf8'));
    assert.match(text.text, /^# TYPE wechat_exporter_api_requests_total counter$/m);
  });

  it('a scrape changes nothing and reads nothing: the same output twice, even with the store closed', async () => {
    const first = (await request(exporterApp(exporter, { store, clock: CLOCK, build: BUILD })).get('/metrics')).text;
    store.close();
    const second = (await request(exporterApp(exporter, { store, clock: CLOCK, build: BUILD })).get('/metrics')).text;
    assert.equal(second, first);
  });
});
