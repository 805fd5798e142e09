import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { StoreError } from '../errors.js';
import { takeOwnership } from './owner.js';
import { salvage, type DroppedDay, type Salvage } from './salvage.js';
import { Store } from './store.js';

export interface RecoverReport {
  /** Where the damaged file (and its -wal) now lies, byte for byte as it was. */
  readonly movedTo: string;
  /** Whole days written into the new store. */
  readonly kept: number;
  readonly accounts: number;
  readonly dropped: readonly DroppedDay[];
  readonly readErrors: readonly string[];
}

/**
 * The remote-write outbox rows of the kept days, as they were (acked days stay acked, pending ones
 * are still pushed). Rows of dropped days go: the day is fetched again and enqueued anew.
 */
function copyOutbox(store: Store, found: Salvage): void {
  const kept = new Set(found.days.map((d) => `${d.appid} ${d.refDate}`));
  const insert = store.database.prepare(`INSERT OR REPLACE INTO remote_write_outbox
    (url, appid, ref_date, state, attempts, next_attempt_at, last_status, last_error, samples, updated_at)
    VALUES (@url, @appid, @ref_date, @state, @attempts, @next_attempt_at, @last_status, @last_error, @samples, @updated_at)`);
  store.database.transaction(() => {
    for (const row of found.outbox) if (kept.has(`${String(row['appid'])} ${String(row['ref_date'])}`)) insert.run(row);
  })();
}

/** `store.db.damaged-20260310T010203Z`: beside the store, so the volume keeps it. */
function asidePath(path: string, now: number): string {
  return `${path}.damaged-${new Date(now)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
}

const SIDE_FILES = ['-wal', '-shm', '-journal'];

/**
 * `store recover`: replaces a damaged store by a new one holding every day still readable whole.
 * Under the store's owner lock (so never while an exporter runs on it): the damaged file is copied
 * aside untouched, what SQLite can still read is salvaged day by day, a new store is built beside
 * it and renamed into place. Days dropped are fetched again from WeChat: those of the lookback
 * window by the exporter at its next start, older ones by `backfill`.
 */
export function recoverStore(path: string, now: number): RecoverReport {
  if (path === ':memory:' || !existsSync(path)) throw new StoreError(`storage ${path}: no such file to recover`);
  const movedTo = asidePath(path, now);
  const fresh = `${path}.recovering`;
  // Refused (StoreInUseError) while a daemon owns the store; stop it (and any backfill) first.
  const owner = takeOwnership(path);
  let db: Database.Database | undefined;
  try {
    for (const suffix of ['', ...SIDE_FILES]) if (existsSync(path + suffix)) copyFileSync(path + suffix, movedTo + suffix);
    db = new Database(path, { fileMustExist: true });
    const found = salvage(db);
    for (const suffix of ['', ...SIDE_FILES]) rmSync(fresh + suffix, { force: true });
    const store = new Store(fresh);
    try {
      for (const day of found.days) store.saveDay(day.appid, day, day.completedAt);
      for (const [appid, at] of found.lastSuccess) store.setLastSuccess(appid, at);
      copyOutbox(store, found);
    } finally {
      store.close();
    }
    db.close();
    for (const suffix of SIDE_FILES) rmSync(path + suffix, { force: true });
    renameSync(fresh, path);
    return {
      movedTo,
      kept: found.days.length,
      accounts: new Set(found.days.map((d) => d.appid)).size,
      dropped: found.dropped,
      readErrors: found.readErrors,
    };
  } catch (err) {
    if (err instanceof StoreError) throw err;
    throw new StoreError(`storage ${path}: recovery failed, the store is unchanged: ${(err as Error).message}`, { cause: err });
  } finally {
    if (db?.open) db.close();
    owner.release();
  }
}
