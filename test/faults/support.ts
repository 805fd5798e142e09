import assert from 'node:assert/strict';
import { addDays, eachDay } from '../../src/dates.js';
import { simulatedDay, simulatedHours } from '../../src/simulator/index.js';
import type { Store } from '../../src/store/store.js';

/**
 * The matrix's invariant: every day the store holds is exactly what WeChat said (daily row and
 * every hour), and every day of `days` is either held whole or not at all.
 */
export function assertStoreTruthful(store: Store, appid: string, from: string, to: string): Set<string> {
  const stored = store.storedDays(appid, from, to);
  assert.deepEqual(store.damagedDays(appid, from, to), [], 'no stored day lacks a row');
  for (const date of eachDay(from, to)) {
    if (!stored.has(date)) {
      assert.equal(store.dailyRows(appid, date, date).length, 0, `${date}: no daily row without its day`);
      assert.equal(store.hourlyRows(appid, date, date).length, 0, `${date}: no hourly row without its day`);
      continue;
    }
    const want = simulatedDay(appid, date);
    const [daily] = store.dailyRows(appid, date, date);
    assert.deepEqual(
      [daily?.callbackCount, daily?.failCount, daily?.totalTimeCost, daily?.maxTimeCost],
      [want.callback_count, want.fail_count, want.total_time_cost, want.max_time_cost],
      `${date}: daily row as WeChat said`,
    );
    assert.deepEqual(
      store.hourlyRows(appid, date, date).map((h) => [h.refHour, h.callbackCount, h.failCount, h.totalTimeCost, h.maxTimeCost]),
      simulatedHours(appid, date).map((h) => [h.ref_hour, h.callback_count, h.fail_count, h.total_time_cost, h.max_time_cost]),
      `${date}: every hour as WeChat said`,
    );
  }
  return new Set(stored.keys());
}

export function lastDays(to: string, n: number): { from: string; to: string } {
  return { from: addDays(to, -(n - 1)), to };
}
