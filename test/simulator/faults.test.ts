import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ManualClock } from '../../src/clock.js';
import { simulatedDay, type WechatSimulator } from '../../src/simulator/index.js';
import { classicToken, classicTokenUrl, fetchData, get, startSimulator, stableToken } from './helpers.js';

const APPID = 'wx0123456789abcdef';
const SECRET = 'secret-main';
const DAY = '2026-03-09';

describe('simulator faults', () => {
  let sim: WechatSimulator;
  let token: string;

  beforeEach(async () => {
    sim = await startSimulator({
      accounts: [
        { appid: APPID, secret: SECRET },
        { appid: 'wxother', secret: 'other' },
      ],
      clock: new ManualClock('2026-03-10T08:01:00+08:00'),
    });
    token = await classicToken(sim, APPID, SECRET);
    sim.resetCalls();
  });
  afterEach(() => sim.close());

  const daily = (t = token) => fetchData(sim, 'getinterfacesummary', t, DAY, DAY);
  const normalBody = () => JSON.stringify({ list: [simulatedDay(APPID, DAY)] });

  async function waitForCalls(n: number): Promise<void> {
    for (let i = 0; i < 200 && sim.calls.length < n; i++) await sleep(5);
    assert.equal(sim.calls.length, n, 'the request reached the simulator');
  }

  it('errcode: HTTP 200 with the errcode, once, then normal answers', async () => {
    sim.inject({ kind: 'errcode', errcode: -1 });
    const faulted = await daily();
    assert.equal(faulted.status, 200);
    assert.equal(faulted.json.errcode, -1);
    assert.match(faulted.json.errmsg, /system error/);
    assert.equal((await daily()).text, normalBody());
    assert.deepEqual(
      sim.calls.map((c) => [c.api, c.appid, c.status, c.errcode]),
      [
        ['getinterfacesummary', APPID, 200, -1],
        ['getinterfacesummary', APPID, 200, undefined],
      ],
    );
    sim.inject({ kind: 'errcode', errcode: 45011, errmsg: 'slow down' });
    assert.match((await daily()).json.errmsg, /^slow down/);
  });

  it('http: the status with an HTML page, or the given body', async () => {
    sim.inject({ kind: 'http', status: 502 });
    const res = await daily();
    assert.equal(res.status, 502);
    assert.match(res.contentType ?? '', /^text\/html/);
    assert.match(res.text, /502 Bad Gateway/);
    assert.equal(res.json, undefined);
    sim.inject({ kind: 'http', status: 503, body: 'busy' });
    const custom = await daily();
    assert.deepEqual([custom.status, custom.text], [503, 'busy']);
    sim.inject({ kind: 'http', status: 500, body: '{"errcode":-1}' });
    const json = await daily();
    assert.deepEqual([json.status, json.json], [500, { errcode: -1 }]);
    assert.match(json.contentType ?? '', /^application\/json/);
    assert.deepEqual(
      sim.calls.map((c) => c.status),
      [502, 503, 500],
    );
  });

  it('html: HTTP 200 with an HTML page', async () => {
    sim.inject({ kind: 'html' });
    const res = await daily();
    assert.equal(res.status, 200);
    assert.match(res.contentType ?? '', /^text\/html/);
    assert.match(res.text, /<html>/);
  });

  it('truncated: HTTP 200 with the normal JSON cut in the middle', async () => {
    sim.inject({ kind: 'truncated' });
    const res = await daily();
    assert.equal(res.status, 200);
    assert.equal(res.json, undefined, 'does not parse');
    assert.ok(res.text.length > 10 && normalBody().startsWith(res.text), res.text);
  });

  it('body: exactly the given body and content type', async () => {
    sim.inject({ kind: 'body', body: '{"list":[{"ref_date":1}]}' });
    sim.inject({ kind: 'body', body: 'plain', contentType: 'text/plain' });
    const first = await daily();
    assert.equal(first.text, '{"list":[{"ref_date":1}]}');
    assert.match(first.contentType ?? '', /^application\/json/);
    const second = await daily();
    assert.deepEqual([second.text, second.contentType], ['plain', 'text/plain']);
  });

  it('empty: {"list":[]}', async () => {
    sim.inject({ kind: 'empty' });
    assert.equal((await daily()).text, '{"list":[]}');
  });

  it('slow: the normal answer after the delay', async () => {
    sim.inject({ kind: 'slow', delayMs: 100 });
    const started = performance.now();
    const res = await daily();
    assert.ok(performance.now() - started >= 90, 'waited');
    assert.equal(res.text, normalBody());
    assert.equal(sim.calls[0]?.status, 200);
  });

  it('reset: the connection is dropped without an answer', async () => {
    sim.inject({ kind: 'reset' });
    await assert.rejects(daily(), TypeError);
    assert.equal(sim.calls[0]?.status, 0);
    assert.equal((await daily()).status, 200, 'the next call is answered');
  });

  it('timeout: never answers until the client gives up', async () => {
    sim.inject({ kind: 'timeout' });
    const started = performance.now();
    await assert.rejects(fetchDataWithSignal(AbortSignal.timeout(100)), (err: Error) => err.name === 'TimeoutError');
    assert.ok(performance.now() - started >= 90);
    assert.equal(sim.calls[0]?.status, 0);
    assert.equal((await daily()).status, 200, 'the next call is answered');
  });

  it('timeout: close() ends the hanging request promptly', async () => {
    sim.inject({ kind: 'timeout' });
    const hanging = daily().then(
      () => 'answered',
      () => 'failed',
    );
    await waitForCalls(1);
    const started = performance.now();
    await sim.close();
    assert.ok(performance.now() - started < 1000, 'close() did not wait for the request');
    assert.equal(await hanging, 'failed');
    assert.equal(sim.calls[0]?.status, 0);
  });

  it('close() also ends a slow answer and idle keep-alive connections', async () => {
    await daily(); // leaves a keep-alive connection open
    sim.inject({ kind: 'slow', delayMs: 60_000 });
    const pending = daily().then(
      () => 'answered',
      () => 'failed',
    );
    await waitForCalls(2);
    const started = performance.now();
    await sim.close();
    assert.ok(performance.now() - started < 1000);
    assert.equal(await pending, 'failed');
    await sim.close(); // idempotent
  });

  it('matches faults by api and appid, in FIFO order, `times` times', async () => {
    sim.inject({ kind: 'errcode', errcode: 1 }, { api: 'getinterfacesummaryhour' });
    sim.inject({ kind: 'errcode', errcode: 2 }, { appid: 'wxother' });
    sim.inject({ kind: 'errcode', errcode: 3 }, { times: 2 });
    sim.inject({ kind: 'errcode', errcode: 4 });
    const codes: unknown[] = [];
    for (let i = 0; i < 4; i++) codes.push((await daily()).json.errcode);
    assert.deepEqual(codes, [3, 3, 4, undefined]);
    assert.equal((await fetchData(sim, 'getinterfacesummaryhour', token, DAY, DAY)).json.errcode, 1);
    const other = await classicToken(sim, 'wxother', 'other').catch(() => 'faulted');
    assert.equal(other, 'faulted', 'the token call of wxother got the fault');
    assert.equal(sim.calls.at(-1)?.errcode, 2);
  });

  it('applies faults to token calls, and Infinity until clearFaults()', async () => {
    sim.inject({ kind: 'http', status: 500 }, { api: 'stable_token', times: Infinity });
    for (let i = 0; i < 3; i++) assert.equal((await stableToken(sim, APPID, SECRET)).status, 500);
    assert.equal((await get(classicTokenUrl(sim, APPID, SECRET))).status, 200, 'classic tokens are not affected');
    sim.clearFaults();
    assert.equal((await stableToken(sim, APPID, SECRET)).status, 200);
    assert.equal(sim.callCount({ api: 'stable_token' }), 4);
    assert.equal(sim.callCount({ api: 'stable_token', appid: APPID }), 4);
    sim.resetCalls();
    assert.equal(sim.callCount(), 0);
  });

  it('refuses malformed faults', () => {
    assert.throws(() => sim.inject({ kind: 'http', status: 99 }), /status/);
    assert.throws(() => sim.inject({ kind: 'slow', delayMs: -1 }), /delayMs/);
    assert.throws(() => sim.inject({ kind: 'empty' }, { times: 0 }), /times/);
    assert.throws(() => sim.inject({ kind: 'empty' }, { times: 1.5 }), /times/);
    assert.throws(() => sim.inject({ kind: 'nope' } as never), /unknown fault kind/);
  });

  function fetchDataWithSignal(signal: AbortSignal): Promise<Response> {
    return fetch(`${sim.url}/datacube/getinterfacesummary?access_token=${token}`, {
      method: 'POST',
      body: JSON.stringify({ begin_date: DAY, end_date: DAY }),
      signal,
    });
  }
});

describe('simulator lifecycle', () => {
  it('resolves its base URL and refuses a second listen()', async () => {
    const sim = await startSimulator({ accounts: [] });
    try {
      assert.match(sim.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      await assert.rejects(sim.listen(), /already listening/);
    } finally {
      await sim.close();
    }
    assert.throws(() => sim.url, /not listening/);
  });

  it('records calls that come through a forward proxy', async () => {
    const sim = await startSimulator({ accounts: [{ appid: APPID, secret: SECRET }] });
    try {
      const { request } = await import('node:http');
      const target = `http://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=${APPID}&secret=${SECRET}`;
      const { port } = new URL(sim.url);
      const status = await new Promise<number>((resolve, reject) => {
        // What an HTTP proxy sends upstream for a plain-http URL: the absolute form.
        const req = request({ host: '127.0.0.1', port, path: target, method: 'GET' }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      assert.equal(status, 200);
      assert.equal(sim.calls[0]?.viaProxy, true);
      assert.equal(sim.calls[0]?.appid, APPID);
    } finally {
      await sim.close();
    }
  });
});
