import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MEMORY_NODE_FLAGS } from '../../src/launch/memory.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A free TCP port on 127.0.0.1 (closed again before it is returned). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface Daemon {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  readonly exited: Promise<number | string>;
}

/** Runs the CLI from source (`node --import tsx src/cli.ts ...`): a fresh clone runs `npm test` before any build. */
export function runCli(args: readonly string[], env: Record<string, string | undefined> = {}): Daemon {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/**
 * The pid of the process that runs the exporter: the one spawned, or, where node cannot replace
 * itself (Node < 22.15), the child it started with the memory flags (src/launch/).
 */
export function exporterPid(child: ChildProcess): number {
  const pid = child.pid as number;
  if (
    readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .includes(MEMORY_NODE_FLAGS[0] ?? '')
  )
    return pid;
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  assert.equal(children.length, 1, `exactly one child of ${pid}: ${children.join(' ')}`);
  return Number(children[0]);
}

/** Polls `fn` every 100 ms until it returns a truthy value, or fails after `ms` with `what`. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** GET `url`, resolving with status and body, or undefined when nothing listens. */
export async function get(url: string): Promise<{ status: number; body: string } | undefined> {
  try {
    const res = await fetch(url);
    return { status: res.status, body: await res.text() };
  } catch {
    return undefined;
  }
}

/** A demo daemon (`--demo`, its store in `dir`) on a free port, ready to answer. */
export async function startDemo(
  dir: string,
  options: { readonly args?: readonly string[]; readonly env?: Record<string, string> } = {},
): Promise<{ run: Daemon; url: string }> {
  const port = await freePort();
  const run = runCli(
    ['--demo', `--storage.path=${join(dir, 'demo.db')}`, `--web.listen-address=127.0.0.1:${port}`, ...(options.args ?? [])],
    options.env,
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor('the demo daemon to listen', async () => (await get(`${url}/-/healthy`))?.status === 200, 30_000);
  return { run, url };
}
