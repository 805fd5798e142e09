import type { Clock } from '../../clock.js';
import type { Redactor } from '../../redact.js';
import type { ApiMetrics } from '../api-metrics.js';
import type { AccessToken, TokenSource } from './token-source.js';

export interface TokenCacheOptions {
  readonly appid: string;
  readonly source: TokenSource;
  readonly clock: Clock;
  readonly metrics: ApiMetrics;
  /** Every token fetched is registered here so that it is masked wherever it could appear. */
  readonly redactor: Redactor;
  /**
   * Refresh this long before expiry (WxJava uses 200 s, silenceper 300 s for stable tokens);
   * at most half the token's lifetime. @default 300000
   */
  readonly refreshMarginMs?: number;
}

interface Cached {
  readonly token: string;
  readonly refreshAt: number;
}

/**
 * One account's access token: cached until shortly before it expires, fetched by at most one
 * request at a time however many callers wait, and dropped on rejection only if it is still the
 * one that was rejected (a concurrent caller may already have replaced it).
 */
export class TokenCache {
  readonly #o: TokenCacheOptions;
  #cached: Cached | undefined;
  #inflight: Promise<string> | undefined;
  #rejected = false;

  constructor(options: TokenCacheOptions) {
    this.#o = options;
  }

  get kind(): TokenSource['kind'] {
    return this.#o.source.kind;
  }

  /** A token that is valid now. */
  async get(): Promise<string> {
    const cached = this.#cached;
    if (cached && this.#o.clock.now() < cached.refreshAt) return cached.token;
    this.#inflight ??= this.#fetch().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  /** WeChat rejected `token`: the next `get()` fetches a new one, unless another caller already did. */
  invalidate(token: string): void {
    if (this.#cached?.token === token) {
      this.#cached = undefined;
      this.#rejected = true;
    }
  }

  async #fetch(): Promise<string> {
    const { appid, source, clock, metrics, redactor } = this.#o;
    let fresh: AccessToken;
    try {
      fresh = await source.fetch(this.#rejected);
    } catch (err) {
      metrics.tokenRefreshes.inc({ appid, outcome: 'error' });
      throw err;
    }
    metrics.tokenRefreshes.inc({ appid, outcome: 'ok' });
    redactor.replace(`access token of ${appid}`, fresh.token);
    const lifetimeMs = fresh.expiresInSec * 1000;
    const margin = Math.min(this.#o.refreshMarginMs ?? 300_000, lifetimeMs / 2);
    this.#cached = { token: fresh.token, refreshAt: clock.now() + lifetimeMs - margin };
    this.#rejected = false;
    return fresh.token;
  }
}
