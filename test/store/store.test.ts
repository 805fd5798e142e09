import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from '../../src/errors.js';
import { SCHEMA_VERSION } from '../../src/store/schema.js';
import { PAGE_CACHE_KIB, Store } from '../../src/store/store.js';
import { NO_TRAFFIC, figuresOnly, type HourlyRow } from '../../src/figures.js';
import { readReferenceDay } from '../../src/store/history.js';
import { tempDir } from '../helpers/exporter-harness.js';

const APPID = 'wx0123456789abcdef';
const daily = { refDate: '2026-03-09', callbackCount: 100, failCount: 2, totalTimeCost: 20_000, maxTimeCost: 900 };
const hours: HourlyRow[] = [
  { refDate: '2026-03-09', refHour: 9, callbackCount: 60, failCount: 2, totalTimeCost: 12_000, maxTimeCost: 900 },
  { refDate: '2026-03-09', refHour: 20, callbackCount: 40, failCount: 0, totalTimeCost: 8_000, maxTimeCost: 500 },
];

describe('store', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.remove());

  it('creates the parent directory, uses WAL and records its schema version', () => {
    const path = join(tmp.dir, 'a', 'b', 'store.db');
    const store = new Store(path);
    store.close();
    assert.ok(existsSync(path));
    const db = new Database(path, { readonly: true });
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    db.close();
  });

  it("bounds SQLite's page cache at SQLite's default, not better-sqlite3's 16 MB, on a new and a reopened store", () => {
    const path = join(tmp.dir, 'store.db');
    for (let open = 0; open < 2; open++) {
      const store = new Store(path);
      assert.equal(store.database.pragma('cache_size', { simple: true }), -PAGE_CACHE_KIB);
      assert.ok(PAGE_CACHE_KIB <= 2000, 'the cache grew with every day stored until full: keep it small');
      store.close();
    }
  });

  it('stores a day whole and returns it as the reference day, across a reopen', () => {
    const path = join(tmp.dir, 'store.db');
    let store = new Store(path);
    store.saveDay(APPID, { refDate: '2026-03-08', status: 'no_traffic', hours: [] }, 1);
    store.saveDay(APPID, { refDate: '2026-03-09', status: 'complete', daily, hours }, 2);
    store.setLastSuccess(APPID, 1_773_000_000_000);
    store.close();
    store = new Store(path);
    const ref = readReferenceDay(store, APPID);
    assert.equal(ref?.refDate, '2026-03-09');
    assert.deepEqual(ref?.daily, figuresOnly(daily));
    assert.deepEqual(
      ref?.hours.flatMap((h, hour) => (h === NO_TRAFFIC ? [] : [{ refDate: '2026-03-09', refHour: hour, ...h }])),
      hours,
    );
    assert.deepEqual(
      [...store.storedDays(APPID, '2026-03-01', '2026-03-31')],
      [
        ['2026-03-08', 'no_traffic'],
        ['2026-03-09', 'complete'],
      ],
    );
    assert.equal(store.lastSuccess(APPID), 1_773_000_000_000);
    assert.equal(readReferenceDay(store, 'wx00000000000000ff'), undefined);
    store.close();
  });

  it('a no-traffic reference day has zero figures', () => {
    const store = new Store(':memory:');
    store.saveDay(APPID, { refDate: '2026-03-08', status: 'no_traffic', hours: [] }, 1);
    assert.deepEqual(readReferenceDay(store, APPID)?.daily, { callbackCount: 0, failCount: 0, totalTimeCost: 0, maxTimeCost: 0 });
    store.close();
  });

  it('re-saving a day replaces its rows (upsert keyed by appid, date, hour)', () => {
    const store = new Store(':memory:');
    store.saveDay(APPID, { refDate: '2026-03-09', status: 'complete', daily, hours }, 1);
    store.saveDay(
      APPID,
      { refDate: '2026-03-09', status: 'complete', daily: { ...daily, callbackCount: 60 }, hours: [hours[0] as HourlyRow] },
      2,
    );
    assert.equal(store.dailyRows(APPID, '2026-03-09', '2026-03-09')[0]?.callbackCount, 60);
    assert.equal(store.hourlyRows(APPID, '2026-03-09', '2026-03-09').length, 1);
    store.close();
  });

  it('writes nothing of a day whose write fails half-way', () => {
    const store = new Store(':memory:');
    const bad = [...hours, { ...hours[0], refHour: 99 } as HourlyRow];
    assert.throws(() => store.saveDay(APPID, { refDate: '2026-03-09', status: 'complete', daily, hours: bad }, 1));
    assert.equal(store.storedDays(APPID, '2026-03-09', '2026-03-09').size, 0);
    assert.equal(store.dailyRows(APPID, '2026-03-09', '2026-03-09').length, 0);
    assert.equal(store.hourlyRows(APPID, '2026-03-09', '2026-03-09').length, 0);
    store.close();
  });

  it('refuses a file that is not SQLite, and leaves it untouched', () => {
    const path = join(tmp.dir, 'notes.txt');
    writeFileSync(path, 'my precious notes\n');
    assert.throws(
      () => new Store(path),
      (e: unknown) => e instanceof StoreError && /not an SQLite database; refusing to overwrite it/.test(e.message),
    );
    assert.equal(readFileSync(path, 'utf8'), 'my precious notes\n');
  });

  it("refuses another application's SQLite database, and leaves it untouched", () => {
    const path = join(tmp.dir, 'other.db');
    const db = new Database(path);
    db.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices VALUES (1, 9.5)');
    db.close();
    const before = readFileSync(path);
    assert.throws(
      () => new Store(path),
      (e: unknown) => e instanceof StoreError && /another application/.test(e.message),
    );
    assert.deepEqual(readFileSync(path), before);
  });

  it('refuses a store written by a newer exporter', () => {
    const path = join(tmp.dir, 'newer.db');
    new Store(path).close();
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    assert.throws(() => new Store(path), /newer than this exporter's/);
  });

  it('refuses a truncated database file', () => {
    const path = join(tmp.dir, 'cut.db');
    const store = new Store(path);
    store.saveDay(APPID, { refDate: '2026-03-09', status: 'complete', daily, hours }, 1);
    store.close();
    writeFileSync(path, readFileSync(path).subarray(0, 100));
    assert.throws(() => new Store(path), StoreError);
  });
});
