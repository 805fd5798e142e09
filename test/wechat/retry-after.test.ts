import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { ManualClock } from '../../src/clock.js';
import { HttpStatusError } from '../../src/errors.js';
import { afterPoll } from '../../src/poll/after-poll.js';
import { ApiMetrics } from '../../src/wechat/api-metrics.js';
import { WechatHttpClient } from '../../src/wechat/http-client.js';
import { MAX_ACCOUNT_RETRY_AFTER_MS, parseRetryAfter } from '../../src/wechat/retry-after.js';
import { createDispatcher } from '../../src/wechat/transport.js';

/** A fake WeChat whose first `refusals` answers are `status` with this Retry-After; then 200. */
async function refusingServer(
  status: number,
  retryAfter: string,
  refusals: number,
): Promise<{ server: Server; url: string; at: number[] }> {
  const at: number[] = [];
  const server = createServer((req, res) => {
    req.resume();
    at.push(Date.now());
    if (at.length <= refusals) res.writeHead(status, { 'retry-after': retryAfter, 'content-type': 'text/plain' }).end('slow down');
    else res.writeHead(200, { 'content-type': 'application/json' }).end('{"list":[]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, at };
}

describe('Retry-After', () => {
  const clock = new ManualClock('2026-03-10T09:00:00+08:00');
  let server: Server | undefined;
  let http: WechatHttpClient | undefined;
  afterEach(async () => {
    await http?.close();
    if (server) await new Promise((resolve) => server?.close(resolve));
    server = undefined;
    http = undefined;
  });

  const client = (url: string): WechatHttpClient =>
    (http = new WechatHttpClient({
      baseUrls: [url],
      dispatcher: createDispatcher({ timeoutMs: 2_000, env: {} }),
      metrics: new ApiMetrics(new Registry()),
      clock,
      timeoutMs: 2_000,
      // Backoff alone would retry within 10 ms.
      retry: { maxAttempts: 4, maxElapsedMs: 10_000, baseDelayMs: 5, maxDelayMs: 3_000 },
      random: () => 1,
    }));
  const call = (c: WechatHttpClient): Promise<unknown> =>
    c.call({ api: 'getinterfacesummary', appid: 'wx0123456789abcdef', method: 'POST', path: '/datacube/getinterfacesummary', body: {} });

  it('parses delta-seconds and HTTP dates, ignores garbage', () => {
    const now = Date.parse('2026-03-10T01:00:00Z');
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
    assert.equal(parseRetryAfter('Tue, 10 Mar 2026 01:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Tue, 10 Mar 2026 00:00:00 GMT', now), 0, 'a date in the past means now');
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter('-5', now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });

  it('429 with Retry-After: 1 is retried no sooner than a second later, then succeeds', async () => {
    const s = await refusingServer(429, '1', 1);
    server = s.server;
    assert.deepEqual(await call(client(s.url)), { list: [] });
    assert.equal(s.at.length, 2);
    assert.ok((s.at[1] as number) - (s.at[0] as number) >= 950, `waited ${(s.at[1] as number) - (s.at[0] as number)} ms`);
  });

  it('503 asking for an hour: the call gives up at once and the account waits the hour, not retryInterval', async () => {
    const s = await refusingServer(503, '3600', Infinity);
    server = s.server;
    const err = await call(client(s.url)).then(
      () => assert.fail('expected an error'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof HttpStatusError);
    assert.equal(err.retryAfterMs, 3_600_000);
    assert.match(err.message, /HTTP 503 from WeChat \(Retry-After 3600 s\)/);
    assert.ok(s.at.length <= 2, `no hammering: ${s.at.length} requests (undici's own single retry at most)`);
    const now = clock.now();
    const after = afterPoll({
      result: { calls: 1, saved: [], pending: ['2026-03-09'], error: err },
      startedAt: now,
      now,
      nextCronAt: now + 86_400_000,
      retryIntervalMs: 1_800_000,
      quotaUntil: undefined,
      redact: (t) => t,
    });
    assert.equal(after.kind, 'failed');
    assert.equal(after.kind === 'failed' && after.state.nextPollAt, now + 3_600_000);
    const capped = afterPoll({
      result: {
        calls: 1,
        saved: [],
        pending: [],
        error: new HttpStatusError('getinterfacesummary', 429, { retryAfterMs: 7 * 86_400_000 }),
      },
      startedAt: now,
      now,
      nextCronAt: undefined,
      retryIntervalMs: 1_800_000,
      quotaUntil: undefined,
      redact: (t) => t,
    });
    assert.equal(capped.kind === 'failed' && capped.state.nextPollAt, now + MAX_ACCOUNT_RETRY_AFTER_MS, 'a week is capped');
  });
});
