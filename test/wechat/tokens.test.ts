import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { ManualClock } from '../../src/clock.js';
import { TokenSourceError, WechatApiError } from '../../src/errors.js';
import { Redactor } from '../../src/redact.js';
import type { WechatSimulator } from '../../src/simulator/index.js';
import { ApiMetrics } from '../../src/wechat/api-metrics.js';
import { TokenCache } from '../../src/wechat/tokens/token-cache.js';
import { ClassicTokenSource } from '../../src/wechat/tokens/sources.js';
import type { AccessToken, TokenSource } from '../../src/wechat/tokens/token-source.js';
import { APPID, SECRET, buildStack, sample, startSimulator, type Stack } from '../helpers/wechat-stack.js';

const YESTERDAY = '2026-03-09';

/** A hand-written token source: numbered tokens, a controllable delay, a call count. */
class CountingSource implements TokenSource {
  readonly kind = 'url' as const;
  fetches = 0;
  rejectedFlags: boolean[] = [];
  constructor(
    private readonly delayMs = 0,
    private readonly expiresInSec = 7200,
  ) {}
  async fetch(afterRejection: boolean): Promise<AccessToken> {
    this.fetches++;
    this.rejectedFlags.push(afterRejection);
    await new Promise((r) => setTimeout(r, this.delayMs));
    return { token: `token-number-${this.fetches}`, expiresInSec: this.expiresInSec };
  }
}

describe('token cache', () => {
  const clock = new ManualClock('2026-03-10T09:00:00+08:00');
  const cache = (source: TokenSource) =>
    new TokenCache({ appid: APPID, source, clock, metrics: new ApiMetrics(new Registry()), redactor: new Redactor() });

  it('lets 50 concurrent callers share one fetch', async () => {
    const source = new CountingSource(30);
    const tokens = cache(source);
    const got = await Promise.all(Array.from({ length: 50 }, () => tokens.get()));
    assert.equal(source.fetches, 1);
    assert.ok(got.every((t) => t === 'token-number-1'));
  });

  it('refreshes shortly before expiry, not before', async () => {
    const source = new CountingSource(0, 7200);
    const tokens = cache(source);
    await tokens.get();
    clock.advance((7200 - 301) * 1000);
    await tokens.get();
    assert.equal(source.fetches, 1);
    clock.advance(2_000);
    assert.equal(await tokens.get(), 'token-number-2');
  });

  it('drops a rejected token only if it is still the cached one', async () => {
    const source = new CountingSource();
    const tokens = cache(source);
    const t1 = await tokens.get();
    tokens.invalidate(t1);
    const t2 = await tokens.get();
    tokens.invalidate(t1); // a late caller rejecting the old token must not drop the new one
    assert.equal(await tokens.get(), t2);
    assert.equal(source.fetches, 2);
    assert.deepEqual(source.rejectedFlags, [false, true]);
  });

  it('a year of daily tokens: the current and the one before are masked, the redactor stays bounded', async () => {
    const source = new CountingSource();
    const redactor = new Redactor();
    const tokens = new TokenCache({ appid: APPID, source, clock, metrics: new ApiMetrics(new Registry()), redactor });
    for (let day = 0; day < 365; day++) {
      await tokens.get();
      clock.advance(86_400_000);
    }
    assert.equal(source.fetches, 365);
    assert.equal(redactor.size, 2, 'not one entry per day for the process life');
    assert.equal(redactor.redact('token-number-365 token-number-364 token-number-363'), '*** *** token-number-363');
  });
});

