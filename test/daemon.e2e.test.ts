import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { offsetClock } from '../src/clock.js';
import { WechatSimulator, simulatedDay, simulatedHours } from '../src/simulator/index.js';
import { NEWS, SHOP, tempDir } from './helpers/exporter-harness.js';
import { freePort, get, runCli, waitFor } from './helpers/daemon-process.js';

const NOW = '2026-03-10T09:00:00+08:00';
const LOOKBACK = 90;

interface DayRow {
  appid: string;
  ref_date: string;
  status: string;
}
interface Figures {
  callback_count: number;
  fail_count: number;
  total_time_cost: number;
  max_time_cost: number;
}

/** Checks that every stored day is whole and equal to what WeChat (the simulator) said; returns the stored days. */
function checkStore(path: string): Set<string> {
  const db = new Database(path, { readonly: true });
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    const days = db.prepare('SELECT appid, ref_date, status FROM days').all() as DayRow[];
    for (const d of days) {
      assert.equal(d.status, 'complete');
      const daily = db.prepare('SELECT * FROM daily WHERE appid = ? AND ref_date = ?').get(d.appid, d.ref_date) as Figures;
      const want = simulatedDay(d.appid, d.ref_date);
      assert.deepEqual(
        [daily.callback_count, daily.fail_count, daily.total_time_cost, daily.max_time_cost],
        [want.callback_count, want.fail_count, want.total_time_cost, want.max_time_cost],
        `${d.appid} ${d.ref_date} daily row`,
      );
      const hours = db
        .prepare('SELECT ref_hour, callback_count FROM hourly WHERE appid = ? AND ref_date = ? ORDER BY ref_hour')
        .all(d.appid, d.ref_date);
      assert.deepEqual(
        hours,
        simulatedHours(d.appid, d.ref_date).map((h) => ({ ref_hour: h.ref_hour, callback_count: h.callback_count })),
        `${d.appid} ${d.ref_date}: all hours or none`,
      );
    }
    // Rows never exist without their day being marked complete (no half-written day).
    const orphans = db
      .prepare(
        'SELECT count(*) AS n FROM hourly h WHERE NOT EXISTS (SELECT 1 FROM days d WHERE d.appid = h.appid AND d.ref_date = h.ref_date)',
      )
      .get() as { n: number };
    assert.equal(orphans.n, 0);
    return new Set(days.map((d) => `${d.appid} ${d.ref_date}`));
  } finally {
    db.close();
  }
}

describe('kill -9 during writes, then restart', function () {
  this.timeout(120_000);
  let tmp: ReturnType<typeof tempDir>;
  let sim: WechatSimulator;

  before(async () => {
    tmp = tempDir();
    sim = new WechatSimulator({ accounts: [SHOP, NEWS], clock: offsetClock(NOW) });
    await sim.listen(0, '127.0.0.1');
  });
  after(async () => {
    await sim.close();
    tmp.remove();
  });

  it('leaves a readable store with whole days only, and loses nothing', async () => {
    const config = join(tmp.dir, 'config.yml');
    writeFileSync(
      config,
      `wechat:\n  baseUrls: [${sim.url}]\nschedule:\n  lookbackDays: ${LOOKBACK}\naccounts:\n  - {name: shop, appid: ${SHOP.appid}, secretEnv: S1}\n  - {name: news, appid: ${NEWS.appid}, secretEnv: S2}\n`,
    );
    const store = join(tmp.dir, 'store.db');
    const env = { S1: SHOP.secret, S2: NEWS.secret, WECHAT_EXPORTER_FAKE_NOW: NOW };
    const args = async (): Promise<string[]> => [
      `--config.file=${config}`,
      `--storage.path=${store}`,
      `--web.listen-address=127.0.0.1:${await freePort()}`,
    ];
    // Each hourly answer takes a little while, so that the catch-up lasts long enough to be killed in the middle.
    sim.inject({ kind: 'slow', delayMs: 15 }, { api: 'getinterfacesummaryhour', times: Infinity });

    let kept = new Set<string>();
    for (let round = 0; round < 4; round++) {
      const run = runCli(await args(), env);
      const callsBefore = sim.callCount({ api: 'getinterfacesummaryhour' });
      // Wait for a few new hourly answers, then kill at a varying moment.
      await waitFor('writes under way', () => sim.callCount({ api: 'getinterfacesummaryhour' }) >= callsBefore + 5 + round * 7);
      await new Promise((r) => setTimeout(r, 7 * round));
      run.child.kill('SIGKILL');
      assert.equal(await run.exited, 'SIGKILL');
      const stored = checkStore(store);
      for (const day of kept) assert.ok(stored.has(day), `${day} was stored before the kill and is still there`);
      assert.ok(stored.size < 2 * LOOKBACK, 'killed before the end');
      kept = stored;
    }

    const port = await freePort();
    const run = runCli([`--config.file=${config}`, `--storage.path=${store}`, `--web.listen-address=127.0.0.1:${port}`], env);
    try {
      await waitFor(
        'the whole window stored',
        async () => {
          const page = await get(`http://127.0.0.1:${port}/metrics`);
          return (
            page &&
            /wechat_exporter_pending_dates\{[^}]*account="shop"\} 0/.test(page.body) &&
            /wechat_exporter_pending_dates\{[^}]*account="news"\} 0/.test(page.body)
          );
        },
        60_000,
      );
    } finally {
      run.child.kill('SIGTERM');
      assert.equal(await run.exited, 0);
    }
    const final = checkStore(store);
    assert.equal(final.size, 2 * LOOKBACK);
  });
});
