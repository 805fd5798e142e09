import pLimit from 'p-limit';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger } from 'winston';
import type { Express } from 'express';
import type { Clock } from './clock.js';
import type { ResolvedAccount, ResolvedConfig } from './config/load.js';
import { CallAbortedError, errorClassOf } from './errors.js';
import { createApp } from './http/app.js';
import { registerExporterMetrics, type BuildInfo } from './metrics/exporter-metrics.js';
import { pollAccount } from './poll/account-poller.js';
import { lookbackWindow } from './poll/plan.js';
import { describeError, type AccountState } from './poll/account-state.js';
import { Scheduler, nextCronRun, type RunTrigger } from './poll/scheduler.js';
import type { Redactor } from './redact.js';
import { readReferenceDay } from './store/history.js';
import type { Store } from './store/store.js';
import { AccountApi } from './wechat/account-api.js';
import { ApiMetrics } from './wechat/api-metrics.js';
import { WechatHttpClient } from './wechat/http-client.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './wechat/retry-policy.js';
import { TokenCache } from './wechat/tokens/token-cache.js';
import { ClassicTokenSource, FileTokenSource, StableTokenSource, UrlTokenSource } from './wechat/tokens/sources.js';
import type { TokenSource } from './wechat/tokens/token-source.js';
import { createDispatcher } from './wechat/transport.js';
import type express from 'express';

export interface ExporterOptions {
  readonly config: ResolvedConfig;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly redactor: Redactor;
  /** Where HTTPS_PROXY / NO_PROXY come from. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly build: BuildInfo;
  /** `--web.telemetry-path`. @default '/metrics' */
  readonly telemetryPath?: string;
  /** prom-client's process metrics (off in golden tests, whose output must not vary). @default true */
  readonly defaultMetrics?: boolean;
  /** Retry pacing; tests shorten the waits. @default from config, with DEFAULT_RETRY_POLICY delays */
  readonly retryPolicy?: Partial<RetryPolicy>;
  /** Shown on the landing page. */
  readonly demo?: boolean;
  /** Extra HTTP routes (the JSON API). */
  readonly routes?: (exporter: Exporter) => express.Router;
}

interface AccountRuntime {
  readonly config: ResolvedAccount;
  readonly api: AccountApi;
  readonly state: AccountState;
  readonly log: Logger;
}

/**
 * The exporter, wired from plain inputs so that a test can build one: accounts, their API
 * clients and token caches, the metrics, the HTTP app and the schedule. The store and the
 * clock are given; the exporter owns the HTTP client and the schedule, and `stop()` ends them.
 */
export class Exporter {
  readonly registry = new Registry();
  readonly app: Express;
  readonly #o: ExporterOptions;
  readonly #accounts: AccountRuntime[];
  readonly #http: WechatHttpClient;
  readonly #scheduler: Scheduler;
  #stopped = false;

