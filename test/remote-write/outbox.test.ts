import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Outbox } from '../../src/remote-write/outbox.js';
import { afterPush } from '../../src/remote-write/transition.js';
import { MIGRATIONS } from '../../src/store/schema.js';
import { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/exporter-harness.js';

const A = 'http://a/api/v1/write';
const B = 'http://b/api/v1/write';
const APPID = 'wx0123456789abcdef';
const OTHER = 'wx00000000000000b2';
const T0 = Date.parse('2026-03-10T09:00:00+08:00');
const POLICY = { minBackoffMs: 1_000, maxBackoffMs: 8_000 };

describe('remote-write outbox (SQLite)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  let outbox: Outbox;
  beforeEach(() => {
    tmp = tempDir();
    store = new Store(join(tmp.dir, 'store.db'));
    outbox = new Outbox(store.database);
  });
  afterEach(() => {
    store.close();
    tmp.remove();
  });

  const ack = (url: string, appid: string, day: string): void => {
    const e = outbox.claimDue(url, T0, T0 + 1_000, { appids: [appid], from: day, to: day });
    assert.ok(e, `${day} due`);
    outbox.record(afterPush(e, { status: 204, message: '' }, 125, T0, POLICY), T0);
  };

  it('queues a stored day for every target in the transaction that stores it', () => {
    store.onDaySaved((appid, refDate, at) => outbox.enqueue([A, B], appid, refDate, at));
    store.saveDay(APPID, { refDate: '2026-03-09', status: 'no_traffic', hours: [] }, T0);
    assert.deepEqual([outbox.count(A, 'pending'), outbox.count(B, 'pending')], [1, 1]);
    // A failing hook rolls the day back with it: a day is never stored without its outbox rows.
    store.onDaySaved(() => {
      throw new Error('disk full');
    });
    assert.throws(() => store.saveDay(APPID, { refDate: '2026-03-08', status: 'no_traffic', hours: [] }, T0), /disk full/);
    assert.equal(store.storedDays(APPID, '2026-03-08', '2026-03-08').size, 0);
    assert.equal(outbox.count(A, 'pending'), 1);
  });

  it('never queues an acknowledged day again, by enqueue or by requeue; requeue retries failed days', () => {
    outbox.enqueue([A], APPID, '2026-03-08', T0);
    outbox.enqueue([A], APPID, '2026-03-09', T0);
    ack(A, APPID, '2026-03-08');
    const e = outbox.claimDue(A, T0, T0 + 1_000);
    assert.equal(e?.refDate, '2026-03-09');
    outbox.record(afterPush(e, { status: 400, message: 'out of bounds' }, 125, T0, POLICY), T0);
    outbox.enqueue([A], APPID, '2026-03-08', T0 + 1);
    outbox.enqueue([A], APPID, '2026-03-09', T0 + 1);
    assert.deepEqual([outbox.count(A, 'acked'), outbox.count(A, 'failed'), outbox.count(A, 'pending')], [1, 1, 0]);
    outbox.requeue(A, APPID, ['2026-03-07', '2026-03-08', '2026-03-09'], T0 + 2);
    assert.deepEqual(
      outbox.pending(A).map((p) => [p.refDate, p.attempts]),
      [
        ['2026-03-07', 0],
        ['2026-03-09', 0],
      ],
    );
    assert.deepEqual(
      outbox.entries(A, 'acked').map((x) => [x.refDate, x.samples]),
      [['2026-03-08', 125]],
    );
  });

  it('leases a claimed day: no second claim until the lease ends, then it is due again', () => {
    outbox.enqueue([A], APPID, '2026-03-09', T0);
    const first = outbox.claimDue(A, T0, T0 + 7_000);
    assert.ok(first);
    assert.equal(outbox.claimDue(A, T0 + 6_999, T0 + 14_000), undefined, 'another worker cannot take it');
    assert.equal(outbox.claimDue(A, T0 + 7_000, T0 + 14_000)?.refDate, '2026-03-09', 'a crashed push is retried after the lease');
  });

  it('claims within a scope only, and keeps targets apart', () => {
    outbox.enqueue([A, B], APPID, '2026-03-09', T0);
    outbox.enqueue([A], OTHER, '2026-03-01', T0);
    assert.equal(outbox.claimDue(A, T0, T0 + 1, { appids: [APPID], from: '2026-03-05', to: '2026-03-09' })?.appid, APPID);
    assert.equal(outbox.claimDue(A, T0, T0 + 1, { appids: [APPID] }), undefined);
    assert.equal(outbox.claimDue(B, T0, T0 + 1)?.appid, APPID, 'B has its own row');
    assert.equal(outbox.claimDue(A, T0, T0 + 1, { to: '2026-03-01' })?.appid, OTHER);
  });

  it('keeps a retried day pending, due after its backoff', () => {
    outbox.enqueue([A], APPID, '2026-03-09', T0);
    const e = outbox.claimDue(A, T0, T0 + 1_000);
    assert.ok(e);
    outbox.record(afterPush(e, { status: 503, message: 'busy' }, 125, T0, POLICY), T0);
    assert.equal(outbox.claimDue(A, T0 + 999, T0 + 2_000), undefined);
    const again = outbox.claimDue(A, T0 + 1_000, T0 + 2_000);
    assert.deepEqual([again?.attempts, again?.lastStatus, again?.lastError], [1, '503', 'busy']);
  });

  it('adds its table to a store written by the previous schema version, keeping its days', () => {
    const path = join(tmp.dir, 'v1.db');
    const db = new Database(path);
    db.exec(MIGRATIONS[0] as string);
    db.pragma('application_id = 0x57584945');
    db.pragma('user_version = 1');
    db.prepare("INSERT INTO days VALUES (?, '2026-03-09', 'no_traffic', 0)").run(APPID);
    db.close();
    const old = new Store(path);
    try {
      assert.equal(old.storedDays(APPID, '2026-03-09', '2026-03-09').size, 1);
      new Outbox(old.database).enqueue([A], APPID, '2026-03-09', T0);
      assert.equal(new Outbox(old.database).count(A, 'pending'), 1);
    } finally {
      old.close();
    }
  });
});
