import assert from 'node:assert/strict';
import { join } from 'node:path';
import request from 'supertest';
import { ManualClock } from '../../src/clock.js';
import { WechatSimulator } from '../../src/simulator/index.js';
import { NEWS, SHOP, startExporter, tempDir, type Harness } from '../helpers/exporter-harness.js';

describe('HTTP endpoints', () => {
  let sim: WechatSimulator;
  let tmp: ReturnType<typeof tempDir>;
  let h: Harness;
  const clock = new ManualClock('2026-03-10T09:00:00+08:00');

  before(async () => {
    sim = new WechatSimulator({ accounts: [SHOP, NEWS], clock });
    await sim.listen(0, '127.0.0.1');
    sim.configure(NEWS.appid, { apiAuthorized: false });
    tmp = tempDir();
    h = startExporter({ sim, clock, storePath: join(tmp.dir, 'store.db'), accounts: [SHOP, NEWS] });
  });
  after(async () => {
    await h.close();
    await sim.close();
    tmp.remove();
  });

  it('the landing page shows each account, polling until the first poll ends', async () => {
    const before = (await request(h.app).get('/').expect(200).expect('Content-Type', /html/)).text;
    assert.match(before, /polling…/);
    await h.exporter.pollAll();
    const page = (await request(h.app).get('/').expect(200)).text;
    assert.match(page, /Version 0\.0\.0-test/);
    assert.match(
      page,
      /<td>shop<\/td><td><code>wx00000000000000a1<\/code><\/td><td>stable<\/td><td><span class="up">up<\/span><\/td>\s*<td>2026-03-09<\/td>.*<\/svg><\/td>\s*<td>0<\/td><td>2026-03-10 09:00:00\+08:00<\/td><td>2026-03-11 08:15:00\+08:00<\/td>/,
    );
    assert.match(
      page,
      /<td>news<\/td>.*<span class="down">down<\/span>[\s\S]*api_unauthorized \(48001\): getinterfacesummary: WeChat error 48001/,
    );
    assert.match(page, /permission set 3/);
    for (const link of ['/metrics', '/-/healthy', '/-/ready']) assert.ok(page.includes(`href="${link}"`), link);
    assert.match(page, /Next scheduled run: 2026-03-11 08:15:00\+08:00/);
  });

  it('escapes what it shows', async () => {
    const news = h.exporter.accounts[1];
    const saved = news?.lastError;
    Object.assign(news as object, { lastError: { reason: 'wechat_error', message: '<script>alert(1)</script>', at: 0 } });
    const page = (await request(h.app).get('/')).text;
    Object.assign(news as object, { lastError: saved });
    assert.ok(!page.includes('<script>'));
    assert.match(page, /&#60;script&#62;/);
  });

  it('/-/healthy is 200; unknown paths are 404', async () => {
    await request(h.app).get('/-/healthy').expect(200, 'Healthy\n');
    await request(h.app).get('/nope').expect(404);
    await request(h.app).post('/metrics').expect(404);
  });

  it('/-/ready is 200 while running and 503 once stopping', async () => {
    await request(h.app).get('/-/ready').expect(200);
    await h.exporter.stop();
    await request(h.app).get('/-/ready').expect(503);
  });
});
