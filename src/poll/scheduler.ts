import { Cron } from 'croner';
import type { Logger } from 'winston';
import type { Clock } from '../clock.js';
import { SCHEDULE_TIMEZONE } from '../config/schema.js';
import { errorMessage } from '../errors.js';

export type RunTrigger = 'start' | 'cron' | 'retry';

export interface SchedulerOptions {
  /** `schedule.cron`, always evaluated in Asia/Shanghai whatever the host's time zone. */
  readonly cron: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** One run over the accounts. */
  readonly run: (trigger: 'start' | 'cron') => Promise<unknown>;
}

/**
 * Starts the runs over all accounts: once at start, then on the cron schedule. Runs never
 * overlap: a trigger that comes while a run is going is dropped (the run in progress covers it).
 * Retries are not its business: each account retries on its own timer (poll/account-runs.ts), so
 * that one waiting or failing account never delays the others.
 */
export class Scheduler {
  #o: SchedulerOptions;
  /** The one Cron: paused until start(), it also answers when the next run is. */
  #cron: Cron;
  #started = false;
  #running: Promise<void> | undefined;
  #stopped = false;
  #lastNext: { readonly after: number; readonly at: number | undefined } | undefined;

  constructor(options: SchedulerOptions) {
    this.#o = options;
    this.#cron = this.#newCron(options.cron);
  }

  #newCron(cron: string): Cron {
    return new Cron(cron, { timezone: SCHEDULE_TIMEZONE, protect: true, paused: true }, () => {
      void this.trigger('cron');
    });
  }

  start(): void {
    this.#started = true;
    this.#cron.resume();
    void this.trigger('start');
  }

  /** A reload's `schedule.cron` (a no-op when unchanged): the next cron run follows it; no run starts now. */
  reschedule(cron: string): void {
    if (cron === this.#o.cron) return;
    this.#o = { ...this.#o, cron };
    this.#lastNext = undefined; // the old cron's answer
    this.#cron.stop();
    this.#cron = this.#newCron(cron);
    if (this.#started && !this.#stopped) this.#cron.resume();
  }

  /** When the next scheduled (cron) run starts after `after` (epoch ms; default: the clock's now). */
  nextCronAt(after: number = this.#o.clock.now()): number | undefined {
    // Asked once per account after each poll: thousands of times in a run, each a walk through
    // croner's calendar. The answer is the same from one question until the run it names.
    const last = this.#lastNext;
    if (last !== undefined && last.at !== undefined && last.after <= after && after < last.at) return last.at;
    const at = this.#cron.nextRun(new Date(after))?.getTime();
    this.#lastNext = { after, at };
    return at;
  }

  /** Starts a run unless one is going; resolves when the run (this one or the one going) ends. */
  trigger(trigger: 'start' | 'cron'): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#running) {
      this.#o.log.info('run already in progress; trigger skipped', { trigger });
      return this.#running;
    }
    this.#running = this.#runOnce(trigger).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #runOnce(trigger: 'start' | 'cron'): Promise<void> {
    try {
      await this.#o.run(trigger);
    } catch (err) {
      // The run function handles every account error itself; this is a bug, and still not fatal.
      this.#o.log.error('poll run failed', { trigger, error: errorMessage(err) });
    }
  }

  /** Stops scheduling and waits for the run in progress (whose calls the caller aborts). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#cron.stop();
    await this.#running;
  }
}
