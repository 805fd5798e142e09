/**
 * Child processes of an end-to-end test (exporter, Prometheus, Alertmanager): started on a free
 * 127.0.0.1 port, their output kept for the failure report, always stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { FatalWaitError, done, notYet, waitFor } from './wait.js';

/** Output kept per process: enough for the last few hundred log lines. */
const OUTPUT_LIMIT = 64 * 1024;
const STOP_GRACE_MS = 5_000;

// A port free right now on 127.0.0.1; another process may take it before ours binds (a tiny
// race), which is why startOnFreePort() retries once.
export { freePort } from '../../helpers/daemon-process.js';
import { freePort } from '../../helpers/daemon-process.js';

export interface ProcessSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

export class ManagedProcess {
  readonly name: string;
  readonly #child: ChildProcess;
  #output = '';
  #exit: string | undefined;
  readonly #exited: Promise<void>;

  constructor(spec: ProcessSpec) {
    this.name = spec.name;
    this.#child = spawn(spec.command, [...spec.args], { cwd: spec.cwd, env: spec.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer): void => {
      this.#output = (this.#output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
    };
    this.#child.stdout?.on('data', keep);
    this.#child.stderr?.on('data', keep);
    this.#exited = new Promise((resolve) => {
      this.#child.once('error', (err) => {
        this.#exit ??= `could not start: ${err.message}`;
        resolve();
      });
      this.#child.once('exit', (code, signal) => {
        this.#exit ??= signal ? `killed by ${signal}` : `exited with code ${String(code)}`;
        resolve();
      });
    });
  }

  /** Standard output and error, interleaved, the last OUTPUT_LIMIT characters. */
  get output(): string {
    return this.#output;
  }

  /** Why the process ended, or undefined while it runs. */
  get exit(): string | undefined {
    return this.#exit;
  }

  /** Throws a FatalWaitError (ends a waitFor at once) when the process has ended. */
  assertRunning(): void {
    if (this.#exit !== undefined) throw new FatalWaitError(`${this.name} ${this.#exit}; its output:\n${this.#output}`);
  }

  /** SIGTERM, then SIGKILL if it is still running after STOP_GRACE_MS. */
  async stop(): Promise<void> {
    if (this.#exit !== undefined) return;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), STOP_GRACE_MS);
    await this.#exited;
    clearTimeout(timer);
  }
}

/** Waits until GET `url` answers 200, or fails at once if the process ends first. */
export async function waitUntilReady(proc: ManagedProcess, url: string, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    `${proc.name} to answer ${url}`,
    async () => {
      proc.assertRunning();
      const res = await fetch(url);
      await res.arrayBuffer();
      return res.status === 200 ? done(undefined) : notYet(`HTTP ${res.status}`);
    },
    { timeoutMs },
  );
}

const BIND_FAILURE = /address already in use|EADDRINUSE/i;

/** What to run on a given port, and the URL that answers 200 once it is ready. */
export type PortedSpec = (port: number) => ProcessSpec & { readonly readyUrl: string };

/**
 * Starts a process on a free port and waits until it is ready. If it exited because the port was
 * taken meanwhile (the race freePort() leaves), tries once more on another port. Every process
 * spawned is pushed onto `started` at once, so that the caller stops it whatever happens.
 */
export async function startOnFreePort(
  spec: PortedSpec,
  started: ManagedProcess[],
  timeoutMs = 30_000,
): Promise<{ readonly proc: ManagedProcess; readonly port: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const { readyUrl, ...processSpec } = spec(port);
    const proc = new ManagedProcess(processSpec);
    started.push(proc);
    try {
      await waitUntilReady(proc, readyUrl, timeoutMs);
      return { proc, port };
    } catch (err) {
      const portTaken = proc.exit !== undefined && BIND_FAILURE.test(proc.output);
      if (attempt >= 2 || !portTaken) throw err;
    }
  }
}
