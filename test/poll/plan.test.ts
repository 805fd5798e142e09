import assert from 'node:assert/strict';
import { completeDay, dailyRanges, isPastEmptyDeadline, judgeDaily, lookbackWindow } from '../../src/poll/plan.js';
import { eachDay } from '../../src/dates.js';

const at = (iso: string): number => Date.parse(iso);
const daily = { refDate: '2026-03-09', callbackCount: 10, failCount: 0, totalTimeCost: 100, maxTimeCost: 20 };

describe('poll planning', () => {
  it('the window ends with yesterday only from 08:00 Beijing', () => {
    assert.deepEqual(lookbackWindow(at('2026-03-10T07:59:59+08:00'), 7), { from: '2026-03-02', to: '2026-03-08' });
    assert.deepEqual(lookbackWindow(at('2026-03-10T08:00:00+08:00'), 7), { from: '2026-03-03', to: '2026-03-09' });
    // 08:01 Beijing is 16:01 the day before in Los Angeles; the host's zone plays no part.
    assert.deepEqual(lookbackWindow(at('2026-03-09T17:01:00-07:00'), 1), { from: '2026-03-09', to: '2026-03-09' });
  });

  it('never starts before 2014-12-01', () => {
    assert.deepEqual(lookbackWindow(at('2014-12-03T09:00:00+08:00'), 7), { from: '2014-12-01', to: '2014-12-02' });
  });

  it('cuts a missing range into daily-API calls of at most 30 days', () => {
    assert.deepEqual(dailyRanges(['2026-03-03', '2026-03-05', '2026-03-09']), [{ from: '2026-03-03', to: '2026-03-09' }]);
    const ranges = dailyRanges(eachDay('2026-01-01', '2026-03-01'));
    assert.deepEqual(ranges, [
      { from: '2026-01-01', to: '2026-01-30' },
      { from: '2026-01-31', to: '2026-03-01' },
    ]);
    assert.deepEqual(dailyRanges([]), []);
  });

  it('a day without a daily row is not ready until the end of the following Beijing day', () => {
    assert.equal(isPastEmptyDeadline('2026-03-09', at('2026-03-10T23:59:59+08:00')), false);
    assert.equal(isPastEmptyDeadline('2026-03-09', at('2026-03-11T00:00:00+08:00')), true);
    assert.deepEqual(judgeDaily('2026-03-09', undefined, at('2026-03-10T12:00:00+08:00')), { kind: 'not_ready' });
    assert.deepEqual(judgeDaily('2026-03-09', undefined, at('2026-03-11T00:00:00+08:00')), { kind: 'no_traffic' });
    assert.deepEqual(judgeDaily('2026-03-09', daily, at('2026-03-10T12:00:00+08:00')), { kind: 'fetch_hours', daily });
  });

  it('a total with traffic but no hours is not ready, until the deadline', () => {
    assert.equal(completeDay('2026-03-09', daily, [], at('2026-03-10T12:00:00+08:00')), undefined);
    assert.equal(completeDay('2026-03-09', daily, [], at('2026-03-11T00:00:00+08:00'))?.status, 'complete');
    assert.equal(completeDay('2026-03-09', { ...daily, callbackCount: 0 }, [], at('2026-03-10T12:00:00+08:00'))?.status, 'complete');
  });
});
