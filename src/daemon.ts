import { once } from 'node:events';
import type { Server } from 'node:http';
import type { Logger } from 'winston';
import { offsetClock, systemClock, type Clock } from './clock.js';
import { loadConfig, type ResolvedConfig } from './config/load.js';
import { startDemo } from './demo.js';
import { Exporter } from './exporter.js';
import { parseListenAddress } from './http/listen-address.js';
import { summaryRouter } from './http/summary-api.js';
import { createLogger, type LogFormat, type LogLevel } from './log.js';
import { Redactor } from './redact.js';
import type { WechatSimulator } from './simulator/index.js';
import { Store } from './store/store.js';
import { buildInfo } from './version.js';

export interface DaemonFlags {
  readonly configFile?: string | undefined;
  readonly listenAddress: string;
  readonly telemetryPath: string;
  readonly storagePath: string;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  readonly demo: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Shutdown must end well within the 10 s that `docker stop` and Kubernetes wait by default. */
const SHUTDOWN_DEADLINE_MS = 8_000;

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

/** Runs the exporter until SIGTERM/SIGINT; resolves with the process exit code. */
export async function runDaemon(flags: DaemonFlags, env: Env): Promise<number> {
  const redactor = new Redactor();
  const log = createLogger({ level: flags.logLevel, format: flags.logFormat, redactor });
  const clock = clockFromEnv(env, log);
  const { host, port } = parseListenAddress(flags.listenAddress);

  let simulator: WechatSimulator | undefined;
  let config: ResolvedConfig;
  if (flags.demo) {
    ({ simulator, config } = await startDemo(clock));
    log.info('demo mode: built-in WeChat API simulator', { url: simulator.url, accounts: config.accounts.map((a) => a.name) });
  } else {
    config = loadConfig({ file: flags.configFile, env });
  }
  for (const w of config.warnings) log.warn(w);

  const store = new Store(flags.storagePath);
  const build = buildInfo(env);
  const exporter = new Exporter({
    config,
    store,
    clock,
    logger: log,
    redactor,
    env,
    build,
    telemetryPath: flags.telemetryPath,
    demo: flags.demo,
    // The JSON API reads the store only; it never calls WeChat.
    routes: (ex) => summaryRouter({ store: ex.store, accounts: () => ex.accounts }),
  });

  const server: Server = host === undefined ? exporter.app.listen(port) : exporter.app.listen(port, host);
  server.keepAliveTimeout = 5_000;
  try {
    await once(server, 'listening');
  } catch (err) {
    log.error('cannot listen', { address: flags.listenAddress, error: (err as Error).message });
    await exporter.stop();
    store.close();
    await simulator?.close();
    return 1;
  }
  const address = server.address();
  log.info('wechat-interface-exporter started', {
    version: build.version,
    listen: typeof address === 'object' && address ? `${address.address}:${address.port}` : flags.listenAddress,
    accounts: config.accounts.length,
    storage: flags.storagePath,
    cron: config.schedule.cron,
  });
  exporter.start();

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log.info('shutting down', { signal });
  const deadline = setTimeout(() => {
    log.error('shutdown took too long; exiting');
    process.exit(0);
  }, SHUTDOWN_DEADLINE_MS);
  deadline.unref();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await exporter.stop();
  await closed;
  store.close();
  await simulator?.close();
  clearTimeout(deadline);
  log.info('stopped');
  return 0;
}
