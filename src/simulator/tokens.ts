/**
 * Access tokens as WeChat hands them out.
 * - Classic (`/cgi-bin/token`): every call issues a new token; the previous one keeps working
 *   for 5 more minutes, then answers 40001 ("invalid credential ... not latest").
 * - Stable (`/cgi-bin/stable_token`): the same token while it is valid; `force_refresh` issues a
 *   new one and invalidates the old at once. Stable and classic tokens do not affect each other.
 * A token past its lifetime answers 42001 ("access_token expired").
 * https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/getStableAccessToken.html
 */
import { randomBytes } from 'node:crypto';

/** How long a replaced classic token keeps working. */
export const CLASSIC_GRACE_MS = 5 * 60_000;

export type TokenKind = 'classic' | 'stable';

interface TokenRecord {
  readonly appid: string;
  readonly kind: TokenKind;
  expiresAt: number;
  /** When it stopped being accepted because another token replaced it. */
  revokedAt: number;
}

export interface IssuedToken {
  readonly accessToken: string;
  readonly expiresIn: number;
}

export type TokenCheck =
  { readonly ok: true; readonly appid: string } | { readonly ok: false; readonly appid?: string; readonly errcode: 40001 | 42001 };

export class TokenBook {
  readonly #ttlMs: number;
  readonly #records = new Map<string, TokenRecord>();
  /** The newest token of each kind, per appid: `${kind}\n${appid}` → token. */
  readonly #latest = new Map<string, string>();
  #sweptAt = -Infinity;

  constructor(ttlSeconds: number) {
    if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
      throw new TypeError(`simulator: tokenTtlSeconds must be a positive number, got ${String(ttlSeconds)}`);
    }
    this.#ttlMs = ttlSeconds * 1000;
  }

  issueClassic(appid: string, now: number): IssuedToken {
    const previous = this.#current('classic', appid);
    if (previous) previous.revokedAt = Math.min(previous.revokedAt, now + CLASSIC_GRACE_MS);
    return this.#issue('classic', appid, now);
  }

  stable(appid: string, now: number, forceRefresh: boolean): IssuedToken {
    const key = latestKey('stable', appid);
    const token = this.#latest.get(key);
    const record = token === undefined ? undefined : this.#records.get(token);
    if (token !== undefined && record && !forceRefresh && this.#usable(record, now)) {
      return { accessToken: token, expiresIn: Math.max(0, Math.floor((record.expiresAt - now) / 1000)) };
    }
    if (record) record.revokedAt = Math.min(record.revokedAt, now);
    return this.#issue('stable', appid, now);
  }

  check(token: string, now: number): TokenCheck {
    const record = this.#records.get(token);
    if (!record) return { ok: false, errcode: 40001 };
    if (this.#usable(record, now)) return { ok: true, appid: record.appid };
    // Whichever ended the token first decides the answer.
    return { ok: false, appid: record.appid, errcode: record.expiresAt <= record.revokedAt ? 42001 : 40001 };
  }

  /** The account a token belongs to, valid or not. */
  ownerOf(token: string): string | undefined {
    return this.#records.get(token)?.appid;
  }

  /** End the lifetime of every token (of one appid) now: the next data call gets 42001. */
  expire(now: number, appid?: string): void {
    for (const record of this.#records.values()) {
      if (appid === undefined || record.appid === appid) record.expiresAt = Math.min(record.expiresAt, now);
    }
  }

  #current(kind: TokenKind, appid: string): TokenRecord | undefined {
    const token = this.#latest.get(latestKey(kind, appid));
    return token === undefined ? undefined : this.#records.get(token);
  }

  /**
   * The book's bound: a token that ended more than FORGET_AFTER_MS ago is forgotten (it then
   * answers 40001, invalid, rather than 42001, expired), checked at most once a simulated day, so
   * that a simulator running for months (`--demo`, the 400-day test) does not keep every token.
   */
  #forgetOld(now: number): void {
    if (now - this.#sweptAt < DAY_MS) return;
    this.#sweptAt = now;
    for (const [token, r] of this.#records) if (Math.min(r.expiresAt, r.revokedAt) < now - FORGET_AFTER_MS) this.#records.delete(token);
  }

  #usable(record: TokenRecord, now: number): boolean {
    return record.revokedAt > now && record.expiresAt > now;
  }

  #issue(kind: TokenKind, appid: string, now: number): IssuedToken {
    // Random, not derived from the appid: a token must never be guessable from public data,
    // and tokens of two simulators must not be interchangeable.
    const accessToken = `${kind === 'stable' ? 'S' : 'C'}${randomBytes(60).toString('base64url')}`;
    this.#forgetOld(now);
    this.#records.set(accessToken, { appid, kind, expiresAt: now + this.#ttlMs, revokedAt: Infinity });
    this.#latest.set(latestKey(kind, appid), accessToken);
    return { accessToken, expiresIn: Math.floor(this.#ttlMs / 1000) };
  }
}

const DAY_MS = 86_400_000;
const FORGET_AFTER_MS = 7 * DAY_MS;

function latestKey(kind: TokenKind, appid: string): string {
  return `${kind}\n${appid}`;
}
