import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BeijingDate } from '../dates.js';
import { StoreDamagedError, StoreError } from '../errors.js';
import type { DailyRow, HourlyRow, SummaryFigures } from '../figures.js';
import { assertSqliteFile, openError } from './open-checks.js';
import { damagedDays, describeDamage, quickCheck, type DamagedDay } from './integrity.js';
import { takeOwnership, type Ownership } from './owner.js';
import { QuotaTable } from './quota-table.js';
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION } from './schema.js';

export interface StoreOptions {
  /** Take the store's owner lock (the daemon): a second owner is refused with StoreInUseError. @default false */
  readonly owner?: boolean;
}

/** The owner lock, its failures as StoreErrors. */
function ownership(path: string): Ownership {
  try {
    return takeOwnership(path);
  } catch (err) {
    throw err instanceof StoreError
      ? err
      : new StoreError(`storage ${path}: cannot take the owner lock: ${(err as Error).message}`, { cause: err });
  }
}

/** How a stored day was completed. */
export type DayStatus = 'complete' | 'no_traffic';

/** One day of one account, written all at once. */
export interface StoredDay {
  readonly refDate: BeijingDate;
  readonly status: DayStatus;
  /** Absent for a day without traffic. */
  readonly daily?: DailyRow | undefined;
  readonly hours: readonly HourlyRow[];
}

export interface FigureColumns {
  callback_count: number;
  fail_count: number;
  total_time_cost: number;
  max_time_cost: number;
}

/** How long a statement waits for a lock held by someone else (the owner lock makes that rare). */
const BUSY_TIMEOUT_MS = 5_000;

export function figuresOfColumns(r: FigureColumns): SummaryFigures {
  return { callbackCount: r.callback_count, failCount: r.fail_count, totalTimeCost: r.total_time_cost, maxTimeCost: r.max_time_cost };
}

/**
 * The exporter's own database: every row fetched from WeChat and which days are complete, so that
 * a restart costs no API call and the gauges are back before the first scrape. SQLite in WAL
 * mode; each day is written in one transaction, so a crash at any moment leaves whole days only.
 */
/** The page cache's bound, per connection, in KiB (see open). */
export const PAGE_CACHE_KIB = 2000;

export class Store {
  readonly path: string;
  readonly #db: Database.Database;
  readonly #stmt;
  #ownership: Ownership | undefined;
  readonly #daySaved: ((appid: string, refDate: BeijingDate, at: number) => void)[] = [];
  /** WeChat's daily quota answers. */
  readonly quota: QuotaTable;

