import type Database from 'better-sqlite3';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { addDays, startOfBeijingDay, type BeijingDate } from '../dates.js';
import { firstKeptDay, type RetentionPolicy } from './retention.js';

/**
 * Account-days deleted per transaction. Each is ~27 rows (24 hours, the day's total, its `days`
 * record, its outbox rows): a batch takes milliseconds, then the event loop gets a turn, so
 * scrapes and polls never wait on a year being pruned (bench/prune.ts measures the longest stall).
 */
export const PRUNE_BATCH = 100;
/**
 * Accounts per transaction: each account's rows lie on their own pages, so the daily run (one day
 * of every account) would write ~4 pages per account-day; 20 accounts keep a transaction to some
 * 80 pages, as a bulk run's 100 days of one account are.
 */
export const PRUNE_BATCH_ACCOUNTS = 20;

export interface PruneResult {
  /** Account-days deleted (wechat_exporter_store_pruned_days_total). */
  readonly days: number;
  /** Remote-write outbox rows of those days the receivers had not accepted (pending or failed). */
  readonly unsentDays: number;
  /** The first day kept: the time retention's, or later when the size retention took more. */
  readonly keptFrom: BeijingDate;
  /** The size retention stopped at the lookback window with the store still larger than the limit. */
  readonly sizeLimitUnmet: boolean;
}

/**
 * The distinct values of a table's leading key column, one index lookup each (`next` answers
 * `min(key)` after the given value), rather than a scan of the whole table.
 */
function* distinctKeys(next: (after: string) => string | null | undefined): Generator<string> {
  for (let key = next(''); typeof key === 'string'; key = next(key)) yield key;
}

/** Days `from`..`to` (inclusive) of one account. */
interface AccountRange {
  readonly appid: string;
  readonly from: BeijingDate;
  readonly to: BeijingDate;
}

/**
 * The retention's deletions, in small transactions that yield between them. Freed pages go to
 * SQLite's free list and are reused by the days stored next, so the file plateaus at about the
 * retention's worth of days; it never shrinks by itself (auto_vacuum stays off: handing the pages
 * back only to take them again the next day costs writes, and switching an existing file to
 * incremental vacuum needs a full VACUUM that blocks the store and needs its size again in free
 * space). The size retention therefore counts the pages in use, not the file's length.
 */
