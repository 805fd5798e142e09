import type { Logger } from 'winston';
import type { Clock } from '../clock.js';
import { eachDay, type BeijingDate, type DayRange } from '../dates.js';
import type { Store } from '../store/store.js';
import type { AccountApi } from '../wechat/account-api.js';
import type { DailyRow } from '../figures.js';
import { completeDay, dailyRanges, judgeDaily } from './plan.js';

export interface PollResult {
  /** Calls that went out (token fetches not included). */
  readonly calls: number;
  /** Days written to the store. */
  readonly saved: BeijingDate[];
  /** Days still missing: not ready yet, or not reached because of `error`. */
  readonly pending: BeijingDate[];
  readonly error?: unknown;
}

export interface PollInput {
  readonly api: AccountApi;
  readonly store: Store;
  readonly clock: Clock;
  /** The days to have stored: the lookback window for the daemon, the asked range for a backfill. */
  readonly window: DayRange;
  readonly log: Logger;
}

/**
 * One poll of one account: plan the missing days of the window, fetch the daily API
 * once for their range (≤ 30 days a call) and the hourly API once per day that has a total, and
 * store each complete day in its own transaction as soon as it is in. Stored days cost nothing.
 */
export async function pollAccount({ api, store, clock, window, log }: PollInput): Promise<PollResult> {
  const now = clock.now();
  const saved: BeijingDate[] = [];
  const pending: BeijingDate[] = [];
  let calls = 0;
  let missing: BeijingDate[];
  try {
    const stored = store.storedDays(api.appid, window.from, window.to);
    missing = eachDay(window.from, window.to).filter((d) => !stored.has(d));
  } catch (error) {
    // The store could not be read (busy, I/O): the whole window waits for the next try.
    return { calls, saved, pending: eachDay(window.from, window.to), error };
  }
  if (missing.length === 0) return { calls, saved, pending };
  log.debug('planned', { missing: missing.length, from: missing[0], to: missing[missing.length - 1] });

  let next = 0;
  try {
    const dailies = new Map<BeijingDate, DailyRow>();
    for (const range of dailyRanges(missing)) {
      calls++;
      for (const row of (await api.dailySummary(range)).rows) dailies.set(row.refDate, row);
    }
    for (; next < missing.length; next++) {
      const date = missing[next] as BeijingDate;
      const verdict = judgeDaily(date, dailies.get(date), now);
      if (verdict.kind === 'not_ready') {
        pending.push(date);
        continue;
      }
      if (verdict.kind === 'no_traffic') {
        store.saveDay(api.appid, { refDate: date, status: 'no_traffic', hours: [] }, clock.now());
        saved.push(date);
        continue;
      }
      calls++;
      const { rows } = await api.hourlySummary(date);
      const day = completeDay(date, verdict.daily, rows, now);
      if (!day) {
        pending.push(date);
        continue;
      }
      store.saveDay(api.appid, day, clock.now());
      saved.push(date);
    }
    store.setLastSuccess(api.appid, clock.now());
    return { calls, saved, pending };
  } catch (error) {
    return { calls, saved, pending: [...pending, ...missing.slice(next)], error };
  }
}
