import pLimit from 'p-limit';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger } from 'winston';
import type { ResolvedConfig } from './config/load.js';
import { WHOLE, inShard, type Shard } from './config/shard.js';
import { createExporterMetrics } from './metrics/exporter-metrics.js';
import { LiveFamilies } from './metrics/exposition/live-families.js';
import type { PreparedExposition } from './metrics/exposition/prepared-exposition.js';
import { ScrapeBodies, type ScrapeBody, type ScrapeRequest } from './metrics/exposition/scrape-body.js';
import type { BuildInfo } from './version.js';
import { pollAccount } from './poll/account-poller.js';
import type { AccountState } from './poll/account-state.js';
import { afterPoll, isHeld } from './poll/after-poll.js';
import { lookbackWindow } from './poll/plan.js';
import { Scheduler, type RunTrigger } from './poll/scheduler.js';
import { readReferenceDay } from './store/history.js';
import type { Store } from './store/store.js';
import type { AccountApi } from './wechat/account-api.js';
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

interface AccountRuntime {
  readonly api: AccountApi;
  readonly state: AccountState;
  readonly log: Logger;
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
  readonly #exposition: PreparedExposition;
  readonly #bodies: ScrapeBodies;
  #stopped = false;

  constructor(options: ExporterOptions) {
    this.#o = options;
    const { config, logger, store } = options;
    const mine = config.accounts.filter((account) => inShard(account.appid, this.shard));
    this.#clients = createAccountClients({ ...config, ...options, accounts: mine, registry: this.registry });
    this.#accounts = mine.map((account) => ({
      api: this.#clients.apiFor(account.appid),
      state: {
        name: account.name,
        appid: account.appid,
        tokenSource: account.tokenSource,
        reference: readReferenceDay(store, account.appid),
        lastSuccessAt: store.lastSuccess(account.appid),
        pendingDays: [],
      },
      log: logger.child({ account: account.name, appid: account.appid }),
    }));
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    const { metrics } = this.#clients;
    const live = new LiveFamilies(this.registry, { names: metrics.names, generation: () => metrics.generation });
    this.#exposition = createExporterMetrics({
      accounts: () => this.accounts,
      build: options.build,
      hourly: config.metrics.hourly,
      shard: this.shard,
    });
    this.#bodies = new ScrapeBodies(live, this.#exposition);
    // The stored reference days are metrics already: prepare them now, not in the first scrape.
    this.#exposition.schedule(0);
    this.#scheduler = new Scheduler({
      cron: config.schedule.cron,
      retryIntervalMs: config.schedule.retryInterval,
      clock: options.clock,
      log: logger,
      run: (trigger) => this.pollAll(trigger),
    });
  }

  /** The accounts' states, in config order. */
  get accounts(): readonly AccountState[] {
    return this.#accounts.map((a) => a.state);
  }

  /** `--shard`; the whole set of accounts when not sharded. */
  get shard(): Shard {
    return this.#o.shard ?? WHOLE;
  }

  /** The body of a scrape of /metrics: the prepared account gauges and the live registry. */
  scrape(request: ScrapeRequest): Promise<ScrapeBody> {
    return this.#bodies.body(request);
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
    const limit = pLimit(this.#o.config.schedule.concurrency);
    const wants = await Promise.all(
      this.#accounts.map((a) =>
        limit(async () => {
          const retry = await this.#pollOne(a, trigger);
          // Prepare the changed gauges soon rather than in the next scrape.
          this.#exposition.schedule();
          return retry;
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
    const draining = this.#scheduler.stop();
    await this.#clients.close();
    await draining;
  }
}
