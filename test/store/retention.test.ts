import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ConfigError, UsageError } from '../../src/errors.js';
import { StorePruner } from '../../src/store/prune.js';
import { assertRetentionFits, firstKeptDay, parseRetention, parseSize, retentionProblem } from '../../src/store/retention.js';
import { Store, type StoredDay } from '../../src/store/store.js';
import { tempDir } from '../helpers/exporter-harness.js';
import { addDays } from '../../src/dates.js';
import { retentionWarning } from '../../src/backfill/command.js';

const A = 'wx00000000000000a1';
const B = 'wx00000000000000b2';
const NOW = Date.parse('2026-03-10T09:00:00+08:00');

function day(refDate: string): StoredDay {
  const hours = [3, 12].map((refHour) => ({ refDate, refHour, callbackCount: 10, failCount: 1, totalTimeCost: 900, maxTimeCost: 200 }));
  return { refDate, status: 'complete', daily: { refDate, callbackCount: 20, failCount: 2, totalTimeCost: 1800, maxTimeCost: 200 }, hours };
}

const count = (store: Store, sql: string): number => (store.database.prepare(sql).get() as { n: number }).n;

describe('store retention: flags', () => {
  it('parses durations in days and sizes as Prometheus does (powers of 1024)', () => {
    assert.deepEqual(parseRetention('400d', undefined), { days: 400 });
    assert.deepEqual(parseRetention('36h', ''), { days: 1 });
    assert.deepEqual(parseRetention('30d', '512MB'), { days: 30, sizeBytes: 512 * 2 ** 20 });
    assert.equal(parseSize('2GB'), 2 * 2 ** 30);
    assert.equal(parseSize('2 GB'), undefined);
  });

  it('refuses a bad value naming the flag (a usage error: exit 2)', () => {
    assert.throws(
      () => parseRetention('1y', undefined),
      (e: unknown) => e instanceof UsageError && /--storage\.retention\.time=1y/.test(e.message),
    );
    assert.throws(() => parseRetention('12h', undefined), /at least a day/);
    assert.throws(
      () => parseRetention('30d', '2G'),
      (e: unknown) => e instanceof UsageError && /--storage\.retention\.size=2G/.test(e.message),
    );
  });

  it('a retention shorter than lookbackDays + 1 day names both', () => {
    assert.equal(retentionProblem({ days: 8 }, 7), undefined);
    assert.match(
      retentionProblem({ days: 7 }, 7) ?? '',
      /--storage\.retention\.time=7d is shorter than schedule\.lookbackDays \(7\) \+ 1 day/,
    );
    assert.throws(
      () => assertRetentionFits({ days: 30 }, 30),
      (e: unknown) => e instanceof ConfigError && /schedule\.lookbackDays: .*--storage\.retention\.time=30d.*at least 31d/.test(e.message),
    );
  });

  it('keeps the days from today minus the retention on (Beijing dates)', () => {
    assert.equal(firstKeptDay(NOW, { days: 30 }), '2026-02-08');
    // 23:30 UTC on the 9th is already the 10th in Beijing.
    assert.equal(firstKeptDay(Date.parse('2026-03-09T23:30:00Z'), { days: 1 }), '2026-03-09');
  });
});

describe('store retention: backfill of days older than the retention', () => {
  it('warns that they are written, then deleted from the store; silent for a range inside the retention', () => {
    assert.equal(
      retentionWarning({ from: '2025-01-01', to: '2026-03-09' }, { days: 400 }, NOW),
      'warning: 2025-01-01..2025-02-02 is older than --storage.retention.time=400d (the store keeps days from 2025-02-03): ' +
        "those days are fetched and written, then deleted from the store by the daemon's next pruning",
    );
    assert.match(
      retentionWarning({ from: '2024-01-01', to: '2024-02-01' }, { days: 400 }, NOW) ?? '',
      /^warning: 2024-01-01\.\.2024-02-01 /,
    );
    assert.equal(retentionWarning({ from: '2025-02-03', to: '2026-03-09' }, { days: 400 }, NOW), undefined);
  });
});

