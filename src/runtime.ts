import type { Writable } from 'node:stream';
import type { Logger } from 'winston';
import { offsetClock, systemClock, type Clock } from './clock.js';
import { loadConfig, type ResolvedConfig } from './config/load.js';
import { startDemo } from './demo.js';
import { ConfigError, ExporterError, UsageError } from './errors.js';
import { createLogger, type LogFormat, type LogLevel } from './log.js';
import type { BuildInfo } from './version.js';
import { Redactor } from './redact.js';
import type { WechatSimulator } from './simulator/index.js';
import { Store } from './store/store.js';
import { buildInfo } from './version.js';

/** Exit code for a bad command line or configuration (Prometheus' own tools use 2 for usage). */
export const EXIT_USAGE = 2;

export type Env = Readonly<Record<string, string | undefined>>;

/** The global flags every command shares. */
export interface RuntimeFlags {
  readonly configFile?: string | undefined;
  readonly storagePath: string;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  readonly demo: boolean;
}

export interface RuntimeIo {
  /** @default WECHAT_EXPORTER_FAKE_NOW, else the system clock */
  readonly clock?: Clock | undefined;
  /** Where log lines go. @default process.stderr */
  readonly stderr?: Writable | undefined;
}

/** What every command runs on: logger, clock, config (or the demo's), and the open store. */
export interface Runtime {
  readonly log: Logger;
  readonly redactor: Redactor;
  readonly clock: Clock;
  readonly config: ResolvedConfig;
  readonly store: Store;
  readonly build: BuildInfo;
  /** The built-in WeChat simulator (`--demo`). */
  readonly simulator: WechatSimulator | undefined;
  /** Closes the store and the simulator. */
  close(): Promise<void>;
}

/**
 * WECHAT_EXPORTER_FAKE_NOW (an ISO time) starts the clock at that instant; it then runs at normal
 * speed. For end-to-end tests that need "08:01 Beijing" on any day; never set it in production.
 */
export function clockFromEnv(env: Env, log?: Logger): Clock {
  const fake = env['WECHAT_EXPORTER_FAKE_NOW'];
  if (!fake) return systemClock;
  log?.warn('clock set by WECHAT_EXPORTER_FAKE_NOW (testing only)', { now: fake });
  return offsetClock(fake);
}

/** The logger of a command, masking every secret registered with its redactor. */
export function commandLogger(flags: Pick<RuntimeFlags, 'logLevel' | 'logFormat'>, stderr?: Writable): { log: Logger; redactor: Redactor } {
  const redactor = new Redactor();
  return { redactor, log: createLogger({ level: flags.logLevel, format: flags.logFormat, redactor, stream: stderr }) };
}

/**
 * Loads the config (or starts the demo simulator) and opens the store. Throws ConfigError for a
 * bad config and StoreError for an unusable store, having closed what it opened.
 * `check` runs after the config is loaded and before the store opens (a command's own flag checks).
 */
export async function openRuntime(
  flags: RuntimeFlags,
  env: Env,
  base: { log: Logger; redactor: Redactor; clock: Clock; owner?: boolean },
  check: (config: ResolvedConfig) => void = () => undefined,
): Promise<Runtime> {
  const { log, clock } = base;
  let simulator: WechatSimulator | undefined;
  let config: ResolvedConfig;
  if (flags.demo) {
    ({ simulator, config } = await startDemo(clock));
    log.info('demo mode: built-in WeChat API simulator', { url: simulator.url, accounts: config.accounts.map((a) => a.name) });
  } else {
    config = loadConfig({ file: flags.configFile, env });
  }
  try {
    for (const w of config.warnings) log.warn(w);
    check(config);
    // The daemon owns its store (one per store); a backfill shares it.
    const store = new Store(flags.storagePath, { owner: base.owner ?? false });
    return {
      ...base,
      config,
      store,
      simulator,
      build: buildInfo(env),
      async close() {
        store.close();
        await simulator?.close();
      },
    };
  } catch (err) {
    await simulator?.close();
    throw err;
  }
}

/**
 * What a command says about an error that ends it, and its exit code: 2 for a bad command line or
 * config, 1 for anything else the exporter raised. Other errors are bugs and are rethrown.
 */
export function exitCodeFor(err: unknown, say: (line: string) => void): number {
  if (err instanceof ConfigError) {
    say(err.message);
    return EXIT_USAGE;
  }
  if (err instanceof UsageError) {
    say(`error: ${err.message}`);
    return EXIT_USAGE;
  }
  if (err instanceof ExporterError) {
    say(`error: ${err.message}`);
    return 1;
  }
  throw err;
}
