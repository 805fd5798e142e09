import { closeSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { addDays } from '../../src/dates.js';
import { Store } from '../../src/store/store.js';
import type { HourlyRow } from '../../src/figures.js';
import { tempDir } from './exporter-harness.js';

export const DAMAGE_APPID = 'wx00000000000000d1';
export const FIRST_DAY = '2026-01-29';
export const DAYS = 40;

/** A real store with `DAYS` complete days of 24 non-zero hours each, closed again. */
export function writeStore(path: string): void {
  const store = new Store(path);
  for (let i = 0; i < DAYS; i++) {
    const refDate = addDays(FIRST_DAY, i);
    const hours: HourlyRow[] = Array.from({ length: 24 }, (_, h) => ({
      refDate,
      refHour: h,
      callbackCount: 600 + i * 24 + h,
      failCount: h % 3,
      totalTimeCost: 1000 * (h + 1),
      maxTimeCost: 90 + h,
    }));
    const total = hours.reduce((n, r) => n + r.callbackCount, 0);
    store.saveDay(
      DAMAGE_APPID,
      {
        refDate,
        status: 'complete',
        daily: { refDate, callbackCount: total, failCount: 23, totalTimeCost: 300_000, maxTimeCost: 113 },
        hours,
      },
      1_770_000_000_000 + i,
    );
  }
  store.setLastSuccess(DAMAGE_APPID, 1_773_000_000_000);
  store.close();
}

/** Deterministic bytes (a linear congruential generator), so the damage is the same on every run. */
function noise(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** Writes `length` random bytes into the middle of the file, as a failing disk or a stray write would. */
export function scribbleMiddle(path: string, length = 1024, seed = 42): void {
  const size = statSync(path).size;
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, noise(length, seed), 0, length, Math.floor(size / 2) - Math.floor(length / 2));
  } finally {
    closeSync(fd);
  }
}

/** Deletes rows with another connection while no exporter holds the store: "behind the store's back". */
export function deleteBehindBack(path: string, sql: string, ...params: unknown[]): number {
  const db = new Database(path);
  try {
    return db.prepare(sql).run(...params).changes;
  } finally {
    db.close();
  }
}

export function fileBytes(path: string): Buffer {
  return readFileSync(path);
}

/** Registers, in the calling `describe`, a fresh directory with a written store per test. */
export function useWrittenStore(): { readonly dir: string; path: string } {
  let tmp: ReturnType<typeof tempDir> | undefined;
  const fixture = {
    path: '',
    get dir(): string {
      return (tmp as { dir: string }).dir;
    },
  };
  beforeEach(() => {
    tmp = tempDir();
    fixture.path = join(tmp.dir, 'store.db');
    writeStore(fixture.path);
  });
  afterEach(() => tmp?.remove());
  return fixture;
}
