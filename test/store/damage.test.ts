import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import Database from 'better-sqlite3';
import { StoreDamagedError } from '../../src/errors.js';
import { addDays } from '../../src/dates.js';
import { damagedDays } from '../../src/store/integrity.js';
import { recoverStore } from '../../src/store/recover.js';
import { Store } from '../../src/store/store.js';
import { DAMAGE_APPID, DAYS, FIRST_DAY, deleteBehindBack, fileBytes, scribbleMiddle, useWrittenStore } from '../helpers/store-damage.js';

const LAST_DAY = addDays(FIRST_DAY, DAYS - 1);

function refusal(path: string, pattern: RegExp): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof StoreDamagedError, `expected StoreDamagedError, got ${String(e)}`);
    assert.ok(e.message.includes(path), 'names the file');
    assert.match(e.message, /store recover --storage\.path=/, 'names the recovery');
    assert.match(e.message, pattern);
    return true;
  };
}

describe('damaged store', () => {
  const fx = useWrittenStore();
  let path: string;
  beforeEach(() => {
    path = fx.path;
  });

  it('random bytes in the middle: refused at open (quick_check), naming the file and the recovery', () => {
    scribbleMiddle(path);
    const before = fileBytes(path);
    assert.throws(() => new Store(path), refusal(path, /quick_check|malformed|corrupt/i));
    assert.deepEqual(fileBytes(path), before, 'the refusal leaves the file as it was');
  });

  it('hourly rows deleted behind its back: refused at open, the day and the counts named', () => {
    assert.equal(deleteBehindBack(path, 'DELETE FROM hourly WHERE ref_date = ? AND ref_hour >= 20', '2026-02-05'), 4);
    assert.throws(
      () => new Store(path),
      refusal(path, /1 day\(s\) marked stored lack rows: wx00000000000000d1 2026-02-05 \(24 hourly rows written, 20 found\)/),
    );
  });

  it('a daily row deleted behind its back: refused at open', () => {
    deleteBehindBack(path, 'DELETE FROM daily WHERE ref_date = ?', '2026-02-06');
    assert.throws(() => new Store(path), refusal(path, /2026-02-06 \(daily row missing\)/));
  });

  it('damagedDays finds exactly the days that lost rows, and no others', () => {
    deleteBehindBack(path, 'DELETE FROM hourly WHERE ref_date IN (?, ?) AND ref_hour = 3', '2026-02-01', '2026-02-10');
    const db = new Database(path, { readonly: true });
    try {
      assert.deepEqual(
        damagedDays(db).map((d) => [d.refDate, d.expected.hours, d.found.hours]),
        [
          ['2026-02-01', 24, 23],
          ['2026-02-10', 24, 23],
        ],
      );
      assert.deepEqual(damagedDays(db, { appid: DAMAGE_APPID, from: '2026-02-02', to: '2026-02-09' }), []);
    } finally {
      db.close();
    }
  });

  describe('store recover', () => {
    it('after rows were deleted: moves the file aside, keeps every whole day, drops the others', () => {
      deleteBehindBack(path, 'DELETE FROM hourly WHERE ref_date = ? AND ref_hour = 7', '2026-02-05');
      const damaged = fileBytes(path);
      const report = recoverStore(path, Date.parse('2026-03-10T01:02:03Z'));
      assert.equal(report.movedTo, `${path}.damaged-20260310T010203Z`);
      assert.deepEqual(fileBytes(report.movedTo), damaged, 'the damaged file is kept as it was');
      assert.equal(report.kept, DAYS - 1);
      assert.deepEqual(report.dropped, [{ appid: DAMAGE_APPID, refDate: '2026-02-05', why: '24 hourly rows written, 23 readable' }]);
      const store = new Store(path);
      try {
        const stored = store.storedDays(DAMAGE_APPID, FIRST_DAY, LAST_DAY);
        assert.equal(stored.size, DAYS - 1);
        assert.equal(stored.has('2026-02-05'), false, 'the damaged day is missing, so it is fetched again');
        assert.equal(store.hourlyRows(DAMAGE_APPID, '2026-02-04', '2026-02-04').length, 24);
        assert.equal(store.lastSuccess(DAMAGE_APPID), 1_773_000_000_000);
      } finally {
        store.close();
      }
    });

    it('after random bytes: the new store opens, holds only whole days with their true figures', () => {
      const original = new Store(path);
      const truth = new Map(original.hourlyRows(DAMAGE_APPID, FIRST_DAY, LAST_DAY).map((r) => [`${r.refDate} ${r.refHour}`, r]));
      original.close();
      scribbleMiddle(path);
      const report = recoverStore(path, Date.parse('2026-03-10T01:02:03Z'));
      assert.ok(report.kept + report.dropped.length <= DAYS);
      const store = new Store(path);
      try {
        const rows = store.hourlyRows(DAMAGE_APPID, FIRST_DAY, LAST_DAY);
        assert.equal(rows.length, report.kept * 24, 'every kept day has its 24 hours');
        for (const r of rows) assert.deepEqual(r, truth.get(`${r.refDate} ${r.refHour}`), `${r.refDate} ${r.refHour} is what was stored`);
        assert.ok(report.kept > 0, 'most of the file is still readable');
      } finally {
        store.close();
      }
      assert.ok(existsSync(report.movedTo));
      assert.deepEqual(
        readdirSync(fx.dir).filter((f) => f.includes('recovering') || f.endsWith('.pid')),
        [],
        'no temporary file left behind',
      );
    });

    it('refuses while an exporter owns the store, and changes nothing', () => {
      const owner = new Store(path, { owner: true });
      try {
        assert.throws(() => recoverStore(path, Date.now()), /is in use by another exporter \(pid \d+\)/);
        assert.equal(readdirSync(fx.dir).filter((f) => f.includes('damaged')).length, 0);
        assert.equal(owner.storedDays(DAMAGE_APPID, FIRST_DAY, LAST_DAY).size, DAYS);
      } finally {
        owner.close();
      }
    });
  });
});
