import { Registry } from 'prom-client';
import type { Logger } from 'winston';
import type { ResolvedConfig } from './config/load.js';
import { WHOLE, inShard, type Shard } from './config/shard.js';
import { ExporterMetrics } from './metrics/exporter-metrics.js';
import type { BuildInfo } from './version.js';
import { pollAccount } from './poll/account-poller.js';
import { startAccount, type AccountRuntime } from './poll/account-runtime.js';
import type { AccountState } from './poll/account-state.js';
import { AccountRuns } from './poll/account-runs.js';
import { afterPoll, isHeld } from './poll/after-poll.js';
import { lookbackWindow } from './poll/plan.js';
import { Scheduler, type RunTrigger } from './poll/scheduler.js';
import { readReferenceDay } from './store/history.js';
import { readStartStates } from './store/start-reads.js';
import type { Store } from './store/store.js';
import { createAccountClients, type AccountClients, type AccountClientsOptions } from './wechat/account-clients.js';

/** The clock, redactor, env and retry pacing go to the WeChat clients as they are. */
export interface ExporterOptions extends Pick<AccountClientsOptions, 'clock' | 'redactor' | 'env' | 'retryPolicy'> {
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
 * The exporter: every account's state, polled on the schedule into the store, and the metrics
 * that show it. Built from plain inputs so that a test can build one. The store and the clock are
 * given (their owner closes them); `stop()` ends the schedule and the WeChat connections.
 */
export class Exporter {
  readonly registry = new Registry();
  readonly #o: ExporterOptions;
  readonly #clients: AccountClients;
  readonly #accounts: AccountRuntime[];
  readonly #scheduler: Scheduler;
  /** What /metrics serves. */
  readonly metrics: ExporterMetrics;
  /** `--shard`; the whole set of accounts when not sharded. */
  readonly shard: Shard;
  /** Polls and retries per account (the scheduler only starts runs). */
  readonly #runs: AccountRuns;
  #stopped = false;

  constructor(options: ExporterOptions) {
    this.#o = options;
    const { config, logger, store } = options;
    this.shard = options.shard ?? WHOLE;
    const mine = config.accounts.filter((account) => inShard(account.appid, this.shard));
    this.#clients = createAccountClients({ ...config, ...options, accounts: mine, registry: this.registry });
    const stored = readStartStates(store);
    this.#accounts = mine.map((account) => startAccount(account, this.#clients.apiFor(account.appid), stored(account.appid), logger));
    const metrics = { ...options, ...config.metrics, registry: this.registry, api: this.#clients.metrics };
    this.metrics = new ExporterMetrics({ ...metrics, accounts: () => this.accounts });
    this.#scheduler = new Scheduler({
      cron: config.schedule.cron,
      retryIntervalMs: config.schedule.retryInterval,
      clock: options.clock,
      log: logger,
      run: (trigger) => this.pollAll(trigger).then(() => ({ retry: false })),
    });
    this.#runs = new AccountRuns({ concurrency: config.schedule.concurrency, clock: options.clock });
  }

  /** The accounts' states, in config order. */
  get accounts(): readonly AccountState[] {
    return this.#accounts.map((a) => a.state);
  }

  /** False once stopping (readiness). */
  get running(): boolean {
    return !this.#stopped;
  }

  /** The next scheduled (cron) run, epoch ms. */
  nextRunAt(): number | undefined {
    return this.#scheduler.nextCronAt();
  }

  /** Starts the schedule: a poll now, then on the cron schedule and retries. */
  start(): void {
    this.#scheduler.start();
  }

  /** Runs one poll of every account now (what the schedule calls; tests call it directly). */
  async pollAll(trigger: RunTrigger = 'start'): Promise<{ retry: boolean }> {
    // Each account on its own: its retry comes at its own nextPollAt, never after another account's poll.
    const wants = await Promise.all(
      this.#accounts.map((a) =>
        this.#runs.start(a.api.appid, trigger, {
          poll: (t) => this.#pollOne(a, t).finally(() => this.metrics.changed()),
          retryAt: () => a.state.nextPollAt,
        }),
      ),
    );
    return { retry: wants.some(Boolean) };
  }

  /** Polls one account and applies the after-poll rules; resolves whether it wants a retry run. Never rejects. */
  async #pollOne({ state, log, api }: AccountRuntime, trigger: RunTrigger): Promise<boolean> {
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
    const draining = Promise.all([this.#scheduler.stop(), this.#runs.stop()]);
    await this.#clients.close();
    await draining;
  }
}
