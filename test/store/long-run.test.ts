import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import request from 'supertest';
import { ManualClock } from '../../src/clock.js';
import { addDays, beijingDateOf, DAY_MS, newestReadyDay, startOfBeijingDay } from '../../src/dates.js';
import { simulatedDay } from '../../src/simulator/index.js';
import type { SimApi } from '../../src/simulator/types.js';
import type { Harness, TestAccount } from '../helpers/exporter-harness.js';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RetentionPolicy } from '../../src/store/retention.js';
import { parseSamples, valueOf } from '../helpers/metrics-text.js';
import { startExporter, tempDir } from '../helpers/exporter-harness.js';
import { WechatSimulator } from '../../src/simulator/index.js';

const ACCOUNTS: readonly TestAccount[] = Array.from({ length: 20 }, (_, i) => ({
  name: `acct-${String(i).padStart(2, '0')}`,
  appid: `wx${(0xa000 + i).toString(16).padStart(16, '0')}`,
  secret: `long-run-secret-${String(i).padStart(12, '0')}`,
}));
const START = '2026-01-01T09:00:00+08:00';

/** A forced full GC: mocha runs without --expose-gc, so the flag is set now and `gc` taken from a fresh context. */
function gcFunction(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** The store's main file once the WAL is checkpointed into it: what stays on the volume. */
function fileBytes(h: Harness): number {
  h.store.database.pragma('wal_checkpoint(PASSIVE)');
  return statSync(h.store.path).size;
}

/** The calls of one simulated day, by API, for every account (and their total); then forgets them. */
function takeCalls(h: { sim: { calls: readonly { api: string; appid?: string | undefined }[]; resetCalls(): void } }): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of h.sim.calls) counts.set(`${c.api} ${c.appid ?? ''}`, (counts.get(`${c.api} ${c.appid ?? ''}`) ?? 0) + 1);
  h.sim.resetCalls();
  return counts;
}

function callsOf(counts: Map<string, number>, api: SimApi, appid: string): number {
  return counts.get(`${api} ${appid}`) ?? 0;
}

