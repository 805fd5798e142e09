import type { Clock } from '../clock.js';

/**
 * The order in which WeChat's domains are tried. `wechat.baseUrls` is the configured order; the
 * domain that last answered is tried first for `stickyMs`, so that after a fail-over every call
 * does not start by waiting on the domain that is down.
 */
export class BaseUrlSelector {
  readonly #urls: readonly string[];
  readonly #clock: Clock;
  readonly #stickyMs: number;
  #preferred = 0;
  #preferredUntil = 0;

  constructor(urls: readonly string[], clock: Clock, stickyMs = 10 * 60_000) {
    if (urls.length === 0) throw new TypeError('BaseUrlSelector: at least one base URL is required');
    this.#urls = urls.map((u) => u.replace(/\/+$/, ''));
    this.#clock = clock;
    this.#stickyMs = stickyMs;
  }

  /** The base URLs in the order to try them now. */
  order(): string[] {
    const start = this.#clock.now() < this.#preferredUntil ? this.#preferred : 0;
    return [...this.#urls.slice(start), ...this.#urls.slice(0, start)];
  }

  /** Records that `url` answered (any HTTP answer that is not a 5xx). */
  answered(url: string): void {
    const i = this.#urls.indexOf(url);
    if (i < 0) return;
    if (i === 0) {
      this.#preferredUntil = 0;
      return;
    }
    if (i !== this.#preferred || this.#clock.now() >= this.#preferredUntil) {
      this.#preferred = i;
      this.#preferredUntil = this.#clock.now() + this.#stickyMs;
    }
  }
}
