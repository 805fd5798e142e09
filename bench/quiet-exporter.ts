/** The exporter as the benches build it: the daemon's wiring on the bench's pinned clock, logging only to nowhere. */
import { Writable } from 'node:stream';
import { offsetClock } from '../src/clock.js';
import type { ResolvedConfig } from '../src/config/load.js';
import { Exporter } from '../src/exporter.js';
import { createLogger } from '../src/log.js';
import { Redactor } from '../src/redact.js';
import { Store } from '../src/store/store.js';
import { BENCH_NOW } from './shared.js';

export const benchClock = offsetClock(BENCH_NOW);
export const BENCH_BUILD = { version: 'bench', revision: 'bench', nodejs: process.version };

export function buildQuietExporter(config: ResolvedConfig, storePath: string): { exporter: Exporter; store: Store } {
  const redactor = new Redactor();
  const store = new Store(storePath);
  const quiet = new Writable({ write: (_c, _e, cb) => cb() });
  const exporter = new Exporter({
    config,
    store,
    clock: benchClock,
    logger: createLogger({ level: 'warn', format: 'json', redactor, stream: quiet }),
    redactor,
    env: {},
    build: BENCH_BUILD,
  });
  return { exporter, store };
}
