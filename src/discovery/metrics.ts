import { Counter, Gauge, type Registry } from 'prom-client';
import type { SourceStatus } from './discovery.js';

/** The discovery metrics of one registry; the current sources are read at each scrape. */
export class DiscoveryMetrics {
  readonly errors: Counter<'source'>;

  constructor(registry: Registry, sources: () => readonly SourceStatus[]) {
    const registers = [registry];
    this.errors = new Counter({
      name: 'wechat_exporter_discovery_errors_total',
      help: 'Failed reads of a discovery source (the source keeps its last good list).',
      labelNames: ['source'],
      registers,
    });
    const accounts: Gauge<'source'> = new Gauge({
      name: 'wechat_exporter_discovered_accounts',
      help: 'Accounts in the last good list of each discovery source (entries refused alone not counted).',
      labelNames: ['source'],
      registers,
      collect() {
        accounts.reset();
        for (const s of sources()) accounts.set({ source: s.source }, s.accounts.length);
      },
    });
    const up: Gauge<'source'> = new Gauge({
      name: 'wechat_exporter_discovery_source_up',
      help: '1 if the last read of the discovery source worked, 0 if it failed (its last good list is still used).',
      labelNames: ['source'],
      registers,
      collect() {
        up.reset();
        for (const s of sources()) up.set({ source: s.source }, s.error === undefined ? 1 : 0);
      },
    });
    const rejected: Gauge<'source'> = new Gauge({
      name: 'wechat_exporter_discovery_rejected_entries',
      help: 'Entries of the discovery source refused alone (invalid, or a name/appid already taken); the log says why.',
      labelNames: ['source'],
      registers,
      collect() {
        rejected.reset();
        for (const s of sources()) rejected.set({ source: s.source }, s.rejected.length);
      },
    });
  }
}
