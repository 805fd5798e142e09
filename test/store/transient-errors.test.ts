import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ManualClock } from '../../src/clock.js';
import { errorClassOf } from '../../src/errors.js';
import { WechatSimulator } from '../../src/simulator/index.js';
import { SHOP, startExporter, tempDir, type Harness } from '../helpers/exporter-harness.js';

/** The error `fn` throws. */
function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  assert.fail('expected an error');
}

describe('SQLite errors a retry can get past', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.remove());

  it('SQLITE_BUSY (a second connection holds the write lock) is class retry', () => {
    const path = join(tmp.dir, 'busy.db');
    const holder = new Database(path);
    holder.exec('CREATE TABLE t (x); BEGIN IMMEDIATE; INSERT INTO t VALUES (1)');
    const other = new Database(path, { timeout: 0 });
    const err = caught(() => other.exec('INSERT INTO t VALUES (2)'));
    assert.equal((err as { code?: string }).code, 'SQLITE_BUSY');
    assert.equal(errorClassOf(err), 'retry');
    holder.exec('ROLLBACK');
    holder.close();
    other.close();
  });

  it('SQLITE_FULL (max_page_count reached on a real file) is class retry', () => {
    const db = new Database(join(tmp.dir, 'full.db'));
    db.exec('CREATE TABLE t (x)');
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    const err = caught(() => db.prepare('INSERT INTO t VALUES (?)').run('x'.repeat(100_000)));
    assert.equal((err as { code?: string }).code, 'SQLITE_FULL');
    assert.equal(errorClassOf(err), 'retry');
    db.close();
  });

  it('SQLITE_READONLY (the file became read-only) is class retry; SQLITE_CONSTRAINT (a bug) is not', () => {
    const path = join(tmp.dir, 'ro.db');
    new Database(path).exec('CREATE TABLE t (x CHECK (x > 0))').close();
    const ro = new Database(path, { readonly: true });
    const readonly = caught(() => ro.exec('INSERT INTO t VALUES (1)'));
    assert.match((readonly as { code?: string }).code ?? '', /^SQLITE_READONLY/);
    assert.equal(errorClassOf(readonly), 'retry');
    ro.close();
    const rw = new Database(path);
    const constraint = caught(() => rw.exec('INSERT INTO t VALUES (-1)'));
    assert.equal(errorClassOf(constraint), 'bug');
    rw.close();
  });
});

/** Mounts a tmpfs of `size` at `dir`; false (with the reason printed) where the test cannot. */
function mountTinyDisk(dir: string, size: string): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    console.log(`      (skipped: mounting a tiny tmpfs needs root on Linux)`);
    return false;
  }
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return true;
  } catch (err) {
    console.log(`      (skipped: cannot mount a tmpfs here: ${String((err as Error).message).split('\n')[0]})`);
    return false;
  }
}

describe('a full disk, then space again (real tmpfs)', function () {
  this.timeout(30_000);
  let tmp: ReturnType<typeof tempDir>;
  let disk: string;
  let mounted = false;
  let sim: WechatSimulator;
  let h: Harness | undefined;
  const clock = new ManualClock('2026-03-10T09:00:00+08:00');

  before(async function () {
    tmp = tempDir();
    disk = join(tmp.dir, 'disk');
    mkdirSync(disk);
    mounted = mountTinyDisk(disk, '8m');
    if (!mounted) this.skip();
    sim = new WechatSimulator({ accounts: [SHOP], clock });
    await sim.listen(0, '127.0.0.1');
  });
  after(async () => {
    await h?.close();
    await sim?.close();
    if (mounted) execFileSync('umount', [disk]);
    chmodSync(tmp.dir, 0o755);
    tmp.remove();
  });

  it('the account is retried every retryInterval and stores everything once space is back', async () => {
    h = startExporter({
      sim,
      clock,
      storePath: join(disk, 'store.db'),
      accounts: [SHOP],
      schedule: { lookbackDays: 30, retryInterval: '10m' },
    });
    // Fill what is left of the disk.
    const filler = join(disk, 'filler');
    const chunk = Buffer.alloc(4096, 1);
    try {
      for (let i = 0; i < 100_000; i++) writeFileSync(filler, chunk, { flag: 'a' });
      assert.fail('the disk never filled');
    } catch (err) {
      assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
    }
    const first = await h.exporter.pollAll('start');
    const [state] = h.exporter.accounts;
    assert.equal(first.retry, true, 'a retry run is asked for');
    assert.equal(state?.up, false);
    assert.equal(state?.lastError?.reason, 'store_error');
    assert.match(state?.lastError?.message ?? '', /^store SQLITE_(FULL|IOERR)/);
    assert.equal(state?.nextPollAt, clock.now() + 10 * 60_000, 'next try after retryInterval, not the next day');
    assert.equal(h.store.storedDays(SHOP.appid, '2026-02-08', '2026-03-09').size < 30, true);

    rmSync(filler);
    clock.advance(10 * 60_000);
    const second = await h.exporter.pollAll('retry');
    assert.equal(second.retry, false);
    assert.equal(h.exporter.accounts[0]?.up, true);
    assert.equal(h.store.storedDays(SHOP.appid, '2026-02-08', '2026-03-09').size, 30, 'the whole window stored');
    assert.equal(h.store.damagedDays(SHOP.appid, '2026-02-08', '2026-03-09').length, 0, 'every stored day whole');
  });
});