  constructor(options: ExporterOptions) {
    this.#o = options;
    const { config, clock, redactor, logger, store } = options;
    const metrics = new ApiMetrics(this.registry);
    this.#http = new WechatHttpClient({
      baseUrls: config.wechat.baseUrls,
      dispatcher: createDispatcher({ timeoutMs: config.wechat.timeout, proxy: config.wechat.proxy, env: options.env }),
      metrics,
      clock,
      timeoutMs: config.wechat.timeout,
      retry: {
        ...DEFAULT_RETRY_POLICY,
        maxAttempts: config.wechat.retry.maxAttempts,
        maxElapsedMs: config.wechat.retry.maxElapsed,
        ...options.retryPolicy,
      },
    });
    this.#accounts = config.accounts.map((account) => {
      redactor.add(account.appsecret);
      const tokens = new TokenCache({ appid: account.appid, source: this.#tokenSource(account), clock, metrics, redactor });
      const state: AccountState = {
        name: account.name,
        appid: account.appid,
        tokenSource: account.tokenSource,
        reference: readReferenceDay(store, account.appid),
        lastSuccessAt: store.lastSuccess(account.appid),
        pendingDays: [],
      };
      return {
        config: account,
        api: new AccountApi({ appid: account.appid, http: this.#http, tokens, clock, metrics }),
        state,
        log: logger.child({ account: account.name, appid: account.appid }),
      };
    });
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    registerExporterMetrics(this.registry, () => this.accounts, options.build);
    this.#scheduler = new Scheduler({
      cron: config.schedule.cron,
      retryIntervalMs: config.schedule.retryInterval,
      log: logger,
      run: (trigger) => this.pollAll(trigger),
    });
    const telemetryPath = options.telemetryPath ?? '/metrics';
    this.app = createApp({
      registry: this.registry,
      telemetryPath,
      ready: () => !this.#stopped,
      landing: () => ({
        version: options.build.version,
        telemetryPath,
        accounts: this.accounts,
        ready: !this.#stopped,
        demo: options.demo ?? false,
        now: clock.now(),
        nextRunAt: nextCronRun(config.schedule.cron, new Date(clock.now()))?.getTime(),
      }),
      routes: options.routes?.(this),
    });
  }

  /** The accounts' states, in config order. */
  get accounts(): readonly AccountState[] {
    return this.#accounts.map((a) => a.state);
  }

  get store(): Store {
    return this.#o.store;
  }

  /** The per-account APIs (for the backfill command, which fetches what the store lacks). */
  accountApi(appid: string): AccountApi | undefined {
    return this.#accounts.find((a) => a.config.appid === appid)?.api;
  }

  #tokenSource(account: ResolvedAccount): TokenSource {
    const credentials = { appid: account.appid, secret: account.appsecret ?? '' };
    switch (account.tokenSource) {
      case 'stable':
        return new StableTokenSource(this.#http, credentials, account.forceRefresh);
      case 'classic':
        return new ClassicTokenSource(this.#http, credentials);
      case 'file':
        return new FileTokenSource(account.tokenFile as string);
      case 'url':
        return new UrlTokenSource(this.#http, account.appid, account.tokenUrl as string);
    }
  }

  /** Starts the schedule: a poll now, then on the cron schedule and retries. */
  start(): void {
    this.#scheduler.start();
  }

  /** Runs one poll of every account now (what the schedule calls; tests call it directly). */
  async pollAll(trigger: RunTrigger = 'start'): Promise<{ retry: boolean }> {
    const limit = pLimit(this.#o.config.schedule.concurrency);
    const wants = await Promise.all(this.#accounts.map((a) => limit(() => this.#pollOne(a, trigger))));
    return { retry: wants.some(Boolean) };
  }

  /** Polls one account; resolves whether it wants a retry run. Never rejects. */
  async #pollOne(account: AccountRuntime, trigger: RunTrigger): Promise<boolean> {
    const { state, log, api } = account;
    const { clock, store, redactor, config } = this.#o;
    const startedAt = clock.now();
    if (this.#stopped) return false;
    if (trigger === 'retry' && state.holdUntil !== undefined && startedAt < state.holdUntil) return false;
    const window = lookbackWindow(startedAt, config.schedule.lookbackDays);
    const result = await pollAccount({ api, store, clock, window, log });
    if (result.error !== undefined && result.error instanceof CallAbortedError) return false;
    if (result.saved.length > 0) {
      state.reference = readReferenceDay(store, api.appid);
      log.info('stored days', { days: result.saved, referenceDay: state.reference?.refDate });
    }
    state.lastPollAt = startedAt;
    state.pendingDays = result.pending;
    const nextCron = nextCronRun(config.schedule.cron, new Date(clock.now()))?.getTime();
    if (result.error === undefined) {
      state.up = true;
      state.lastError = undefined;
      state.holdUntil = undefined;
      if (result.calls > 0) state.lastSuccessAt = store.lastSuccess(api.appid);
      const retry = result.pending.length > 0;
      if (retry) log.info('data not ready yet; will retry', { pending: result.pending, retryIn: config.schedule.retryInterval / 1000 });
      state.nextPollAt = retry ? clock.now() + config.schedule.retryInterval : nextCron;
      return retry;
    }
    const error = describeError(result.error, clock.now(), (s) => redactor.redact(s));
    state.up = false;
    state.lastError = error;
    const errorClass = errorClassOf(result.error);
    // A retry cannot fix a configuration error or a bug: wait for the next scheduled run (the
    // operator may have fixed it by then). Quota: the account API refuses calls until 00:00.
    const hold = errorClass === 'configuration' || errorClass === 'bug' || errorClass === 'quota';
    state.holdUntil = hold ? Math.max(nextCron ?? 0, api.quotaExhaustedUntil ?? 0) : undefined;
    state.nextPollAt = hold ? state.holdUntil : clock.now() + config.schedule.retryInterval;
    log.log(hold ? 'error' : 'warn', 'poll failed', {
      reason: error.reason,
      errcode: error.errcode,
      error: error.message,
      pending: result.pending.length,
      nextPoll: state.nextPollAt === undefined ? undefined : new Date(state.nextPollAt).toISOString(),
    });
    return !hold;
  }

  /** Stops scheduling and abandons calls in flight. The store stays open (its owner closes it). */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    const draining = this.#scheduler.stop();
    await this.#http.close();
    await draining;
  }
}
