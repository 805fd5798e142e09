import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BeijingDate } from '../../src/dates.js';
import { readReferenceDay } from '../../src/store/history.js';
import { readStartStates } from '../../src/store/start-reads.js';
import { Store } from '../../src/store/store.js';

const figures = (n: number): { callbackCount: number; failCount: number; totalTimeCost: number; maxTimeCost: number } => ({
  callbackCount: 10 * n,
  failCount: n,
  totalTimeCost: 100 * n,
  maxTimeCost: 7 * n,
});
const day = (refDate: BeijingDate, n: number, hours: readonly number[]) => ({
  refDate,
  status: 'complete' as const,
  daily: { refDate, ...figures(n) },
  hours: hours.map((refHour) => ({ refDate, refHour, ...figures(n + refHour) })),
});

describe('readStartStates: every account read back at once', () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'start-reads-'));
    store = new Store(join(dir, 'store.db'));
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives each account the same reference day and last success as the per-account reads', () => {
    // Several days (the newest wins), a newest day without traffic over an older complete one,
    // hours missing, an account with a last success but nothing stored, one with neither.
    store.saveDay('wxa', day('2026-03-07', 1, [0, 5, 23]), 1);
    store.saveDay('wxa', day('2026-03-09', 2, [13]), 2);
    store.saveDay('wxa', day('2026-03-08', 3, [1, 2]), 3);
    store.saveDay('wxb', day('2026-03-08', 4, [0, 1, 2, 3]), 4);
    store.saveDay('wxb', { refDate: '2026-03-09', status: 'no_traffic', hours: [] }, 5);
    store.saveDay('wxc', { refDate: '2026-03-09', status: 'complete', daily: { refDate: '2026-03-09', ...figures(5) }, hours: [] }, 6);
    store.setLastSuccess('wxa', 1_700_000_000_000);
    store.setLastSuccess('wxd', 1_700_000_000_500);
    const stored = readStartStates(store);
    for (const appid of ['wxa', 'wxb', 'wxc', 'wxd', 'wxe']) {
      assert.deepEqual(stored(appid).reference, readReferenceDay(store, appid), appid);
      assert.equal(stored(appid).lastSuccessAt, store.lastSuccess(appid), appid);
    }
    assert.equal(stored('wxa').reference?.refDate, '2026-03-09');
    assert.equal(stored('wxa').reference?.hours[13]?.callbackCount, 150);
    assert.equal(stored('wxa').reference?.hours[12]?.callbackCount, 0);
    assert.equal(stored('wxb').reference?.status, 'no_traffic');
    assert.equal(stored('wxb').reference?.daily.callbackCount, 0);
    assert.equal(stored('wxd').reference, undefined);
    assert.equal(stored('wxd').lastSuccessAt, 1_700_000_000_500);
    assert.deepEqual(stored('wxe'), { reference: undefined, lastSuccessAt: undefined });
  });

  it('many accounts, each read back as its own reads give it', () => {
    const appids = Array.from({ length: 120 }, (_, i) => `wx${i.toString(16).padStart(16, '0')}`);
    appids.forEach((appid, i) => store.saveDay(appid, day('2026-03-09', i, [i % 24]), i));
    const stored = readStartStates(store);
    for (const appid of appids) assert.deepEqual(stored(appid).reference, readReferenceDay(store, appid), appid);
  });
});
