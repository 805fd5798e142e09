import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { ManualClock } from '../../src/clock.js';
import { NetworkError } from '../../src/errors.js';
import { ApiMetrics } from '../../src/wechat/api-metrics.js';
import { WechatHttpClient } from '../../src/wechat/http-client.js';
import { createDispatcher } from '../../src/wechat/transport.js';
import { FAST_RETRY, sample } from '../helpers/wechat-stack.js';

type CutMode = 'destroy' | 'reset';

/**
 * A fake WeChat on 127.0.0.1 whose first `cuts` answers send their headers and part of the body,
 * then lose the connection (a proxy or load balancer timing out mid-answer); later ones are whole.
 */
async function cuttingServer(cuts: number, mode: CutMode): Promise<{ server: Server; url: string; requests: () => number }> {
  let requests = 0;
  const body = JSON.stringify({
    list: [{ ref_date: '2026-03-09', callback_count: 1, fail_count: 0, total_time_cost: 5, max_time_cost: 5 }],
  });
  const server = createServer((req, res) => {
    requests++;
    req.resume();
    if (requests > cuts) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
    res.write(body.slice(0, 20));
    // Let the headers and the first bytes reach the client before the connection goes.
    setTimeout(() => (mode === 'reset' ? res.socket?.resetAndDestroy() : res.socket?.destroy()), 20);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
}

describe('an answer cut off after its headers', () => {
  const clock = new ManualClock('2026-03-10T09:00:00+08:00');
  let server: Server | undefined;
  let http: WechatHttpClient | undefined;
  let registry: Registry;
  afterEach(async () => {
    await http?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  function client(url: string, maxAttempts = FAST_RETRY.maxAttempts): WechatHttpClient {
    registry = new Registry();
    http = new WechatHttpClient({
      baseUrls: [url],
      dispatcher: createDispatcher({ timeoutMs: 2_000, env: {} }),
      metrics: new ApiMetrics(registry),
      clock,
      timeoutMs: 2_000,
      retry: { ...FAST_RETRY, maxAttempts },
    });
    return http;
  }
  const call = (c: WechatHttpClient): Promise<unknown> =>
    c.call({ api: 'getinterfacesummary', appid: 'wx0123456789abcdef', method: 'POST', path: '/datacube/getinterfacesummary', body: {} });

  for (const mode of ['destroy', 'reset'] as const) {
    it(`is a network error, retried until a whole answer comes (${mode})`, async () => {
      const s = await cuttingServer(3, mode);
      server = s.server;
      const json = (await call(client(s.url))) as { list: unknown[] };
      assert.equal(json.list.length, 1);
      assert.ok(s.requests() >= 4, `the whole answer came on a later try (${s.requests()} requests)`);
      assert.equal((await sample(registry, 'wechat_exporter_api_requests_total', { outcome: 'network_error' })) > 0, true);
      assert.equal(await sample(registry, 'wechat_exporter_api_requests_total', { outcome: 'http_error' }), 0);
    });

    it(`when it never comes whole, fails as a retryable network error, never "HTTP 200" (${mode})`, async () => {
      const s = await cuttingServer(Infinity, mode);
      server = s.server;
      await assert.rejects(call(client(s.url, 2)), (err: unknown) => {
        assert.ok(err instanceof NetworkError, `got ${String(err)}`);
        assert.equal(err.errorClass, 'retry');
        assert.match(err.message, /cut off|closed|reset|terminated/i);
        assert.doesNotMatch(err.message, /HTTP 200/);
        return true;
      });
    });
  }
});
