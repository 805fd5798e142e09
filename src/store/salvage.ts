import type Database from 'better-sqlite3';
import type { BeijingDate } from '../dates.js';
import type { DailyRow, HourlyRow } from '../figures.js';
import type { DayStatus, StoredDay } from './store.js';

/** A day read back whole from a damaged store, with when it was first completed. */
export interface SalvagedDay extends StoredDay {
  readonly appid: string;
  readonly completedAt: number;
}

export interface DroppedDay {
  readonly appid: string;
  readonly refDate: BeijingDate;
  readonly why: string;
}

export interface Salvage {
  readonly days: readonly SalvagedDay[];
  readonly dropped: readonly DroppedDay[];
  readonly lastSuccess: ReadonlyMap<string, number>;
  /** The remote-write outbox rows, column by column, when the table exists. */
  readonly outbox: readonly Record<string, unknown>[];
  /** Reads SQLite refused (damaged pages): what was behind them is lost. */
  readonly readErrors: readonly string[];
}

interface DayKey {
  appid: string;
  ref_date: string;
  status: DayStatus;
  completed_at: number;
  hour_count: number | null;
}

interface FigureRow {
  ref_date: string;
  ref_hour?: number;
  callback_count: number;
  fail_count: number;
  total_time_cost: number;
  max_time_cost: number;
}

/**
 * Every row a table scan can reach: forwards until a damaged page stops it, then backwards from
 * the end until one stops it again (a b-tree can be walked from both ends), merged by key.
 */
function scanBothWays<T>(db: Database.Database, select: string, order: string, key: (row: T) => string, errors: string[]): T[] {
  const rows = new Map<string, T>();
  for (const direction of ['ASC', 'DESC']) {
    const by = order
      .split(',')
      .map((c) => `${c.trim()} ${direction}`)
      .join(', ');
    try {
      for (const row of db.prepare(`${select} ORDER BY ${by}`).iterate() as IterableIterator<T>) rows.set(key(row), row);
      return [...rows.values()];
    } catch (err) {
      errors.push(`${select.replace(/\s+/g, ' ')} (${direction}): ${(err as Error).message}`);
    }
  }
  return [...rows.values()];
}

function figures(r: FigureRow): { callbackCount: number; failCount: number; totalTimeCost: number; maxTimeCost: number } {
  return { callbackCount: r.callback_count, failCount: r.fail_count, totalTimeCost: r.total_time_cost, maxTimeCost: r.max_time_cost };
}

/** One day whole, or why it cannot be kept. */
function readDay(db: Database.Database, d: DayKey): SalvagedDay | string {
  let daily: FigureRow | undefined;
  let hours: FigureRow[];
  try {
    daily = db.prepare('SELECT * FROM daily WHERE appid = ? AND ref_date = ?').get(d.appid, d.ref_date) as FigureRow | undefined;
    hours = db.prepare('SELECT * FROM hourly WHERE appid = ? AND ref_date = ? ORDER BY ref_hour').all(d.appid, d.ref_date) as FigureRow[];
  } catch (err) {
    return `unreadable (${(err as Error).message})`;
  }
  if (d.status === 'complete' && !daily) return 'daily row missing';
  if (d.hour_count !== null && hours.length !== d.hour_count) return `${d.hour_count} hourly rows written, ${hours.length} readable`;
  const hourly: HourlyRow[] = hours.map((h) => ({ refDate: d.ref_date, refHour: h.ref_hour as number, ...figures(h) }));
  const dailyRow: DailyRow | undefined = d.status === 'complete' && daily ? { refDate: d.ref_date, ...figures(daily) } : undefined;
  return { appid: d.appid, refDate: d.ref_date, status: d.status, daily: dailyRow, hours: hourly, completedAt: d.completed_at };
}

/**
 * What a damaged store still holds whole: each day marked stored whose daily row and hourly rows
 * SQLite can read and whose count matches what the day was written with. A day with any doubt is
 * dropped (and fetched again from WeChat), never kept in part.
 */
export function salvage(db: Database.Database): Salvage {
  const errors: string[] = [];
  let version = 0;
  try {
    version = db.pragma('user_version', { simple: true }) as number;
  } catch (err) {
    errors.push(`user_version: ${(err as Error).message}`);
  }
  // Migration 3 added the hour count; before it, the rows found are all there is to check against.
  const count = version >= 3 ? 'hour_count' : 'NULL AS hour_count';
  const keys = scanBothWays<DayKey>(
    db,
    `SELECT appid, ref_date, status, completed_at, ${count} FROM days`,
    'appid, ref_date',
    (r) => `${r.appid} ${r.ref_date}`,
    errors,
  );
  const days: SalvagedDay[] = [];
  const dropped: DroppedDay[] = [];
  for (const key of keys) {
    const day = readDay(db, key);
    if (typeof day === 'string') dropped.push({ appid: key.appid, refDate: key.ref_date, why: day });
    else days.push(day);
  }
  const accounts = scanBothWays<{ appid: string; last_success_at: number | null }>(
    db,
    'SELECT appid, last_success_at FROM accounts',
    'appid',
    (r) => r.appid,
    errors,
  );
  const outbox =
    version >= 2
      ? scanBothWays<Record<string, unknown>>(
          db,
          'SELECT * FROM remote_write_outbox',
          'url, appid, ref_date',
          (r) => `${String(r['url'])} ${String(r['appid'])} ${String(r['ref_date'])}`,
          errors,
        )
      : [];
  const lastSuccess = new Map(accounts.filter((a) => a.last_success_at !== null).map((a) => [a.appid, a.last_success_at as number]));
  return { days, dropped, lastSuccess, outbox, readErrors: errors };
}
