import { Writable } from 'node:stream';
import type { Clock } from '../clock.js';
import { loadConfig, type ResolvedConfig } from '../config/load.js';
import { clockFromEnv } from '../daemon.js';
import { startDemo } from '../demo.js';
import { UsageError, ConfigError, ExporterError } from '../errors.js';
import { Exporter } from '../exporter.js';
import { createLogger, type LogFormat, type LogLevel } from '../log.js';
import { Redactor } from '../redact.js';
import type { WechatSimulator } from '../simulator/index.js';
import { Store } from '../store/store.js';
import { buildInfo } from '../version.js';
import { planBackfill, type BackfillFlags, type BackfillPlan } from './request.js';
import { assertWritableOutput, runBackfill } from './run.js';

/** The global flags the backfill uses, and its own. */
export interface BackfillCommandFlags extends BackfillFlags {
  readonly configFile?: string | undefined;
  readonly storagePath: string;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  readonly demo: boolean;
}

export interface BackfillIo {
  /** @default WECHAT_EXPORTER_FAKE_NOW, else the system clock */
  readonly clock?: Clock;
  /** Progress, report and log lines. @default process.stderr */
  readonly stderr?: Writable;
  /** Where `--output -` goes. @default process.stdout */
  readonly stdout?: Writable;
}

/** Exit code for a bad command line or configuration, as the daemon uses. */
export const EXIT_USAGE = 2;

/**
 * `wechat-interface-exporter backfill`: wires config, store and the exporter's API clients the
 * way the daemon does, then runs the backfill. Resolves the exit code: 0 all written, 1 some
 * days missing (or a runtime failure), 2 a bad command line or configuration.
 */
export async function backfillCommand(
  flags: BackfillCommandFlags,
  env: Readonly<Record<string, string | undefined>>,
  io: BackfillIo = {},
): Promise<number> {
  const stderr = io.stderr ?? process.stderr;
  const stdout = io.stdout ?? process.stdout;
  const say = (line: string): void => void stderr.write(`${line}\n`);
  const redactor = new Redactor();
  const log = createLogger({ level: flags.logLevel, format: flags.logFormat, redactor, stream: stderr });
  const clock = io.clock ?? clockFromEnv(env, log);

  let simulator: WechatSimulator | undefined;
  let store: Store | undefined;
  let exporter: Exporter | undefined;
  try {
    let config: ResolvedConfig;
    let plan: BackfillPlan;
    try {
      if (!flags.demo) config = loadConfig({ file: flags.configFile, env });
      else ({ simulator, config } = await startDemo(clock));
      for (const w of config.warnings) say(`warning: ${w}`);
      plan = planBackfill(flags, config.accounts, clock.now());
      assertWritableOutput(plan.output);
    } catch (err) {
      if (!(err instanceof ExporterError)) throw err;
      say(err instanceof ConfigError ? err.message : `error: ${err.message}`);
      return err instanceof ConfigError || err instanceof UsageError ? EXIT_USAGE : 1;
    }
    if (simulator) say(`demo mode: built-in WeChat API simulator at ${simulator.url}`);

    store = new Store(flags.storagePath);
    exporter = new Exporter({
      config,
      store,
      clock,
      logger: log,
      redactor,
      env,
      build: buildInfo(env),
      defaultMetrics: false,
      demo: flags.demo,
    });
    const ex = exporter;
    const result = await runBackfill(plan, {
      store,
      clock,
      log,
      apiFor: (appid) => ex.accountApi(appid),
      report: say,
      stdout: (text) => void stdout.write(text),
      redact: (s) => redactor.redact(s),
    });
    return result.exitCode;
  } catch (err) {
    if (!(err instanceof ExporterError)) throw err;
    say(`error: ${redactor.redact(err.message)}`);
    return 1;
  } finally {
    await exporter?.stop();
    store?.close();
    await simulator?.close();
  }
}
