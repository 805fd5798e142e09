/** The exporter's side of bench/sidecar.ts: starts it, and asks it over IPC. */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { SidecarMessage } from './shared.js';

/** A message to the sidecar, without the id that pairs it with its answer. */
export type SidecarAsk = SidecarMessage extends infer M ? (M extends { id: number } ? Omit<M, 'id'> : never) : never;

/** Forks a bench script beside this file: compiled (npm run bench) or run with tsx. */
export function forkBeside(name: string, args: readonly string[]): ChildProcess {
  const compiled = import.meta.url.endsWith('.js');
  const path = fileURLToPath(new URL(`./${name}${compiled ? '.js' : '.ts'}`, import.meta.url));
  return fork(path, args, { execArgv: compiled ? [] : ['--import', 'tsx'] });
}

export class Sidecar {
  #next = 1;
  readonly #child: ChildProcess;
  private constructor(child: ChildProcess) {
    this.#child = child;
  }
  static async start(accounts: number): Promise<{ sidecar: Sidecar; url: string }> {
    const child = forkBeside('sidecar', [String(accounts)]);
    const [first] = (await once(child, 'message')) as [{ value: string }];
    return { sidecar: new Sidecar(child), url: first.value };
  }
  ask<T>(message: SidecarAsk): Promise<T> {
    const id = this.#next++;
    return new Promise((resolve) => {
      const on = (m: { id: number; value: T }): void => {
        if (m.id !== id) return;
        this.#child.off('message', on);
        resolve(m.value);
      };
      this.#child.on('message', on);
      this.#child.send({ ...message, id });
    });
  }
}
