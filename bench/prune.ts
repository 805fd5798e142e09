/**
 * The store's retention on a year of data: bytes per account-day of the real store, the time to
 * prune a year of ACCOUNTS accounts, the longest event-loop stall while it prunes (what a scrape
 * or a poll would wait at most), against the same measure on an idle loop in the same run (the
 * machine's noise floor), and whether the file plateaus when the freed pages are written again.
 * Run with `node --import tsx bench/prune.ts` (ACCOUNTS=1000 DAYS=365 by default).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { addDays, startOfBeijingDay } from '../src/dates.js';
import { simulatedDay, simulatedHours } from '../src/simulator/index.js';
import { StorePruner } from '../src/store/prune.js';
import { Store, type StoredDay } from '../src/store/store.js';

const ACCOUNTS = Number(process.env['ACCOUNTS'] ?? 1000);
const DAYS = Number(process.env['DAYS'] ?? 365);
const FIRST = '2025-01-01';

function appidOf(i: number): string {
  return `wx${i.toString(16).padStart(16, '0')}`;
}

function dayOf(appid: string, refDate: string): StoredDay {
  const d = simulatedDay(appid, refDate);
  const hours = simulatedHours(appid, refDate).map((h) => ({
    refDate,
    refHour: h.ref_hour,
    callbackCount: h.callback_count,
    failCount: h.fail_count,
    totalTimeCost: h.total_time_cost,
    maxTimeCost: h.max_time_cost,
  }));
  const daily = {
    refDate,
    callbackCount: d.callback_count,
    failCount: d.fail_count,
    totalTimeCost: d.total_time_cost,
    maxTimeCost: d.max_time_cost,
  };
  return d.callback_count > 0 ? { refDate, status: 'complete', daily, hours } : { refDate, status: 'no_traffic', hours: [] };
}

/** Stores days [from, from + days) of every account, one transaction per account (a fill, not the daemon's pace). */
function fill(store: Store, from: string, days: number): void {
  const db = store.database;
  for (let a = 0; a < ACCOUNTS; a++) {
    const appid = appidOf(a);
    db.transaction(() => {
      for (let d = 0; d < days; d++) store.saveDay(appid, dayOf(appid, addDays(from, d)), 1);
    })();
  }
}

function fileBytes(path: string): number {
  const size = (p: string): number => statSync(p, { throwIfNoEntry: false })?.size ?? 0;
  return size(path) + size(`${path}-wal`);
}

/** The longest event-loop stall (ms) while `work` runs, as monitorEventLoopDelay sees it. */
async function longestStall(work: () => Promise<unknown>): Promise<{ maxMs: number; p99Ms: number; ms: number }> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const t = performance.now();
  await work();
  const ms = performance.now() - t;
  h.disable();
  return { maxMs: h.max / 1e6, p99Ms: h.percentile(99) / 1e6, ms };
}

const dir = mkdtempSync(join(tmpdir(), 'prune-bench-'));
const path = join(dir, 'store.db');
try {
  const store = new Store(path);
  store.database.pragma('synchronous = OFF'); // the fill only; the daemon writes with FULL
  let t = performance.now();
  fill(store, FIRST, DAYS);
  store.database.pragma('wal_checkpoint(TRUNCATE)');
  store.database.pragma('synchronous = FULL');
  const full = fileBytes(path);
  console.log(`filled ${ACCOUNTS} accounts x ${DAYS} days in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  console.log(`store: ${(full / 2 ** 20).toFixed(1)} MiB, ${Math.round(full / (ACCOUNTS * DAYS))} bytes per account-day`);

  const idle = await longestStall(() => sleep(2_000));
  console.log(`baseline (idle loop, 2 s): longest stall ${idle.maxMs.toFixed(1)} ms, p99 ${idle.p99Ms.toFixed(1)} ms`);

  // Keep the last 8 days: the retention deletes DAYS - 8 days of every account.
  const last = addDays(FIRST, DAYS - 1);
  const now = startOfBeijingDay(addDays(last, 1)) + 9 * 3_600_000;
  const pruner = new StorePruner(store.database);
  let pruned = 0;
  const stall = await longestStall(async () => {
    pruned = (await pruner.prune(now, { days: 9 }, addDays(last, -6))).days;
  });
  console.log(
    `pruned ${pruned} account-days in ${(stall.ms / 1000).toFixed(1)} s (${Math.round(pruned / (stall.ms / 1000))}/s): ` +
      `longest stall ${stall.maxMs.toFixed(1)} ms, p99 ${stall.p99Ms.toFixed(1)} ms (baseline ${idle.maxMs.toFixed(1)} ms)`,
  );
  const wal = statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0;
  store.database.pragma('wal_checkpoint(TRUNCATE)');
  const afterPrune = fileBytes(path);
  const free = store.database.pragma('freelist_count', { simple: true }) as number;
  const pageSize = store.database.pragma('page_size', { simple: true }) as number;
  console.log(
    `after pruning: WAL ${(wal / 2 ** 20).toFixed(1)} MiB before its checkpoint; file ${(afterPrune / 2 ** 20).toFixed(1)} MiB, ` +
      `${((free * pageSize) / 2 ** 20).toFixed(1)} MiB of it free pages`,
  );
  // The next half year, written into the freed pages.
  t = performance.now();
  fill(store, addDays(last, 1), Math.floor(DAYS / 2));
  store.database.pragma('wal_checkpoint(TRUNCATE)');
  console.log(
    `after storing ${Math.floor(DAYS / 2)} more days: file ${(fileBytes(path) / 2 ** 20).toFixed(1)} MiB (was ${(afterPrune / 2 ** 20).toFixed(1)} MiB: ` +
      `the freed pages were reused)`,
  );
  // The steady state: one day of every account, as the daily run deletes once the retention is reached.
  const oldest = pruner.oldestDay() as string;
  const daily = await longestStall(() => pruner.prune(startOfBeijingDay(addDays(oldest, 10)) + 9 * 3_600_000, { days: 9 }, oldest));
  console.log(`the daily run (one day of ${ACCOUNTS} accounts): ${daily.ms.toFixed(0)} ms, longest stall ${daily.maxMs.toFixed(1)} ms`);
  store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
