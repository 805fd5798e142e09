/**
 * The program's own start applies the memory settings the image's ENTRYPOINT gives node, so that
 * `node dist/src/cli.js`, the package's `bin`, `npm run demo` and a systemd unit get the image's
 * memory without knowing V8 flags (docs/deploy.md, "Why those flags"). Neither setting can be
 * changed once node runs: V8 sizes the young generation when the heap is created
 * (`v8.setFlagsFromString('--max-semi-space-size=1')` at run time leaves it at 32 MiB, measured),
 * and glibc reads MALLOC_MMAP_THRESHOLD_ when the process starts. So a start that lacks them
 * starts node again, once, with them: in place (`process.execve`, Node ≥ 22.15: same pid, no
 * second process), or else as a child that this process waits for (./child.ts).
 */

/** The image's flags: a 1 MiB young generation; the old generation grown by half its live size. */
export const MEMORY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--heap-growing-percent=50'];

/** glibc gives freed buffers above 128 KiB (the prepared /metrics families) back to the system at once. */
export const MEMORY_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '131072' };

/**
 * `off` (any value but `applied`) keeps node as it was started; `applied` marks the started-again
 * process, so that it never starts itself a third time.
 */
export const MEMORY_OPT_OUT = 'WECHAT_EXPORTER_MEMORY_FLAGS';

/** How to start node again: its options (before the script) and environment. */
export interface Relaunch {
  readonly execArgv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

/** `--max_semi_space_size=4` and `--max-semi-space-size 4` name the same V8 flag. */
const flagName = (arg: string): string => (arg.slice(2).split('=')[0] ?? '').replaceAll('_', '-');

/**
 * What is missing from node's options (`execArgv` and NODE_OPTIONS) and environment, as a new
 * start; undefined when nothing is, or when the operator opted out. A flag or variable the
 * operator set, whatever its value, is theirs and kept.
 */
export function memoryRelaunch(execArgv: readonly string[], env: NodeJS.ProcessEnv): Relaunch | undefined {
  if (env[MEMORY_OPT_OUT] !== undefined) return undefined;
  const given = new Set([...execArgv, ...(env['NODE_OPTIONS'] ?? '').split(/\s+/)].filter((a) => a.startsWith('--')).map(flagName));
  const flags = MEMORY_NODE_FLAGS.filter((f) => !given.has(flagName(f)));
  const vars = Object.entries(MEMORY_ENV).filter(([name]) => env[name] === undefined);
  if (flags.length === 0 && vars.length === 0) return undefined;
  return { execArgv: [...flags, ...execArgv], env: { ...env, ...Object.fromEntries(vars), [MEMORY_OPT_OUT]: 'applied' } };
}
