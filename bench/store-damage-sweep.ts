/**
 * Scribbles 1 KB of random bytes at a random offset of a 40-day store, N times, and counts what
 * happens: refused at open, opened with the data intact, opened with wrong data (must be 0), and
 * what `store recover` keeps. Prints figures; run with `node --import tsx bench/store-damage-sweep.ts`.
 */
import { join } from 'node:path';
import { statSync, closeSync, openSync, writeSync } from 'node:fs';
import { Store } from '../src/store/store.js';
import { recoverStore } from '../src/store/recover.js';
import { tempDir } from '../test/helpers/exporter-harness.js';
import { DAMAGE_APPID, FIRST_DAY, writeStore } from '../test/helpers/store-damage.js';
import { addDays } from '../src/dates.js';
const LAST = addDays(FIRST_DAY, 39);
let bytes = 0;
let refused = 0,
  silentWrong = 0,
  openOk = 0,
  keptTotal = 0,
  recWrong = 0;
const N = 60;
for (let seed = 1; seed <= N; seed++) {
  const t = tempDir();
  const p = join(t.dir, 's.db');
  writeStore(p);
  const s0 = new Store(p);
  const truth = JSON.stringify(s0.hourlyRows(DAMAGE_APPID, FIRST_DAY, LAST));
  const tmap = new Map(s0.hourlyRows(DAMAGE_APPID, FIRST_DAY, LAST).map((r) => [`${r.refDate} ${r.refHour}`, JSON.stringify(r)]));
  s0.close();
  const size = statSync(p).size;
  bytes = size;
  let x = seed * 7919;
  const rnd = () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const off = Math.floor(rnd() * (size - 1024));
  const buf = Buffer.alloc(1024);
  for (let i = 0; i < 1024; i++) buf[i] = Math.floor(rnd() * 256);
  const fd = openSync(p, 'r+');
  writeSync(fd, buf, 0, 1024, off);
  closeSync(fd);
  try {
    const s = new Store(p);
    openOk++;
    const now = JSON.stringify(s.hourlyRows(DAMAGE_APPID, FIRST_DAY, LAST));
    if (now !== truth) silentWrong++;
    s.close();
  } catch {
    refused++;
    try {
      const r = recoverStore(p, Date.now());
      keptTotal += r.kept;
      const s = new Store(p);
      for (const row of s.hourlyRows(DAMAGE_APPID, FIRST_DAY, LAST))
        if (tmap.get(`${row.refDate} ${row.refHour}`) !== JSON.stringify(row)) {
          recWrong++;
          break;
        }
      s.close();
    } catch (e) {
      console.log('recover failed', String(e));
    }
  }
  t.remove();
}
console.log({ N, storeBytes: bytes, refused, openOk, silentWrong, avgKeptAfterRecover: keptTotal / Math.max(1, refused), recWrong });
