/**
 * The command line: the daemon, `check-config`, `backfill`, `store recover`, `--version`. Loaded
 * by cli.ts once node runs with its memory settings (src/launch/).
 */
import { hostname } from 'node:os';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { backfillCommand } from './backfill/command.js';
import type { BackfillFlags } from './backfill/request.js';
import type { DiscoveryConfig } from './config/discovery-schema.js';
import { loadConfig } from './config/load.js';
import { ShardSyntaxError, WHOLE, parseShard, type Shard } from './config/shard.js';
import { runDaemon } from './daemon.js';
import { WebConfigSource } from './http/web-config/index.js';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './log.js';
import { errorMessage } from './errors.js';
import { survivePipeErrors } from './process-guards.js';
import { EXIT_USAGE, exitCodeFor } from './runtime.js';
import { storeCommand } from './store/command.js';
import { assertRetentionFits, DEFAULT_RETENTION_TIME, parseRetention, type RetentionPolicy } from './store/retention.js';
import { systemClock } from './clock.js';
import { versionText } from './version.js';

const DEFAULT_LISTEN_ADDRESS = ':10071';

interface GlobalFlags {
  'config.file'?: string;
  'web.listenAddress': string[];
  'web.telemetryPath': string;
  'web.config.file'?: string;
  'storage.path': string;
  'storage.retention.time': string;
  'storage.retention.size'?: string;
  'log.level': LogLevel;
  'log.format': LogFormat;
  demo?: boolean;
  shard: Shard;
  'web.enableLifecycle'?: boolean;
}

/** check-config does not read the discovery sources (they are read, and reported, at run time). */
function discoveryNote(d: DiscoveryConfig | undefined): string {
  if (!d) return '';
  return `; more from discovery (${[d.files.length ? `${d.files.length} file glob(s)` : '', d.http ? 'a URL' : ''].filter(Boolean).join(' and ')}, read at run time)`;
}

/** `--storage.retention.*` as a policy; a bad value is a UsageError naming the flag. */
function retentionOf(opts: GlobalFlags): RetentionPolicy {
  return parseRetention(opts['storage.retention.time'], opts['storage.retention.size']);
}

/** `--shard`'s parser: commander reports a thrown InvalidArgumentError as a usage error (exit 2). */
function shardOption(env: NodeJS.ProcessEnv): (value: string) => Shard {
  return (value) => {
    try {
      return parseShard(value, env['HOSTNAME'] ?? hostname());
    } catch (err) {
      if (err instanceof ShardSyntaxError) throw new InvalidArgumentError(err.message);
      throw err;
    }
  };
}

