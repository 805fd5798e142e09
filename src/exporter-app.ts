import type { RequestListener } from 'node:http';
import express from 'express';
import type { Clock } from './clock.js';
import type { Exporter } from './exporter.js';
import { createApp } from './http/app.js';
import type { OperationsInfo } from './http/landing-operations.js';
import { summaryRouter } from './http/summary-api.js';
import type { BuildInfo } from './version.js';
import type { RemoteWriter } from './remote-write/remote-writer.js';
import type { Store } from './store/store.js';

export interface ExporterAppOptions {
  /** Read by the JSON API only; it never calls WeChat. */
  readonly store: Store;
  readonly clock: Clock;
  readonly build: BuildInfo;
  /** `--web.telemetry-path`. @default '/metrics' */
  readonly telemetryPath?: string;
  /** Shown on the landing page. @default false */
  readonly demo?: boolean;
  /** Its targets' state goes on the landing page. */
  readonly remoteWriter?: RemoteWriter | undefined;
  /** Accounts in the config, all shards together (the landing page of a shard says how many it has). */
  readonly configuredAccounts?: number;
  /** Reload and discovery state, for the landing page. */
  readonly operations?: () => OperationsInfo;
  /** More routes (`/-/reload`), mounted after the JSON API. */
  readonly routes?: express.Router;
}

/** The HTTP surface of a running exporter: metrics, landing page, health, readiness and the JSON API. */
export function exporterApp(exporter: Exporter, options: ExporterAppOptions): RequestListener {
  const telemetryPath = options.telemetryPath ?? '/metrics';
  return createApp({
    metrics: (request) => exporter.metrics.scrape(request),
    telemetryPath,
    ready: () => exporter.running,
    landing: () => ({
      version: options.build.version,
      telemetryPath,
      accounts: exporter.accounts,
      ready: exporter.running,
      demo: options.demo ?? false,
      now: options.clock.now(),
      nextRunAt: exporter.nextRunAt(),
      remoteWrite: options.remoteWriter?.status(),
      shard: { ...exporter.shard, configured: options.configuredAccounts ?? exporter.accounts.length },
      operations: options.operations?.(),
      store: exporter.retention.report(),
    }),
    routes: express
      .Router()
      .use(summaryRouter({ store: options.store, accounts: () => exporter.accounts, keptFrom: () => exporter.retention.report().keptFrom }))
      .use(options.routes ?? express.Router()),
  });
}
