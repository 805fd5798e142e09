import assert from 'node:assert/strict';
import { once } from 'node:events';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import http, { type Server } from 'node:http';
import request from 'supertest';
import { ManualClock } from '../../src/clock.js';
import { WechatSimulator } from '../../src/simulator/index.js';
import { NEWS, SHOP, startExporter, tempDir, type Harness } from '../helpers/exporter-harness.js';
import { PROMETHEUS_ACCEPT, rawGet } from '../helpers/raw-http.js';

describe('/metrics compression', () => {
  let sim: WechatSimulator;
  let tmp: ReturnType<typeof tempDir>;
  let h: Harness;
  let server: Server;
  const clock = new ManualClock('2026-03-10T09:00:00+08:00');

  before(async () => {
    sim = new WechatSimulator({ accounts: [SHOP, NEWS], clock });
    await sim.listen(0, '127.0.0.1');
    tmp = tempDir();
    h = startExporter({ sim, clock, storePath: join(tmp.dir, 'store.db'), accounts: [SHOP, NEWS] });
    await h.exporter.pollAll();
    server = http.createServer(h.app).listen(0, '127.0.0.1');
    await once(server, 'listening');
  });
  after(async () => {
    server.close();
    await h.close();
    await sim.close();
    tmp.remove();
  });

  it('is gzip when the scraper accepts gzip, with Vary and the compressed length', async () => {
    const plain = await rawGet(server, '/metrics', {});
    const gz = await rawGet(server, '/metrics', { 'Accept-Encoding': 'gzip, deflate' });
    assert.equal(gz.status, 200);
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gz.headers['vary'], 'Accept-Encoding');
    assert.equal(Number(gz.headers['content-length']), gz.body.length);
    assert.ok(gz.body.length < plain.body.length / 3, `${gz.body.length} vs ${plain.body.length}`);
    assert.equal(gunzipSync(gz.body).toString(), plain.body.toString());
    assert.match(plain.body.toString(), /^wechat_exporter_account_up\{appid="wx00000000000000a1",account="shop"\} 1$/m);
  });

  it('is identity without Accept-Encoding, or when gzip is refused (q=0), still with Vary', async () => {
    for (const headers of [{}, { 'Accept-Encoding': 'gzip;q=0, identity' }, { 'Accept-Encoding': 'br' }] as Record<string, string>[]) {
      const res = await rawGet(server, '/metrics', headers);
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-encoding'], undefined, JSON.stringify(headers));
      assert.equal(res.headers['vary'], 'Accept-Encoding');
      assert.equal(Number(res.headers['content-length']), res.body.length);
      assert.match(res.body.toString(), /^# HELP /);
    }
  });

  it('gzips OpenMetrics for Prometheus (its Accept header and gzip)', async () => {
    const res = await rawGet(server, '/metrics', { Accept: PROMETHEUS_ACCEPT, 'Accept-Encoding': 'gzip' });
    assert.match(res.headers['content-type'] ?? '', /^application\/openmetrics-text; version=1\.0\.0/);
    assert.equal(res.headers['content-encoding'], 'gzip');
    const text = gunzipSync(res.body).toString();
    assert.match(text, /^wechat_interface_day_callbacks\{appid="wx00000000000000b2",account="news"\} \d+$/m);
    assert.match(text, /\n# EOF\n$/);
  });

  it('supertest (which asks for gzip) reads the same text as an identity client', async () => {
    const viaSupertest = await request(h.app).get('/metrics').expect(200).expect('Content-Encoding', 'gzip');
    assert.equal(viaSupertest.text, (await rawGet(server, '/metrics', {})).body.toString());
  });
});