function program(env: NodeJS.ProcessEnv): Command {
  const cmd = new Command('wechat-interface-exporter')
    .description('Prometheus exporter for WeChat Official Account interface summary statistics')
    .option('--version', 'print version information and exit')
    .on('option:version', () => {
      process.stdout.write(versionText(env));
      process.exit(0);
    })
    .addOption(new Option('--config.file <path>', 'YAML configuration file').env('WECHAT_EXPORTER_CONFIG'))
    .option(
      '--web.listen-address <[host]:port>',
      `address to serve metrics, landing page and health on; repeat to listen on several (default: "${DEFAULT_LISTEN_ADDRESS}")`,
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .option('--web.telemetry-path <path>', 'path of the metrics endpoint', '/metrics')
    .option('--web.config.file <path>', "exporter-toolkit's web config file: TLS, basic auth, headers (re-read while running)")
    .option('--storage.path <file>', 'SQLite store of every row fetched', './data/wechat-exporter.db')
    .option(
      '--storage.retention.time <duration>',
      'Beijing days older than this are deleted from the store (a year for year-over-year looks, plus a month)',
      DEFAULT_RETENTION_TIME,
    )
    .option(
      '--storage.retention.size <size>',
      'the oldest days go first while the store holds more than this, e.g. 512MB, 2GB (default: off)',
    )
    .addOption(new Option('--log.level <level>', 'log level').choices(LOG_LEVELS).default('info'))
    .addOption(new Option('--log.format <format>', 'log format').choices(LOG_FORMATS).default('json'))
    .option('--web.enable-lifecycle', 'enable POST /-/reload (SIGHUP reloads in any case)')
    .option('--demo', 'run against the built-in WeChat API simulator with demo accounts')
    .addOption(
      new Option(
        '--shard <I/N>',
        "poll, store and export only shard I of N of the accounts (rendezvous hashing of the appid); auto/N takes I from the host name's -<ordinal>",
      )
        .argParser(shardOption(env))
        .default(WHOLE, '0/1'),
    )
    .showHelpAfterError()
    .exitOverride();

  cmd.action(async (opts: GlobalFlags) => {
    const code = await runDaemon(
      {
        configFile: opts['config.file'],
        listenAddresses: opts['web.listenAddress'].length > 0 ? opts['web.listenAddress'] : [DEFAULT_LISTEN_ADDRESS],
        telemetryPath: opts['web.telemetryPath'],
        webConfigFile: opts['web.config.file'],
        storagePath: opts['storage.path'],
        retention: retentionOf(opts),
        logLevel: opts['log.level'],
        logFormat: opts['log.format'],
        demo: opts.demo ?? false,
        shard: opts.shard,
        enableLifecycle: opts['web.enableLifecycle'] ?? false,
      },
      env,
    );
    process.exitCode = code;
  });

  cmd
    .command('check-config')
    .description('validate the configuration (and the secrets it points to), then exit: 0 if valid, 2 with every problem otherwise')
    .action((_opts, sub: Command) => {
      const opts = sub.optsWithGlobals<GlobalFlags>();
      const retention = retentionOf(opts);
      const config = loadConfig({ file: opts['config.file'], env });
      for (const w of config.warnings) process.stderr.write(`warning: ${w}\n`);
      assertRetentionFits(retention, config.schedule.lookbackDays);
      const webConfigFile = opts['web.config.file'];
      if (webConfigFile !== undefined) {
        const tls = WebConfigSource.load(webConfigFile).tlsPolicy() !== undefined;
        process.stdout.write(`web config OK (${webConfigFile}): TLS ${tls ? 'on' : 'off'}\n`);
      }
      process.stdout.write(
        `configuration OK (${config.source}): ${config.accounts.length} account(s): ${config.accounts.map((a) => a.name).join(', ')}${discoveryNote(config.discovery)}\n`,
      );
    });

  cmd
    .command('backfill')
    .description(
      'write the history of a range of days as OpenMetrics with timestamps, for promtool tsdb create-blocks-from openmetrics, and/or push it to a remote-write receiver (fetches the days the store lacks first); exit 1 if some day could not be written or pushed',
    )
    .requiredOption('--from <date>', 'first Beijing day, YYYY-MM-DD')
    .requiredOption('--to <date>', 'last Beijing day, YYYY-MM-DD (at most yesterday, from 08:00 Beijing)')
    .option('--account <name>', 'only this account (default: every configured account)')
    .option('--output <file>', 'OpenMetrics file to write, or - for standard output')
    .option(
      '--remote-write <url>',
      'push the range to this remote-write receiver (resumable; the config entry with this url gives its auth and TLS)',
    )
    .action(async (_opts, sub: Command) => {
      const opts = sub.optsWithGlobals<GlobalFlags & BackfillFlags>();
      // With --demo and no --storage.path, the demo history stays in memory, out of the real store.
      const demoInMemory = opts.demo === true && cmd.getOptionValueSource('storage.path') === 'default';
      process.exitCode = await backfillCommand(
        {
          configFile: opts['config.file'],
          storagePath: demoInMemory ? ':memory:' : opts['storage.path'],
          retention: retentionOf(opts),
          logLevel: opts['log.level'],
          logFormat: opts['log.format'],
          demo: opts.demo ?? false,
          from: opts.from,
          to: opts.to,
          account: opts.account,
          output: opts.output,
          remoteWrite: opts.remoteWrite,
        },
        env,
      );
    });
  cmd.addCommand(storeCommand(() => cmd.opts<GlobalFlags>()['storage.path'], systemClock));
  return cmd;
}

async function main(): Promise<void> {
  survivePipeErrors();
  process.on('unhandledRejection', (reason) => {
    // Never expected (every poll error is handled); logged rather than fatal so that one bad
    // answer cannot take the exporter down.
    process.stderr.write(`unhandled rejection: ${errorMessage(reason)}\n`);
  });
  try {
    await program(process.env).parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : EXIT_USAGE;
    } else {
      process.exitCode = exitCodeFor(err, (line) => void process.stderr.write(`${line}\n`));
    }
  }
}

await main();
