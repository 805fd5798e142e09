import assert from 'node:assert/strict';
import { once } from 'node:events';
import http, { type RequestListener, type Server } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { memoryLogger } from '../../src/log.js';
import { withMetricsFastPath } from '../../src/http/metrics-endpoint.js';
import { listen, WebConfigSource } from '../../src/http/web-config/index.js';
import { Redactor } from '../../src/redact.js';
import { servedExporter } from '../helpers/served-exporter.js';
import { PROMETHEUS_ACCEPT, rawRequest, type RawResponse } from '../helpers/raw-http.js';
import { ALICE, basic, FIXTURES } from './web-config/helpers.js';

/** The headers a client can see, without the ones that vary per response. */
function stableHeaders(r: RawResponse): string[][] {
  const pairs: string[][] = [];
  for (let i = 0; i < r.rawHeaders.length; i += 2) pairs.push([r.rawHeaders[i] as string, r.rawHeaders[i + 1] as string]);
  return pairs.filter(([name]) => !['date', 'keep-alive', 'connection'].includes((name as string).toLowerCase()));
}

async function serveOn(app: RequestListener): Promise<Server> {
  const server = http.createServer(app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

const CASES: Record<string, string>[] = [
  {},
  { Accept: PROMETHEUS_ACCEPT, 'Accept-Encoding': 'gzip' },
  { Accept: PROMETHEUS_ACCEPT },
  { Accept: 'text/plain', 'Accept-Encoding': 'gzip, deflate, br' },
  { 'Accept-Encoding': 'gzip;q=0' },
  { Accept: 'application/openmetrics-text; version=1.0.0', 'Accept-Encoding': 'br' },
];

describe('/metrics fast path (ahead of express)', () => {
  const served = servedExporter();

  it('answers exactly as the express route does: status, headers in order, bytes; for every negotiation', async () => {
    // `/metrics/` is not taken verbatim by the fast path: express' own route (non-strict) serves it.
    for (const headers of [...CASES, ...CASES]) {
      const fast = await rawRequest(served().server, '/metrics', headers);
      const routed = await rawRequest(served().server, '/metrics/', headers);
      const what = JSON.stringify(headers);
      assert.equal(fast.status, 200, what);
      assert.equal(routed.status, 200, what);
      assert.deepEqual(stableHeaders(fast), stableHeaders(routed), what);
      assert.deepEqual(fast.body, routed.body, what);
      assert.equal(Number(fast.headers['content-length']), fast.body.length, what);
    }
  });

  it('negotiates per request, not once for the first client', async () => {
    const om = await rawRequest(served().server, '/metrics', { Accept: PROMETHEUS_ACCEPT, 'Accept-Encoding': 'gzip' });
    const text = await rawRequest(served().server, '/metrics', {});
    const om2 = await rawRequest(served().server, '/metrics?debug=1', { Accept: PROMETHEUS_ACCEPT });
    assert.match(String(om.headers['content-type']), /^application\/openmetrics-text; version=1\.0\.0/);
    assert.equal(om.headers['content-encoding'], 'gzip');
    assert.match(String(text.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.equal(text.headers['content-encoding'], undefined);
    assert.equal(om2.headers['content-encoding'], undefined);
    assert.ok(om2.body.toString().endsWith('# EOF\n'));
    assert.deepEqual(gunzipSync(om.body), om2.body);
    assert.ok(text.body.toString().includes('wechat_interface_day_callbacks{'));
  });

  it('HEAD gets the headers without a body; other methods and paths go to express', async () => {
    const head = await rawRequest(served().server, '/metrics', { 'Accept-Encoding': 'gzip' }, 'HEAD');
    const get = await rawRequest(served().server, '/metrics', { 'Accept-Encoding': 'gzip' });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.equal(head.headers['content-length'], get.headers['content-length']);
    assert.equal((await rawRequest(served().server, '/metrics', {}, 'POST')).status, 404);
    assert.equal((await rawRequest(served().server, '/metricsx', {})).status, 404);
    assert.equal((await rawRequest(served().server, '/-/healthy', {})).body.toString(), 'Healthy\n');
  });

  it('concurrent scrapes get the same bytes', async () => {
    const headers = { Accept: PROMETHEUS_ACCEPT, 'Accept-Encoding': 'gzip' };
    const answers = await Promise.all(Array.from({ length: 8 }, () => rawRequest(served().server, '/metrics', headers)));
    for (const a of answers) assert.deepEqual(a.body, answers[0]?.body);
  });

  it('takes only GET/HEAD of the telemetry path, with or without a query, off the app', async () => {
    const seen: string[] = [];
    const chunks = [Buffer.from('a 1\n'), Buffer.from('b 2\n')];
    const fast = withMetricsFastPath(
      (req, res) => {
        seen.push(`${req.method} ${req.url}`);
        res.end('app');
      },
      '/probe',
      ({ openMetrics }) => Promise.resolve({ contentType: openMetrics ? 'om' : 'text/plain', chunks, length: 8 }),
    );
    const s = await serveOn(fast);
    try {
      for (const path of ['/probe', '/probe?x=1']) assert.equal((await rawRequest(s, path, {})).body.toString(), 'a 1\nb 2\n');
      for (const [method, path] of [
        ['GET', '/metrics'],
        ['POST', '/probe'],
        ['GET', '/probe/'],
      ] as const)
        assert.equal((await rawRequest(s, path, {}, method)).body.toString(), 'app');
      assert.deepEqual(seen, ['GET /metrics', 'POST /probe', 'GET /probe/']);
    } finally {
      s.close();
    }
  });

  it('a failing body answers 500 without detail, as the express error handler does', async () => {
    const failing = withMetricsFastPath(
      (_req, res) => res.end('app'),
      '/metrics',
      () => Promise.reject(new Error('secret detail')),
    );
    const s = await serveOn(failing);
    try {
      const res = await rawRequest(s, '/metrics', {});
      assert.equal(res.status, 500);
      assert.equal(res.body.toString(), 'Internal error\n');
      assert.equal((await rawRequest(s, '/other', {})).body.toString(), 'app');
    } finally {
      s.close();
    }
  });

  describe('behind --web.config.file', () => {
    const guarded = async (file: string): Promise<Server> => {
      const server = listen(
        served().h.app,
        { host: '127.0.0.1', port: 0 },
        WebConfigSource.load(join(FIXTURES, file)),
        memoryLogger(new Redactor()).logger,
      );
      await once(server, 'listening');
      return server;
    };

    it('needs basic auth like every other path', async () => {
      const s = await guarded('web_config_users_noTLS.good.yml');
      try {
        const refused = await rawRequest(s, '/metrics', { 'Accept-Encoding': 'gzip' });
        assert.equal(refused.status, 401);
        assert.equal(refused.headers['www-authenticate'], 'Basic');
        assert.ok(!refused.body.toString().includes('wechat_'));
        const served = await rawRequest(s, '/metrics', { 'Accept-Encoding': 'gzip', Authorization: basic(ALICE.user, ALICE.password) });
        assert.equal(served.status, 200);
        assert.equal(served.headers['content-encoding'], 'gzip');
        assert.ok(gunzipSync(served.body).toString().includes('wechat_interface_day_callbacks{'));
      } finally {
        s.closeAllConnections();
        s.close();
      }
    });

    it("carries the file's headers, and the scrape's own", async () => {
      const s = await guarded('web_config_headers.good.yml');
      try {
        const res = await rawRequest(s, '/metrics', { Accept: PROMETHEUS_ACCEPT, 'Accept-Encoding': 'gzip' });
        assert.equal(res.status, 200);
        // The file's headers, then the app's security headers, as on every other path.
        assert.equal(res.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
        const healthy = await rawRequest(s, '/-/healthy', {});
        for (const name of ['x-frame-options', 'x-content-type-options', 'content-security-policy', 'referrer-policy'])
          assert.equal(res.headers[name], healthy.headers[name], name);
        assert.equal(res.headers['vary'], 'Accept-Encoding');
        assert.equal(res.headers['content-encoding'], 'gzip');
        assert.equal(Number(res.headers['content-length']), res.body.length);
      } finally {
        s.closeAllConnections();
        s.close();
      }
    });
  });
});
