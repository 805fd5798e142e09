import pLimit, { type LimitFunction } from 'p-limit';
import type { Clock } from '../clock.js';
import type { RunTrigger } from './scheduler.js';

/** One account's poll: resolves whether the account wants a retry. Never rejects. */
export interface AccountRun {
  readonly poll: (trigger: RunTrigger) => Promise<boolean>;
  /** When the retry is due (epoch ms), read once the poll has ended. */
  readonly retryAt: () => number | undefined;
}

export interface AccountRunsOptions {
  /** `schedule.concurrency`: accounts polled at once. */
  readonly concurrency: number;
  readonly clock: Clock;
  /** How long a poll holds its slot before the next account may start anyway. @default 1000 */
  readonly slotMs?: number;
}

/**
 * Runs the accounts' polls independently of one another: each account's polls never overlap,
 * each account has its own retry timer set from its own result, and a poll lends (not gives) its
 * concurrency slot: still going after `slotMs` (a WeChat that hangs for this account), it lets the
 * next account start, so that no account ever waits on another's failure.
 */
export class AccountRuns<K = string> {
  readonly #limit: LimitFunction;
  readonly #clock: Clock;
  readonly #slotMs: number;
  readonly #inFlight = new Map<K, Promise<boolean>>();
  readonly #timers = new Map<K, NodeJS.Timeout>();
  /** Accounts removed by a reload: a poll of theirs still going ends without a retry. */
  readonly #forgotten = new Set<K>();
  #stopped = false;

  constructor(options: AccountRunsOptions) {
    this.#limit = pLimit(options.concurrency);
    this.#clock = options.clock;
    this.#slotMs = options.slotMs ?? 1_000;
  }

  /** Polls the account `key` now (in a slot), or joins its poll in progress; resolves whether it wants a retry. */
  start(key: K, trigger: RunTrigger, run: AccountRun): Promise<boolean> {
    const going = this.#inFlight.get(key);
    if (going) return going;
    clearTimeout(this.#timers.get(key));
    this.#timers.delete(key);
    const poll = new Promise<boolean>((resolve) => {
      void this.#limit(() => {
        const p = run.poll(trigger);
        p.then(resolve, () => resolve(false));
        return Promise.race([p, new Promise((r) => setTimeout(r, this.#slotMs).unref())]);
      });
    }).then((retry) => {
      this.#inFlight.delete(key);
      const removed = this.#forgotten.delete(key);
      if (retry && !removed) this.#scheduleRetry(key, run);
      return retry;
    });
    this.#inFlight.set(key, poll);
    return poll;
  }

  #scheduleRetry(key: K, run: AccountRun): void {
    const at = run.retryAt();
    if (this.#stopped || at === undefined) return;
    const timer = setTimeout(() => void this.start(key, 'retry', run), Math.max(0, at - this.#clock.now()));
    timer.unref();
    this.#timers.set(key, timer);
  }

  /** `schedule.concurrency` changed by a reload: polls already started keep their slots. */
  setConcurrency(concurrency: number): void {
    this.#limit.concurrency = concurrency;
  }

  /**
   * An account removed (or replaced) by a reload: its retry timer stops, and a poll of it still
   * going (its calls aborted by the caller) ends without scheduling another.
   */
  forget(key: K): void {
    clearTimeout(this.#timers.get(key));
    this.#timers.delete(key);
    if (this.#inFlight.has(key)) this.#forgotten.add(key);
  }

  /** No more retries; resolves once the polls in progress (whose calls the caller aborts) have ended. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    await Promise.all(this.#inFlight.values());
  }
}