describe('400 Beijing days with the injected clock (store retention, calls, memory)', function () {
  // Some 25 s on an idle 2-core machine; the margin is for a loaded CI runner.
  this.timeout(600_000);
  const clock = new ManualClock(START);
  let sim: WechatSimulator;
  let dir: string;
  let h: Harness | undefined;
  // A real SQLite file; on tmpfs where there is one, since 8,000 fsyncs (synchronous=FULL, one per
  // stored day) would measure the disk, not the exporter.
  beforeEach(async () => {
    clock.set(START);
    sim = new WechatSimulator({ accounts: ACCOUNTS, clock });
    await sim.listen(0, '127.0.0.1');
    dir = existsSync('/dev/shm') ? mkdtempSync(join('/dev/shm', 'long-run-')) : tempDir().dir;
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const start = (retention: RetentionPolicy): Harness =>
    (h = startExporter({ sim, clock, accounts: ACCOUNTS, storePath: join(dir, 'store.db'), retention, schedule: { concurrency: 20 } }));
  const f = {
    get sim(): WechatSimulator {
      return sim;
    },
  };

  it('each account-day costs one daily and one hourly call, values are exact, the store plateaus at 30d, memory stays flat, a restart costs 0 calls', async () => {
    const gc = gcFunction();
    let h = start({ days: 30 });
    await h.exporter.pollAll('start');
    takeCalls(f); // the first poll's lookback window: 7 days per account
    const sizes: number[] = [];
    const heap: number[] = [];
    for (let day = 1; day <= 400; day++) {
      clock.advance(DAY_MS);
      await h.exporter.pollAll('cron');
      const calls = takeCalls(f);
      const ref = newestReadyDay(clock.now());
      for (const [i, a] of ACCOUNTS.entries()) {
        assert.equal(callsOf(calls, 'getinterfacesummary', a.appid), 1, `day ${day} ${a.name}: getinterfacesummary`);
        assert.equal(callsOf(calls, 'getinterfacesummaryhour', a.appid), 1, `day ${day} ${a.name}: getinterfacesummaryhour`);
        assert.ok(callsOf(calls, 'stable_token', a.appid) + callsOf(calls, 'token', a.appid) <= 1, `day ${day} ${a.name}: token calls`);
        const state = h.exporter.accounts[i];
        assert.equal(state?.reference?.refDate, ref, `day ${day} ${a.name}: the reference day moves daily`);
      }
      // Values exact against the simulator, for one account a day in turn.
      const a = ACCOUNTS[day % ACCOUNTS.length] as TestAccount;
      const want = simulatedDay(a.appid, ref);
      assert.equal(h.exporter.accounts[day % ACCOUNTS.length]?.reference?.daily.callbackCount, want.callback_count);
      assert.equal(h.exporter.accounts[day % ACCOUNTS.length]?.reference?.daily.totalTimeCost, want.total_time_cost);
      sizes[day] = fileBytes(h);
      h.lines.length = 0; // the test logger keeps every line: not the exporter's memory
      if (day >= 100 && day % 10 === 0) {
        gc();
        heap[day] = process.memoryUsage().heapUsed;
      }
    }
    // The retention: 30 days before today are kept, the rest deleted; the oldest day moves daily.
    const today = beijingDateOf(clock.now());
    const report = h.exporter.retention.report();
    assert.equal(report.oldestDay, addDays(today, -30));
    assert.equal(report.keptFrom, addDays(today, -30));
    assert.ok(report.prunedDays > 0);
    const samples = parseSamples((await request(h.app).get('/metrics')).text);
    assert.equal(valueOf(samples, 'wechat_exporter_store_oldest_day_timestamp_seconds'), startOfBeijingDay(addDays(today, -30)) / 1000);
    assert.equal(valueOf(samples, 'wechat_exporter_store_pruned_days_total'), report.prunedDays);
    assert.ok((valueOf(samples, 'wechat_exporter_store_size_bytes') ?? 0) > 0);
    assert.ok((valueOf(samples, 'wechat_exporter_store_filesystem_avail_bytes') ?? 0) > 0);
    assert.ok((valueOf(samples, 'wechat_exporter_store_filesystem_size_bytes') ?? 0) > 0);
    // Every account stored 7 days at the start and one a day since: all but the kept ones were pruned.
    const stored = h.store.storedDays(ACCOUNTS[0]?.appid as string, '2014-12-01', today).size;
    assert.equal(report.prunedDays, ACCOUNTS.length * (7 + 400 - stored));

    // The file plateaus: once the retention is reached (day 40 on), it never grows past its size then.
    // Tolerance: 5 % for where the freed pages fall (index pages split anew as days come and go).
    const plateau = Math.max(...sizes.slice(40, 60));
    const later = Math.max(...sizes.slice(60));
    assert.ok(later <= plateau * 1.05, `file grew after the retention was reached: ${later} > ${plateau} bytes`);
    console.log(`      store file: ${sizes[10]} B on day 10, ${plateau} B plateau (days 40-60), at most ${later} B on days 60-400`);

    // Memory: the heap after a forced GC, sampled every 10 days; the lowest of days 350-400 within
    // 10 % (+1 MiB) of the lowest of days 100-150 (one sample varies by a few MiB with what the
    // collector left that moment).
    const lowest = (from: number, to: number): number => Math.min(...heap.slice(from, to + 1).filter((v) => v !== undefined));
    const [h100, h400] = [lowest(100, 150), lowest(350, 400)];
    console.log(`      heap after GC: days 100-150 ${(h100 / 2 ** 20).toFixed(1)} MiB, days 350-400 ${(h400 / 2 ** 20).toFixed(1)} MiB`);
    assert.ok(h400 <= h100 * 1.1 + 2 ** 20, `heap grew: days 100-150 ${h100} B, days 350-400 ${h400} B`);

    // A restart on day 400: the store has every day of the lookback window; no call at all.
    await h.close();
    h = start({ days: 30 });
    await h.exporter.pollAll('start');
    assert.equal(f.sim.calls.length, 0, `restart calls: ${f.sim.calls.map((c) => c.api).join(', ')}`);
    assert.equal(h.exporter.accounts[0]?.reference?.refDate, newestReadyDay(clock.now()));
  });

  it('--storage.retention.size: the oldest days go first while the store holds more, and the file plateaus', async () => {
    const limit = 256 * 1024;
    const h = start({ days: 400, sizeBytes: limit });
    await h.exporter.pollAll('start');
    const sizes: number[] = [];
    for (let day = 1; day <= 120; day++) {
      clock.advance(DAY_MS);
      await h.exporter.pollAll('cron');
      f.sim.resetCalls();
      sizes[day] = fileBytes(h);
    }
    const db = h.store.database;
    const used = ((db.pragma('page_count', { simple: true }) as number) - (db.pragma('freelist_count', { simple: true }) as number)) * 4096;
    // One day of 20 accounts (~30 KiB) may be stored on top of the limit until the next day's pruning.
    assert.ok(used <= limit + 64 * 1024, `pages in use ${used} B, limit ${limit} B`);
    const report = h.exporter.retention.report();
    assert.ok(report.prunedDays > 0);
    const today = beijingDateOf(clock.now());
    assert.ok((report.oldestDay as string) > addDays(today, -120), `oldest day ${report.oldestDay}`);
    assert.equal(report.keptFrom, report.oldestDay);
    // The lookback window is never deleted.
    assert.equal(h.store.storedDays(ACCOUNTS[0]?.appid as string, addDays(newestReadyDay(clock.now()), -6), today).size, 7);
    const plateau = Math.max(...sizes.slice(60, 80));
    assert.ok(Math.max(...sizes.slice(80)) <= plateau + 8 * 4096, `file grew: ${sizes.slice(80).join(', ')}`);
  });
});