  /**
   * Opens (creating it and its directory if needed) the store at `path`, or `:memory:`, as its
   * only owner. Refuses a file in use by another process, a damaged file, and a file that is not
   * this exporter's, each with a message naming the file and what to do.
   */
  constructor(path: string, options: StoreOptions = {}) {
    this.path = path;
    if (path !== ':memory:') {
      mkdirSync(dirname(path), { recursive: true });
      assertSqliteFile(path);
      // Before the store is touched: a second daemon is refused without reading a page of it.
      if (options.owner) this.#ownership = ownership(path);
    }
    try {
      this.#db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
    } catch (err) {
      this.#ownership?.release();
      throw new StoreError(`storage ${path}: cannot open: ${(err as Error).message}`, { cause: err });
    }
    try {
      this.#checkSound();
      this.#migrate();
      const damaged = damagedDays(this.#db);
      if (damaged.length > 0) throw new StoreDamagedError(path, describeDamage(damaged));
    } catch (err) {
      this.close();
      throw openError(path, err);
    }
    const db = this.#db;
    this.quota = new QuotaTable(db);
    this.#stmt = {
      upsertDaily: db.prepare(`INSERT INTO daily (appid, ref_date, callback_count, fail_count, total_time_cost, max_time_cost, fetched_at)
        VALUES (@appid, @refDate, @callbackCount, @failCount, @totalTimeCost, @maxTimeCost, @at)
        ON CONFLICT (appid, ref_date) DO UPDATE SET callback_count = excluded.callback_count, fail_count = excluded.fail_count,
          total_time_cost = excluded.total_time_cost, max_time_cost = excluded.max_time_cost, fetched_at = excluded.fetched_at`),
      deleteHours: db.prepare('DELETE FROM hourly WHERE appid = ? AND ref_date = ?'),
      deleteDaily: db.prepare('DELETE FROM daily WHERE appid = ? AND ref_date = ?'),
      upsertHour:
        db.prepare(`INSERT INTO hourly (appid, ref_date, ref_hour, callback_count, fail_count, total_time_cost, max_time_cost, fetched_at)
        VALUES (@appid, @refDate, @refHour, @callbackCount, @failCount, @totalTimeCost, @maxTimeCost, @at)
        ON CONFLICT (appid, ref_date, ref_hour) DO UPDATE SET callback_count = excluded.callback_count, fail_count = excluded.fail_count,
          total_time_cost = excluded.total_time_cost, max_time_cost = excluded.max_time_cost, fetched_at = excluded.fetched_at`),
      upsertDay: db.prepare(`INSERT INTO days (appid, ref_date, status, completed_at, hour_count) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (appid, ref_date) DO UPDATE SET status = excluded.status, completed_at = excluded.completed_at,
          hour_count = excluded.hour_count`),
      storedDays: db.prepare<[string, string, string], { ref_date: string; status: DayStatus }>(
        'SELECT ref_date, status FROM days WHERE appid = ? AND ref_date BETWEEN ? AND ? ORDER BY ref_date',
      ),
      newestDay: db.prepare<[string], { ref_date: string }>('SELECT ref_date FROM days WHERE appid = ? ORDER BY ref_date DESC LIMIT 1'),
      daily: db.prepare<[string, string, string], FigureColumns & { ref_date: string }>(
        'SELECT * FROM daily WHERE appid = ? AND ref_date BETWEEN ? AND ? ORDER BY ref_date',
      ),
      hourly: db.prepare<[string, string, string], FigureColumns & { ref_date: string; ref_hour: number }>(
        'SELECT * FROM hourly WHERE appid = ? AND ref_date BETWEEN ? AND ? ORDER BY ref_date, ref_hour',
      ),
      setLastSuccess: db.prepare(`INSERT INTO accounts (appid, last_success_at) VALUES (?, ?)
        ON CONFLICT (appid) DO UPDATE SET last_success_at = excluded.last_success_at`),
      lastSuccess: db.prepare<[string], { last_success_at: number | null }>('SELECT last_success_at FROM accounts WHERE appid = ?'),
    };
  }

  /** SQLite's structural check, before anything is read or written. */
  #checkSound(): void {
    const problems = quickCheck(this.#db);
    if (problems.length > 0) throw new StoreDamagedError(this.path, `SQLite quick_check: ${problems.join('; ')}`);
  }

