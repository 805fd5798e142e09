import { EARLIEST_DATE, beijingDateOf, daysBetween, isBeijingDate, newestReadyDay, type BeijingDate, type DayRange } from './dates.js';

export interface RangeLimits {
  /** Longest range accepted, in days (both ends included). */
  readonly maxDays: number;
  /** How the two parameters are called in messages: `--from`/`--to` or `from`/`to`. */
  readonly names: { readonly from: string; readonly to: string };
  /** Appended to the "too long" message, e.g. "; split it into several runs". @default '' */
  readonly spanHint?: string;
  /**
   * When given, `to` must be a day WeChat has finished at this instant (yesterday only from 08:00
   * Beijing): asking WeChat for a later day costs a call for an error or an empty answer.
   */
  readonly nowMs?: number;
}

export type RangeCheck =
  ({ readonly ok: true } & DayRange) | { readonly ok: false; readonly param: 'from' | 'to'; readonly message: string };

function parseDate(value: unknown, name: string): { readonly date: BeijingDate } | { readonly error: string } {
  if (value === undefined || value === '') return { error: `${name}: required (a Beijing date, YYYY-MM-DD)` };
  if (typeof value !== 'string') return { error: `${name}: expected one date (YYYY-MM-DD)` };
  if (!isBeijingDate(value)) return { error: `${name}: ${JSON.stringify(value)} is not a date (expected YYYY-MM-DD, a Beijing date)` };
  return { date: value };
}

/**
 * Checks a requested range of days; every message starts with the parameter at fault.
 * Shared by the backfill command and the JSON API (pure).
 */
export function checkDateRange(from: unknown, to: unknown, limits: RangeLimits): RangeCheck {
  const { names } = limits;
  const parsedFrom = parseDate(from, names.from);
  if ('error' in parsedFrom) return { ok: false, param: 'from', message: parsedFrom.error };
  const parsedTo = parseDate(to, names.to);
  if ('error' in parsedTo) return { ok: false, param: 'to', message: parsedTo.error };
  const f = parsedFrom.date;
  const t = parsedTo.date;
  if (f < EARLIEST_DATE) {
    return { ok: false, param: 'from', message: `${names.from}: ${f} is before ${EARLIEST_DATE}, the first day WeChat keeps data for` };
  }
  if (t < f) return { ok: false, param: 'to', message: `${names.to}: ${t} is before ${names.from} ${f}` };
  if (limits.nowMs !== undefined) {
    const newest = newestReadyDay(limits.nowMs);
    const today = beijingDateOf(limits.nowMs);
    if (t >= today) {
      return {
        ok: false,
        param: 'to',
        message: `${names.to}: ${t} is ${t === today ? 'today' : 'in the future'} (today is ${today} in Beijing); the newest day WeChat has data for is ${newest}`,
      };
    }
    if (t > newest) {
      return {
        ok: false,
        param: 'to',
        message: `${names.to}: ${t} is not available yet (WeChat publishes a day's data after 08:00 Beijing the next day); the newest available day is ${newest}`,
      };
    }
  }
  const days = daysBetween(f, t) + 1;
  if (days > limits.maxDays) {
    return {
      ok: false,
      param: 'to',
      message: `${names.to}: ${f}..${t} is ${days} days, more than the ${limits.maxDays} allowed${limits.spanHint ?? ''}`,
    };
  }
  return { ok: true, from: f, to: t };
}
