import type { BeijingDate } from '../dates.js';
import type { HourlyRow } from '../figures.js';
import { historyOf, type HistoryDay } from './history.js';
import { figuresOfColumns, type DayStatus, type FigureColumns, type Store } from './store.js';

/** What a starting exporter reads back for an account, so that a restart needs no API call. */
export interface StoredStart {
  /** The newest stored day (the reference day of the gauges), as readReferenceDay gives it. */
  readonly reference: HistoryDay | undefined;
  readonly lastSuccessAt: number | undefined;
}

// Each account's newest stored day; the row tables joined on it.
const NEWEST = 'WITH newest AS (SELECT appid, MAX(ref_date) AS ref_date FROM days GROUP BY appid)';

/**
 * Every account's reference day and last success, in four queries whatever the number of
 * accounts: one query per account and table made a restart with thousands of accounts spend
 * seconds in the store before its first scrape. Gives the same days as readReferenceDay.
 */
export function readStartStates(store: Store): (appid: string) => StoredStart {
  const db = store.database;
  const days = db
    .prepare<[], { appid: string; ref_date: BeijingDate; status: DayStatus }>(
      `${NEWEST} SELECT d.appid, d.ref_date, d.status FROM days d JOIN newest n ON d.appid = n.appid AND d.ref_date = n.ref_date`,
    )
    .all();
  const daily = db
    .prepare<[], FigureColumns & { appid: string; ref_date: BeijingDate }>(
      `${NEWEST} SELECT r.* FROM daily r JOIN newest n ON r.appid = n.appid AND r.ref_date = n.ref_date`,
    )
    .all();
  const hourly = db
    .prepare<[], FigureColumns & { appid: string; ref_date: BeijingDate; ref_hour: number }>(
      `${NEWEST} SELECT r.* FROM hourly r JOIN newest n ON r.appid = n.appid AND r.ref_date = n.ref_date ORDER BY r.appid, r.ref_hour`,
    )
    .all();
  const success = db.prepare<[], { appid: string; last_success_at: number | null }>('SELECT appid, last_success_at FROM accounts').all();

  const dailyOf = new Map(daily.map((r) => [r.appid, { refDate: r.ref_date, ...figuresOfColumns(r) }]));
  const hoursOf = new Map<string, HourlyRow[]>();
  for (const r of hourly) {
    const rows = hoursOf.get(r.appid) ?? [];
    if (rows.length === 0) hoursOf.set(r.appid, rows);
    rows.push({ refDate: r.ref_date, refHour: r.ref_hour, ...figuresOfColumns(r) });
  }
  const references = new Map<string, HistoryDay | undefined>();
  for (const d of days) {
    const row = dailyOf.get(d.appid);
    references.set(
      d.appid,
      historyOf([d.ref_date], new Map([[d.ref_date, d.status]]), row ? [row] : [], hoursOf.get(d.appid) ?? []).days[0],
    );
  }
  const lastSuccess = new Map(success.map((r) => [r.appid, r.last_success_at ?? undefined]));
  return (appid) => ({ reference: references.get(appid), lastSuccessAt: lastSuccess.get(appid) });
}
