import { hostname } from 'node:os';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { StoreInUseError } from '../errors.js';

/** Where the owner writes its pid, for the message a second process shows. */
export function ownerFile(path: string): string {
  return `${path}.pid`;
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

/**
 * Makes `db` the only connection to its file for as long as it stays open: SQLite's EXCLUSIVE
 * locking mode holds the file lock taken by the first write transaction until close. The lock is
 * the operating system's, so a killed owner (kill -9, power cut) leaves no stale lock behind; the
 * pid file only names the owner in the message. Must run before anything else reads the file.
 */
export function takeOwnership(db: Database.Database, path: string, busyTimeoutMs: number): void {
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma(`busy_timeout = ${LOCK_WAIT_MS}`);
  try {
    db.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (err) {
    if (err instanceof Database.SqliteError && err.code.startsWith('SQLITE_BUSY')) {
      throw new StoreInUseError(path, readOwner(path), { cause: err });
    }
    throw err;
  }
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  try {
    writeFileSync(ownerFile(path), `${process.pid} ${hostname()}\n`);
  } catch {
    // A read-only directory: the lock holds all the same, only the message loses the pid.
  }
}

/** Removes the pid file of an owner that is closing its store. */
export function releaseOwnership(path: string): void {
  try {
    if (readFileSync(ownerFile(path), 'utf8').split(/\s+/)[0] === String(process.pid)) rmSync(ownerFile(path), { force: true });
  } catch {
    // Gone already, or never written.
  }
}
