import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'winston';
import type { Clock } from '../../src/clock.js';
import { resolveConfig, type ResolvedConfig } from '../../src/config/load.js';
import type { RequestListener } from 'node:http';
import { Exporter } from '../../src/exporter.js';
import { exporterApp } from '../../src/exporter-app.js';
import { memoryLogger } from '../../src/log.js';
import { Redactor } from '../../src/redact.js';
import type { RemoteWriter } from '../../src/remote-write/remote-writer.js';
import type { BackoffPolicy } from '../../src/remote-write/transition.js';
import { createRemoteWriter } from '../../src/remote-write/wiring.js';
import type { SimulatorAccount, WechatSimulator } from '../../src/simulator/index.js';
import type { RetentionPolicy } from '../../src/store/retention.js';
import { Store } from '../../src/store/store.js';
import { FAST_RETRY } from './wechat-stack.js';

export const BUILD = { version: '0.0.0-test', revision: 'test', nodejs: 'v0.0.0' } as const;

export interface TestAccount extends SimulatorAccount {
  readonly name: string;
  readonly tokenSource?: 'stable' | 'classic';
}

export const SHOP: TestAccount = { name: 'shop', appid: 'wx00000000000000a1', secret: 'shop-secret-0000000000000001' };
export const NEWS: TestAccount = { name: 'news', appid: 'wx00000000000000b2', secret: 'news-secret-0000000000000002' };

export function tempDir(prefix = 'wx-exporter-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A validated config for `accounts` against `sim`, secrets inline (tests only). */
export function testConfig(
  sim: WechatSimulator,
  accounts: readonly TestAccount[],
  schedule: Record<string, unknown> = {},
  baseUrls: readonly string[] = [sim.url],
  extra: Record<string, unknown> = {},
): ResolvedConfig {
  return resolveConfig(
    {
      ...extra,
      wechat: { baseUrls, timeout: '2s' },
      schedule: { lookbackDays: 7, ...schedule },
      accounts: accounts.map((a) => ({ name: a.name, appid: a.appid, secret: a.secret, tokenSource: a.tokenSource ?? 'stable' })),
    },
    {},
    'test',
  );
}

export interface Harness {
  readonly exporter: Exporter;
  /** The exporter's HTTP app, as the daemon builds it. */
  readonly app: RequestListener;
  readonly store: Store;
  readonly logger: Logger;
  readonly lines: string[];
  readonly redactor: Redactor;
  /** With `remoteWrite` in the config, as the daemon wires it. */
  readonly remoteWriter: RemoteWriter | undefined;
  /** Starts the schedule (and the remote writer), as the daemon does. */
  start(): void;
  close(): Promise<void>;
}

/** An exporter on `config` as the daemon builds it, its process metrics off and its retries fast. */
export function testExporter(o: {
  config: ResolvedConfig;
  store: Store;
  clock: Clock;
  logger: Logger;
  redactor: Redactor;
  retention?: RetentionPolicy | undefined;
}): Exporter {
  return new Exporter({ ...o, env: {}, build: BUILD, defaultMetrics: false, retryPolicy: FAST_RETRY });
}

/** An exporter as the daemon builds it, on a real SQLite file, its process metrics off. */
export function startExporter(options: {
  sim: WechatSimulator;
  clock: Clock;
  storePath: string;
  accounts: readonly TestAccount[];
  schedule?: Record<string, unknown>;
  baseUrls?: readonly string[];
  /** More top-level config sections (e.g. `remoteWrite`). */
  extraConfig?: Record<string, unknown>;
  remoteWriteBackoff?: BackoffPolicy;
  /** `--storage.retention.*`. @default the daemon's default */
  retention?: RetentionPolicy;
}): Harness {
  const redactor = new Redactor();
  const { logger, lines } = memoryLogger(redactor);
  const store = new Store(options.storePath);
  const config = testConfig(options.sim, options.accounts, options.schedule, options.baseUrls, options.extraConfig);
  const exporter = testExporter({
    config,
    store,
    clock: options.clock,
    logger,
    redactor,
    retention: options.retention,
  });
  const wiring = { config, store, clock: options.clock, logger, redactor, build: BUILD };
  const remoteWriter = createRemoteWriter(wiring, exporter.registry, options.remoteWriteBackoff);
  return {
    exporter,
    app: exporterApp(exporter, { store, clock: options.clock, build: BUILD, remoteWriter }),
    store,
    logger,
    lines,
    redactor,
    remoteWriter,
    start() {
      exporter.start();
      remoteWriter?.start();
    },
    async close() {
      await exporter.stop();
      await remoteWriter?.stop();
      store.close();
    },
  };
}