describe('store retention: StorePruner on a real SQLite file', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  beforeEach(() => {
    tmp = tempDir();
    store = new Store(join(tmp.dir, 'store.db'));
  });
  afterEach(() => {
    store.close();
    tmp.remove();
  });

  it('deletes whole days before the retention: hours, daily row, day record, outbox rows; stale quota and account rows', async () => {
    for (let d = 0; d < 40; d++) store.saveDay(A, day(addDays('2026-01-30', d)), 1);
    store.saveDay(B, day('2026-01-30'), 1); // B: gone from the config, its last day long past
    store.setLastSuccess(A, NOW);
    store.setLastSuccess(B, Date.parse('2026-01-31T08:15:00+08:00'));
    const outbox = store.database.prepare(
      'INSERT INTO remote_write_outbox (url, appid, ref_date, state, updated_at) VALUES (?, ?, ?, ?, 0)',
    );
    outbox.run('http://a/api/v1/write', A, '2026-02-01', 'acked');
    outbox.run('http://a/api/v1/write', A, '2026-02-02', 'pending');
    outbox.run('http://b/api/v1/write', A, '2026-02-03', 'failed');
    outbox.run('http://b/api/v1/write', A, '2026-03-01', 'pending');
    store.quota.save({
      appid: A,
      api: 'getinterfacesummary',
      checkedOn: '2026-03-10',
      status: 'ok',
      dailyLimit: 5,
      used: 1,
      remain: 4,
      fetchedAt: 1,
    });
    store.quota.save({
      appid: B,
      api: 'getinterfacesummary',
      checkedOn: '2026-01-31',
      status: 'ok',
      dailyLimit: 5,
      used: 1,
      remain: 4,
      fetchedAt: 1,
    });

    const pruner = new StorePruner(store.database);
    const result = await pruner.prune(NOW, { days: 30 }, '2026-03-03');
    // A: 2026-01-30 .. 2026-02-07 (9 days) before 2026-02-08; B: 1 day.
    assert.deepEqual(result, { days: 10, unsentDays: 2, keptFrom: '2026-02-08', sizeLimitUnmet: false });
    assert.equal(pruner.oldestDay(), '2026-02-08');
    assert.equal(count(store, "SELECT count(*) AS n FROM days WHERE ref_date < '2026-02-08'"), 0);
    assert.equal(count(store, "SELECT count(*) AS n FROM hourly WHERE ref_date < '2026-02-08'"), 0);
    assert.equal(count(store, "SELECT count(*) AS n FROM daily WHERE ref_date < '2026-02-08'"), 0);
    assert.equal(count(store, 'SELECT count(*) AS n FROM days'), 31);
    assert.equal(count(store, 'SELECT count(*) AS n FROM hourly'), 62);
    assert.equal(count(store, 'SELECT count(*) AS n FROM remote_write_outbox'), 1);
    assert.deepEqual(
      store.quota.all().map((q) => q.appid),
      [A],
    );
    assert.equal(store.lastSuccess(A), NOW);
    assert.equal(store.lastSuccess(B), undefined);
    // Kept days read back whole.
    assert.doesNotThrow(() => store.assertWhole(A, '2026-02-08', '2026-03-09'));
    // A second run finds nothing more to do.
    assert.equal((await pruner.prune(NOW, { days: 30 }, '2026-03-03')).days, 0);
  });

  it('--storage.retention.size: deletes the oldest days while the pages in use exceed it, never the lookback window', async () => {
    for (const appid of [A, B]) for (let d = 0; d < 200; d++) store.saveDay(appid, day(addDays('2025-08-23', d)), 1);
    const pruner = new StorePruner(store.database);
    const used = (): number =>
      ((store.database.pragma('page_count', { simple: true }) as number) -
        (store.database.pragma('freelist_count', { simple: true }) as number)) *
      4096;
    const before = used();
    const limit = Math.floor(before / 2);
    const r = await pruner.prune(NOW, { days: 400, sizeBytes: limit }, '2026-03-03');
    assert.ok(used() <= limit, `${used()} > ${limit}`);
    assert.ok(r.days > 100 && r.days < 300, `pruned ${r.days}`);
    assert.equal(r.keptFrom, pruner.oldestDay());
    assert.equal(r.sizeLimitUnmet, false);

    // A limit below the lookback window: stops there, says so.
    const tiny = await pruner.prune(NOW, { days: 400, sizeBytes: 1024 }, '2026-03-03');
    assert.equal(tiny.sizeLimitUnmet, true);
    assert.equal(pruner.oldestDay(), '2026-03-03');
    assert.equal(store.storedDays(A, '2026-03-03', '2026-03-10').size, 8);
  });

  it('yields to the event loop between batches: a timer fires while a large backlog is pruned', async () => {
    for (let a = 0; a < 30; a++) {
      const appid = `wx${a.toString(16).padStart(16, '0')}`;
      store.database.transaction(() => {
        for (let d = 0; d < 20; d++) store.saveDay(appid, day(addDays('2026-01-01', d)), 1);
      })();
    }
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const r = await new StorePruner(store.database).prune(NOW, { days: 30 }, '2026-03-03');
    clearInterval(timer);
    assert.equal(r.days, 600);
    // 600 account-days in batches of 100: at least 5 turns of the event loop in between.
    assert.ok(ticks >= 5, `timer ran ${ticks} times`);
  });
});
