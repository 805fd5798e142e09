import { WHOLE, type Shard } from '../config/shard.js';
import type { Registry } from 'prom-client';
import type { Logger } from 'winston';
import type { ResolvedConfig } from '../config/load.js';
import { HourlyCostNotice } from './hourly-cost.js';
import { registerProcessMetrics } from './process-metrics.js';
import type { AccountState } from '../poll/account-state.js';
import type { ReloadState } from '../reload/reloader.js';
import type { BuildInfo } from '../version.js';
import { accountFamilies } from './exposition/families.js';
import { LiveFamilies, type StableMetrics } from './exposition/live-families.js';
import { PreparedExposition, type StaticFamily } from './exposition/prepared-exposition.js';
import { ScrapeBodies, type ScrapeBody, type ScrapeRequest } from './exposition/scrape-body.js';

export interface ExporterMetricsOptions {
  readonly accounts: () => readonly AccountState[];
  readonly build: BuildInfo;
  /** `metrics.hourly`: export the hourly gauges. @default true */
  readonly hourly?: boolean;
  /** `--shard`. @default WHOLE (0 of 1) */
  readonly shard?: Shard;
}

/**
 * The contract's data and state gauges, prepared from the in-memory account states (no I/O, no
 * API call) whenever one changes, plus the build and shard info. The API counters and process
 * metrics stay in the prom-client registry, rendered at each scrape.
 */
export function createExporterMetrics(
  options: ExporterMetricsOptions & { readonly state?: () => readonly StaticFamily[] },
): PreparedExposition {
  const { build, shard = WHOLE } = options;
  const statics: StaticFamily[] = [
    {
      name: 'wechat_exporter_build_info',
      help: 'Build information of the exporter; always 1.',
      labels: [
        ['version', build.version],
        ['revision', build.revision],
        ['nodejs', build.nodejs],
      ],
      value: 1,
    },
    {
      name: 'wechat_exporter_shard_info',
      help: 'The shard of the accounts this instance polls and exports (--shard=I/N); always 1.',
      labels: [
        ['shard', String(shard.index)],
        ['shards', String(shard.count)],
      ],
      value: 1,
    },
  ];
  const { accounts, state } = options;
  return new PreparedExposition({ accounts, families: accountFamilies(options.hourly ?? true), statics, state });
}

/** The reload gauges, as Prometheus names its own (`prometheus_config_last_reload_*`). */
export function reloadFamilies(state: ReloadState): StaticFamily[] {
  return [
    {
      name: 'wechat_exporter_config_last_reload_successful',
      help: 'Whether the last configuration reload attempt was successful.',
      labels: [],
      value: state.successful ? 1 : 0,
    },
    {
      name: 'wechat_exporter_config_last_reload_success_timestamp_seconds',
      help: 'Timestamp of the last successful configuration reload (the start counts as one).',
      labels: [],
      value: state.successAt / 1000,
    },
  ];
}

/**
 * What `/metrics` serves: the registry (API metrics, whose rendering is reused until `api`
 * changes, and prom-client's process metrics unless `defaultMetrics: false`) followed by the
 * prepared account gauges.
 */
export class ExporterMetrics {
  readonly #exposition: PreparedExposition;
  readonly #bodies: ScrapeBodies;
  /** The reload gauges; none until a reloader shows its state (the daemon has one, tests may not). */
  #reload: readonly StaticFamily[] = [];
  readonly #hourlyCost: HourlyCostNotice;

  constructor(
    options: ExporterMetricsOptions & {
      readonly registry: Registry;
      /** The registry's metrics that change only at known moments (API calls, quota answers). */
      readonly stable: readonly StableMetrics[];
      readonly defaultMetrics?: boolean;
      /** Where the hourly gauges' cost is said (HourlyCostNotice), and whether remote write carries the hours. */
      readonly logger?: Logger;
      readonly config?: Pick<ResolvedConfig, 'remoteWrite'>;
      /** The accounts of the config and discovery at start, all shards (HourlyCostNotice). @default 0 */
      readonly listed?: number;
    },
  ) {
    // After the API metrics and the quota gauges, before the prepared families.
    if (options.defaultMetrics ?? true) registerProcessMetrics(options.registry);
    this.#exposition = createExporterMetrics({ ...options, state: () => this.#reload });
    this.#bodies = new ScrapeBodies(new LiveFamilies(options.registry, options.stable), this.#exposition);
    // The stored reference days are metrics already: prepare them now, not in the first scrape.
    this.#exposition.schedule(0);
    const setup = { hourly: options.hourly ?? true, remoteWriteTargets: options.config?.remoteWrite.length ?? 0 };
    this.#hourlyCost = new HourlyCostNotice(setup, options.logger);
    this.#hourlyCost.accountsListed(options.listed ?? 0);
  }

  /**
   * The account list changed (reload, discovery) and now holds `total` accounts of all shards: a
   * removed account leaves /metrics now, not after the next poll, and HourlyCostNotice counts them.
   */
  accountsChanged(total: number): void {
    this.#exposition.changed();
    this.#hourlyCost.accountsListed(total);
  }

  scrape(request: ScrapeRequest): Promise<ScrapeBody> {
    return this.#bodies.body(request);
  }

  /** An account's state changed (a poll ended): prepare soon rather than in the next scrape. */
  changed(): void {
    this.#exposition.changed();
  }

  /**
   * A reload's outcome. Prepared with the account families, never in the registry: a registry
   * rendering is reused for up to a second and made apart from the accounts, so a scrape could
   * show a reload's accounts with the state before it.
   */
  showReload(state: ReloadState): void {
    this.#reload = reloadFamilies(state);
    this.#exposition.changed();
  }
}
