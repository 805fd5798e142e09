import { hostname } from 'node:os';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { StoreInUseError } from '../errors.js';

/** Where the owner writes its pid, for the message a second process shows. */
export function ownerFile(path: string): string {
  return `${path}.pid`;
}

/** The lock file beside the store: an empty SQLite database whose lock the owner holds. */
export function lockFile(path: string): string {
  return `${path}.lock`;
}

function readOwner(path: string): string | undefined {
  try {
    const [pid, host] = readFileSync(ownerFile(path), 'utf8').trim().split(/\s+/);
    if (!pid) return undefined;
    return host && host !== hostname() ? `pid ${pid} on host ${host}` : `pid ${pid}`;
  } catch {
    return undefined;
  }
}

/** How long a second process waits for the lock: the length of a quick restart's overlap, no more. */
const LOCK_WAIT_MS = 500;

/** Held while a process owns a store; `release()` ends it (closing the lock also happens at exit). */
export interface Ownership {
  release(): void;
}

/**
 * Makes this process the store's one owner (the daemon, `store recover`) for as long as the
 * returned ownership is held. The lock is SQLite's EXCLUSIVE locking mode on a lock file beside
 * the store, held from the first write transaction until close: an operating-system lock, so a
 * killed owner (kill -9, power cut) leaves no stale lock behind. The store itself stays shared, so
 * that `backfill` may read and write it while the daemon runs. The pid file only names the owner
 * in the message of a second one.
 */
export function takeOwnership(path: string): Ownership {
  const lock = new Database(lockFile(path), { timeout: LOCK_WAIT_MS });
  try {
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (err) {
    lock.close();
    if (err instanceof Database.SqliteError && err.code.startsWith('SQLITE_BUSY')) {
      throw new StoreInUseError(path, readOwner(path), { cause: err });
    }
    throw err;
  }
  try {
    writeFileSync(ownerFile(path), `${process.pid} ${hostname()}\n`);
  } catch {
    // A read-only directory: the lock holds all the same, only the message loses the pid.
  }
  return {
    release() {
      if (!lock.open) return;
      lock.close();
      try {
        if (readFileSync(ownerFile(path), 'utf8').split(/\s+/)[0] === String(process.pid)) rmSync(ownerFile(path), { force: true });
      } catch {
        // Gone already, or never written.
      }
    },
  };
}
