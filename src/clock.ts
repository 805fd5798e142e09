/**
 * The source of "now" for everything that depends on time. Injected everywhere so that tests
 * pin time to fixed Beijing dates instead of reading the host's clock.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that stands still until a test moves it. */
export class ManualClock implements Clock {
  #now: number;

  constructor(start: number | string | Date) {
    this.#now = new Date(start).getTime();
    if (Number.isNaN(this.#now)) throw new TypeError(`ManualClock: invalid start time ${String(start)}`);
  }

  now(): number {
    return this.#now;
  }

  set(to: number | string | Date): void {
    this.#now = new Date(to).getTime();
  }

  advance(ms: number): void {
    this.#now += ms;
  }
}

/**
 * A clock that runs at normal speed from a chosen starting instant: what a subprocess in an
 * end-to-end test uses (through WECHAT_EXPORTER_FAKE_NOW) to live at 08:01 Beijing on any host.
 */
export function offsetClock(start: number | string | Date, base: Clock = systemClock): Clock {
  const startMs = new Date(start).getTime();
  if (Number.isNaN(startMs)) throw new TypeError(`offsetClock: invalid start time ${String(start)}`);
  const offset = startMs - base.now();
  return { now: () => base.now() + offset };
}
