import { addDays, eachDay, type BeijingDate } from '../dates.js';
import type { DayStatus, Store } from '../store/store.js';
import { NO_TRAFFIC, type DailyRow, type HourlyRow, type SummaryFigures } from '../wechat/summary.js';

/**
 * One stored day, complete: the daily figures and all 24 hours. Hours WeChat did not list and
 * days without traffic are zeros, as the live gauges show them (contract: "exposed as 0").
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

function figuresOf(row: SummaryFigures): SummaryFigures {
  return { callbackCount: row.callbackCount, failCount: row.failCount, totalTimeCost: row.totalTimeCost, maxTimeCost: row.maxTimeCost };
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
    if (r.refHour >= 0 && r.refHour < 24) hours[r.refHour] = figuresOf(r);
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
      daily: row ? figuresOf(row) : NO_TRAFFIC,
      hours: (status === 'complete' ? hourly.get(date) : undefined) ?? Array.from({ length: 24 }, () => NO_TRAFFIC),
    });
  }
  return { days: out, missing };
}

/** The stored history of `appid` from `from` to `to` (store reads only, no API call). */
export function readHistory(store: Store, appid: string, from: BeijingDate, to: BeijingDate): AccountHistory {
  return historyOf(
    eachDay(from, to),
    store.storedDays(appid, from, to),
    store.dailyRows(appid, from, to),
    store.hourlyRows(appid, from, to),
  );
}

/** Dates as compact ranges for messages: `2025-01-01..2025-01-03, 2025-01-07`. */
export function formatDays(days: readonly BeijingDate[]): string {
  const parts: string[] = [];
  let start: BeijingDate | undefined;
  let prev: BeijingDate | undefined;
  const close = (): void => {
    if (start !== undefined && prev !== undefined) parts.push(start === prev ? start : `${start}..${prev}`);
  };
  for (const d of days) {
    if (prev !== undefined && addDays(prev, 1) === d) {
      prev = d;
      continue;
    }
    close();
    start = d;
    prev = d;
  }
  close();
  return parts.join(', ');
}
