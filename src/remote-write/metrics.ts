import { Counter, Gauge, type Registry } from 'prom-client';
import type { PushEvents } from './worker.js';

export interface TargetCounts {
  readonly label: string;
  readonly pending: () => number;
  readonly failed: () => number;
}

export interface RemoteWriteMetrics {
  /** The events of one target's worker, counted under its `url` label. */
  eventsFor(label: string): PushEvents;
}

/**
 * `wechat_exporter_remote_write_*`. The day gauges are read from the outbox at scrape time, so
 * they count days queued by a backfill process too; the counters count this process' pushes.
 */
export function registerRemoteWriteMetrics(registry: Registry, targets: readonly TargetCounts[]): RemoteWriteMetrics {
  const registers = [registry];
  const dayGauge = (name: string, help: string, read: (t: TargetCounts) => number): void => {
    const g: Gauge<'url'> = new Gauge({
      name,
      help,
      labelNames: ['url'],
      registers,
      collect() {
        for (const t of targets) g.set({ url: t.label }, read(t));
      },
    });
  };
  dayGauge('wechat_exporter_remote_write_pending_days', 'Stored account-days not yet accepted by the remote-write receiver.', (t) =>
    t.pending(),
  );
  dayGauge(
    'wechat_exporter_remote_write_failed_days',
    'Stored account-days the remote-write receiver refused (4xx other than 429); not retried until pushed again with backfill --remote-write.',
    (t) => t.failed(),
  );
  const samples = new Counter({
    name: 'wechat_exporter_remote_write_samples_total',
    help: 'Samples the remote-write receiver accepted.',
    labelNames: ['url'],
    registers,
  });
  const failures = new Counter({
    name: 'wechat_exporter_remote_write_failures_total',
    help: 'Failed remote-write pushes, by HTTP status (or network when no answer came).',
    labelNames: ['url', 'status'],
    registers,
  });
  for (const t of targets) samples.inc({ url: t.label }, 0);
  return {
    eventsFor: (url) => ({
      accepted: (n) => samples.inc({ url }, n),
      failed: (status) => failures.inc({ url, status }),
    }),
  };
}
