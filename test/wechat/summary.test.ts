import assert from 'node:assert/strict';
import { InvalidResponseError } from '../../src/errors.js';
import { parseDailySummary, parseHourlySummary } from '../../src/wechat/summary.js';

const day = { from: '2014-12-07', to: '2014-12-07' };
const row = { ref_date: '2014-12-07', callback_count: 36974, fail_count: 67, total_time_cost: 14994291, max_time_cost: 5044 };

describe('summary parsing', () => {
  it("reads the seed document's daily example", () => {
    const { rows, dropped } = parseDailySummary({ list: [row] }, day);
    assert.equal(dropped, 0);
    assert.deepEqual(rows, [{ refDate: '2014-12-07', callbackCount: 36974, failCount: 67, totalTimeCost: 14994291, maxTimeCost: 5044 }]);
  });

  it('accepts ref_hour as 0..23', () => {
    const list = [0, 1, 13, 23].map((h) => ({ ...row, ref_hour: h }));
    assert.deepEqual(
      parseHourlySummary({ list }, day).rows.map((r) => r.refHour),
      [0, 1, 13, 23],
    );
  });

  it('accepts ref_hour as 0, 100, ..., 2300 and normalises it to 0..23', () => {
    const list = [2300, 0, 100, 1300].map((h) => ({ ...row, ref_hour: h }));
    assert.deepEqual(
      parseHourlySummary({ list }, day).rows.map((r) => r.refHour),
      [0, 1, 13, 23],
    );
  });

  for (const [what, hours] of [
    ['an hour that is neither encoding', [0, 150]],
    ['mixed encodings', [1, 100]],
    ['an hour above 2300', [2400]],
    ['a negative hour', [-1]],
    ['a fractional hour', [1.5]],
  ] as const) {
    it(`rejects ${what}`, () => {
      const list = hours.map((h) => ({ ...row, ref_hour: h }));
      assert.throws(() => parseHourlySummary({ list }, day), InvalidResponseError);
    });
  }

  it('rejects a ref_hour given as a string', () => {
    assert.throws(() => parseHourlySummary({ list: [{ ...row, ref_hour: '100' }] }, day), /ref_hour/);
  });

  it('drops and counts rows of other dates', () => {
    const list = [row, { ...row, ref_date: '2014-12-06' }, { ...row, ref_date: '2015-01-01' }];
    const { rows, dropped } = parseDailySummary({ list }, day);
    assert.equal(rows.length, 1);
    assert.equal(dropped, 2);
  });

  const invalid: [string, unknown, RegExp][] = [
    ['no list', {}, /"list" is missing/],
    ['list not an array', { list: {} }, /"list"/],
    ['a row that is not an object', { list: [1] }, /list\[0\] is not an object/],
    ['a missing field', { list: [{ ...row, fail_count: undefined }] }, /fail_count is missing/],
    ['a count as a string', { list: [{ ...row, callback_count: '36974' }] }, /callback_count is not a non-negative integer/],
    ['a negative time', { list: [{ ...row, total_time_cost: -1 }] }, /total_time_cost/],
    ['a fractional count', { list: [{ ...row, fail_count: 0.5 }] }, /fail_count/],
    ['a bad date', { list: [{ ...row, ref_date: '2014-12-7' }] }, /ref_date/],
    ['an impossible date', { list: [{ ...row, ref_date: '2014-02-30' }] }, /ref_date/],
    ['two rows for one day', { list: [row, row] }, /two rows/],
  ];
  for (const [what, json, message] of invalid) {
    it(`rejects ${what} as invalid_response`, () => {
      assert.throws(
        () => parseDailySummary(json as Record<string, unknown>, day),
        (err: unknown) => err instanceof InvalidResponseError && err.code === 'invalid_response' && message.test(err.message),
      );
    });
  }

  it('ignores unknown extra fields', () => {
    assert.equal(parseDailySummary({ list: [{ ...row, user_source: 0 }], errcode: 0 }, day).rows.length, 1);
  });
});
