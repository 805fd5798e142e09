/**
 * The hourly gauges' cost to the Prometheus that scrapes them (issue 22), and when the exporter
 * says so at start. Measured by `npm run bench:prometheus` (docs/deploy.md#sizing): each account
 * exports about 130 series, 120 of them hourly gauges that change once a day, and those cost the
 * scraping Prometheus far more memory than the exporter. The remote-written history carries the
 * same hours as 5 series per account (docs/remote-write.md).
 */
import type { Logger } from 'winston';

/** Above this many accounts, `metrics.hourly` on without `remoteWrite` is warned about. */
export const HOURLY_WARNING_ACCOUNTS = 1000;

/** The measured cost of the hourly gauges, per 1,000 accounts (bench/prometheus-cost.ts, Prometheus 2.42). */
export const HOURLY_COST_PER_1000 = {
  /** Series (samples per scrape) the hourly gauges add: 5 figures × 24 hours, less the average of hours without callbacks. */
  series: 118_000,
  /** Prometheus' RSS the hourly gauges add after a few minutes of scraping every 15 s (343 MiB at 1,000 accounts, 373 at 5,000). */
  prometheusMiB: 350,
} as const;

export interface HourlyCostInput {
  /** Accounts in the config and discovery, all shards together: one Prometheus scrapes them all. */
  readonly accounts: number;
  /** `metrics.hourly`. */
  readonly hourly: boolean;
  /** `remoteWrite` targets. */
  readonly remoteWriteTargets: number;
}

export interface HourlyCostWarning {
  readonly message: string;
  readonly fields: Readonly<Record<string, number | string>>;
}

/**
 * The warning for a large platform on the costly setup, or undefined (pure). With a `remoteWrite`
 * target the hours are already carried by the history, so turning the gauges off costs no panel:
 * the operator has chosen to pay for both, and is not warned.
 */
export function hourlyCostWarning(input: HourlyCostInput): HourlyCostWarning | undefined {
  if (!input.hourly || input.remoteWriteTargets > 0 || input.accounts <= HOURLY_WARNING_ACCOUNTS) return undefined;
  const thousands = input.accounts / 1000;
  const series = Math.round((HOURLY_COST_PER_1000.series * thousands) / 1000) * 1000;
  const mib = Math.round((HOURLY_COST_PER_1000.prometheusMiB * thousands) / 10) * 10;
  return {
    message:
      `${input.accounts} accounts with metrics.hourly on: the hourly gauges add about ${series} series ` +
      `and ${mib} MiB of memory to the Prometheus that scrapes them (${HOURLY_COST_PER_1000.prometheusMiB} MiB per 1,000 accounts); ` +
      'set metrics.hourly: false and a remoteWrite target, whose history gives the dashboard the same hours (docs/remote-write.md)',
    fields: { accounts: input.accounts, threshold: HOURLY_WARNING_ACCOUNTS, hourlySeries: series, prometheusMiB: mib },
  };
}

/**
 * Says hourlyCostWarning at most once per process: at start, or when a reload or discovery first
 * takes the account count past the threshold. Not again on later refreshes: `metrics.hourly` and
 * `remoteWrite` are read at start only, so only a restart can act on it.
 */
export class HourlyCostNotice {
  readonly #setup: Omit<HourlyCostInput, 'accounts'>;
  readonly #logger: Logger | undefined;
  #said = false;

  constructor(setup: Omit<HourlyCostInput, 'accounts'>, logger: Logger | undefined) {
    this.#setup = setup;
    this.#logger = logger;
  }

  /** The accounts of the config and discovery, all shards together, are now `accounts`. */
  accountsListed(accounts: number): void {
    const warning = hourlyCostWarning({ ...this.#setup, accounts });
    if (!warning || this.#said) return;
    this.#said = true;
    this.#logger?.warn(warning.message, warning.fields);
  }
}
