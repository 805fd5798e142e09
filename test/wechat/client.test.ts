import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { ManualClock } from '../../src/clock.js';
import {
  CallAbortedError,
  DateRangeError,
  HttpStatusError,
  InvalidResponseError,
  NetworkError,
  QuotaExhaustedError,
  WechatApiError,
} from '../../src/errors.js';
import { simulatedHours, type WechatSimulator } from '../../src/simulator/index.js';
import { APPID, buildStack, sample, startSimulator, type Stack } from '../helpers/wechat-stack.js';

const YESTERDAY = '2026-03-09';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  const url = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return url;
}

describe('WeChat API client against the simulator', () => {
  let clock: ManualClock;
  let sim: WechatSimulator;
  let stack: Stack;

  beforeEach(async () => {
    clock = new ManualClock('2026-03-10T09:00:00+08:00');
    sim = await startSimulator(clock);
    stack = buildStack(sim, { clock });
  });
  afterEach(async () => {
    await stack.close();
    await sim.close();
  });

  const dataCalls = (): number => sim.callCount({ api: 'getinterfacesummary' }) + sim.callCount({ api: 'getinterfacesummaryhour' });

  it('fetches daily and hourly data, counting every call', async () => {
    const daily = await stack.api.dailySummary({ from: '2026-03-03', to: YESTERDAY });
    assert.equal(daily.rows.length, 7);
    const hourly = await stack.api.hourlySummary(YESTERDAY);
    assert.deepEqual(
      hourly.rows.map((r) => [r.refHour, r.callbackCount]),
      simulatedHours(APPID, YESTERDAY).map((r) => [r.ref_hour, r.callback_count]),
    );
    assert.equal(
      await sample(stack.registry, 'wechat_exporter_api_requests_total', { api: 'getinterfacesummary', outcome: 'ok', appid: APPID }),
      1,
    );
    assert.equal(await sample(stack.registry, 'wechat_exporter_api_requests_total', { api: 'stable_token', outcome: 'ok' }), 1);
    assert.equal(await sample(stack.registry, 'wechat_exporter_token_refreshes_total', { appid: APPID, outcome: 'ok' }), 1);
    const text = await stack.registry.metrics();
    assert.match(text, /^wechat_exporter_api_request_duration_seconds_count\{api="getinterfacesummaryhour"\} 1$/m);
  });

  describe('class retry', () => {
    for (const errcode of [-1, 45011]) {
      it(`retries errcode ${errcode} with backoff and succeeds`, async () => {
        sim.inject({ kind: 'errcode', errcode }, { api: 'getinterfacesummary', times: 2 });
        const { rows } = await stack.api.dailySummary({ from: YESTERDAY, to: YESTERDAY });
        assert.equal(rows.length, 1);
        assert.equal(sim.callCount({ api: 'getinterfacesummary' }), 3);
        assert.equal(await sample(stack.registry, 'wechat_exporter_api_errors_total', { errcode: String(errcode) }), 2);
        assert.equal(await sample(stack.registry, 'wechat_exporter_api_requests_total', { outcome: 'wechat_error' }), 2);
      });
    }

    it('gives up after maxAttempts', async () => {
      sim.inject({ kind: 'errcode', errcode: -1, errmsg: 'system error' }, { api: 'getinterfacesummary', times: Infinity });
      await assert.rejects(
        stack.api.dailySummary({ from: YESTERDAY, to: YESTERDAY }),
        (e: unknown) => e instanceof WechatApiError && e.errcode === -1 && e.errorClass === 'retry',
      );
      assert.equal(sim.callCount({ api: 'getinterfacesummary' }), 4);
    });

    it('gives up when the time budget is spent, whatever the attempts left', async () => {
      await stack.close();
      stack = buildStack(sim, { clock, retry: { maxAttempts: 10, maxElapsedMs: 150, baseDelayMs: 100, maxDelayMs: 100 } });
      sim.inject({ kind: 'errcode', errcode: -1 }, { api: 'getinterfacesummary', times: Infinity });
      const started = Date.now();
      await assert.rejects(stack.api.dailySummary({ from: YESTERDAY, to: YESTERDAY }), WechatApiError);
      assert.ok(sim.callCount({ api: 'getinterfacesummary' }) < 10);
      assert.ok(Date.now() - started < 2_000);
    });

    it('retries a 5xx (undici retries once on the same origin, then the client) and reports http_error', async () => {
      sim.inject({ kind: 'http', status: 502 }, { api: 'getinterfacesummary', times: Infinity });
      await assert.rejects(
        stack.api.dailySummary({ from: YESTERDAY, to: YESTERDAY }),
        (e: unknown) => e instanceof HttpStatusError && e.status === 502,
      );
      assert.equal(await sample(stack.registry, 'wechat_exporter_api_requests_total', { outcome: 'http_error' }), 4);
      assert.equal(sim.callCount({ api: 'getinterfacesummary' }), 8, "two HTTP requests per attempt: the first and undici's retry");
    });

    it('recovers from one 503 transparently', async () => {
      sim.inject({ kind: 'http', status: 503 }, { api: 'getinterfacesummary' });
      assert.equal((await stack.api.dailySummary({ from: YESTERDAY, to: YESTERDAY })).rows.length, 1);
    });

    it('recovers from a connection reset', async () => {
      sim.inject({ kind: 'reset' }, { api: 'getinterfacesummaryhour' });
      assert.ok((await stack.api.hourlySummary(YESTERDAY)).rows.length > 0);
    });

    for (const kind of ['html', 'truncated'] as const) {
      it(`treats ${kind} with HTTP 200 as invalid_response and retries`, async () => {
        sim.inject({ kind }, { api: 'getinterfacesummary', times: 1 });
        assert.equal((await stack.api.dailySummary({ from: YESTERDAY, to: YESTERDAY })).rows.length, 1);
        assert.equal(await sample(stack.registry, 'wechat_exporter_api_requests_total', { outcome: 'invalid_response' }), 1);
      });
    }

    it('reports a persistent HTML page as invalid_response without quoting it', async () => {
      sim.inject(
        { kind: 'body', body: '<html><body>Bad gateway for /datacube?access_token=LEAK</body></html>', contentType: 'text/html' },
        { times: Infinity, api: 'getinterfacesummary' },
      );
      await assert.rejects(
        stack.api.dailySummary({ from: YESTERDAY, to: YESTERDAY }),
        (e: unknown) => e instanceof InvalidResponseError && /HTML/.test(e.message) && !e.message.includes('LEAK'),
      );
    });

    it('times out a call that never answers, then retries', async () => {
      await stack.close();
      stack = buildStack(sim, { clock, timeoutMs: 300 });
      sim.inject({ kind: 'timeout' }, { api: 'getinterfacesummary' });
      assert.equal((await stack.api.dailySummary({ from: YESTERDAY, to: YESTERDAY })).rows.length, 1);
      assert.equal(await sample(stack.registry, 'wechat_exporter_api_requests_total', { outcome: 'network_error' }), 1);
    });

    it('reports a timeout as network_error once attempts are spent', async () => {
      await stack.close();
      stack = buildStack(sim, { clock, timeoutMs: 200, retry: { maxAttempts: 2, maxElapsedMs: 5_000, baseDelayMs: 1, maxDelayMs: 1 } });
      sim.inject({ kind: 'timeout' }, { api: 'getinterfacesummary', times: Infinity });
      await assert.rejects(
        stack.api.dailySummary({ from: YESTERDAY, to: YESTERDAY }),
        (e: unknown) => e instanceof NetworkError && /no answer within 200 ms/.test(e.message),
      );
    });
  });

  it('counts a call abandoned at shutdown as aborted, not as a network error', async () => {
    await stack.close();
    stack = buildStack(sim, { clock, timeoutMs: 10_000 });
    sim.inject({ kind: 'timeout' }, { api: 'getinterfacesummary' });
    const call = stack.api.dailySummary({ from: YESTERDAY, to: YESTERDAY });
    await new Promise((r) => setTimeout(r, 200));
    await stack.close();
    await assert.rejects(call, (e: unknown) => e instanceof CallAbortedError);
    assert.equal(await sample(stack.registry, 'wechat_exporter_api_requests_total', { api: 'getinterfacesummary', outcome: 'aborted' }), 1);
    assert.equal(await sample(stack.registry, 'wechat_exporter_api_requests_total', { outcome: 'network_error' }), 0);
  });

  describe('class token: new token, retry once', () => {
    for (const errcode of [40001, 40014, 42001]) {
      it(`replaces the token after ${errcode} and retries once`, async () => {
        await stack.api.dailySummary({ from: YESTERDAY, to: YESTERDAY });
        sim.inject({ kind: 'errcode', errcode }, { api: 'getinterfacesummaryhour' });
        assert.ok((await stack.api.hourlySummary(YESTERDAY)).rows.length > 0);
        assert.equal(await sample(stack.registry, 'wechat_exporter_token_refreshes_total', { outcome: 'ok' }), 2);
      });
    }

    it('gets a really new token when WeChat expired it', async () => {
      const first = await stack.tokens.get();
      sim.expireTokens(APPID);
      await stack.api.hourlySummary(YESTERDAY);
      assert.notEqual(await stack.tokens.get(), first);
    });

    it('does not loop when the new token is rejected too', async () => {
      sim.inject({ kind: 'errcode', errcode: 40001 }, { api: 'getinterfacesummary', times: Infinity });
      await assert.rejects(
        stack.api.dailySummary({ from: YESTERDAY, to: YESTERDAY }),
        (e: unknown) => e instanceof WechatApiError && e.errcode === 40001 && e.errorClass === 'token',
      );
      assert.equal(sim.callCount({ api: 'getinterfacesummary' }), 2);
    });
  });

  describe('class quota', () => {
    it('stops calling the account until 00:00 Beijing after 45009', async () => {
      sim.configure(APPID, { dailyQuota: 1 });
      await stack.api.dailySummary({ from: YESTERDAY, to: YESTERDAY });
      await assert.rejects(
        stack.api.dailySummary({ from: YESTERDAY, to: YESTERDAY }),
        (e: unknown) => e instanceof WechatApiError && e.errcode === 45009 && e.errorClass === 'quota',
      );
      const before = dataCalls();
      await assert.rejects(
        stack.api.hourlySummary(YESTERDAY),
        (e: unknown) => e instanceof QuotaExhaustedError && e.until === Date.parse('2026-03-11T00:00:00+08:00'),
      );
      assert.equal(dataCalls(), before, 'no request while the quota is spent');
      clock.set('2026-03-11T00:00:01+08:00');
      assert.ok((await stack.api.hourlySummary(YESTERDAY)).rows.length > 0, 'calls go out again from 00:00 Beijing');
      assert.equal(dataCalls(), before + 1);
    });
  });

  describe('class configuration', () => {
    it('40164 names the fix and is not retried', async () => {
      sim.configure(APPID, { ipWhitelisted: false });
      await assert.rejects(
        stack.api.dailySummary({ from: YESTERDAY, to: YESTERDAY }),
        (e: unknown) =>
          e instanceof WechatApiError &&
          e.errcode === 40164 &&
          e.errorClass === 'configuration' &&
          /whitelist this server's egress IP/.test(e.message),
      );
      assert.equal(sim.callCount({ api: 'stable_token' }), 1);
      assert.equal(dataCalls(), 0);
    });

    it('48001 says the API is not authorised', async () => {
      sim.configure(APPID, { apiAuthorized: false });
      await assert.rejects(
        stack.api.dailySummary({ from: YESTERDAY, to: YESTERDAY }),
        (e: unknown) => e instanceof WechatApiError && e.errorClass === 'configuration' && /not authorised/.test(e.message),
      );
      assert.equal(sim.callCount({ api: 'getinterfacesummary' }), 1);
    });

    it('a wrong secret is 40125, configuration', async () => {
      await stack.close();
      stack = buildStack(sim, { clock });
      sim.addAccount({ appid: 'wx00000000000000aa', secret: 'right-secret-0000000000' });
      const { StableTokenSource } = await import('../../src/wechat/tokens/sources.js');
      const source = new StableTokenSource(stack.http, { appid: 'wx00000000000000aa', secret: 'wrong-secret-00000000000' });
      await assert.rejects(
        source.fetch(false),
        (e: unknown) => e instanceof WechatApiError && e.errcode === 40125 && e.errorClass === 'configuration',
      );
    });
  });

  describe('class bug', () => {
    for (const errcode of [41001, 61500, 987654]) {
      it(`does not retry errcode ${errcode}`, async () => {
        sim.inject({ kind: 'errcode', errcode }, { api: 'getinterfacesummary', times: Infinity });
        await assert.rejects(
          stack.api.dailySummary({ from: YESTERDAY, to: YESTERDAY }),
          (e: unknown) => e instanceof WechatApiError && e.errorClass === 'bug',
        );
        assert.equal(sim.callCount({ api: 'getinterfacesummary' }), 1);
      });
    }

    it('refuses an illegal date range without a request', async () => {
      await assert.rejects(stack.api.dailySummary({ from: '2026-03-10', to: '2026-03-10' }), DateRangeError);
      await assert.rejects(stack.api.hourlySummary('2014-11-30'), DateRangeError);
      assert.equal(sim.calls.length, 0);
    });
  });

  it('reads ref_hour in hundreds the same as plain hours', async () => {
    const plain = (await stack.api.hourlySummary(YESTERDAY)).rows;
    sim.configure(APPID, { hourEncoding: 'hundreds' });
    assert.deepEqual((await stack.api.hourlySummary(YESTERDAY)).rows, plain);
  });

  it('drops and counts rows of other dates', async () => {
    sim.configure(APPID, { extraRowsFromOtherDates: true });
    const { rows, dropped } = await stack.api.hourlySummary(YESTERDAY);
    assert.ok(dropped > 0);
    assert.ok(rows.every((r) => r.refDate === YESTERDAY));
    assert.equal(await sample(stack.registry, 'wechat_exporter_api_rows_dropped_total', { api: 'getinterfacesummaryhour' }), dropped);
  });

  it('makes one token fetch for 50 concurrent callers', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => stack.api.dailySummary({ from: YESTERDAY, to: YESTERDAY })));
    assert.equal(results.length, 50);
    assert.equal(sim.callCount({ api: 'stable_token' }), 1);
    assert.equal(sim.callCount({ api: 'getinterfacesummary' }), 50);
  });

  describe('base URLs', () => {
    it('fails over to the second base URL when the first refuses connections', async () => {
      await stack.close();
      stack = buildStack(sim, { clock, baseUrls: [await closedPortUrl(), sim.url] });
      assert.equal((await stack.api.dailySummary({ from: YESTERDAY, to: YESTERDAY })).rows.length, 1);
      assert.ok((await sample(stack.registry, 'wechat_exporter_api_requests_total', { outcome: 'network_error' })) >= 1);
    });

    it('prefers the domain that answered for a while, then tries the first again', async () => {
      let firstHits = 0;
      const first = createServer((_req, res) => {
        firstHits++;
        res.writeHead(500).end('down');
      });
      const firstUrl = await listen(first);
      try {
        await stack.close();
        stack = buildStack(sim, { clock, baseUrls: [firstUrl, sim.url] });
        await stack.api.dailySummary({ from: YESTERDAY, to: YESTERDAY });
        const afterFirstCall = firstHits;
        assert.ok(afterFirstCall >= 1);
        await stack.api.hourlySummary(YESTERDAY);
        assert.equal(firstHits, afterFirstCall, 'the answering domain is tried first');
        clock.advance(11 * 60_000);
        await stack.api.hourlySummary(YESTERDAY);
        assert.ok(firstHits > afterFirstCall, 'after the sticky period the configured order is back');
      } finally {
        first.close();
      }
    });
  });

  describe('proxy', () => {
    let proxy: Server;
    let proxyUrl: string;
    let tunnels: string[];

    beforeEach(async () => {
      tunnels = [];
      proxy = createServer((_req, res) => res.writeHead(405).end());
      proxy.on('connect', (req, clientSocket, head) => {
        tunnels.push(req.url ?? '');
        const [host, port] = (req.url ?? '').split(':');
        const upstream = connect(Number(port), host, () => {
          clientSocket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
          upstream.write(head);
          upstream.pipe(clientSocket);
          clientSocket.pipe(upstream);
        });
        upstream.on('error', () => clientSocket.destroy());
        clientSocket.on('error', () => upstream.destroy());
      });
      proxyUrl = await listen(proxy);
    });
    afterEach(async () => {
      await stack.close();
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    });

    it('carries the calls through wechat.proxy', async () => {
      await stack.close();
      stack = buildStack(sim, { clock, proxy: proxyUrl });
      await stack.api.dailySummary({ from: YESTERDAY, to: YESTERDAY });
      assert.ok(tunnels.length >= 1);
      assert.ok(tunnels.every((t) => t === new URL(sim.url).host));
    });

    it('honours HTTP_PROXY from the environment, and NO_PROXY', async () => {
      await stack.close();
      stack = buildStack(sim, { clock, env: { HTTP_PROXY: proxyUrl } });
      await stack.api.dailySummary({ from: YESTERDAY, to: YESTERDAY });
      assert.ok(tunnels.length >= 1);
      await stack.close();
      tunnels.length = 0;
      stack = buildStack(sim, { clock, env: { HTTP_PROXY: proxyUrl, NO_PROXY: '127.0.0.1' } });
      await stack.api.dailySummary({ from: YESTERDAY, to: YESTERDAY });
      assert.equal(tunnels.length, 0);
    });
  });
});
