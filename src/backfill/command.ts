import { Registry } from 'prom-client';
import type { Writable } from 'node:stream';
import {
  exitCodeFor,
  clockFromEnv,
  commandLogger,
  openRuntime,
  type Env,
  type Runtime,
  type RuntimeFlags,
  type RuntimeIo,
} from '../runtime.js';
import { pushRange } from '../remote-write/push-range.js';
import { addDays } from '../dates.js';
import { firstKeptDay, type RetentionPolicy } from '../store/retention.js';
import { createAccountClients, type AccountClients } from '../wechat/account-clients.js';
import { planBackfill, type BackfillFlags, type BackfillPlan } from './request.js';
import { assertWritableOutput, runBackfill } from './run.js';

/** The global flags the backfill uses, and its own. */
export interface BackfillCommandFlags extends BackfillFlags, RuntimeFlags {
  /** `--storage.retention.*`: days older than it are backfilled, with a warning that the store will not keep them. */
  readonly retention?: RetentionPolicy | undefined;
}

/**
 * Days older than the retention are fetched and written (that is how old history reaches
 * Prometheus), but the daemon's next pruning deletes them from the store: said, not silent.
 */
export function retentionWarning(plan: Pick<BackfillPlan, 'from' | 'to'>, policy: RetentionPolicy, nowMs: number): string | undefined {
  const keptFrom = firstKeptDay(nowMs, policy);
  if (plan.from >= keptFrom) return undefined;
  const last = plan.to < keptFrom ? plan.to : addDays(keptFrom, -1);
  return (
    `warning: ${plan.from}..${last} is older than --storage.retention.time=${policy.days}d (the store keeps days from ${keptFrom}): ` +
    `those days are fetched and written, then deleted from the store by the daemon's next pruning`
  );
}

export interface BackfillIo extends RuntimeIo {
  /** How long `--remote-write` keeps retrying a receiver that does not accept. @default 10 minutes */
  readonly remoteWriteGiveUpMs?: number;
  /** Where `--output -` goes. @default process.stdout */
  readonly stdout?: Writable;
}

/**
 * `wechat-interface-exporter backfill`: the daemon's runtime (config, store) and WeChat clients,
 * then the backfill. Resolves the exit code: 0 all written, 1 some days missing (or a runtime
 * failure), 2 a bad command line or configuration.
 */
export async function backfillCommand(flags: BackfillCommandFlags, env: Env, io: BackfillIo = {}): Promise<number> {
  const stderr = io.stderr ?? process.stderr;
  const stdout = io.stdout ?? process.stdout;
  const { log, redactor } = commandLogger(flags, stderr);
  const say = (line: string): void => void stderr.write(`${redactor.redact(line)}\n`);
  const clock = io.clock ?? clockFromEnv(env, log);

  let rt: Runtime | undefined;
  let clients: AccountClients | undefined;
  try {
    let plan: BackfillPlan | undefined;
    rt = await openRuntime(flags, env, { log, redactor, clock }, (config) => {
      plan = planBackfill(flags, config.accounts, clock.now());
      if (plan.output !== undefined) assertWritableOutput(plan.output);
    });
    if (!plan) throw new Error('backfill: no plan');
    const warning = flags.retention && retentionWarning(plan, flags.retention, clock.now());
    if (warning) say(warning);
    if (rt.simulator) say(`demo mode: built-in WeChat API simulator at ${rt.simulator.url}`);
    const wechat = createAccountClients({ ...rt.config, ...rt, env, registry: new Registry() });
    clients = wechat;
    const runtime = rt;
    const result = await runBackfill(plan, {
      store: rt.store,
      clock,
      log,
      apiFor: (appid) => wechat.apiFor(appid),
      report: say,
      stdout: (text) => void stdout.write(text),
      redact: (s) => redactor.redact(s),
      pushRange: (p) =>
        pushRange({
          ...p,
          url: p.remoteWrite as string,
          configured: runtime.config.remoteWrite,
          store: runtime.store,
          clock,
          log,
          redactor,
          userAgent: `wechat-interface-exporter/${runtime.build.version}`,
          report: say,
          giveUpAfterMs: io.remoteWriteGiveUpMs,
        }),
    });
    return result.exitCode;
  } catch (err) {
    return exitCodeFor(err, say);
  } finally {
    await clients?.close();
    await rt?.close();
  }
}
