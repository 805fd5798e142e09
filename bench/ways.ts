/**
 * The ways of running node that the benches compare, each in a process of its own:
 *   image  the flags and environment of the image's ENTRYPOINT, given by hand
 *   bin    as `node dist/src/cli.js` runs it: plain node, the program's own start (src/launch/)
 *          applying what is missing
 *   plain  plain node with that start opted out (WECHAT_EXPORTER_MEMORY_FLAGS=off): how the bin
 *          ran before it applied the flags
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { MEMORY_ENV, MEMORY_NODE_FLAGS, MEMORY_OPT_OUT } from '../src/launch/memory.js';

const CHILD = 'BENCH_WAY';

export const WAY_TITLES: Readonly<Record<string, string>> = {
  image: 'as the image runs it',
  bin: 'as the bin runs it',
  plain: 'as plain node ran the bin (memory flags opted out)',
};

function way(name: string): { execArgv: string[]; env: NodeJS.ProcessEnv } {
  const env = { ...process.env };
  delete env[MEMORY_OPT_OUT];
  for (const key of Object.keys(MEMORY_ENV)) delete env[key];
  // --expose-gc: memory is read after a forced GC.
  if (name === 'image') return { execArgv: [...MEMORY_NODE_FLAGS, '--expose-gc'], env: { ...env, ...MEMORY_ENV, [MEMORY_OPT_OUT]: 'off' } };
  if (name === 'bin') return { execArgv: ['--expose-gc'], env };
  if (name === 'plain') return { execArgv: ['--expose-gc'], env: { ...env, [MEMORY_OPT_OUT]: 'off' } };
  throw new Error(`unknown way ${JSON.stringify(name)} (image, bin or plain)`);
}

/** In the bench's child for one way: its name. */
export const wayOfThisProcess = (): string | undefined => process.env[CHILD];

/** Runs the bench script `url` again with `args`, once per way, one after the other. */
export async function runEachWay(
  url: string,
  ways: readonly string[],
  args: readonly string[],
  title: (w: string) => string,
): Promise<void> {
  for (const name of ways) {
    const { execArgv, env } = way(name);
    console.log(`\n== ${title(name)}, node ${process.version} ${execArgv.join(' ')}`);
    const child = fork(fileURLToPath(url), args, { execArgv, env: { ...env, [CHILD]: name }, stdio: 'inherit' });
    await once(child, 'exit');
  }
}

/**
 * In that child, first: as cli.ts starts, node started again with what it lacks (the `bin`
 * way); true when this process must then only wait.
 */
export async function startedAgain(): Promise<boolean> {
  return (await import('../src/launch/start.js')).startAgain();
}
