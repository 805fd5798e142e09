import { statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import type { Clock } from '../clock.js';
import type { BeijingDate } from '../dates.js';

/** The store's file and its WAL, in bytes (0 when absent). */
export function storeBytes(path: string): { readonly file: number; readonly wal: number } {
  if (path === ':memory:') return { file: 0, wal: 0 };
  const size = (p: string): number => statSync(p, { throwIfNoEntry: false })?.size ?? 0;
  return { file: size(path), wal: size(`${path}-wal`) };
}

/** What the operator sees of the store: /metrics, the status page. */
export interface StoreStatus {
  /** The file and its WAL (an in-memory store: its pages). */
  readonly sizeBytes: number;
  /** The oldest stored day of any account; undefined while the store is empty. */
  readonly oldestDay: BeijingDate | undefined;
  /** statfs of the store's folder; undefined for an in-memory store or where statfs fails. */
  readonly filesystem: { readonly availBytes: number; readonly sizeBytes: number } | undefined;
}

function filesystemOf(path: string): StoreStatus['filesystem'] {
  if (path === ':memory:') return undefined;
  try {
    const fs = statfsSync(dirname(path));
    // bavail: what an unprivileged process may still write, as node_exporter's node_filesystem_avail_bytes.
    return { availBytes: fs.bavail * fs.bsize, sizeBytes: fs.blocks * fs.bsize };
  } catch {
    return undefined;
  }
}

export interface StoreStatsOptions {
  readonly db: Database.Database;
  readonly path: string;
  readonly clock: Clock;
  /** The oldest stored day (StorePruner.oldestDay). */
  readonly oldestDay: () => BeijingDate | undefined;
  /** How long a sample serves: stat and statfs are system calls, scrapes come every few seconds. @default 5000 */
  readonly maxAgeMs?: number;
}

/**
 * The store's size, oldest day and free space, sampled at most once every `maxAgeMs` of the
 * injected clock. A sample that fails (the store closed under a last scrape) keeps the previous
 * one: a scrape never fails on it.
 */
export class StoreStats {
  readonly #o: StoreStatsOptions;
  #last: { at: number; status: StoreStatus } | undefined;

  constructor(options: StoreStatsOptions) {
    this.#o = options;
  }

  sample(): StoreStatus {
    const now = this.#o.clock.now();
    const last = this.#last;
    if (last && Math.abs(now - last.at) < (this.#o.maxAgeMs ?? 5_000)) return last.status;
    try {
      const status = this.#read();
      this.#last = { at: now, status };
      return status;
    } catch {
      return last?.status ?? { sizeBytes: 0, oldestDay: undefined, filesystem: undefined };
    }
  }

  /** The next sample reads again (after a prune, so the figures move at once). */
  invalidate(): void {
    this.#last = undefined;
  }

  #read(): StoreStatus {
    const { db, path } = this.#o;
    const oldestDay = this.#o.oldestDay();
    const { file, wal } = storeBytes(path);
    const inMemory = path === ':memory:';
    const pages = inMemory
      ? (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number)
      : 0;
    return { sizeBytes: inMemory ? pages : file + wal, oldestDay, filesystem: filesystemOf(path) };
  }
}
