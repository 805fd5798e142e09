import { once } from 'node:events';
import type { Server } from 'node:http';
import type { Shard } from './config/shard.js';
import { Exporter } from './exporter.js';
import { loadConfig, type ResolvedConfig } from './config/load.js';
import { assertRetentionFits, DEFAULT_RETENTION_TIME, describeRetention, parseRetention, type RetentionPolicy } from './store/retention.js';
import { exporterApp } from './exporter-app.js';
import { lifecycleRouter } from './http/lifecycle.js';
import { parseListenAddress } from './http/listen-address.js';
import { createRemoteWriter } from './remote-write/wiring.js';
import { listen, WebConfigSource } from './http/web-config/index.js';
import { Reloader } from './reload/reloader.js';
import { catchSighup, RESTART_ONLY } from './reload/sighup.js';
import { clockFromEnv, commandLogger, openRuntime, type Env, type Runtime, type RuntimeFlags } from './runtime.js';

export interface DaemonFlags extends RuntimeFlags {
  /** `--web.listen-address`, once or more. */
  readonly listenAddresses: readonly string[];
  readonly telemetryPath: string;
  /** `--web.config.file`: exporter-toolkit's web config (TLS, basic auth, headers). */
  readonly webConfigFile?: string | undefined;
  /** `--shard=I/N`. @default WHOLE */
  readonly shard?: Shard;
  /** `--web.enable-lifecycle`: allow `POST /-/reload`. */
  readonly enableLifecycle?: boolean;
  /** `--storage.retention.time` / `.size`. @default 400d, no size limit */
  readonly retention?: RetentionPolicy;
}

/** Shutdown must end well within the 10 s that `docker stop` and Kubernetes wait by default. */
const SHUTDOWN_DEADLINE_MS = 8_000;

async function listenAll(
  app: ReturnType<typeof exporterApp>,
  addresses: readonly string[],
  webConfig: WebConfigSource | undefined,
  rt: Runtime,
): Promise<Server[] | undefined> {
  const servers: Server[] = [];
  for (const text of addresses) {
    const { host, port } = parseListenAddress(text);
    const server = listen(app, { host, port }, webConfig, rt.log);
    server.keepAliveTimeout = 5_000;
    servers.push(server);
    try {
      await once(server, 'listening');
    } catch (err) {
      rt.log.error('cannot listen', { address: text, error: (err as Error).message });
      for (const s of servers) s.close();
      return undefined;
    }
    const a = server.address();
    rt.log.info('listening', { address: typeof a === 'object' && a ? `${a.address}:${a.port}` : text });
  }
  return servers;
}

async function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
}

/** Runs the exporter until SIGTERM/SIGINT; resolves with the process exit code. SIGHUP reloads. */
export async function runDaemon(flags: DaemonFlags, env: Env): Promise<number> {
  const { log, redactor } = commandLogger(flags);
  const hup = catchSighup(log);
  try {
    return await serve(flags, env, { log, redactor }, hup);
  } finally {
    hup.release();
  }
}

async function serve(
  flags: DaemonFlags,
  env: Env,
  { log, redactor }: ReturnType<typeof commandLogger>,
  hup: ReturnType<typeof catchSighup>,
): Promise<number> {
  // Bad listen addresses are usage errors, refused before anything opens.
  for (const a of flags.listenAddresses) parseListenAddress(a);
  const webConfig = flags.webConfigFile === undefined ? undefined : WebConfigSource.load(flags.webConfigFile);
  const retention = flags.retention ?? parseRetention(DEFAULT_RETENTION_TIME, undefined);
  // A lookbackDays the retention cannot hold exits 2 at start, and is refused by a reload.
  const fits = (config: ResolvedConfig): ResolvedConfig => {
    assertRetentionFits(retention, config.schedule.lookbackDays);
    return config;
  };
  const rt = await openRuntime(flags, env, { log, redactor, clock: clockFromEnv(env, log), owner: true }, fits);
  const reloader = new Reloader({
    config: rt.config,
    // The demo's config is built in, not read from a file: a reload keeps it.
    load: () => fits(flags.demo ? rt.config : loadConfig({ file: flags.configFile, env })),
    env,
    clock: rt.clock,
    log,
  });
  const exporter = new Exporter({
    ...rt,
    config: { ...rt.config, accounts: await reloader.initialAccounts() },
    logger: log,
    env,
    shard: flags.shard,
    retention,
  });
  // Before the first poll: every day the exporter stores is queued in the same transaction.
  const remoteWriter = createRemoteWriter({ ...rt, logger: log }, exporter.registry);
  reloader.attach(exporter, exporter.registry);
  const app = exporterApp(exporter, {
    ...rt,
    telemetryPath: flags.telemetryPath,
    demo: flags.demo,
    remoteWriter,
    configuredAccounts: rt.config.accounts.length,
    operations: () => ({ reloadSuccessful: reloader.lastReloadSuccessful, sources: reloader.sources() }),
    routes: lifecycleRouter({
      enabled: flags.enableLifecycle ?? false,
      reload: () => {
        log.info('POST /-/reload: reloading the configuration', { note: RESTART_ONLY });
        return reloader.reload();
      },
    }),
  });
  const servers = await listenAll(app, flags.listenAddresses, webConfig, rt);
  if (!servers) {
    await reloader.close();
    await exporter.stop();
    await remoteWriter?.stop();
    await rt.close();
    return 1;
  }
  log.info('wechat-interface-exporter started', {
    version: rt.build.version,
    accounts: exporter.accounts.length,
    ...(exporter.shard.count > 1
      ? { shard: `${exporter.shard.index}/${exporter.shard.count}`, configuredAccounts: rt.config.accounts.length }
      : {}),
    storage: flags.storagePath,
    retention: describeRetention(retention),
    cron: rt.config.schedule.cron,
  });
  exporter.start();
  remoteWriter?.start();

  hup.reloadWith(() => reloader.reload());
  log.info('shutting down', { signal: await waitForSignal() });
  const deadline = setTimeout(() => {
    log.error('shutdown took too long; exiting');
    process.exit(0);
  }, SHUTDOWN_DEADLINE_MS);
  deadline.unref();
  const closed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
  for (const s of servers) s.closeAllConnections();
  await reloader.close();
  await exporter.stop();
  await remoteWriter?.stop();
  await Promise.all(closed);
  await rt.close();
  clearTimeout(deadline);
  log.info('stopped');
  return 0;
}