export class StorePruner {
  readonly #db: Database.Database;
  readonly #stmt;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#stmt = {
      // The accounts with stored days, one key lookup each (no scan of the table).
      nextAppid: db.prepare<[string], { appid: string | null }>('SELECT min(appid) AS appid FROM days WHERE appid > ?'),
      accountOlder: db.prepare<[string, string, number], { ref_date: string }>(
        'SELECT ref_date FROM days WHERE appid = ? AND ref_date < ? ORDER BY ref_date LIMIT ?',
      ),
      oldest: db.prepare<[], { d: string | null }>('SELECT min(ref_date) AS d FROM days'),
      hours: db.prepare('DELETE FROM hourly WHERE appid = ? AND ref_date BETWEEN ? AND ?'),
      daily: db.prepare('DELETE FROM daily WHERE appid = ? AND ref_date BETWEEN ? AND ?'),
      day: db.prepare('DELETE FROM days WHERE appid = ? AND ref_date BETWEEN ? AND ?'),
      // The outbox's key starts with the URL: one lookup per target, by key.
      nextUrl: db.prepare<[string], { url: string | null }>('SELECT min(url) AS url FROM remote_write_outbox WHERE url > ?'),
      outboxUnsent: db.prepare<[string, string, string, string], { n: number }>(
        "SELECT count(*) AS n FROM remote_write_outbox WHERE url = ? AND appid = ? AND ref_date BETWEEN ? AND ? AND state != 'acked'",
      ),
      outbox: db.prepare('DELETE FROM remote_write_outbox WHERE url = ? AND appid = ? AND ref_date BETWEEN ? AND ?'),
      // One row per account and API, rewritten daily while the account runs: an old one is an account gone.
      quota: db.prepare('DELETE FROM api_quota WHERE checked_on < ?'),
      // An account with no day left that has not succeeded within the retention: gone from the config.
      accounts: db.prepare(`DELETE FROM accounts WHERE (last_success_at IS NULL OR last_success_at < ?)
        AND NOT EXISTS (SELECT 1 FROM days WHERE days.appid = accounts.appid)`),
    };
  }

  /** The oldest stored day of any account, or undefined for an empty store (one index step). */
  oldestDay(): BeijingDate | undefined {
    return this.#stmt.oldest.get()?.d ?? undefined;
  }

  /**
   * Deletes what the retention no longer keeps at `nowMs`: days before the time retention's first
   * day, then, with a size retention, the oldest days while the store holds more (never a day of
   * the lookback window from `protectFrom` on: it would be fetched again at once).
   */
  async prune(nowMs: number, policy: RetentionPolicy, protectFrom: BeijingDate): Promise<PruneResult> {
    let keptFrom = firstKeptDay(nowMs, policy);
    const total = { days: 0, unsentDays: 0 };
    await this.#deleteBefore(keptFrom, total);
    let sizeLimitUnmet = false;
    while (policy.sizeBytes !== undefined && this.#usedBytes() > policy.sizeBytes) {
      const oldest = this.oldestDay();
      if (oldest === undefined) break;
      if (oldest >= protectFrom) {
        sizeLimitUnmet = true;
        break;
      }
      keptFrom = addDays(oldest, 1) > keptFrom ? addDays(oldest, 1) : keptFrom;
      await this.#deleteBefore(keptFrom, total);
    }
    this.#stmt.quota.run(keptFrom);
    this.#stmt.accounts.run(startOfBeijingDay(keptFrom));
    return { ...total, keptFrom, sizeLimitUnmet };
  }

  /**
   * Bytes the store's pages in use hold (its free pages excluded). The WAL is left out: it holds
   * copies of pages until the next checkpoint (every ~4 MiB of writes, cut back to 64 MiB at most),
   * and deleting days cannot make it smaller.
   */
  #usedBytes(): number {
    const pages = this.#db.pragma('page_count', { simple: true }) as number;
    const free = this.#db.pragma('freelist_count', { simple: true }) as number;
    const pageSize = this.#db.pragma('page_size', { simple: true }) as number;
    return (pages - free) * pageSize;
  }

  /**
   * Deletes every account's days before `day`, account by account (an account's rows lie together
   * in the tables' keys, so a batch touches few pages), at most PRUNE_BATCH account-days of at
   * most PRUNE_BATCH_ACCOUNTS accounts per transaction, yielding to the event loop between them.
   */
  async #deleteBefore(day: BeijingDate, total: { days: number; unsentDays: number }): Promise<void> {
    const urls = this.#urls();
    let batch: AccountRange[] = [];
    let size = 0;
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const ranges = batch;
      total.unsentDays += this.#db.transaction(() => ranges.reduce((n, r) => n + this.#deleteRange(r, urls), 0))();
      total.days += size;
      batch = [];
      size = 0;
      await yieldToLoop();
    };
    for (const appid of distinctKeys((after) => this.#stmt.nextAppid.get(after)?.appid)) {
      for (;;) {
        const want = PRUNE_BATCH - size;
        const dates = this.#stmt.accountOlder.all(appid, day, want).map((r) => r.ref_date);
        if (dates.length === 0) break;
        batch.push({ appid, from: dates[0] as string, to: dates[dates.length - 1] as string });
        size += dates.length;
        if (size >= PRUNE_BATCH || batch.length >= PRUNE_BATCH_ACCOUNTS) await flush();
        if (dates.length < want) break;
      }
    }
    await flush();
  }

  /** Deletes one account's days `from`..`to` whole; returns how many of their outbox rows were not yet accepted. */
  #deleteRange({ appid, from, to }: AccountRange, urls: readonly string[]): number {
    const s = this.#stmt;
    s.hours.run(appid, from, to);
    s.daily.run(appid, from, to);
    s.day.run(appid, from, to);
    let unsent = 0;
    for (const url of urls) {
      unsent += s.outboxUnsent.get(url, appid, from, to)?.n ?? 0;
      s.outbox.run(url, appid, from, to);
    }
    return unsent;
  }

  /** The outbox's target URLs (a few). */
  #urls(): string[] {
    return [...distinctKeys((after) => this.#stmt.nextUrl.get(after)?.url)];
  }
}
