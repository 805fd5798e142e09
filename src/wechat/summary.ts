import { isBeijingDate, type BeijingDate, type DayRange } from '../dates.js';
import { InvalidResponseError, type ApiName } from '../errors.js';
import type { WechatJson } from './http-client.js';
import type { DailyRow, HourlyRow, SummaryFigures } from '../figures.js';

export interface ParsedSummary<Row> {
  /** Rows whose `ref_date` lies in the requested range, sorted by date (and hour). */
  readonly rows: Row[];
  /** Rows of other dates, dropped (WeChat sent such rows in 2022). */
  readonly dropped: number;
}

const FIGURES = [
  ['callback_count', 'callbackCount'],
  ['fail_count', 'failCount'],
  ['total_time_cost', 'totalTimeCost'],
  ['max_time_cost', 'maxTimeCost'],
] as const;

function listOf(api: ApiName, json: WechatJson): Readonly<Record<string, unknown>>[] {
  const list = json['list'];
  if (!Array.isArray(list)) throw new InvalidResponseError(api, '"list" is missing or not an array');
  return list.map((row, i) => {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      throw new InvalidResponseError(api, `list[${i}] is not an object`);
    }
    return row as Readonly<Record<string, unknown>>;
  });
}

function parseFigures(api: ApiName, row: Readonly<Record<string, unknown>>, i: number): SummaryFigures & { refDate: BeijingDate } {
  const refDate = row['ref_date'];
  if (!isBeijingDate(refDate)) throw new InvalidResponseError(api, `list[${i}].ref_date is not a YYYY-MM-DD date`);
  const out: Record<string, number> = {};
  for (const [wire, field] of FIGURES) {
    const v = row[wire];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      throw new InvalidResponseError(api, `list[${i}].${wire} is ${v === undefined ? 'missing' : 'not a non-negative integer'}`);
    }
    out[field] = v;
  }
  return { refDate, ...(out as unknown as SummaryFigures) };
}

function inRange(date: BeijingDate, range: DayRange): boolean {
  return date >= range.from && date <= range.to;
}

/** Parses a `getinterfacesummary` answer (pure; tested with inline JSON). */
export function parseDailySummary(json: WechatJson, range: DayRange): ParsedSummary<DailyRow> {
  const api: ApiName = 'getinterfacesummary';
  const all = listOf(api, json).map((row, i) => parseFigures(api, row, i));
  const rows = all.filter((r) => inRange(r.refDate, range));
  const seen = new Set<string>();
  for (const r of rows) {
    if (seen.has(r.refDate)) throw new InvalidResponseError(api, `two rows for ${r.refDate}`);
    seen.add(r.refDate);
  }
  rows.sort((a, b) => a.refDate.localeCompare(b.refDate));
  return { rows, dropped: all.length - rows.length };
}

/**
 * Parses a `getinterfacesummaryhour` answer. `ref_hour` is documented only by the example `0`;
 * older hourly APIs use 0, 100, …, 2300 for [00:00, 01:00) … and WxJava reads this API that way
 * too, so both encodings are accepted: one answer that has any value above 23 is read as
 * hundreds, and then every value must be a multiple of 100.
 */
export function parseHourlySummary(json: WechatJson, range: DayRange): ParsedSummary<HourlyRow> {
  const api: ApiName = 'getinterfacesummaryhour';
  const list = listOf(api, json);
  const raw = list.map((row, i) => {
    const h = row['ref_hour'];
    if (typeof h !== 'number' || !Number.isInteger(h) || h < 0 || h > 2300) {
      throw new InvalidResponseError(
        api,
        `list[${i}].ref_hour is ${h === undefined ? 'missing' : 'not an hour (0..23 or 0, 100, ..., 2300)'}`,
      );
    }
    return h;
  });
  const hundreds = raw.some((h) => h > 23);
  const all = list.map((row, i) => {
    const h = raw[i] as number;
    if (hundreds && h % 100 !== 0) {
      throw new InvalidResponseError(api, `list[${i}].ref_hour ${h} mixes hour encodings (0..23 and 0, 100, ..., 2300)`);
    }
    return { ...parseFigures(api, row, i), refHour: hundreds ? h / 100 : h };
  });
  const rows = all.filter((r) => inRange(r.refDate, range));
  const seen = new Set<string>();
  for (const r of rows) {
    const key = `${r.refDate} ${r.refHour}`;
    if (seen.has(key)) throw new InvalidResponseError(api, `two rows for ${r.refDate} hour ${r.refHour}`);
    seen.add(key);
  }
  rows.sort((a, b) => a.refDate.localeCompare(b.refDate) || a.refHour - b.refHour);
  return { rows, dropped: all.length - rows.length };
}
