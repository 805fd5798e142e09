/** One-shot (or n-shot) faults a test queues up; the first matching one answers the next call. */
import type { Fault, FaultOptions, SimApi } from './types.js';

interface QueuedFault {
  readonly fault: Fault;
  readonly api: SimApi | undefined;
  readonly appid: string | undefined;
  remaining: number;
}

export class FaultQueue {
  readonly #queue: QueuedFault[] = [];

  add(fault: Fault, options: FaultOptions = {}): void {
    validateFault(fault);
    const times = options.times ?? 1;
    if (!(times === Infinity || (Number.isInteger(times) && times > 0))) {
      throw new TypeError(`simulator.inject: times must be a positive integer or Infinity, got ${String(times)}`);
    }
    this.#queue.push({ fault, api: options.api, appid: options.appid, remaining: times });
  }

  /** The oldest fault matching this call, consumed once; undefined when none applies. */
  take(api: SimApi, appid: string | undefined): Fault | undefined {
    const index = this.#queue.findIndex((q) => (q.api === undefined || q.api === api) && (q.appid === undefined || q.appid === appid));
    const queued = this.#queue[index];
    if (!queued) return undefined;
    queued.remaining--;
    if (queued.remaining <= 0) this.#queue.splice(index, 1);
    return queued.fault;
  }

  clear(): void {
    this.#queue.length = 0;
  }

  get size(): number {
    return this.#queue.length;
  }
}

function validateFault(fault: Fault): void {
  const bad = (what: string): never => {
    throw new TypeError(`simulator.inject: ${what} in ${JSON.stringify(fault)}`);
  };
  switch (fault.kind) {
    case 'errcode':
      if (!Number.isInteger(fault.errcode)) bad('errcode must be an integer');
      return;
    case 'http':
      if (!Number.isInteger(fault.status) || fault.status < 100 || fault.status > 599) bad('status must be 100..599');
      return;
    case 'slow':
      if (!Number.isFinite(fault.delayMs) || fault.delayMs < 0) bad('delayMs must be a finite number >= 0');
      return;
    case 'body':
      if (typeof fault.body !== 'string') bad('body must be a string');
      return;
    case 'html':
    case 'truncated':
    case 'timeout':
    case 'reset':
    case 'empty':
      return;
    default:
      bad('unknown fault kind');
  }
}