  /** Checks the file is ours and not newer, then brings its schema up to date in one transaction. */
  #migrate(): void {
    const db = this.#db;
    const appId = db.pragma('application_id', { simple: true }) as number;
    const version = db.pragma('user_version', { simple: true }) as number;
    const tables = (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n;
    if (appId !== APPLICATION_ID && (appId !== 0 || tables > 0)) {
      throw new StoreError(
        `storage ${this.path} is a database of another application; refusing to change it (choose another --storage.path)`,
      );
    }
    if (version > SCHEMA_VERSION) {
      throw new StoreError(
        `storage ${this.path} has schema version ${version}, newer than this exporter's ${SCHEMA_VERSION}; upgrade the exporter`,
      );
    }
    if (this.path !== ':memory:') db.pragma('journal_mode = WAL');
    // The WAL's bound: after a checkpoint (every ~4 MiB of writes) it is cut back to this length.
    db.pragma('journal_size_limit = 67108864');
    // FULL: a day acknowledged as stored survives a power cut too; writes are a few per day.
    db.pragma('synchronous = FULL');
    // better-sqlite3 builds SQLite with a 16,000 KiB page cache per connection (SQLite's own default
    // is 2,000 KiB). Every day's new pages stayed cached until it was full: anonymous memory grew
    // with the store for weeks and then held ~22 MiB (bench/longrun.ts, docs/deploy.md "Memory over
    // time"). The store is written once a day and read at start: SQLite's default is plenty.
    db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
    if (version === SCHEMA_VERSION) return;
    // All versions in one exclusive transaction, the version read again inside it: of two processes
    // opening a new store at once the second finds it migrated; a failure half-way leaves the old schema.
    db.transaction(() => {
      const current = db.pragma('user_version', { simple: true }) as number;
      if (current >= SCHEMA_VERSION) return;
      for (let v = current; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v] as string);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }).exclusive();
  }

  /** Writes one day whole (rows and completion) in one transaction. */
  saveDay(appid: string, day: StoredDay, at: number): void {
    const s = this.#stmt;
    this.#db.transaction(() => {
      if (day.daily) s.upsertDaily.run({ appid, at, ...day.daily, refDate: day.refDate });
      else s.deleteDaily.run(appid, day.refDate);
      s.deleteHours.run(appid, day.refDate);
      for (const h of day.hours) s.upsertHour.run({ appid, at, ...h, refDate: day.refDate });
      // The count the readers check the day against (hours are unique: the parser refuses duplicates).
      s.upsertDay.run(appid, day.refDate, day.status, at, day.hours.length);
      for (const hook of this.#daySaved) hook(appid, day.refDate, at);
    })();
  }

  /** Runs `hook` inside the transaction of every saveDay (the remote-write outbox enqueues there); returns its removal. */
  onDaySaved(hook: (appid: string, refDate: BeijingDate, at: number) => void): () => void {
    this.#daySaved.push(hook);
    return () => {
      const i = this.#daySaved.indexOf(hook);
      if (i >= 0) this.#daySaved.splice(i, 1);
    };
  }

  /** The connection, for modules that keep their own tables in the store (remote-write outbox). */
  get database(): Database.Database {
    return this.#db;
  }

  /** The stored days of `appid` between `from` and `to` (inclusive). */
  storedDays(appid: string, from: BeijingDate, to: BeijingDate): Map<BeijingDate, DayStatus> {
    return new Map(this.#stmt.storedDays.all(appid, from, to).map((r) => [r.ref_date, r.status]));
  }

  /** The newest stored day of `appid`: the account's reference day. */
  newestDate(appid: string): BeijingDate | undefined {
    return this.#stmt.newestDay.get(appid)?.ref_date;
  }

  /** Days of the range marked stored whose rows are not all there. */
  damagedDays(appid: string, from: BeijingDate, to: BeijingDate): DamagedDay[] {
    return damagedDays(this.#db, { appid, from, to });
  }

  /** Throws StoreDamagedError unless every stored day of the range has all its rows: readers never see a lost row as 0. */
  assertWhole(appid: string, from: BeijingDate, to: BeijingDate): void {
    const damaged = this.damagedDays(appid, from, to);
    if (damaged.length > 0) throw new StoreDamagedError(this.path, describeDamage(damaged));
  }

  dailyRows(appid: string, from: BeijingDate, to: BeijingDate): DailyRow[] {
    return this.#stmt.daily.all(appid, from, to).map((r) => ({ refDate: r.ref_date, ...figuresOfColumns(r) }));
  }

  hourlyRows(appid: string, from: BeijingDate, to: BeijingDate): HourlyRow[] {
    return this.#stmt.hourly.all(appid, from, to).map((r) => ({ refDate: r.ref_date, refHour: r.ref_hour, ...figuresOfColumns(r) }));
  }

  setLastSuccess(appid: string, at: number): void {
    this.#stmt.setLastSuccess.run(appid, at);
  }

  lastSuccess(appid: string): number | undefined {
    return this.#stmt.lastSuccess.get(appid)?.last_success_at ?? undefined;
  }

  close(): void {
    if (this.#db?.open) this.#db.close();
    this.#ownership?.release();
  }
}
