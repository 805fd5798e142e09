import { accessSync, closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StoreDamagedError, StoreError } from '../errors.js';

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** Refuses, before SQLite touches it, a file that is not an SQLite database. */
export function assertSqliteFile(path: string): void {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new StoreError(`storage ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (size === 0) return;
  const head = Buffer.alloc(SQLITE_HEADER.length);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    readSync(fd, head, 0, head.length, 0);
  } catch (err) {
    throw new StoreError(`storage ${path}: cannot read it: ${(err as Error).message}`, { cause: err });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (!head.equals(SQLITE_HEADER)) {
    throw new StoreError(`storage ${path} exists and is not an SQLite database; refusing to overwrite it (choose another --storage.path)`);
  }
}

/** Whether the store file and its directory (for the -wal file) can be written. */
function writable(path: string): boolean {
  try {
    accessSync(dirname(path), constants.W_OK);
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** An error met while opening, as the StoreError the command line reports (exit 1). */
export function openError(path: string, err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  const code = err instanceof Database.SqliteError ? err.code : '';
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
    return new StoreDamagedError(path, (err as Error).message, { cause: err });
  }
  if (code.startsWith('SQLITE_READONLY') || (/^SQLITE_(IOERR|CANTOPEN)/.test(code) && !writable(path))) {
    return new StoreError(
      `storage ${path} cannot be written (${code}: ${(err as Error).message}): give the exporter write access to the file and its directory (a read-only volume?)`,
      { cause: err },
    );
  }
  if (/^SQLITE_(IOERR|FULL)/.test(code)) {
    return new StoreError(`storage ${path}: ${code}: ${(err as Error).message}: check the disk (space, errors) and start again`, {
      cause: err,
    });
  }
  return new StoreError(`storage ${path}: unreadable: ${(err as Error).message}`, { cause: err });
}
