import assert from 'node:assert/strict';
import { Redactor } from '../../src/redact.js';
import { memoryLogger } from '../../src/log.js';
import { ManualClock, systemClock } from '../../src/clock.js';
import { Scheduler, type RunTrigger } from '../../src/poll/scheduler.js';

const QUIET = memoryLogger(new Redactor()).logger;

/** The next cron run after `at`, from the scheduler's one Cron. */
function nextCronRun(cron: string, at: Date): Date | undefined {
  const s = new Scheduler({ cron, clock: systemClock, log: QUIET, run: () => Promise.resolve({ retry: false }) });
  const next = s.nextCronAt(at.getTime());
  void s.stop();
  return next === undefined ? undefined : new Date(next);
}

function withTimeZone<T>(tz: string, fn: () => T): T {
  const saved = process.env['TZ'];
  process.env['TZ'] = tz;
  try {
    return fn();
  } finally {
    if (saved === undefined) delete process.env['TZ'];
    else process.env['TZ'] = saved;
  }
}

describe('scheduler', () => {
  for (const tz of ['America/Los_Angeles', 'Asia/Shanghai', 'UTC', 'Europe/London']) {
    it(`evaluates the cron in Asia/Shanghai with the host in ${tz}`, () => {
      withTimeZone(tz, () => {
        assert.equal(nextCronRun('15 8 * * *', new Date('2026-03-10T08:00:00+08:00'))?.toISOString(), '2026-03-10T00:15:00.000Z');
        assert.equal(nextCronRun('15 8 * * *', new Date('2026-03-10T08:16:00+08:00'))?.toISOString(), '2026-03-11T00:15:00.000Z');
        // Across the US daylight-saving change (2026-03-08) the Beijing time stays put.
        assert.equal(nextCronRun('15 8 * * *', new Date('2026-03-08T09:00:00+08:00'))?.toISOString(), '2026-03-09T00:15:00.000Z');
      });
    });
  }

  it('answers nextCronAt for any sequence of times as a fresh computation does (the answer is reused within its span)', () => {
    const cron = '15 8,20 * * *';
    const s = new Scheduler({ cron, clock: systemClock, log: QUIET, run: () => Promise.resolve({ retry: false }) });
    const base = Date.parse('2026-03-10T07:00:00+08:00');
    // Forwards, exactly on and around the runs, then backwards (a clock set back).
    const minutes = [0, 1, 74, 75, 76, 600, 794, 795, 796, 2000, 80, 0, 75, 74];
    for (const m of minutes) {
      const at = base + m * 60_000 + (m % 2) * 999;
      assert.equal(s.nextCronAt(at), nextCronRun(cron, new Date(at))?.getTime(), new Date(at).toISOString());
    }
    void s.stop();
  });

  it("a reload's cron gives the next run at once (the cached answer is dropped)", () => {
    const clock = new ManualClock('2026-03-10T09:00:00+08:00');
    const s = new Scheduler({ cron: '15 8 * * *', clock, log: QUIET, run: () => Promise.resolve() });
    assert.equal(s.nextCronAt(), Date.parse('2026-03-11T08:15:00+08:00'));
    s.reschedule('30 10 * * *');
    assert.equal(s.nextCronAt(), Date.parse('2026-03-10T10:30:00+08:00'));
    void s.stop();
  });

  it('never overlaps runs, and runs nothing after stop()', async () => {
    const { logger, lines } = memoryLogger(new Redactor());
    const triggers: RunTrigger[] = [];
    let running = 0;
    let maxRunning = 0;
    let release: () => void = () => undefined;
    const scheduler = new Scheduler({
      cron: '15 8 * * *',
      clock: new ManualClock('2026-03-10T09:00:00+08:00'),
      log: logger,
      run: async (trigger) => {
        triggers.push(trigger);
        running++;
        maxRunning = Math.max(maxRunning, running);
        if (trigger === 'start') await new Promise<void>((r) => (release = r));
        running--;
      },
    });
    scheduler.start();
    const second = scheduler.trigger('cron');
    const third = scheduler.trigger('cron');
    release();
    await Promise.all([second, third]);
    assert.deepEqual(triggers, ['start']);
    assert.equal(maxRunning, 1);
    assert.ok(lines.some((l) => l.includes('trigger skipped')));
    await scheduler.trigger('cron');
    assert.deepEqual(triggers, ['start', 'cron'], 'a trigger after the run ended runs');
    assert.equal(scheduler.nextCronAt(), Date.parse('2026-03-11T08:15:00+08:00'), 'the next run from the injected clock');
    await scheduler.stop();
    await scheduler.trigger('cron');
    assert.deepEqual(triggers, ['start', 'cron'], 'nothing runs after stop()');
  });
});
