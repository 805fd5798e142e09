import assert from 'node:assert/strict';
import { addDays } from '../../src/dates.js';
import { simulatedDay, simulatedHours, type SimHourlyRow } from '../../src/simulator/index.js';

const APPIDS = ['wx0123456789abcdef', 'wxfedcba9876543210', 'wx1111222233334444', 'wxsmallaccount0001'];
const FIRST = '2026-01-01';
const DAYS = 60;
const dates = Array.from({ length: DAYS }, (_, i) => addDays(FIRST, i));

function assertRowInvariants(row: SimHourlyRow | ReturnType<typeof simulatedDay>, where: string): void {
  for (const key of ['callback_count', 'fail_count', 'total_time_cost', 'max_time_cost'] as const) {
    assert.ok(Number.isInteger(row[key]) && row[key] >= 0, `${where}: ${key} = ${row[key]}`);
  }
  assert.ok(row.fail_count <= row.callback_count, `${where}: fail ${row.fail_count} > callbacks ${row.callback_count}`);
  if (row.callback_count > 0) {
    assert.ok(row.total_time_cost >= row.max_time_cost, `${where}: total ${row.total_time_cost} < max ${row.max_time_cost}`);
    // The slowest callback is at least as slow as the average one.
    assert.ok(row.max_time_cost * row.callback_count >= row.total_time_cost, `${where}: max below average`);
  }
}

