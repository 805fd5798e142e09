/** The exporter as the benches build it: the daemon's wiring on the bench's pinned clock, logging only to nowhere. */
import { rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { Writable } from 'node:stream';
import { offsetClock } from '../src/clock.js';
import type { ResolvedConfig } from '../src/config/load.js';
import { Exporter, type ExporterOptions } from '../src/exporter.js';
import { createLogger } from '../src/log.js';
import { Redactor } from '../src/redact.js';
import { Store } from '../src/store/store.js';
import { BENCH_NOW } from './shared.js';
import type { Sidecar } from './sidecar-client.js';

export const benchClock = offsetClock(BENCH_NOW);
export const BENCH_BUILD = { version: 'bench', revision: 'bench', nodejs: process.version };

export function buildQuietExporter(
  config: ResolvedConfig,
  storePath: string,
  options: Partial<Pick<ExporterOptions, 'clock' | 'retention'>> = {},
): { exporter: Exporter; store: Store } {
  const redactor = new Redactor();
  const store = new Store(storePath);
  const quiet = new Writable({ write: (_c, _e, cb) => cb() });
  const exporter = new Exporter({
    config,
    store,
    clock: options.clock ?? benchClock,
    retention: options.retention,
    logger: createLogger({ level: 'warn', format: 'json', redactor, stream: quiet }),
    redactor,
    env: {},
    build: BENCH_BUILD,
  });
  return { exporter, store };
}

/** Ends what a bench built, in order: its server, the exporter, the store, the sidecar, the temporary folder. */
export async function closeBench(parts: {
  readonly server: Server;
  readonly exporter: Exporter;
  readonly store: Store;
  readonly sidecar: Sidecar;
  readonly dir: string;
}): Promise<void> {
  parts.server.closeAllConnections();
  parts.server.close();
  await parts.exporter.stop();
  parts.store.close();
  await parts.sidecar.ask({ cmd: 'close' });
  rmSync(parts.dir, { recursive: true, force: true });
}
