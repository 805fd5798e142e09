import { parseDuration } from '../config/duration.js';
import { addDays, beijingDateOf, DAY_MS, type BeijingDate } from '../dates.js';
import { ConfigError, UsageError } from '../errors.js';

/**
 * How long the store keeps a day, as Prometheus names its TSDB retention
 * (https://prometheus.io/docs/prometheus/latest/storage/#operational-aspects):
 * `--storage.retention.time` and `--storage.retention.size`.
 */
export interface RetentionPolicy {
  /** Whole Beijing days kept before today (`--storage.retention.time`, rounded down to days). */
  readonly days: number;
  /** `--storage.retention.size` in bytes: the oldest days go first while the store holds more. */
  readonly sizeBytes?: number | undefined;
}

/**
 * 400 days: a year-over-year look at any day of the past year (`/api/v1/summary`, backfill from
 * the store) plus a month's margin, while 5,000 accounts in one pod stay inside the chart's
 * default volume (docs/deploy.md "Running for years": bytes per account-day × accounts × days).
 */
export const DEFAULT_RETENTION_TIME = '400d';

const SIZE_UNITS: Readonly<Record<string, number>> = {
  B: 1,
  KB: 1024,
  MB: 1024 ** 2,
  GB: 1024 ** 3,
  TB: 1024 ** 4,
};
const SIZE_RE = /^(\d+)(B|KB|MB|GB|TB)$/;

/** Bytes of a size written as Prometheus' `--storage.tsdb.retention.size` takes it (`512MB`, `2GB`: powers of 1024), or undefined. */
export function parseSize(text: string): number | undefined {
  const m = SIZE_RE.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * (SIZE_UNITS[m[2] as string] as number);
}

/** The policy from the two flags' texts; a bad value is a UsageError naming the flag (exit 2). */
export function parseRetention(time: string, size: string | undefined): RetentionPolicy {
  const ms = parseDuration(time);
  if (ms === undefined || ms < DAY_MS) {
    throw new UsageError(`--storage.retention.time=${time}: expected a duration of at least a day, like 400d or 90d`);
  }
  if (size === undefined || size === '' || size === '0') return { days: Math.floor(ms / DAY_MS) };
  const bytes = parseSize(size);
  if (bytes === undefined || bytes === 0) {
    throw new UsageError(`--storage.retention.size=${size}: expected a size like 512MB or 2GB (B, KB, MB, GB, TB; 0 for off)`);
  }
  return { days: Math.floor(ms / DAY_MS), sizeBytes: bytes };
}

/**
 * The message when the retention would delete days the lookback fetches again (each day stored
 * then pruned then fetched, forever), else undefined. Before 08:00 the lookback's first day is
 * `lookbackDays` + 1 days back, hence the day more.
 */
export function retentionProblem(policy: RetentionPolicy, lookbackDays: number): string | undefined {
  if (policy.days >= lookbackDays + 1) return undefined;
  return (
    `--storage.retention.time=${policy.days}d is shorter than schedule.lookbackDays (${lookbackDays}) + 1 day: ` +
    `the store would delete days the lookback fetches again; raise --storage.retention.time to at least ${lookbackDays + 1}d ` +
    `or lower schedule.lookbackDays`
  );
}

/** Throws ConfigError (exit 2; a reload refused) when `retentionProblem` finds one. */
export function assertRetentionFits(policy: RetentionPolicy, lookbackDays: number): void {
  const problem = retentionProblem(policy, lookbackDays);
  if (problem !== undefined) throw new ConfigError([`schedule.lookbackDays: ${problem}`]);
}

/** The first Beijing day the time retention keeps at the instant `nowMs`. */
export function firstKeptDay(nowMs: number, policy: RetentionPolicy): BeijingDate {
  return addDays(beijingDateOf(nowMs), -policy.days);
}

/** `400d`, `400d and 2GB`: the policy as the flags said it (logs, landing page). */
export function describeRetention(policy: RetentionPolicy): string {
  return policy.sizeBytes === undefined ? `${policy.days}d` : `${policy.days}d or ${formatBytes(policy.sizeBytes)}`;
}

/** A byte count for people: `1.2 GiB`, `512 MiB`, `3.4 KiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v >= 100 ? 0 : 1)} ${units[i] as string}`;
}
