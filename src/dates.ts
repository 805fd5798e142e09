/**
 * Beijing calendar arithmetic. WeChat's dates are Beijing dates (UTC+8, no daylight saving since
 * 1991), so every computation here shifts epoch milliseconds by a fixed offset and reads UTC
 * fields: the host's time zone never enters.
 */

/** A Beijing calendar date, `YYYY-MM-DD`. */
export type BeijingDate = string;

export const BEIJING_OFFSET_MS = 8 * 3_600_000;
export const DAY_MS = 86_400_000;
/** The datacube keeps data from this day on ("only stores data after December 1, 2014"). */
export const EARLIEST_DATE: BeijingDate = '2014-12-01';
/**
 * Yesterday's statistics are ready after 08:00 Beijing ("请于每天上午8点后查询前一天的数据";
 * the English page's "before 08:00" is a mistranslation).
 */
export const DATA_READY_HOUR = 8;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True when `s` is a real calendar date written `YYYY-MM-DD`. */
export function isBeijingDate(s: unknown): s is BeijingDate {
  if (typeof s !== 'string') return false;
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const [, y, mo, d] = m;
  const t = Date.UTC(Number(y), Number(mo) - 1, Number(d));
  return new Date(t).toISOString().slice(0, 10) === s;
}

function assertDate(date: BeijingDate): void {
  if (!isBeijingDate(date)) throw new TypeError(`not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
}

/** The Beijing date at the instant `ms`. */
export function beijingDateOf(ms: number): BeijingDate {
  return new Date(ms + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
}

/** The Beijing hour (0..23) at the instant `ms`. */
export function beijingHourOf(ms: number): number {
  return new Date(ms + BEIJING_OFFSET_MS).getUTCHours();
}

/** Epoch milliseconds of 00:00 Beijing on `date`. */
export function startOfBeijingDay(date: BeijingDate): number {
  assertDate(date);
  return Date.parse(`${date}T00:00:00Z`) - BEIJING_OFFSET_MS;
}

export function addDays(date: BeijingDate, days: number): BeijingDate {
  return beijingDateOf(startOfBeijingDay(date) + days * DAY_MS);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: BeijingDate, to: BeijingDate): number {
  return Math.round((startOfBeijingDay(to) - startOfBeijingDay(from)) / DAY_MS);
}

/** Every date from `from` to `to`, both included; empty when `from` > `to`. */
export function eachDay(from: BeijingDate, to: BeijingDate): BeijingDate[] {
  const n = daysBetween(from, to);
  const out: BeijingDate[] = [];
  for (let i = 0; i <= n; i++) out.push(addDays(from, i));
  return out;
}

/** A range of days, both ends included. */
export interface DayRange {
  readonly from: BeijingDate;
  readonly to: BeijingDate;
}

/** `from`..`to` cut into consecutive spans of at most `size` days (empty when `from` > `to`). */
export function daySpans(from: BeijingDate, to: BeijingDate, size: number): DayRange[] {
  const out: DayRange[] = [];
  for (let start = from; start <= to; start = addDays(start, size)) {
    const end = addDays(start, size - 1);
    out.push({ from: start, to: end < to ? end : to });
  }
  return out;
}

export function todayInBeijing(ms: number): BeijingDate {
  return beijingDateOf(ms);
}

export function yesterdayInBeijing(ms: number): BeijingDate {
  return addDays(beijingDateOf(ms), -1);
}

/**
 * The newest day whose data WeChat has finished computing at `ms`: yesterday from 08:00 Beijing,
 * the day before yesterday until then.
 */
export function newestReadyDay(ms: number): BeijingDate {
  return addDays(beijingDateOf(ms), beijingHourOf(ms) >= DATA_READY_HOUR ? -1 : -2);
}

/** Epoch milliseconds of the next 00:00 Beijing after `ms`. */
export function nextBeijingMidnight(ms: number): number {
  return startOfBeijingDay(addDays(beijingDateOf(ms), 1));
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
