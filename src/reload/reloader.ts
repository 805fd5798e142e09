import { isDeepStrictEqual } from 'node:util';
import type { Registry } from 'prom-client';
import type { Logger } from 'winston';
import type { Clock } from '../clock.js';
import type { ResolvedAccount, ResolvedConfig } from '../config/load.js';
import { Discovery, type SourceStatus } from '../discovery/discovery.js';
import { mergeAccounts } from '../discovery/merge.js';
import { DiscoveryMetrics } from '../discovery/metrics.js';
import { watchSources } from '../discovery/watch.js';
import { ConfigError, errorMessage } from '../errors.js';
import { restartOnlyChanges } from './account-set.js';

type Env = Readonly<Record<string, string | undefined>>;

/** A reload's outcome, as `/metrics` shows it (`wechat_exporter_config_last_reload_*`). */
export interface ReloadState {
  /** The last reload applied. */
  readonly successful: boolean;
  /** When a reload last applied, epoch ms; the start counts as one. */
  readonly successAt: number;
}

/** What the reloader drives: the exporter's account list and schedule, and the metrics showing them. */
export interface ReloadTarget {
  applyAccounts(accounts: readonly ResolvedAccount[]): unknown;
  /** Applies what a running exporter can take (the schedule). */
  reconfigure(config: ResolvedConfig): void;
  /**
   * Shows a reload's outcome. Called in the same turn of the event loop as applyAccounts, and the
   * metrics read both at once, so that no scrape shows a reload's accounts with the state before it.
   */
  readonly metrics: { showReload(state: ReloadState): void };
}

export interface ReloaderOptions {
  readonly config: ResolvedConfig;
  /** Reads and validates the config file again (with every secret). */
  readonly load: () => ResolvedConfig;
  readonly env: Env;
  readonly clock: Clock;
  readonly log: Logger;
}

export interface ReloadResult {
  readonly ok: boolean;
  readonly problems: readonly string[];
}

/**
 * Config reload and account discovery, as Prometheus does them: a reload (SIGHUP, `POST /-/reload`)
 * re-reads the config file, the discovery sources and every secret, and applies the result only if
 * the config is valid; discovery sources are re-read when they change and every refreshInterval.
 */
export class Reloader {
  readonly #o: ReloaderOptions;
  #config: ResolvedConfig;
  #discovery: Discovery | undefined;
  #watcher: { close(): Promise<void> } | undefined;
  #target: ReloadTarget | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #state: ReloadState;
  #closed = false;
  #metrics: DiscoveryMetrics | undefined;

  constructor(options: ReloaderOptions) {
    this.#o = options;
    this.#config = options.config;
    this.#state = { successful: true, successAt: options.clock.now() };
    this.#discovery = this.#newDiscovery(options.config);
  }

  get lastReloadSuccessful(): boolean {
    return this.#state.successful;
  }

  /** The discovery sources, for `/`. */
  sources(): SourceStatus[] {
    return this.#discovery?.status() ?? [];
  }

  /** The accounts to start with: the static list and the discovery sources' first read. */
  async initialAccounts(): Promise<ResolvedAccount[]> {
    await this.#discovery?.refresh();
    return this.#merged();
  }

  /** From now on, changes go to `target`, metrics are in `registry`, and discovery sources are watched. */
  attach(target: ReloadTarget, registry: Registry): void {
    this.#target = target;
    this.#metrics = new DiscoveryMetrics(registry, () => this.sources());
    target.metrics.showReload(this.#state);
    this.#watch();
  }

  /** Re-reads config, discovery and secrets; applies them if valid. Serialised: one at a time. */
  reload(): Promise<ReloadResult> {
    return this.#serial(() => this.#reload());
  }

  /** Re-reads the discovery sources and applies the merged list. */
  refreshDiscovery(): Promise<void> {
    return this.#serial(async () => {
      await this.#discovery?.refresh();
      if (!this.#closed) this.#target?.applyAccounts(this.#merged());
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#watcher?.close();
    await this.#queue;
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #reload(): Promise<ReloadResult> {
    const { log, clock } = this.#o;
    let config: ResolvedConfig;
    try {
      config = this.#o.load();
    } catch (err) {
      const problems = err instanceof ConfigError ? err.problems : [errorMessage(err)];
      this.#show({ ...this.#state, successful: false });
      log.error('reload failed; still running on the previous configuration', { problems });
      for (const p of problems) log.error(`reload: ${p}`);
      return { ok: false, problems };
    }
    for (const w of config.warnings) log.warn(w);
    const discoveryChanged = !isDeepStrictEqual(config.discovery, this.#config.discovery);
    if (discoveryChanged) {
      await this.#watcher?.close();
      this.#discovery = this.#newDiscovery(config);
    }
    const notes = restartOnlyChanges(this.#config, config);
    this.#config = config;
    await this.#discovery?.refresh();
    this.#target?.reconfigure(config);
    for (const n of notes) log.warn(`reload: ${n}`);
    // No await between the accounts and the state: a scrape prepares both from one moment.
    this.#target?.applyAccounts(this.#merged());
    this.#show({ successful: true, successAt: clock.now() });
    if (discoveryChanged) this.#watch();
    log.info('configuration reloaded', { source: config.source });
    return { ok: true, problems: [] };
  }

  #newDiscovery(config: ResolvedConfig): Discovery | undefined {
    const { env, clock, log } = this.#o;
    if (!config.discovery) return undefined;
    return new Discovery({ config: config.discovery, env, clock, log, onError: (source) => this.#metrics?.errors.inc({ source }) });
  }

  #merged(): ResolvedAccount[] {
    const lists = [{ source: 'accounts', accounts: this.#config.accounts }, ...(this.#discovery?.lists() ?? [])];
    const { accounts, rejected } = mergeAccounts(lists);
    for (const r of rejected) this.#o.log.warn(`discovery: ${r}`);
    return accounts;
  }

  #watch(): void {
    const discovery = this.#discovery;
    if (!discovery || this.#closed) return;
    this.#watcher = watchSources({
      patterns: discovery.config.files,
      intervalMs: discovery.config.refreshInterval,
      onChange: () => void this.refreshDiscovery(),
    });
  }

  #show(state: ReloadState): void {
    this.#state = state;
    this.#target?.metrics.showReload(state);
  }
}
