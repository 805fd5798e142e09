import type Database from 'better-sqlite3';
import type { BeijingDate } from '../dates.js';

/** A day marked stored whose rows are not all there. */
export interface DamagedDay {
  readonly appid: string;
  readonly refDate: BeijingDate;
  /** What the day was written with, and what is there now. */
  readonly expected: { readonly daily: number; readonly hours: number };
  readonly found: { readonly daily: number; readonly hours: number };
}

interface DayCounts {
  appid: string;
  ref_date: string;
  status: string;
  hour_count: number;
  hours: number;
  dailies: number;
}

const COUNTS = `SELECT d.appid, d.ref_date, d.status, d.hour_count,
  (SELECT count(*) FROM hourly h WHERE h.appid = d.appid AND h.ref_date = d.ref_date) AS hours,
  (SELECT count(*) FROM daily y WHERE y.appid = d.appid AND y.ref_date = d.ref_date) AS dailies
  FROM days d`;

/**
 * Days whose rows do not match what they were written with: a complete day has its daily row
 * and `hour_count` hourly rows; a day without traffic has neither. Pure SQL over the primary
 * keys, so it costs one pass over the days in range.
 */
export function damagedDays(db: Database.Database, range?: { appid: string; from: BeijingDate; to: BeijingDate }): DamagedDay[] {
  const rows = range
    ? (db.prepare(`${COUNTS} WHERE d.appid = ? AND d.ref_date BETWEEN ? AND ?`).all(range.appid, range.from, range.to) as DayCounts[])
    : (db.prepare(COUNTS).all() as DayCounts[]);
  return rows
    .map((r) => ({
      appid: r.appid,
      refDate: r.ref_date,
      expected: { daily: r.status === 'complete' ? 1 : 0, hours: r.hour_count },
      found: { daily: r.dailies, hours: r.hours },
    }))
    .filter((d) => d.expected.daily !== d.found.daily || d.expected.hours !== d.found.hours);
}

/** `3 days marked stored lack rows: wx…a1 2026-03-08 (24 hourly rows written, 20 found), …` */
export function describeDamage(days: readonly DamagedDay[], shown = 5): string {
  const one = (d: DamagedDay): string => {
    const what =
      d.expected.daily !== d.found.daily
        ? `daily row ${d.expected.daily ? 'missing' : 'unexpected'}`
        : `${d.expected.hours} hourly rows written, ${d.found.hours} found`;
    return `${d.appid} ${d.refDate} (${what})`;
  };
  const more = days.length > shown ? `, and ${days.length - shown} more` : '';
  return `${days.length} day(s) marked stored lack rows: ${days.slice(0, shown).map(one).join(', ')}${more}`;
}

/**
 * SQLite's own check of the file's structure (pages, b-trees, CHECK and NOT NULL constraints),
 * without the slower index cross-check of integrity_check: the tables are WITHOUT ROWID, so
 * there is no separate index to compare. Returns the problems, none when the file is sound.
 */
export function quickCheck(db: Database.Database, max = 5): string[] {
  const rows = db.pragma(`quick_check(${max})`) as { quick_check: string }[];
  const problems = rows.map((r) => r.quick_check);
  return problems.length === 1 && problems[0] === 'ok' ? [] : problems;
}
