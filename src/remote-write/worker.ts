import type { Logger } from 'winston';
import { readHistory } from '../store/history.js';
import type { Clock } from '../clock.js';
import type { Store } from '../store/store.js';
import type { RemoteWriteClient } from './client.js';
import { encodeWriteRequest, historyTimeSeries, sampleCount } from './encode.js';
import type { Outbox, OutboxScope } from './outbox.js';
import { afterPush, unpushable, type BackoffPolicy, type OutboxEntry } from './transition.js';

/** How often an idle worker looks for days queued by another process (a backfill on the same store). */
const IDLE_RECHECK_MS = 60_000;

export interface PushEvents {
  accepted(samples: number): void;
  failed(status: string): void;
}

export interface WorkerDeps {
  readonly client: RemoteWriteClient;
  /** The URL as logs, metrics and the page show it. */
  readonly label: string;
  readonly outbox: Outbox;
  readonly store: Store;
  readonly clock: Clock;
  readonly log: Logger;
  readonly policy: BackoffPolicy;
  /** The `account` label of an appid, or undefined when the account is no longer configured. */
  readonly accountName: (appid: string) => string | undefined;
  /** How long a claimed day is kept from other workers: longer than a push can take. */
  readonly leaseMs: number;
  readonly events?: PushEvents;
}

/**
 * Pushes one target's outbox, oldest day first (receivers append most cheaply in time order),
 * one day per request. Each push's outcome is recorded before the next claim, so a restart
 * resumes where this one stopped.
 */
export class OutboxWorker {
  readonly #d: WorkerDeps;
  readonly #abort = new AbortController();
  #running: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #stopped = false;

  constructor(deps: WorkerDeps) {
    this.#d = deps;
  }

  /** Claims the first due day in `scope` and pushes it; resolves false when nothing was due. */
  async pushNext(scope: OutboxScope = {}): Promise<boolean> {
    const { outbox, clock, client, store } = this.#d;
    const now = clock.now();
    const entry = outbox.claimDue(client.url, now, now + this.#d.leaseMs, scope);
    if (!entry) return false;
    const name = this.#d.accountName(entry.appid);
    const days = name === undefined ? [] : readHistory(store, entry.appid, entry.refDate, entry.refDate).days;
    if (name === undefined || days.length === 0) {
      const why = name === undefined ? `account ${entry.appid} is not configured` : `day not in the store`;
      this.#record(unpushable(entry, why), 'unpushable', why, 0);
      return true;
    }
    const series = historyTimeSeries([{ name, appid: entry.appid, days }]);
    const outcome = await client.push(encodeWriteRequest(series), this.#abort.signal);
    if (this.#stopped && outcome.status === 'network') {
      // Cut short by stop(): give the day back at once rather than after the lease.
      outbox.record({ ...entry, nextAttemptAt: 0 }, clock.now());
      return true;
    }
    const samples = sampleCount(series);
    this.#record(afterPush(entry, outcome, samples, clock.now(), this.#d.policy), String(outcome.status), outcome.message, samples);
    return true;
  }

  #record(next: OutboxEntry, status: string, message: string, samples: number): void {
    const { outbox, clock, log, label, events } = this.#d;
    outbox.record(next, clock.now());
    const fields = { url: label, appid: next.appid, day: next.refDate, status };
    if (next.state === 'acked') {
      events?.accepted(samples);
      log.debug('remote write: day accepted', { ...fields, samples });
      return;
    }
    // Only pushes count as failures (by HTTP status or network); an unpushable day only logs.
    if (status !== 'unpushable') events?.failed(status);
    if (next.state === 'failed') {
      log.error(
        'remote write: the receiver refused the day; it will not be retried (fix the receiver, then push it again with backfill --remote-write)',
        {
          ...fields,
          error: message,
        },
      );
    } else {
      log.warn('remote write: push failed; will retry', { ...fields, error: message, retryAt: new Date(next.nextAttemptAt).toISOString() });
    }
  }

  /** Pushes until stopped, waking when a day is queued or the next retry is due. */
  start(): void {
    this.#running ??= this.#loop();
  }

  /** A day was queued: push without waiting for the idle recheck. */
  wake(): void {
    this.#wake?.();
  }

  async #loop(): Promise<void> {
    const { outbox, clock, client, log, label } = this.#d;
    while (!this.#stopped) {
      try {
        if (await this.pushNext()) continue;
      } catch (err) {
        // A store error (disk full…): log, wait, try again; the outbox keeps the days.
        log.error('remote write: worker error', { url: label, error: (err as Error).message });
      }
      const next = outbox.nextPending(client.url)?.nextAttemptAt;
      const wait = next === undefined ? IDLE_RECHECK_MS : Math.min(Math.max(next - clock.now(), 0), IDLE_RECHECK_MS);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  /** Stops the loop and abandons a push in flight (its day stays pending). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    this.#wake?.();
    await this.#running;
  }
}
