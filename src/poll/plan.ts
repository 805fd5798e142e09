import { EARLIEST_DATE, addDays, daySpans, newestReadyDay, startOfBeijingDay, type BeijingDate, type DayRange } from '../dates.js';
import { MAX_SPAN_DAYS } from '../wechat/date-rules.js';
import type { DailyRow, HourlyRow } from '../figures.js';
import type { StoredDay } from '../store/store.js';

/**
 * The days the daemon keeps stored: the `lookbackDays` days ending with the newest day WeChat
 * has finished (yesterday from 08:00 Beijing), never before 2014-12-01.
 */
export function lookbackWindow(nowMs: number, lookbackDays: number): DayRange {
  const to = newestReadyDay(nowMs);
  const start = addDays(to, -(lookbackDays - 1));
  return { from: start < EARLIEST_DATE ? EARLIEST_DATE : start, to };
}

/** The range from the first to the last missing day, cut into daily-API calls (at most 30 days each). */
export function dailyRanges(days: readonly BeijingDate[]): DayRange[] {
  const first = days[0];
  const last = days[days.length - 1];
  if (first === undefined || last === undefined) return [];
  return daySpans(first, last, MAX_SPAN_DAYS.getinterfacesummary);
}

/**
 * WeChat sometimes answers an empty list for a day that is not computed yet. A day still empty
 * at the end of the following Beijing day is taken as a day without traffic.
 */
export function isPastEmptyDeadline(date: BeijingDate, nowMs: number): boolean {
  return nowMs >= startOfBeijingDay(addDays(date, 2));
}

/** What the daily answer says about a day, before any hourly call. */
export type DailyVerdict =
  { readonly kind: 'fetch_hours'; readonly daily: DailyRow } | { readonly kind: 'no_traffic' } | { readonly kind: 'not_ready' };

export function judgeDaily(date: BeijingDate, daily: DailyRow | undefined, nowMs: number): DailyVerdict {
  if (daily) return { kind: 'fetch_hours', daily };
  return isPastEmptyDeadline(date, nowMs) ? { kind: 'no_traffic' } : { kind: 'not_ready' };
}

/**
 * The day to store once the hours are in, or undefined while WeChat has the day's total but
 * not yet its hours ("a daily total with traffic but no hourly rows": not ready).
 */
export function completeDay(date: BeijingDate, daily: DailyRow, hours: readonly HourlyRow[], nowMs: number): StoredDay | undefined {
  if (daily.callbackCount > 0 && hours.length === 0 && !isPastEmptyDeadline(date, nowMs)) return undefined;
  return { refDate: date, status: 'complete', daily, hours };
}
