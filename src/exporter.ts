import { Registry } from 'prom-client';
import type { Logger } from 'winston';
import type { ResolvedAccount, ResolvedConfig } from './config/load.js';
import { WHOLE, inShard, type Shard } from './config/shard.js';
import { ExporterMetrics } from './metrics/exporter-metrics.js';
import type { BuildInfo } from './version.js';
import { pollAccount } from './poll/account-poller.js';
import type { AccountState } from './poll/account-state.js';
import { afterPoll, isHeld } from './poll/after-poll.js';
import { lookbackWindow } from './poll/plan.js';
import { Scheduler, type RunTrigger } from './poll/scheduler.js';
import { QuotaWatch } from './quota/quota-watch.js';
import { readReferenceDay } from './store/history.js';
import { storeRetention, type RetentionOption, type RetentionRunner } from './metrics/store-metrics.js';
import type { AccountRuntime } from './reload/account-runtime.js';
import { AccountSet } from './reload/account-set.js';
import type { Store } from './store/store.js';
import { createAccountClients, type AccountClients, type AccountClientsOptions } from './wechat/account-clients.js';

/** The clock, redactor, env and retry pacing go to the WeChat clients as they are. */
export interface ExporterOptions extends Pick<AccountClientsOptions, 'clock' | 'redactor' | 'env' | 'retryPolicy'>, RetentionOption {
  readonly config: ResolvedConfig;
  readonly store: Store;
  readonly logger: Logger;
  readonly build: BuildInfo;
  /** prom-client's process metrics (off in golden tests, whose output must not vary). @default true */
  readonly defaultMetrics?: boolean;
  /** `--shard=I/N`: only the accounts of this shard are polled, stored and exported. @default WHOLE */
  readonly shard?: Shard;
}

/**
 * The exporter: every account's state, polled on the schedule into the store (pruned daily by
 * `retention`), and the metrics that show it. Built from plain inputs so that a test can build one.
 * The store and the clock are given (their owner closes them); `stop()` ends schedule and clients.
 */
export class Exporter {
  readonly registry = new Registry();
  #o: ExporterOptions;
  readonly #clients: AccountClients;
  readonly #set: AccountSet;
  readonly #quota: QuotaWatch;
  readonly #scheduler: Scheduler;
  /** What /metrics serves. */
  readonly metrics: ExporterMetrics;
  /** `--shard`; the whole set of accounts when not sharded. */
  readonly shard: Shard;
  readonly retention: RetentionRunner;
  #stopped = false;

  constructor(options: ExporterOptions) {
    this.#o = options;
    const { config, logger, store } = options;
    this.shard = options.shard ?? WHOLE;
    this.#clients = createAccountClients({ ...config, ...options, accounts: [], registry: this.registry });
    const runs = { concurrency: config.schedule.concurrency, clock: options.clock };
    this.#set = new AccountSet(config.accounts, { clients: this.#clients, store, logger, runs }, (a) => inShard(a, this.shard));
    this.#quota = new QuotaWatch({ table: store.quota, clock: options.clock, registry: this.registry, appids: () => this.#set.appids() });
    this.retention = storeRetention({ ...options, log: logger, registry: this.registry, schedule: () => this.#o.config.schedule });
    const metrics = { ...options, ...config.metrics, registry: this.registry, stable: [this.#clients.metrics, this.#quota] };
    this.metrics = new ExporterMetrics({ ...metrics, accounts: () => this.accounts, listed: config.accounts.length });
    // The scheduler only starts runs: each account's retries are its own (AccountSet.start).
    this.#scheduler = new Scheduler({ cron: config.schedule.cron, clock: options.clock, log: logger, run: (t) => this.pollAll(t) });
  }

  /** The accounts' states, in config order. */
  get accounts(): readonly AccountState[] {
    return this.#set.runtimes.map((a) => a.state);
  }

  /** False once stopping (readiness). */
  get running(): boolean {
    return !this.#stopped;
  }

  /** The next scheduled (cron) run, epoch ms. */
  nextRunAt(): number | undefined {
    return this.#scheduler.nextCronAt();
  }

  /** A new account list (reload, discovery): see AccountSet.apply; added and changed accounts start their runs now. */
  applyAccounts(next: readonly ResolvedAccount[]): void {
    void this.#set.start(this.#set.apply(next).fresh, 'start', this.#poll);
    this.metrics.accountsChanged(next.length);
  }

  /** A reload's config: `schedule` applies now; see restartOnlyChanges for what does not. */
  reconfigure(config: ResolvedConfig): void {
    this.#o = { ...this.#o, config };
    this.#scheduler.reschedule(config.schedule.cron);
    this.#set.setConcurrency(config.schedule.concurrency);
  }

  /** Starts the schedule: a poll now, then on the cron schedule and retries. */
  start(): void {
    this.#scheduler.start();
  }

  /** Runs one poll of every account now (the schedule calls it; tests too), then the retention if not yet run today. */
  async pollAll(trigger: RunTrigger = 'start'): Promise<{ retry: boolean }> {
    return this.retention.after({ retry: (await this.#set.start(this.#set.runtimes, trigger, this.#poll)).some(Boolean) });
  }

  #poll = (r: AccountRuntime, t: RunTrigger): Promise<boolean> => this.#pollNow(r, t).finally(() => this.metrics.changed());

  /** Polls one account and applies the after-poll rules; resolves whether it wants a retry run. Never rejects. */
  async #pollNow({ state, log, api }: AccountRuntime, trigger: RunTrigger): Promise<boolean> {
    const { clock, store, redactor, config } = this.#o;
    const startedAt = clock.now();
    if (this.#stopped || isHeld(state, trigger, startedAt)) return false;
    const window = lookbackWindow(startedAt, config.schedule.lookbackDays);
    const result = await pollAccount({ api, store, clock, window, log });
    const now = clock.now();
    const after = afterPoll({
      result,
      startedAt,
      now,
      nextCronAt: this.#scheduler.nextCronAt(now),
      retryIntervalMs: config.schedule.retryInterval,
      quotaUntil: api.quotaExhaustedUntil,
      redact: (s) => redactor.redact(s),
    });
    if (after.kind === 'aborted') return false;
    if (result.saved.length > 0) {
      state.reference = readReferenceDay(store, api.appid);
      log.info('stored days', { days: result.saved, referenceDay: state.reference?.refDate });
    }
    Object.assign(state, after.state);
    if (after.kind === 'ok') {
      if (result.calls > 0) state.lastSuccessAt = store.lastSuccess(api.appid);
      if (result.calls > 0) await this.#quota.afterDataPoll(api, log);
      if (after.retry)
        log.info('data not ready yet; will retry', { pending: result.pending, retryIn: config.schedule.retryInterval / 1000 });
      return after.retry;
    }
    const { reason, errcode, message: error } = after.error ?? {};
    const nextPoll = state.nextPollAt === undefined ? undefined : new Date(state.nextPollAt).toISOString();
    log.log(after.held ? 'error' : 'warn', 'poll failed', { reason, errcode, error, pending: result.pending.length, nextPoll });
    return after.retry;
  }

  /** Stops scheduling and abandons calls in flight. The store stays open (its owner closes it). */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    const draining = Promise.all([this.#scheduler.stop(), this.#set.stop()]);
    await this.#clients.close();
    await draining;
  }
}
