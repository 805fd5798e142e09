import assert from 'node:assert/strict';
import { DateRangeError } from '../../src/errors.js';
import { newestReadyDay, yesterdayInBeijing } from '../../src/dates.js';
import { assertDatacubeRange } from '../../src/wechat/date-rules.js';

/** Runs `fn` with the host in time zone `tz` (Node applies a runtime change of TZ). */
function inTimeZone(tz: string, fn: () => void): void {
  const saved = process.env['TZ'];
  process.env['TZ'] = tz;
  try {
    fn();
  } finally {
    if (saved === undefined) delete process.env['TZ'];
    else process.env['TZ'] = saved;
  }
}

// 2026-03-10 00:30 Beijing is still 2026-03-09 in Los Angeles (08:30 PDT the day before).
const justAfterMidnightBeijing = Date.parse('2026-03-10T00:30:00+08:00');

describe('datacube date rules', () => {
  for (const tz of ['America/Los_Angeles', 'Asia/Shanghai', 'UTC']) {
    describe(`with the host in ${tz}`, () => {
      it('yesterday is the Beijing yesterday', () => {
        inTimeZone(tz, () => {
          assert.equal(
            new Date(justAfterMidnightBeijing).getTimezoneOffset(),
            tz === 'America/Los_Angeles' ? 420 : tz === 'Asia/Shanghai' ? -480 : 0,
          );
          assert.equal(yesterdayInBeijing(justAfterMidnightBeijing), '2026-03-09');
          assertDatacubeRange('getinterfacesummaryhour', { from: '2026-03-09', to: '2026-03-09' }, justAfterMidnightBeijing);
          assert.throws(
            () => assertDatacubeRange('getinterfacesummaryhour', { from: '2026-03-10', to: '2026-03-10' }, justAfterMidnightBeijing),
            /after yesterday \(2026-03-09, Beijing\)/,
          );
        });
      });

      it("yesterday's data counts only from 08:00 Beijing", () => {
        inTimeZone(tz, () => {
          assert.equal(newestReadyDay(Date.parse('2026-03-10T07:59:00+08:00')), '2026-03-08');
          assert.equal(newestReadyDay(Date.parse('2026-03-10T08:01:00+08:00')), '2026-03-09');
        });
      });
    });
  }

  const now = Date.parse('2026-03-10T09:00:00+08:00');
  const bad: [string, string, string, string, RegExp][] = [
    ['begin after end', 'getinterfacesummary', '2026-03-05', '2026-03-04', /after end_date/],
    ['31 days on the daily API', 'getinterfacesummary', '2026-02-01', '2026-03-03', /spans 31 days, at most 30/],
    ['2 days on the hourly API', 'getinterfacesummaryhour', '2026-03-01', '2026-03-02', /same day/],
    ['today', 'getinterfacesummary', '2026-03-10', '2026-03-10', /after yesterday/],
    ['before 2014-12-01', 'getinterfacesummary', '2014-11-30', '2014-12-01', /before 2014-12-01/],
    ['a malformed date', 'getinterfacesummary', '2026-3-1', '2026-03-02', /not a YYYY-MM-DD date/],
  ];
  for (const [what, api, begin, end, message] of bad) {
    it(`refuses ${what} before any request`, () => {
      assert.throws(
        () => assertDatacubeRange(api as 'getinterfacesummary', { from: begin, to: end }, now),
        (e: unknown) => e instanceof DateRangeError && message.test(e.message),
      );
    });
  }

  it('accepts the widest legal ranges', () => {
    assertDatacubeRange('getinterfacesummary', { from: '2026-02-08', to: '2026-03-09' }, now);
    assertDatacubeRange('getinterfacesummary', { from: '2014-12-01', to: '2014-12-30' }, now);
  });
});
