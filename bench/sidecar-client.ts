/** The bench's end of bench/sidecar.ts (the simulator and the load in a process of their own), for bench/scale.ts and bench/prometheus-cost.ts. */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { LoadRequest, UntilRequest } from './shared.js';

export class Sidecar {
  #next = 1;
  readonly #child: ChildProcess;
  private constructor(child: ChildProcess) {
    this.#child = child;
  }
  static async start(accounts: number): Promise<{ sidecar: Sidecar; url: string }> {
    // Compiled (npm run bench) or run with tsx: the sidecar is beside this file either way.
    const compiled = import.meta.url.endsWith('.js');
    const sidecar = fileURLToPath(new URL(compiled ? './sidecar.js' : './sidecar.ts', import.meta.url));
    const child = fork(sidecar, [String(accounts)], { execArgv: compiled ? [] : ['--import', 'tsx'] });
    const [first] = (await once(child, 'message')) as [{ value: string }];
    return { sidecar: new Sidecar(child), url: first.value };
  }
  ask<T>(cmd: 'calls' | 'reset' | 'close' | 'load' | 'until' | 'watch' | 'peak', load?: LoadRequest, until?: UntilRequest): Promise<T> {
    const id = this.#next++;
    return new Promise((resolve) => {
      const on = (m: { id: number; value: T }): void => {
        if (m.id !== id) return;
        this.#child.off('message', on);
        resolve(m.value);
      };
      this.#child.on('message', on);
      this.#child.send({ id, cmd, load, until, pid: process.pid });
    });
  }
}
