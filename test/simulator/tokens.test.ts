import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.js';
import type { WechatSimulator } from '../../src/simulator/index.js';
import { classicToken, classicTokenUrl, fetchData, get, post, stableToken, startSimulator } from './helpers.js';

const APPID = 'wx0123456789abcdef';
const SECRET = 'secret-main';
const YESTERDAY = '2026-03-09';

describe('simulator token APIs', () => {
  let clock: ManualClock;
  let sim: WechatSimulator;

  beforeEach(async () => {
    clock = new ManualClock('2026-03-10T09:00:00+08:00');
    sim = await startSimulator({
      accounts: [
        { appid: APPID, secret: SECRET },
        { appid: 'wxother', secret: 'other' },
      ],
      clock,
    });
  });
  afterEach(() => sim.close());

  async function dataStatus(token: string): Promise<number> {
    const res = await fetchData(sim, 'getinterfacesummary', token, YESTERDAY, YESTERDAY);
    return res.json?.errcode ?? 0;
  }

  describe('classic /cgi-bin/token', () => {
    it('issues a token that works for the data APIs', async () => {
      const res = await get(classicTokenUrl(sim, APPID, SECRET));
      assert.equal(res.status, 200);
      assert.match(res.contentType ?? '', /^application\/json/);
      assert.equal(res.json.expires_in, 7200);
      assert.match(res.json.access_token, /^[A-Za-z0-9_-]{32,}$/);
      assert.equal(await dataStatus(res.json.access_token), 0);
      assert.deepEqual(
        sim.calls.map((c) => [c.api, c.appid, c.status]),
        [
          ['token', APPID, 200],
          ['getinterfacesummary', APPID, 200],
        ],
      );
    });

    it('keeps the previous token for 5 minutes after a new one, then rejects it with 40001', async () => {
      const first = await classicToken(sim, APPID, SECRET);
      clock.advance(60_000);
      const second = await classicToken(sim, APPID, SECRET);
      assert.notEqual(first, second);
      assert.equal(await dataStatus(first), 0);
      clock.advance(5 * 60_000 - 1); // 4:59.999 after the second token
      assert.equal(await dataStatus(first), 0);
      clock.advance(1);
      assert.equal(await dataStatus(first), 40001);
      assert.equal(await dataStatus(second), 0);
    });

    it('expires a token after its lifetime with 42001', async () => {
      const token = await classicToken(sim, APPID, SECRET);
      clock.advance(7200_000 - 1);
      assert.equal(await dataStatus(token), 0);
      clock.advance(1);
      assert.equal(await dataStatus(token), 42001);
    });

    it('honours tokenTtlSeconds', async () => {
      const short = await startSimulator({ accounts: [{ appid: APPID, secret: SECRET }], clock, tokenTtlSeconds: 60 });
      try {
        const res = await get(classicTokenUrl(short, APPID, SECRET));
        assert.equal(res.json.expires_in, 60);
      } finally {
        await short.close();
      }
    });

    it('answers WeChat errcodes for bad parameters and credentials', async () => {
      const cases: Array<[Record<string, string>, number]> = [
        [{ appid: APPID, secret: SECRET }, 40002],
        [{ grant_type: 'password', appid: APPID, secret: SECRET }, 40002],
        [{ grant_type: 'client_credential', secret: SECRET }, 41002],
        [{ grant_type: 'client_credential', appid: APPID }, 41004],
        [{ grant_type: 'client_credential', appid: 'wxunknown', secret: SECRET }, 40013],
        [{ grant_type: 'client_credential', appid: APPID, secret: 'wrong' }, 40125],
      ];
      for (const [params, errcode] of cases) {
        const res = await get(`${sim.url}/cgi-bin/token?${new URLSearchParams(params)}`);
        assert.equal(res.status, 200);
        assert.equal(res.json.errcode, errcode, JSON.stringify(params));
        assert.equal(typeof res.json.errmsg, 'string');
        assert.ok(!res.text.includes(SECRET), 'the secret is never echoed');
      }
      assert.deepEqual(
        sim.calls.map((c) => c.errcode),
        cases.map(([, e]) => e),
      );
    });
  });

  describe('stable /cgi-bin/stable_token', () => {
    it('returns the same token while it is valid, with the remaining lifetime', async () => {
      const a = await stableToken(sim, APPID, SECRET);
      assert.equal(a.json.expires_in, 7200);
      clock.advance(1000_000);
      const b = await stableToken(sim, APPID, SECRET);
      assert.equal(b.json.access_token, a.json.access_token);
      assert.equal(b.json.expires_in, 6200);
      clock.advance(6200_000);
      const c = await stableToken(sim, APPID, SECRET);
      assert.notEqual(c.json.access_token, a.json.access_token, 'a new token once the old expired');
      assert.equal(c.json.expires_in, 7200);
      assert.equal(await dataStatus(a.json.access_token), 42001);
      assert.equal(await dataStatus(c.json.access_token), 0);
    });

    it('force_refresh issues a new token and invalidates the old one at once', async () => {
      const a = await stableToken(sim, APPID, SECRET);
      const b = await stableToken(sim, APPID, SECRET, true);
      assert.notEqual(b.json.access_token, a.json.access_token);
      assert.equal(await dataStatus(a.json.access_token), 40001);
      assert.equal(await dataStatus(b.json.access_token), 0);
      assert.deepEqual(
        sim.calls.filter((c) => c.api === 'stable_token').map((c) => c.forceRefresh),
        [false, true],
      );
    });

    it('is separate from classic tokens', async () => {
      const stable = (await stableToken(sim, APPID, SECRET)).json.access_token as string;
      const classic1 = await classicToken(sim, APPID, SECRET);
      clock.advance(10 * 60_000);
      const classic2 = await classicToken(sim, APPID, SECRET);
      clock.advance(10 * 60_000);
      assert.equal(await dataStatus(stable), 0, 'classic calls do not touch the stable token');
      assert.equal(await dataStatus(classic1), 40001);
      assert.equal(await dataStatus(classic2), 0);
      const forced = (await stableToken(sim, APPID, SECRET, true)).json.access_token as string;
      assert.equal(await dataStatus(classic2), 0, 'a forced stable refresh does not touch classic tokens');
      assert.equal(await dataStatus(forced), 0);
    });

    it('answers errcodes for bad bodies and credentials', async () => {
      const url = `${sim.url}/cgi-bin/stable_token`;
      const base = { grant_type: 'client_credential', appid: APPID, secret: SECRET };
      assert.equal((await post(url, '{"grant_type":')).json.errcode, 47001);
      assert.equal((await post(url, '[1]')).json.errcode, 47001);
      assert.equal((await post(url, '')).json.errcode, 44002);
      assert.equal((await post(url, { ...base, grant_type: undefined })).json.errcode, 40002);
      assert.equal((await post(url, { ...base, appid: undefined })).json.errcode, 41002);
      assert.equal((await post(url, { ...base, secret: '' })).json.errcode, 41004);
      assert.equal((await post(url, { ...base, appid: 'wxnope' })).json.errcode, 40013);
      assert.equal((await post(url, { ...base, secret: 'nope' })).json.errcode, 40125);
      assert.equal((await get(url)).json.errcode, 43002, 'GET is not allowed');
    });

    it('keeps accounts apart', async () => {
      const mine = (await stableToken(sim, APPID, SECRET)).json.access_token as string;
      const theirs = (await stableToken(sim, 'wxother', 'other')).json.access_token as string;
      assert.notEqual(mine, theirs);
      await fetchData(sim, 'getinterfacesummary', theirs, YESTERDAY, YESTERDAY);
      assert.equal(sim.calls.at(-1)?.appid, 'wxother');
      assert.equal(sim.callCount({ appid: APPID }), 1);
      assert.equal(sim.callCount({ appid: 'wxother', api: 'getinterfacesummary' }), 1);
    });
  });

  describe('expireTokens()', () => {
    it('makes the current tokens of one account answer 42001', async () => {
      const mine = await classicToken(sim, APPID, SECRET);
      const stable = (await stableToken(sim, APPID, SECRET)).json.access_token as string;
      const theirs = await classicToken(sim, 'wxother', 'other');
      sim.expireTokens(APPID);
      assert.equal(await dataStatus(mine), 42001);
      assert.equal(await dataStatus(stable), 42001);
      assert.equal(await dataStatus(theirs), 0);
      const fresh = await stableToken(sim, APPID, SECRET);
      assert.notEqual(fresh.json.access_token, stable, 'stable_token issues a new one after expiry');
      assert.equal(await dataStatus(fresh.json.access_token), 0);
      sim.expireTokens();
      assert.equal(await dataStatus(theirs), 42001);
    });
  });
});
