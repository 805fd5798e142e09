/**
 * What the open-time checks (quick_check, every stored day whole) cost on a big store: 500 accounts
 * x 90 days. Prints figures; run with `node --import tsx bench/store-open-cost.ts`.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Store } from '../src/store/store.js';
import { addDays } from '../src/dates.js';
import { damagedDays, quickCheck } from '../src/store/integrity.js';
const dir = mkdtempSync(join(tmpdir(), 'opencost-'));
const path = join(dir, 's.db');
const s = new Store(path);
const ACC = 500,
  DAYS = 90;
for (let a = 0; a < ACC; a++) {
  const appid = `wx${String(a).padStart(16, '0')}`;
  for (let d = 0; d < DAYS; d++) {
    const refDate = addDays('2025-12-01', d);
    const hours = Array.from({ length: 24 }, (_, h) => ({
      refDate,
      refHour: h,
      callbackCount: h + 1,
      failCount: 0,
      totalTimeCost: 10,
      maxTimeCost: 5,
    }));
    s.saveDay(
      appid,
      { refDate, status: 'complete', daily: { refDate, callbackCount: 300, failCount: 0, totalTimeCost: 240, maxTimeCost: 5 }, hours },
      1,
    );
  }
}
s.close();
console.log('store MB', (statSync(path).size / 1e6).toFixed(1), 'days', ACC * DAYS);
let t = performance.now();
new Store(path).close();
console.log('open with all checks ms', (performance.now() - t).toFixed(0));
const db = new Database(path, { readonly: true });
t = performance.now();
quickCheck(db);
console.log('quick_check ms', (performance.now() - t).toFixed(0));
t = performance.now();
damagedDays(db);
console.log('damagedDays (whole store) ms', (performance.now() - t).toFixed(0));
db.close();
rmSync(dir, { recursive: true, force: true });
