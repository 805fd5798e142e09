import { EARLIEST_DATE, daysBetween, isBeijingDate, yesterdayInBeijing, type DayRange } from '../dates.js';
import { DateRangeError } from '../errors.js';

/** Days one call may cover (WeChat's analytics API page: "Maximum Time Span"): 30 for the daily API, 1 for the hourly one. */
export const MAX_SPAN_DAYS = { getinterfacesummary: 30, getinterfacesummaryhour: 1 } as const;
export type DatacubeApi = keyof typeof MAX_SPAN_DAYS;

/**
 * Checks a datacube date range before anything is sent. A violation is a bug in the caller (the
 * planner never asks for such ranges), so it throws instead of spending a call on WeChat's 61500/61501.
 */
export function assertDatacubeRange(api: DatacubeApi, range: DayRange, nowMs: number): void {
  const { from: begin, to: end } = range;
  for (const [name, d] of [
    ['begin_date', begin],
    ['end_date', end],
  ] as const) {
    if (!isBeijingDate(d)) throw new DateRangeError(`${api}: ${name} ${JSON.stringify(d)} is not a YYYY-MM-DD date`);
  }
  if (begin > end) throw new DateRangeError(`${api}: begin_date ${begin} is after end_date ${end}`);
  const span = daysBetween(begin, end) + 1;
  const max = MAX_SPAN_DAYS[api];
  if (api === 'getinterfacesummaryhour' && span !== 1) {
    throw new DateRangeError(`${api}: begin_date and end_date must be the same day (got ${begin}..${end})`);
  }
  if (span > max) throw new DateRangeError(`${api}: ${begin}..${end} spans ${span} days, at most ${max} allowed`);
  if (begin < EARLIEST_DATE) throw new DateRangeError(`${api}: begin_date ${begin} is before ${EARLIEST_DATE}, when WeChat's data starts`);
  const yesterday = yesterdayInBeijing(nowMs);
  if (end > yesterday) throw new DateRangeError(`${api}: end_date ${end} is after yesterday (${yesterday}, Beijing)`);
}
