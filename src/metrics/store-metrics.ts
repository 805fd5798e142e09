import { Counter, Gauge, type Registry } from 'prom-client';
import { startOfBeijingDay } from '../dates.js';
import { DEFAULT_RETENTION_TIME, parseRetention, type RetentionPolicy } from '../store/retention.js';
import { RetentionRunner, type RetentionRunnerOptions, type StoreReport } from '../store/retention-runner.js';
import { lookbackWindow } from '../poll/plan.js';

export type { RetentionRunner };

export interface RetentionOption {
  /** `--storage.retention.time` / `.size`. @default 400d, no size limit */
  readonly retention?: RetentionPolicy | undefined;
}

/**
 * The exporter's retention runner and its gauges in `registry`. Called before ExporterMetrics
 * registers the process metrics: the store's families follow the quota gauges, ahead of them.
 */
export function storeRetention(
  o: Omit<RetentionRunnerOptions, 'policy' | 'lookbackFrom'> &
    RetentionOption & { readonly registry: Registry; readonly schedule: () => { readonly lookbackDays: number } },
): RetentionRunner {
  const lookbackFrom = (now: number): string => lookbackWindow(now, o.schedule().lookbackDays).from;
  const runner = new RetentionRunner({ ...o, lookbackFrom, policy: o.retention ?? parseRetention(DEFAULT_RETENTION_TIME, undefined) });
  registerStoreMetrics(o.registry, () => runner.report(), o.store.path !== ':memory:');
  return runner;
}

/**
 * The store's gauges: its size, oldest day, the retention's deletions and the free space of its
 * filesystem (statfs, as node_exporter's node_filesystem_avail_bytes / _size_bytes), for
 * WechatExporterStoreFillingUp. Read from `report`, whose figures are sampled at most every few
 * seconds (store/store-stats.ts), never computed per scrape. An in-memory store has no filesystem
 * and no filesystem gauges.
 */
export function registerStoreMetrics(registry: Registry, report: () => StoreReport, onDisk: boolean): void {
  const gauge = (name: string, help: string, value: (r: StoreReport) => number | undefined): void => {
    const g: Gauge = new Gauge({
      name,
      help,
      registers: [registry],
      collect: () => {
        g.set(value(report()) ?? 0);
      },
    });
  };
  gauge('wechat_exporter_store_size_bytes', 'Bytes of the store: its SQLite file plus its WAL.', (r) => r.sizeBytes);
  gauge(
    'wechat_exporter_store_oldest_day_timestamp_seconds',
    'Unix time of 00:00 Beijing of the oldest day stored for any account (0 while the store is empty).',
    (r) => (r.oldestDay === undefined ? 0 : startOfBeijingDay(r.oldestDay) / 1000),
  );
  const pruned: Counter = new Counter({
    name: 'wechat_exporter_store_pruned_days_total',
    help: 'Account-days deleted from the store by --storage.retention.time / --storage.retention.size.',
    registers: [registry],
    collect: () => {
      pruned.reset();
      pruned.inc(report().prunedDays);
    },
  });
  if (!onDisk) return;
  gauge(
    'wechat_exporter_store_filesystem_avail_bytes',
    "Bytes free for the exporter on the filesystem of the store's folder (statfs).",
    (r) => r.filesystem?.availBytes,
  );
  gauge(
    'wechat_exporter_store_filesystem_size_bytes',
    "Size in bytes of the filesystem of the store's folder (statfs).",
    (r) => r.filesystem?.sizeBytes,
  );
}