describe('token sources against the simulator', () => {
  let clock: ManualClock;
  let sim: WechatSimulator;
  let stack: Stack;
  beforeEach(async () => {
    clock = new ManualClock('2026-03-10T09:00:00+08:00');
    sim = await startSimulator(clock);
  });
  afterEach(async () => {
    await stack.close();
    await sim.close();
  });

  it('stable: never force_refresh by default, even after a rejection', async () => {
    stack = buildStack(sim, { clock });
    await stack.api.dailySummary({ from: YESTERDAY, to: YESTERDAY });
    sim.inject({ kind: 'errcode', errcode: 40001 }, { api: 'getinterfacesummary' });
    await stack.api.dailySummary({ from: YESTERDAY, to: YESTERDAY });
    const stable = sim.calls.filter((c) => c.api === 'stable_token');
    assert.equal(stable.length, 2);
    assert.ok(stable.every((c) => c.forceRefresh === false));
  });

  it('stable: force_refresh only after a rejection, when the operator allows it', async () => {
    stack = buildStack(sim, { clock, token: { secret: SECRET, forceRefresh: true } });
    await stack.api.dailySummary({ from: YESTERDAY, to: YESTERDAY });
    sim.inject({ kind: 'errcode', errcode: 40001 }, { api: 'getinterfacesummary' });
    await stack.api.dailySummary({ from: YESTERDAY, to: YESTERDAY });
    assert.deepEqual(
      sim.calls.filter((c) => c.api === 'stable_token').map((c) => c.forceRefresh),
      [false, true],
    );
  });

  it('classic: GET /cgi-bin/token', async () => {
    stack = buildStack(sim, { clock, token: { secret: SECRET, tokenSource: 'classic' } });
    await stack.api.hourlySummary(YESTERDAY);
    assert.equal(sim.callCount({ api: 'token' }), 1);
    assert.equal(sim.callCount({ api: 'stable_token' }), 0);
  });

  it('file: reads the bare token, and re-reads the file when WeChat rejects it', async () => {
    stack = buildStack(sim, { clock });
    const stableToken = await stack.tokens.get();
    const classicToken = (await new ClassicTokenSource(stack.http, { appid: APPID, secret: SECRET }).fetch()).token;
    const dir = mkdtempSync(join(tmpdir(), 'wx-token-'));
    const file = join(dir, 'token');
    writeFileSync(file, `${stableToken}\n`);
    await stack.close();
    stack = buildStack(sim, { clock, token: { tokenSource: 'file', tokenFile: file } });
    await stack.api.hourlySummary(YESTERDAY);
    writeFileSync(file, classicToken);
    await stack.api.hourlySummary(YESTERDAY);
    assert.equal(await stack.tokens.get(), stableToken, 'cached until rejected');
    sim.inject({ kind: 'errcode', errcode: 40001 }, { api: 'getinterfacesummaryhour' });
    await stack.api.hourlySummary(YESTERDAY);
    assert.equal(await stack.tokens.get(), classicToken, 're-read after the rejection');
  });

  it('file: a missing file is a token_source_error, counted as a failed refresh', async () => {
    stack = buildStack(sim, { clock, token: { tokenSource: 'file', tokenFile: '/nonexistent/wechat-token' } });
    await assert.rejects(stack.api.hourlySummary(YESTERDAY), (e: unknown) => e instanceof TokenSourceError && /ENOENT/.test(e.message));
    assert.equal(await sample(stack.registry, 'wechat_exporter_token_refreshes_total', { outcome: 'error' }), 1);
  });

  describe('url', () => {
    let server: Server;
    let hits = 0;
    let answer: () => unknown;
    let url: string;
    beforeEach(async () => {
      hits = 0;
      server = createServer((req, res) => {
        hits++;
        res.setHeader('content-type', 'application/json').end(JSON.stringify(answer()));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/wx/main`;
    });
    afterEach(() => server.close());

    it('GETs {"access_token","expires_in"} and caches it', async () => {
      stack = buildStack(sim, { clock });
      const token = await stack.tokens.get();
      answer = () => ({ access_token: token, expires_in: 3600 });
      await stack.close();
      stack = buildStack(sim, { clock, token: { tokenSource: 'url', tokenUrl: url } });
      await stack.api.hourlySummary(YESTERDAY);
      await stack.api.dailySummary({ from: YESTERDAY, to: YESTERDAY });
      assert.equal(hits, 1);
      assert.equal(await sample(stack.registry, 'wechat_exporter_api_requests_total', { api: 'token_url', outcome: 'ok' }), 1);
    });

    it('rejects an answer without a token as invalid_response', async () => {
      answer = () => ({ token: 'x' });
      stack = buildStack(sim, { clock, token: { tokenSource: 'url', tokenUrl: url } });
      await assert.rejects(stack.tokens.get(), /access_token is missing/);
    });

    it('passes a WeChat-style error from the token service through', async () => {
      answer = () => ({ errcode: 40013, errmsg: 'invalid appid' });
      stack = buildStack(sim, { clock, token: { tokenSource: 'url', tokenUrl: url } });
      await assert.rejects(stack.tokens.get(), (e: unknown) => e instanceof WechatApiError && e.errcode === 40013);
    });
  });
});
