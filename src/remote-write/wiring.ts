import type { Registry } from 'prom-client';
import type { Logger } from 'winston';
import type { Clock } from '../clock.js';
import type { ResolvedConfig } from '../config/load.js';
import { eachDay } from '../dates.js';
import type { BuildInfo } from '../version.js';
import { lookbackWindow } from '../poll/plan.js';
import type { Redactor } from '../redact.js';
import type { Store } from '../store/store.js';
import { RemoteWriter } from './remote-writer.js';
import type { BackoffPolicy } from './transition.js';

export interface RemoteWriteWiring {
  readonly config: ResolvedConfig;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly redactor: Redactor;
  readonly build: BuildInfo;
}

/**
 * The exporter's remote writer, or undefined without `remoteWrite` targets. The stored days of
 * the lookback window are queued at once for every target that lacks them, so a target added to
 * the config gets the recent history without a backfill (days already acknowledged stay so).
 */
export function createRemoteWriter(o: RemoteWriteWiring, registry: Registry, backoff?: BackoffPolicy): RemoteWriter | undefined {
  const { config, store, clock } = o;
  if (config.remoteWrite.length === 0) return undefined;
  const writer = new RemoteWriter({
    targets: config.remoteWrite,
    store,
    clock,
    log: o.logger,
    redactor: o.redactor,
    accounts: config.accounts,
    userAgent: `wechat-interface-exporter/${o.build.version}`,
    registry,
    backoff,
  });
  const { from, to } = lookbackWindow(clock.now(), config.schedule.lookbackDays);
  const at = clock.now();
  for (const a of config.accounts) {
    const stored = store.storedDays(a.appid, from, to);
    writer.enqueueStored(
      a.appid,
      eachDay(from, to).filter((d) => stored.has(d)),
      at,
    );
  }
  return writer;
}
