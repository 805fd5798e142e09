import type { Logger } from 'winston';
import type { Clock } from '../clock.js';
import { beijingDateOf, type BeijingDate } from '../dates.js';
import { errorMessage } from '../errors.js';
import { StorePruner, type PruneResult } from './prune.js';
import { describeRetention, firstKeptDay, type RetentionPolicy } from './retention.js';
import { StoreStats, type StoreStatus } from './store-stats.js';
import type { Store } from './store.js';

export interface RetentionRunnerOptions {
  readonly store: Store;
  readonly policy: RetentionPolicy;
  readonly clock: Clock;
  readonly log: Logger;
  /** The first day of the lookback window at an instant (read at each run: a reload may change lookbackDays). */
  readonly lookbackFrom: (nowMs: number) => BeijingDate;
}

/** The store's state with the retention's: what /metrics and the status page show. */
export interface StoreReport extends StoreStatus {
  /** Account-days deleted by the retention since the start. */
  readonly prunedDays: number;
  /** The first day the retention keeps (days before it are deleted, not missing). */
  readonly keptFrom: BeijingDate;
  readonly retention: RetentionPolicy;
}

/**
 * Runs the retention at start and once a Beijing day (the exporter calls `daily()` after each
 * scheduled run; only the first call of a day prunes). One run at a time; a failure is logged
 * and tried again the next day, never thrown at the poll that called it.
 */
export class RetentionRunner {
  readonly #o: RetentionRunnerOptions;
  readonly #pruner: StorePruner;
  readonly #stats: StoreStats;
  #lastDay: BeijingDate | undefined;
  #running: Promise<void> | undefined;
  #prunedDays = 0;
  #sizeKeptFrom: BeijingDate | undefined;

  constructor(options: RetentionRunnerOptions) {
    this.#o = options;
    const { store, clock } = options;
    this.#pruner = new StorePruner(store.database);
    this.#stats = new StoreStats({ db: store.database, path: store.path, clock, oldestDay: () => this.#pruner.oldestDay() });
  }

  get policy(): RetentionPolicy {
    return this.#o.policy;
  }

  /** Prunes unless it already did today; resolves when done. Never rejects. */
  daily(): Promise<void> {
    const today = beijingDateOf(this.#o.clock.now());
    if (this.#running) return this.#running;
    if (this.#lastDay === today) return Promise.resolve();
    this.#lastDay = today;
    this.#running = this.#run().finally(() => (this.#running = undefined));
    return this.#running;
  }

  /** `daily()`, then `value`: what a run of the polls resolves with. */
  async after<T>(value: T): Promise<T> {
    await this.daily();
    return value;
  }

  /** The first day kept: the time retention's, or the size retention's when it took more. */
  keptFrom(): BeijingDate {
    const byTime = firstKeptDay(this.#o.clock.now(), this.#o.policy);
    return this.#sizeKeptFrom !== undefined && this.#sizeKeptFrom > byTime ? this.#sizeKeptFrom : byTime;
  }

  report(): StoreReport {
    return { ...this.#stats.sample(), prunedDays: this.#prunedDays, keptFrom: this.keptFrom(), retention: this.#o.policy };
  }

  async #run(): Promise<void> {
    const { clock, log, policy } = this.#o;
    const now = clock.now();
    // The lookback window is never deleted by the size retention: it would be fetched again at once.
    const protectFrom = this.#o.lookbackFrom(now);
    let result: PruneResult;
    try {
      result = await this.#pruner.prune(now, policy, protectFrom);
    } catch (err) {
      log.error('store retention failed; trying again tomorrow', { error: errorMessage(err) });
      return;
    }
    this.#prunedDays += result.days;
    this.#sizeKeptFrom = result.keptFrom;
    this.#stats.invalidate();
    if (result.days > 0) {
      log.info('store retention: deleted old days', {
        accountDays: result.days,
        keptFrom: result.keptFrom,
        retention: describeRetention(policy),
      });
    }
    if (result.unsentDays > 0) {
      log.warn('store retention: deleted days the remote-write receivers had not accepted (they cannot be pushed any more)', {
        accountDays: result.unsentDays,
      });
    }
    if (result.sizeLimitUnmet) {
      log.warn(
        'store larger than --storage.retention.size with only the lookback window left; raise the size or lower schedule.lookbackDays',
        {
          retention: describeRetention(policy),
        },
      );
    }
  }
}
