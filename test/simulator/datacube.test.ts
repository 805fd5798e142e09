import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.js';
import { addDays, eachDay } from '../../src/dates.js';
import { simulatedDay, simulatedHours, type WechatSimulator } from '../../src/simulator/index.js';
import { classicToken, classicTokenUrl, fetchData, get, post, startSimulator, stableToken } from './helpers.js';

const APPID = 'wx0123456789abcdef';
const SECRET = 'secret-main';
const SMALL = { dailyCallbacks: 300 } as const;

describe('simulator datacube APIs', () => {
  let clock: ManualClock;
  let sim: WechatSimulator;
  let token: string;

  beforeEach(async () => {
    clock = new ManualClock('2026-03-10T08:01:00+08:00');
    sim = await startSimulator({
      accounts: [
        { appid: APPID, secret: SECRET },
        { appid: 'wxsmall', secret: 'small', profile: SMALL },
      ],
      clock,
    });
    token = await classicToken(sim, APPID, SECRET);
  });
  afterEach(() => sim.close());

  it('lists daily rows equal to simulatedDay for each day of the range', async () => {
    const res = await fetchData(sim, 'getinterfacesummary', token, '2026-02-08', '2026-03-09');
    assert.equal(res.status, 200);
    assert.match(res.contentType ?? '', /^application\/json/);
    const expected = eachDay('2026-02-08', '2026-03-09').map((d) => simulatedDay(APPID, d));
    assert.equal(expected.length, 30);
    assert.deepEqual(res.json, { list: expected });
    assert.deepEqual(Object.keys(JSON.parse(res.text).list[0]), [
      'ref_date',
      'callback_count',
      'fail_count',
      'total_time_cost',
      'max_time_cost',
    ]);
  });

  it('lists hourly rows equal to simulatedHours, empty hours omitted', async () => {
    const small = await classicToken(sim, 'wxsmall', 'small');
    const res = await fetchData(sim, 'getinterfacesummaryhour', small, '2026-03-08', '2026-03-08');
    const expected = simulatedHours('wxsmall', '2026-03-08', SMALL);
    assert.ok(expected.length < 24, 'the small account has empty hours');
    assert.deepEqual(res.json, { list: expected });
    assert.deepEqual(Object.keys(JSON.parse(res.text).list[0]), [
      'ref_date',
      'ref_hour',
      'callback_count',
      'fail_count',
      'total_time_cost',
      'max_time_cost',
    ]);
  });

  it('omits a day without any traffic', async () => {
    sim.addAccount({ appid: 'wxsilent', secret: 'x', profile: { dailyCallbacks: 0 } });
    const silent = await classicToken(sim, 'wxsilent', 'x');
    assert.deepEqual((await fetchData(sim, 'getinterfacesummary', silent, '2026-03-01', '2026-03-09')).json, { list: [] });
    assert.deepEqual((await fetchData(sim, 'getinterfacesummaryhour', silent, '2026-03-09', '2026-03-09')).json, { list: [] });
  });

  describe('readiness of yesterday', () => {
    it('serves yesterday from 08:00 Beijing, not before', async () => {
      clock.set('2026-03-10T07:59:00+08:00');
      assert.deepEqual((await fetchData(sim, 'getinterfacesummaryhour', token, '2026-03-09', '2026-03-09')).json, { list: [] });
      assert.deepEqual((await fetchData(sim, 'getinterfacesummary', token, '2026-03-09', '2026-03-09')).json, { list: [] });
      const range = await fetchData(sim, 'getinterfacesummary', token, '2026-03-07', '2026-03-09');
      assert.deepEqual(
        range.json.list.map((r: { ref_date: string }) => r.ref_date),
        ['2026-03-07', '2026-03-08'],
      );

      clock.set('2026-03-10T08:01:00+08:00');
      const hours = await fetchData(sim, 'getinterfacesummaryhour', token, '2026-03-09', '2026-03-09');
      assert.deepEqual(hours.json, { list: simulatedHours(APPID, '2026-03-09') });
      assert.equal((await fetchData(sim, 'getinterfacesummary', token, '2026-03-07', '2026-03-09')).json.list.length, 3);
    });

    it('follows readyHour: 10 ("two hours late")', async () => {
      sim.configure(APPID, { readyHour: 10 });
      clock.set('2026-03-10T09:59:59+08:00');
      assert.deepEqual((await fetchData(sim, 'getinterfacesummary', token, '2026-03-09', '2026-03-09')).json, { list: [] });
      clock.set('2026-03-10T10:00:00+08:00');
      assert.deepEqual((await fetchData(sim, 'getinterfacesummary', token, '2026-03-09', '2026-03-09')).json, {
        list: [simulatedDay(APPID, '2026-03-09')],
      });
    });

    it('uses Beijing midnight, not UTC midnight, for "today"', async () => {
      // 2026-03-10T23:30Z is 07:30 on 03-11 in Beijing: 03-10 is yesterday and not ready yet.
      clock.set('2026-03-10T23:30:00Z');
      const stable = (await stableToken(sim, APPID, SECRET)).json.access_token as string;
      assert.deepEqual((await fetchData(sim, 'getinterfacesummary', stable, '2026-03-10', '2026-03-10')).json, { list: [] });
      clock.set('2026-03-11T00:00:00Z'); // 08:00 Beijing
      assert.equal((await fetchData(sim, 'getinterfacesummary', stable, '2026-03-10', '2026-03-10')).json.list.length, 1);
    });
  });

  describe('request checks', () => {
    const api = 'getinterfacesummary';

    it('answers 41001 / 40001 for a missing or unknown token', async () => {
      const body = { begin_date: '2026-03-09', end_date: '2026-03-09' };
      assert.equal((await post(`${sim.url}/datacube/${api}`, body)).json.errcode, 41001);
      assert.equal((await post(`${sim.url}/datacube/${api}?access_token=`, body)).json.errcode, 41001);
      assert.equal((await fetchData(sim, api, 'not-a-token', '2026-03-09', '2026-03-09')).json.errcode, 40001);
      assert.equal(sim.calls.at(-1)?.appid, undefined);
    });

    it('answers 61500 for dates not written YYYY-MM-DD', async () => {
      for (const [begin, end] of [
        ['2026-3-9', '2026-03-09'],
        ['20260309', '20260309'],
        ['2026-02-30', '2026-03-01'],
        ['2026-03-09', ''],
      ]) {
        const res = await fetchData(sim, api, token, begin!, end!);
        assert.equal(res.json.errcode, 61500, `${begin}..${end}`);
      }
      const missing = await post(`${sim.url}/datacube/${api}?access_token=${token}`, { begin_date: '2026-03-09' });
      assert.equal(missing.json.errcode, 61500);
      assert.equal((await post(`${sim.url}/datacube/${api}?access_token=${token}`, '{oops')).json.errcode, 47001);
    });

    it('answers 61501 for reversed, too long, too recent or too old ranges', async () => {
      const bad: Array<[typeof api | 'getinterfacesummaryhour', string, string]> = [
        ['getinterfacesummary', '2026-03-09', '2026-03-08'],
        ['getinterfacesummary', '2026-02-06', '2026-03-08'], // 31 days; 30 is the maximum
        ['getinterfacesummary', '2026-03-09', '2026-03-10'], // today
        ['getinterfacesummary', '2026-03-11', '2026-03-11'],
        ['getinterfacesummary', '2014-11-30', '2014-12-01'],
        ['getinterfacesummaryhour', '2026-03-08', '2026-03-09'],
        ['getinterfacesummaryhour', '2026-03-10', '2026-03-10'],
      ];
      for (const [which, begin, end] of bad) {
        const res = await fetchData(sim, which, token, begin, end);
        assert.equal(res.json.errcode, 61501, `${which} ${begin}..${end}: ${res.text}`);
        assert.match(res.json.errmsg, /date range error/);
      }
      const oldest = await fetchData(sim, api, token, '2014-12-01', '2014-12-30');
      assert.equal(oldest.json.list.length, 30, 'the first 30 days of the datacube are fine');
      const rejected = sim.calls.filter((c) => c.errcode === 61501).map((c) => [c.api, c.beginDate, c.endDate]);
      assert.deepEqual(rejected, bad, 'the call log records each rejected range');
      const longest = await fetchData(sim, api, token, '2026-02-07', '2026-03-08');
      assert.equal(longest.json.list.length, 30, '30 days are accepted');
    });

    it('requires POST', async () => {
      const res = await get(`${sim.url}/datacube/${api}?access_token=${token}`);
      assert.equal(res.json.errcode, 43002);
    });

    it('answers 404 with a JSON errcode for anything else', async () => {
      const res = await get(`${sim.url}/cgi-bin/nothing?access_token=${token}`);
      assert.equal(res.status, 404);
      assert.equal(res.json.errcode, -1);
      assert.ok(!res.text.includes(token), 'the token is not echoed');
      assert.equal(sim.calls.at(-1)?.api, 'unknown');
      assert.equal(sim.calls.at(-1)?.status, 404);
    });
  });

  describe('account settings', () => {
    it("hourEncoding 'hundreds' sends ref_hour as 0, 100, ..., 2300", async () => {
      sim.configure(APPID, { hourEncoding: 'hundreds' });
      const res = await fetchData(sim, 'getinterfacesummaryhour', token, '2026-03-09', '2026-03-09');
      const expected = simulatedHours(APPID, '2026-03-09');
      assert.deepEqual(
        res.json.list.map((r: { ref_hour: number }) => r.ref_hour),
        expected.map((r) => r.ref_hour * 100),
      );
      assert.ok(res.json.list.some((r: { ref_hour: number }) => r.ref_hour >= 100));
      assert.deepEqual(
        res.json.list.map((r: { callback_count: number }) => r.callback_count),
        expected.map((r) => r.callback_count),
      );
    });

    it('extraRowsFromOtherDates adds rows of a date outside the range', async () => {
      sim.configure(APPID, { extraRowsFromOtherDates: true });
      const daily = await fetchData(sim, 'getinterfacesummary', token, '2026-03-08', '2026-03-09');
      const dates = daily.json.list.map((r: { ref_date: string }) => r.ref_date);
      assert.deepEqual(dates, ['2026-03-07', '2026-03-08', '2026-03-09']);
      const hourly = await fetchData(sim, 'getinterfacesummaryhour', token, '2026-03-09', '2026-03-09');
      const hourlyDates = new Set(hourly.json.list.map((r: { ref_date: string }) => r.ref_date));
      assert.deepEqual([...hourlyDates], ['2026-03-09', '2026-03-08']);
      const inRange = hourly.json.list.filter((r: { ref_date: string }) => r.ref_date === '2026-03-09');
      assert.deepEqual(inRange, simulatedHours(APPID, '2026-03-09'));
    });

    it('dailyQuota: 45009 beyond the quota of the Beijing day, per API', async () => {
      sim.configure(APPID, { dailyQuota: 2 });
      const day = (t = token): Promise<number> =>
        fetchData(sim, 'getinterfacesummary', t, '2026-03-09', '2026-03-09').then((r) => r.json.errcode ?? 0);
      assert.equal(await day(), 0);
      assert.equal(await day(), 0);
      assert.equal(await day(), 45009);
      assert.equal(sim.calls.at(-1)?.errcode, 45009);
      const hour = await fetchData(sim, 'getinterfacesummaryhour', token, '2026-03-09', '2026-03-09');
      assert.equal(hour.json.errcode, undefined, 'the hourly API has its own quota');
      // Token calls count too: one was made in beforeEach.
      const second = await get(classicTokenUrl(sim, APPID, SECRET));
      assert.equal(typeof second.json.access_token, 'string');
      assert.equal((await get(classicTokenUrl(sim, APPID, SECRET))).json.errcode, 45009);
      clock.advance(60_000);
      assert.equal(await day(second.json.access_token), 45009, 'still the same Beijing day');
      clock.set('2026-03-10T16:00:00Z'); // 00:00 Beijing: a new quota day for tokens and data
      assert.equal(await day(await classicToken(sim, APPID, SECRET)), 0);
    });

    it('ipWhitelisted false: 40164 for token and data calls', async () => {
      sim.configure(APPID, { ipWhitelisted: false });
      assert.equal((await get(classicTokenUrl(sim, APPID, SECRET))).json.errcode, 40164);
      assert.equal((await stableToken(sim, APPID, SECRET)).json.errcode, 40164);
      assert.equal((await fetchData(sim, 'getinterfacesummary', token, '2026-03-09', '2026-03-09')).json.errcode, 40164);
      sim.configure(APPID, { ipWhitelisted: true });
      assert.equal((await fetchData(sim, 'getinterfacesummary', token, '2026-03-09', '2026-03-09')).json.errcode, undefined);
    });

    it('apiAuthorized false: 48001 for data calls only', async () => {
      sim.configure(APPID, { apiAuthorized: false });
      assert.equal((await fetchData(sim, 'getinterfacesummaryhour', token, '2026-03-09', '2026-03-09')).json.errcode, 48001);
      assert.equal((await get(classicTokenUrl(sim, APPID, SECRET))).json.errcode, undefined);
    });

    it('rejects unknown accounts and bad settings, quoting them', () => {
      assert.throws(() => sim.configure('wxnobody', { readyHour: 9 }), /wxnobody/);
      assert.throws(() => sim.configure(APPID, { readyHour: 25 }), /readyHour.*25/);
      assert.throws(() => sim.configure(APPID, { hourEncoding: 'minutes' as 'plain' }), /hourEncoding.*minutes/);
      assert.throws(() => sim.configure(APPID, { dailyQuota: -1 }), /dailyQuota/);
      assert.throws(() => sim.addAccount({ appid: APPID, secret: 'again' }), /duplicate/);
    });
  });

  it('serves the last 60 days in two daily requests, consistent with 60 hourly requests', async () => {
    const end = '2026-03-09';
    const first = addDays(end, -59);
    const a = await fetchData(sim, 'getinterfacesummary', token, first, addDays(first, 29));
    const b = await fetchData(sim, 'getinterfacesummary', token, addDays(first, 30), end);
    const daily = [...a.json.list, ...b.json.list];
    assert.equal(daily.length, 60);
    const answers = await Promise.all(daily.map((day) => fetchData(sim, 'getinterfacesummaryhour', token, day.ref_date, day.ref_date)));
    for (const [i, day] of daily.entries()) {
      const res = answers[i]!;
      const hours: Array<{ callback_count: number; fail_count: number; total_time_cost: number; max_time_cost: number }> = res.json.list;
      assert.equal(
        hours.reduce((s, r) => s + r.callback_count, 0),
        day.callback_count,
      );
      assert.equal(
        hours.reduce((s, r) => s + r.fail_count, 0),
        day.fail_count,
      );
      assert.equal(
        hours.reduce((s, r) => s + r.total_time_cost, 0),
        day.total_time_cost,
      );
      assert.equal(Math.max(...hours.map((r) => r.max_time_cost)), day.max_time_cost);
    }
  });
});
