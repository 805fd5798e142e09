/**
 * `rate_limit`: Go's `rate.NewLimiter(rate.Every(interval), burst)`, a token bucket that starts full,
 * holds at most `burst` tokens and gains one every `interval`. `burst: 0` refuses everything, as in Go.
 */
export class TokenBucket {
  #tokens: number;
  #at: number;

  constructor(
    private readonly intervalMs: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#tokens = burst;
    this.#at = now();
  }

  /** Takes a token if there is one. */
  allow(): boolean {
    const t = this.now();
    this.#tokens = Math.min(this.burst, this.#tokens + (t - this.#at) / this.intervalMs);
    this.#at = t;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
