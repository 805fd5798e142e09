import { spawn } from 'node:child_process';
import { MEMORY_OPT_OUT, memoryRelaunch } from './memory.js';

/** What the parent of ./memory.ts's fallback passes on to the exporter. */
const FORWARDED: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

type Execve = (file: string, args: readonly string[], env: NodeJS.ProcessEnv) => never;

/**
 * Starts node again with the memory settings it lacks (./memory.ts): in place when node can, and
 * then never returns; else as a child, and returns true: this process must then do nothing but
 * wait for it. False when node has the settings (or was told not to apply them): go on.
 */
export function startAgain(): boolean {
  const plan = memoryRelaunch(process.execArgv, process.env);
  const script = process.argv[1];
  if (plan === undefined || script === undefined) {
    if (process.env[MEMORY_OPT_OUT] === 'applied') endWithParent();
    return false;
  }
  const args = [...plan.execArgv, script, ...process.argv.slice(2)];
  const execve = (process as { execve?: Execve }).execve;
  if (typeof execve === 'function') execve.call(process, process.execPath, [process.execPath, ...args], plan.env);
  runAsChild(args, plan.env);
  return true;
}

/**
 * Node < 22.15 cannot replace itself: the exporter runs as a child, in a process group of its
 * own, so that a terminal's Ctrl-C reaches it once (through here) and not twice. This process
 * forwards SIGTERM, SIGINT and SIGHUP, and ends as the child ended: its exit code, or killed by
 * the same signal.
 */
function runAsChild(args: readonly string[], env: NodeJS.ProcessEnv): void {
  const child = spawn(process.execPath, args, { env, stdio: ['inherit', 'inherit', 'inherit', 'ipc'], detached: true });
  for (const signal of FORWARDED) process.on(signal, () => child.kill(signal));
  child.on('error', (err) => {
    process.stderr.write(`cannot start node again with the memory flags (${err.message}); set ${MEMORY_OPT_OUT}=off to run without\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal === null) process.exit(code ?? 1);
    for (const s of FORWARDED) process.removeAllListeners(s);
    process.kill(process.pid, signal);
  });
}

/**
 * In that child: the parent gone (killed with SIGKILL, which it cannot forward) means nobody
 * will stop this process; it stops itself as on SIGTERM instead of living on, orphaned, holding
 * the store. The IPC channel is only that watch: it must not keep the process alive.
 */
function endWithParent(): void {
  if (!process.channel) return;
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  process.channel.unref();
}