describe('simulator traffic data', () => {
  it('keeps every row consistent over 60 days for several accounts', () => {
    for (const appid of APPIDS) {
      for (const date of dates) {
        const hours = simulatedHours(appid, date);
        for (const row of hours) {
          const where = `${appid} ${date} ${row.ref_hour}`;
          assert.equal(row.ref_date, date);
          assert.ok(Number.isInteger(row.ref_hour) && row.ref_hour >= 0 && row.ref_hour <= 23, where);
          assert.ok(row.callback_count > 0, `${where}: an hour without traffic is listed`);
          assertRowInvariants(row, where);
        }
        const sorted = hours.map((r) => r.ref_hour);
        assert.deepEqual(
          sorted,
          [...new Set(sorted)].sort((a, b) => a - b),
          `${appid} ${date}: hours not sorted/unique`,
        );
      }
    }
  });

  it('makes the daily row the exact aggregate of the hourly rows', () => {
    for (const appid of APPIDS) {
      for (const date of dates) {
        const hours = simulatedHours(appid, date);
        const day = simulatedDay(appid, date);
        assert.deepEqual(day, {
          ref_date: date,
          callback_count: hours.reduce((s, r) => s + r.callback_count, 0),
          fail_count: hours.reduce((s, r) => s + r.fail_count, 0),
          total_time_cost: hours.reduce((s, r) => s + r.total_time_cost, 0),
          max_time_cost: Math.max(0, ...hours.map((r) => r.max_time_cost)),
        });
        assertRowInvariants(day, `${appid} ${date} day`);
      }
    }
  });

  it('omits hours without traffic on typical days, and many of them for a small account', () => {
    for (const appid of APPIDS) {
      const omittedDays = dates.filter((d) => simulatedHours(appid, d).length < 24).length;
      assert.ok(omittedDays >= DAYS * 0.7, `${appid}: only ${omittedDays}/${DAYS} days omit an hour`);
    }
    const small = dates.map((d) => 24 - simulatedHours('wxsmallaccount0001', d, { dailyCallbacks: 300 }).length);
    const average = small.reduce((a, b) => a + b, 0) / small.length;
    assert.ok(average >= 2.5, `small account: ${average} omitted hours a day on average`);
    assert.ok(
      small.every((n) => n >= 1),
      'a small account has an empty hour every day',
    );
  });

  it('has quiet nights, busy days and lighter weekends', () => {
    let night = 0;
    let day = 0;
    let weekday = 0;
    let weekend = 0;
    for (const date of dates) {
      for (const row of simulatedHours('wx0123456789abcdef', date)) {
        if (row.ref_hour >= 2 && row.ref_hour <= 6) night += row.callback_count;
        if (row.ref_hour >= 9 && row.ref_hour <= 13) day += row.callback_count;
      }
      const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
      const total = simulatedDay('wx0123456789abcdef', date).callback_count;
      if (dow === 0 || dow === 6) weekend += total / 2;
      else weekday += total / 5;
    }
    assert.ok(night * 10 < day, `night ${night} vs day ${day}`);
    assert.ok(weekend < weekday, `weekend ${weekend} vs weekday ${weekday} callbacks per day`);
  });

  it('stays near the profile and has failures and latency varying by hour', () => {
    const days = dates.map((d) => simulatedDay('wxfedcba9876543210', d));
    const callbacks = days.reduce((s, r) => s + r.callback_count, 0) / DAYS;
    assert.ok(callbacks > 12_000 && callbacks < 28_000, `average ${callbacks} callbacks/day for the 20000 default`);
    const failRatio = days.reduce((s, r) => s + r.fail_count, 0) / days.reduce((s, r) => s + r.callback_count, 0);
    assert.ok(failRatio > 0.0005 && failRatio < 0.01, `fail ratio ${failRatio}`);
    const average = days.reduce((s, r) => s + r.total_time_cost, 0) / days.reduce((s, r) => s + r.callback_count, 0);
    assert.ok(average > 100 && average < 400, `average latency ${average} ms for the 180 ms default`);

    const hours = simulatedHours('wxfedcba9876543210', '2026-01-14');
    const averages = new Set(hours.map((r) => Math.round(r.total_time_cost / r.callback_count)));
    assert.ok(averages.size > 5, 'average latency varies by hour');
    assert.ok(new Set(hours.map((r) => r.fail_count)).size > 1, 'failures vary by hour');
  });

  it('records callbacks beyond the 5-second reply timeout only when something failed', () => {
    let over = 0;
    for (const appid of APPIDS) {
      for (const date of dates) {
        for (const row of simulatedHours(appid, date)) {
          if (row.max_time_cost > 5000) {
            over++;
            assert.ok(row.fail_count > 0, `${appid} ${date} ${row.ref_hour}: a timeout without failure`);
          }
        }
      }
    }
    const hours = APPIDS.length * DAYS * 20;
    assert.ok(over > 0 && over < hours / 2, `${over} hours above 5000 ms: should be occasional`);
  });

  it('is deterministic and differs between accounts', () => {
    assert.deepEqual(simulatedHours('wxA', '2026-03-09'), simulatedHours('wxA', '2026-03-09'));
    assert.deepEqual(simulatedDay('wxA', '2026-03-09'), simulatedDay('wxA', '2026-03-09'));
    assert.notDeepEqual(simulatedDay('wxA', '2026-03-09'), { ...simulatedDay('wxB', '2026-03-09'), ref_date: '2026-03-09' });
    assert.notEqual(simulatedDay('wxA', '2026-03-09').callback_count, simulatedDay('wxB', '2026-03-09').callback_count);
    assert.notEqual(simulatedDay('wxA', '2026-03-09').callback_count, simulatedDay('wxA', '2026-03-10').callback_count);
    // A pinned value: a change to the model shows up here, since the lead's tests depend on it.
    assert.deepEqual(simulatedDay('wx0123456789abcdef', '2026-03-09'), PINNED_DAY);
  });

  it('follows the profile', () => {
    assert.deepEqual(simulatedHours('wxA', '2026-03-09', { dailyCallbacks: 0 }), []);
    const none = simulatedDay('wxA', '2026-03-09', { failureRatio: 0 });
    assert.equal(none.fail_count, 0);
    const all = simulatedHours('wxA', '2026-03-09', { failureRatio: 1 });
    assert.ok(all.some((r) => r.fail_count > 0));
    const big = simulatedDay('wxA', '2026-03-09', { dailyCallbacks: 1_000_000, latencyMs: 50 });
    assert.ok(big.callback_count > 500_000, `${big.callback_count}`);
    assert.deepEqual(simulatedHours('wxA', '2026-03-09', { dailyCallbacks: undefined }), simulatedHours('wxA', '2026-03-09'));
  });

  it('rejects impossible inputs, quoting them', () => {
    assert.throws(() => simulatedHours('wxA', '2026-02-30'), /2026-02-30/);
    assert.throws(() => simulatedHours('wxA', '2026-03-09', { dailyCallbacks: -1 }), /dailyCallbacks.*-1/);
    assert.throws(() => simulatedHours('wxA', '2026-03-09', { failureRatio: 1.5 }), /failureRatio.*1\.5/);
    assert.throws(() => simulatedDay('wxA', '2026-03-09', { latencyMs: Number.NaN }), /latencyMs.*NaN/);
  });
});

const PINNED_DAY = {
  ref_date: '2026-03-09',
  callback_count: 20403,
  fail_count: 40,
  total_time_cost: 3996877,
  max_time_cost: 5059,
};
