import { eachDay, type BeijingDate } from '../dates.js';
import { NO_TRAFFIC, figuresOnly, type DailyRow, type HourlyRow, type SummaryFigures } from '../figures.js';
import type { DayStatus, Store } from './store.js';

/**
 * One stored day, complete: the daily figures and all 24 hours. Hours WeChat did not list and
 * days without traffic are zeros, as the live gauges show them (README "Metrics": unlisted hours are 0). The
 * reference day of the gauges, the history of the backfill and the JSON API's rows are all this.
 */
export interface HistoryDay {
  readonly refDate: BeijingDate;
  readonly status: DayStatus;
  readonly daily: SummaryFigures;
  /** Index = Beijing hour, 0..23. */
  readonly hours: readonly SummaryFigures[];
}

export interface AccountHistory {
  /** Stored days, ascending. */
  readonly days: readonly HistoryDay[];
  /** Days of the range not stored (never fetched, not ready, or failed), ascending. */
  readonly missing: readonly BeijingDate[];
}

/**
 * Stored rows as whole days (pure). Only days marked stored count: rows of a day without a
 * completion mark cannot exist (a day is written in one transaction), and are ignored if they do.
 */
export function historyOf(
  days: readonly BeijingDate[],
  stored: ReadonlyMap<BeijingDate, DayStatus>,
  dailyRows: readonly DailyRow[],
  hourlyRows: readonly HourlyRow[],
): AccountHistory {
  const daily = new Map(dailyRows.map((r) => [r.refDate, r]));
  const hourly = new Map<BeijingDate, SummaryFigures[]>();
  for (const r of hourlyRows) {
    let hours = hourly.get(r.refDate);
    if (!hours) hourly.set(r.refDate, (hours = Array.from({ length: 24 }, () => NO_TRAFFIC)));
    if (r.refHour >= 0 && r.refHour < 24) hours[r.refHour] = figuresOnly(r);
  }
  const out: HistoryDay[] = [];
  const missing: BeijingDate[] = [];
  for (const date of days) {
    const status = stored.get(date);
    if (status === undefined) {
      missing.push(date);
      continue;
    }
    const row = status === 'complete' ? daily.get(date) : undefined;
    out.push({
      refDate: date,
      status,
      daily: row ? figuresOnly(row) : NO_TRAFFIC,
      hours: (status === 'complete' ? hourly.get(date) : undefined) ?? Array.from({ length: 24 }, () => NO_TRAFFIC),
    });
  }
  return { days: out, missing };
}

/** The stored history of `appid` from `from` to `to` (store reads only, no API call); throws if a stored day lacks rows. */
export function readHistory(store: Store, appid: string, from: BeijingDate, to: BeijingDate): AccountHistory {
  // A day with a lost row would read as zeros below: refuse it (StoreDamagedError) instead.
  store.assertWhole(appid, from, to);
  return historyOf(
    eachDay(from, to),
    store.storedDays(appid, from, to),
    store.dailyRows(appid, from, to),
    store.hourlyRows(appid, from, to),
  );
}

/** The newest stored day of `appid` (the account's reference day), or undefined. */
export function readReferenceDay(store: Store, appid: string): HistoryDay | undefined {
  const date = store.newestDate(appid);
  return date === undefined ? undefined : readHistory(store, appid, date, date).days[0];
}
