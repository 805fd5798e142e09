import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.js';
import { AccountRuns } from '../../src/poll/account-runs.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A poll that counts its calls and wants a retry 30 ms later (real timers; the clock stands still). */
function counting(clock: ManualClock, retry = true): { calls: () => number; run: { poll: () => Promise<boolean>; retryAt: () => number } } {
  let n = 0;
  return {
    calls: () => n,
    run: {
      poll: () => {
        n++;
        return Promise.resolve(retry);
      },
      retryAt: () => clock.now() + 30,
    },
  };
}

describe('account runs (reloads: accounts added and removed while running)', () => {
  const clock = new ManualClock('2026-03-10T09:00:00+08:00');
  let runs: AccountRuns<object>;
  afterEach(async () => runs.stop());

  it('a forgotten (removed) account stops its retry timer; a kept one keeps retrying', async () => {
    runs = new AccountRuns<object>({ concurrency: 2, clock });
    const [removed, kept] = [{}, {}];
    const r = counting(clock);
    const k = counting(clock);
    await Promise.all([runs.start(removed, 'start', r.run), runs.start(kept, 'start', k.run)]);
    runs.forget(removed);
    await sleep(150);
    assert.equal(r.calls(), 1, 'no retry after the account was removed');
    assert.ok(k.calls() >= 3, `the kept account retried on its own timer (${k.calls()} polls)`);
  });

  it('an account removed during its poll ends that poll without scheduling a retry', async () => {
    runs = new AccountRuns<object>({ concurrency: 1, clock });
    const key = {};
    let release: (v: boolean) => void = () => undefined;
    let calls = 0;
    const run = {
      poll: () => {
        calls++;
        return new Promise<boolean>((r) => (release = r));
      },
      retryAt: () => clock.now() + 10,
    };
    const done = runs.start(key, 'start', run);
    await sleep(10);
    runs.forget(key);
    release(true);
    assert.equal(await done, true);
    await sleep(80);
    assert.equal(calls, 1);
    // Added again later (same key): it runs and retries as any account.
    const again = runs.start(key, 'start', run);
    await sleep(10);
    release(false);
    assert.equal(await again, false);
    assert.equal(calls, 2);
  });

  it('a reload raising schedule.concurrency lets a waiting account start', async () => {
    runs = new AccountRuns<object>({ concurrency: 1, clock, slotMs: 60_000 });
    const started: string[] = [];
    const releases: ((v: boolean) => void)[] = [];
    const hanging = (name: string) => ({
      poll: () => {
        started.push(name);
        return new Promise<boolean>((r) => releases.push(r));
      },
      retryAt: () => undefined,
    });
    const polls = [runs.start({}, 'start', hanging('a')), runs.start({}, 'start', hanging('b'))];
    await sleep(30);
    assert.deepEqual(started, ['a'], 'one slot: b waits for a');
    runs.setConcurrency(2);
    await sleep(30);
    assert.deepEqual(started, ['a', 'b']);
    for (const r of releases) r(false);
    await Promise.all(polls);
  });
});
